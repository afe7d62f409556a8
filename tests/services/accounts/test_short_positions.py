"""A short position has no cost and no gain (blank, never 0.00)."""

from __future__ import annotations

from desk_app.domain.holdings import Basis
from tests.services.conftest import Desk


def test_a_short_position_has_no_cost_and_no_gain(funded_desk: Desk) -> None:
    """ACC-100 sold 100 AAPL it never held; ACC-200 bought them (a cost, a gain)."""
    carl = funded_desk.ws["carl"]
    for basis in Basis:
        (short,) = carl.holdings.positions("ACC-100", basis=basis).positions
        assert short.quantity == -100
        assert (short.cost, short.gain) == (None, None)
        (held,) = carl.holdings.positions("ACC-200", basis=basis).positions
        assert held.cost is not None
