"""A securities journal takes the lots the clerk names; without names, the oldest go first.

ACC-200 holds two lots of AAPL: 50 bought on 2025-06-02 (long-term by now) and the
100 of 2026-11-24 that ``funded_desk`` settled.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from desk_app.domain.codes import Side
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.lots import Term, term
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _book
from tests.services.transfers.test_journals import AAPL

OLD, NEW = date(2025, 6, 2), date(2026, 11, 24)
D = Decimal


def buy(desk: Desk, account: str, day: date, quantity: int, price: str) -> None:
    """Book and settle a purchase dated ``day`` (a lot acquired then)."""
    oid = _book(desk, account, side=Side.BUY, quantity=D(quantity), price=D(price),
                trade_date=day, trade_time=datetime.combine(day, datetime.min.time(), UTC),
                )  # fmt: skip
    settling = desk.ws["carl"].settling
    settling.instruct([oid])
    settling.match([oid])
    settling.settle(oid)


@pytest.fixture
def two_lots(funded_desk: Desk) -> Desk:
    buy(funded_desk, "ACC-200", OLD, 50, "100.00")
    return funded_desk


def _lots(desk: Desk, account: str) -> list[tuple[date, Decimal, Decimal]]:
    return [(x.acquired, x.quantity, x.cost) for x in desk.ws["carl"].transfers.lots(account, AAPL)]


def test_the_named_lots_go_with_the_journal(two_lots: Desk) -> None:
    carl, sue = two_lots.ws["carl"], two_lots.ws["sue"]
    old_cost = _lots(two_lots, "ACC-200")[0][2]
    asked = carl.transfers.request_securities(
        "ACC-200", "ACC-300", AAPL, D(60), "gift", lots={NEW: D(40), OLD: D(20)}
    )
    shown = {f.field: f.proposed for f in sue.approvals.detail(asked.request_id).fields}
    assert shown["lots"].startswith("20 acquired 2025-06-02 at ")
    assert shown["lots"].endswith("; 40 acquired 2026-11-24 at 8,412.20 USD")
    sue.approvals.approve(asked.request_id)
    part = (old_cost * 20 / 50).quantize(D("0.0001"))
    assert _lots(two_lots, "ACC-300") == [(OLD, D(20), part), (NEW, D(40), D("8412.20"))]
    assert _lots(two_lots, "ACC-200") == [
        (OLD, D(30), old_cost - part), (NEW, D(60), D("12618.30"))
    ]  # fmt: skip
    # Replayed, the source's lots stay as the named journal left them: 30 of the old
    # go next by default, and the new lot is untouched.
    rest = carl.transfers.request_securities("ACC-200", "ACC-100", AAPL, D(30), "the old")
    sue.approvals.approve(rest.request_id)
    assert _lots(two_lots, "ACC-200") == [(NEW, D(60), D("12618.30"))]


def test_without_names_the_oldest_go_first(two_lots: Desk) -> None:
    carl, sue = two_lots.ws["carl"], two_lots.ws["sue"]
    asked = carl.transfers.request_securities("ACC-200", "ACC-300", AAPL, D(60), "gift")
    sue.approvals.approve(asked.request_id)
    assert [(a, q) for a, q, _ in _lots(two_lots, "ACC-300")] == [(OLD, D(50)), (NEW, D(10))]


def test_bad_names_are_refused_each_by_field_and_reason(two_lots: Desk) -> None:
    carl = two_lots.ws["carl"]
    with pytest.raises(ValidationError) as refused:
        carl.transfers.request_securities(
            "ACC-200", "ACC-300", AAPL, D(60), "gift",
            lots={date(2026, 1, 5): D(10), NEW: D(500), OLD: D(0)},
        )  # fmt: skip
    assert refused.value.field == "lots"
    assert refused.value.reason == (
        "2025-06-02: take more than 0 (not 0); 2026-01-05: no lot was acquired that day; "
        "2026-11-24: 500 is more than the 100 the lot holds; "
        "the lots add up to 510; the journal moves 60"
    )
    assert _lots(two_lots, "ACC-200")[1] == (NEW, D(100), D("21030.50"))  # nothing filed


def test_a_named_lot_gone_by_approval_refuses_it(two_lots: Desk) -> None:
    carl, sue = two_lots.ws["carl"], two_lots.ws["sue"]
    asked = carl.transfers.request_securities(
        "ACC-200", "ACC-300", AAPL, D(50), "gift", lots={OLD: D(50)}
    )
    first = carl.transfers.request_securities("ACC-200", "ACC-100", AAPL, D(10), "oldest")
    sue.approvals.approve(first.request_id)  # takes 10 of the old lot
    with pytest.raises(DeskError, match="cannot be approved: lots: 2025-06-02: 50 is more"):
        sue.approvals.approve(asked.request_id)


def test_term_long_after_a_year_and_always_when_inherited() -> None:
    assert term(date(2025, 3, 10), date(2026, 3, 10)) is Term.SHORT
    assert term(date(2025, 3, 10), date(2026, 3, 11)) is Term.LONG
    assert term(date(2024, 2, 29), date(2025, 2, 28)) is Term.SHORT
    assert term(date(2024, 2, 29), date(2025, 3, 1)) is Term.LONG
    assert term(date(2026, 12, 1), date(2026, 12, 2), inherited=True) is Term.LONG
