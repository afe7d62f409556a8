"""A security at a price of 0: the ticket, an import and an amend refuse it without a reason.

The rule is the domain's (`trade_ticket.price_reason`); here it is checked on each
way a trade arrives, on both engines, and the reason is seen stored on the version.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from desk_app.db import models as m
from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import ValidationError
from desk_app.services.trading.trades import TradeService
from tests.services.conftest import Desk
from tests.services.trading.test_trade_import import (
    TRADE_E1,
    _books,
    _count,
    _fix,
    _importer,
    _trades,
)
from tests.services.trading.test_trades import TODAY, _terms

FUTURE = "US0000000000"  # any well-formed id: the rule reads the type, not the code
HEADER = "external_id,trade_date,account,side,isin,quantity,price,currency,counterparty"


@pytest.fixture
def floor(desk: Desk) -> Desk:
    _books(desk)
    desk.instrument(FUTURE, InstrumentType.FUTURE, multiplier=Decimal(1000))
    return desk


def _service(desk: Desk) -> TradeService:
    ws = desk.ws["carl"]
    return TradeService(ws.uow, ws.approvals, ws.calendar, today=lambda: TODAY)


def test_a_ticket_books_a_security_at_0_only_with_its_reason(floor: Desk) -> None:
    account, trades = floor.account(), _service(floor)
    for price in ("0", "-0", "0.00"):
        with pytest.raises(ValidationError) as refused:
            trades.check(_terms(account, price=Decimal(price)))
        assert refused.value.field == "price"
        assert refused.value.reason == (
            "is 0: an equity trades at 0 only with a price reason saying why"
        )
    with pytest.raises(ValidationError, match="is below 0: an equity never trades below 0"):
        trades.book(_terms(account, price=Decimal("-1"), price_reason="Rebate"))
    assert _count(floor, m.Trade) == 0

    why = "Gift of shares to the client's family trust"
    trade_id = trades.book(_terms(account, price=Decimal("-0"), price_reason=f"  {why} "))
    record = trades.record(trade_id)
    assert (record.terms.price, record.terms.price_reason) == (Decimal(0), why)
    assert (record.gross_amount, record.net_amount) == (Decimal("0.00"), Decimal("5.50"))
    (stored,) = _trades(floor)
    assert (stored.price, stored.price_reason) == (Decimal(0), why)


def test_an_amend_to_0_needs_a_reason_and_a_price_above_0_drops_it(floor: Desk) -> None:
    account, trades = floor.account(), _service(floor)
    first = trades.book(_terms(account))
    with pytest.raises(ValidationError) as refused:
        trades.amend(first, _terms(account, price=Decimal(0)), "Transfer at no cost")
    assert refused.value.field == "price"
    why = "Transfer in from another firm at no cost"
    second = trades.amend(
        first, _terms(account, price=Decimal(0), price_reason=why), "Transfer at no cost"
    ).trade_id
    assert second is not None
    assert trades.record(second).terms.price_reason == why
    third = trades.amend(
        second, _terms(account, price=Decimal("210.30"), price_reason=why), "Priced after all"
    ).trade_id
    assert third is not None
    assert trades.record(third).terms.price_reason == ""  # above 0: nothing to explain
    assert [t.price_reason for t in _trades(floor)] == [None, why, None]


def test_a_cancel_keeps_the_price_reason_of_the_version_it_cancels(floor: Desk) -> None:
    account, trades = floor.account(), _service(floor)
    why = "Worthless position closed out"
    first = trades.book(_terms(account, price=Decimal(0), price_reason=why))
    cancel = trades.cancel(first, "Wrong account").trade_id
    assert cancel is not None
    assert trades.record(cancel).terms.price_reason == why


def test_a_future_is_never_refused_for_a_price_at_or_below_0(floor: Desk) -> None:
    account, trades = floor.account(), _service(floor)
    terms = _terms(account, isin=FUTURE, price=Decimal("-37.63"))
    with pytest.raises(ValidationError) as refused:  # futures do not book here yet
        trades.check(terms)
    assert refused.value.field == "instrument_type"  # its cycle, not its price


def test_an_import_names_every_row_at_0_without_a_reason_and_stores_nothing(
    floor: Desk, tmp_path: Path
) -> None:
    path = tmp_path / "fills.csv"
    rows = [
        "F-1,2024-06-03,ACC-100,buy,US0378331005,100,189.25,USD,GSCO,",
        "F-2,2024-06-03,ACC-100,buy,US0378331005,100,0,USD,GSCO,",
        "F-3,2024-06-03,ACC-100,buy,US0378331005,100,-0,USD,GSCO,   ",
        "F-4,2024-06-03,ACC-100,buy,US0378331005,100,-1,USD,GSCO,Rebate",
        "F-5,2024-06-03,ACC-200,sell,US912828EG12,25000,0.000,USD,JPMS,",
        "F-6,2024-06-03,ACC-100,buy,US0378331005,100,0,USD,GSCO,Gift to the family trust",
    ]
    path.write_text(f"{HEADER},price_reason\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = _importer(floor).import_file(path)
    assert [str(p) for p in report.problems] == [
        "fills.csv:3: price: is 0: an equity trades at 0 only with a price reason saying why",
        "fills.csv:4: price: is 0: an equity trades at 0 only with a price reason saying why",
        "fills.csv:5: price: is below 0: an equity never trades below 0 (only futures do) ('-1')",
        "fills.csv:6: price: is 0: a treasury trades at 0 only with a price reason saying why",
    ]
    assert _count(floor, m.Trade) == 0 and _count(floor, m.TradeImport) == 0

    path.write_text(f"{HEADER},price_reason\n{rows[0]}\n{rows[5]}\n", encoding="utf-8")
    report = _importer(floor).import_file(path)
    assert report.ok, report.problems
    assert [(t.external_id, t.price_reason) for t in _trades(floor)] == [
        ("F-1", None),
        ("F-6", "Gift to the family trust"),
    ]


def test_a_big_file_checks_every_row_at_0_too(floor: Desk, tmp_path: Path) -> None:
    """Beyond the preview's rows an import checks value by value: the rule holds there too."""
    path = tmp_path / "big.csv"
    good = [f"B-{n},2024-06-03,ACC-100,buy,US0378331005,1,189.25,USD,GSCO" for n in range(600)]
    zero = "B-Z,2024-06-03,ACC-100,buy,US0378331005,1,-0,USD,GSCO"
    path.write_text("\n".join([HEADER, *good, zero, ""]), encoding="utf-8")
    report = _importer(floor).import_file(path, dry_run=True)
    assert [str(p) for p in report.problems] == [
        "big.csv:602: price: is 0: an equity trades at 0 only with a price reason saying why"
    ]


def test_a_fix_fill_at_0_is_named_by_its_tag(floor: Desk) -> None:
    report = _importer(floor).import_bytes(_fix(TRADE_E1.replace("31=187.25", "31=0")), "f.fix")
    assert [str(p) for p in report.problems] == [
        "f.fix:1: LastPx(31): is 0: an equity trades at 0 only with a price reason saying why"
    ]
    assert _count(floor, m.Trade) == 0
