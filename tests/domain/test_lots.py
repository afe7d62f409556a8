"""Cost-basis lots: first in first out, a part carries its share of the cost exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain.lots import Lot, holding, take

OLD = Lot(date(2026, 1, 5), Decimal(100), Decimal("1000.00"), 1)
NEW = Lot(date(2026, 3, 9), Decimal(50), Decimal("700.00"), 2)


def test_the_oldest_lot_goes_first_and_a_part_takes_its_share() -> None:
    left, taken = take([NEW, OLD], Decimal(120))
    assert taken == [OLD, Lot(date(2026, 3, 9), Decimal(20), Decimal("280.0000"), 2)]
    assert left == [Lot(date(2026, 3, 9), Decimal(30), Decimal("420.0000"), 2)]


def test_taking_more_than_the_lots_hold_takes_them_all_and_invents_none() -> None:
    left, taken = take([OLD], Decimal(130))
    assert (left, taken) == ([], [OLD])


@given(
    st.lists(st.tuples(st.integers(1, 10_000), st.integers(0, 10_000_000)), min_size=1,
             max_size=6),
    st.integers(1, 60_000),
)  # fmt: skip
def test_cost_is_never_lost_or_made(pieces: list[tuple[int, int]], want: int) -> None:
    lots = [Lot(date(2026, 1, n + 1), Decimal(q), Decimal(c) / 100, n)
            for n, (q, c) in enumerate(pieces)]  # fmt: skip
    left, taken = take(lots, Decimal(want))
    total_q, total_c = holding(lots)
    (lq, lc), (tq, tc) = holding(left), holding(taken)
    assert (lq + tq, lc + tc) == (total_q, total_c)
    assert tq == min(Decimal(want), total_q)
