"""An account's positions and cash, against hand-computed figures, on both engines.

The trades are the ticket's: 100 Apple at 210.25 with 5.00 commission and 0.50 fees,
so a purchase pays 21,030.50 and a sale brings 21,019.50.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from desk_app.domain.codes import Side
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import ValidationError
from desk_app.domain.holdings import Basis
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _book, settle_booked

AAPL = "US0378331005"
TRADE_DAY = date(2026, 11, 24)  # the ticket's trade date
PRICES = (
    b"isin,date,price,currency,high,low\n"
    b"US0378331005,2026-11-23,200.00,USD,201,199\n"
    b"US0378331005,2026-11-24,215.00,USD,216,209\n"
)


def test_a_settled_buy_and_a_pending_one_on_each_basis(settling_desk: Desk) -> None:
    desk = settling_desk
    carl = desk.ws["carl"]
    settle_booked(desk, "ACC-100", Side.BUY)
    _book(desk, "ACC-100", quantity=Decimal(50))  # 10,512.50 + 5.50 = 10,518.00, not settled
    assert carl.prices.import_bytes(PRICES, "close.csv").added == 2

    held = carl.holdings.positions("acc-100")
    assert held.account == "ACC-100" and held.basis is Basis.SETTLEMENT
    (apple,) = held.positions
    assert (apple.isin, apple.settled, apple.trade_date_quantity) == (AAPL, 100, 150)
    assert apple.quote is not None and apple.quote.price_date == TRADE_DAY  # the latest
    assert (apple.cost, apple.market_value, apple.gain) == (
        Decimal("21030.50"), Decimal("21500.00"), Decimal("469.50"),
    )  # fmt: skip

    (traded,) = carl.holdings.positions("ACC-100", basis="trade").positions
    assert (traded.quantity, traded.cost, traded.market_value, traded.gain) == (
        150, Decimal("31548.50"), Decimal("32250.00"), Decimal("701.50"),
    )  # fmt: skip

    (usd,) = carl.holdings.cash("ACC-100")
    assert (usd.currency, usd.settled, usd.pending, usd.projected) == (
        "USD", Decimal("-21030.50"), Decimal("-10518.00"), Decimal("-31548.50"),
    )  # fmt: skip


def test_as_of_a_day_before_the_settlement_the_shares_were_only_traded(
    settling_desk: Desk,
) -> None:
    carl = settling_desk.ws["carl"]
    settle_booked(settling_desk, "ACC-100", Side.BUY)  # posted today
    carl.prices.import_bytes(PRICES, "close.csv")
    yesterday = market_today() - timedelta(days=1)
    assert yesterday > TRADE_DAY
    (then,) = carl.holdings.positions("ACC-100", as_of=yesterday).positions
    assert (then.settled, then.trade_date_quantity, then.cost) == (0, 100, 0)
    assert then.market_value == 0 and then.gain == 0  # none of them held yet
    (traded,) = carl.holdings.positions("ACC-100", yesterday, Basis.TRADE).positions
    assert (traded.cost, traded.market_value, traded.gain) == (
        Decimal("21030.50"), Decimal("21500.00"), Decimal("469.50"),
    )  # fmt: skip
    # Before the trade date nothing was held; on the 23rd the 23rd's price applies.
    assert carl.holdings.positions("ACC-100", as_of=date(2026, 11, 23)).positions == ()


def test_a_partial_delivery_leaves_the_rest_settled_and_the_cash_pending(
    settling_desk: Desk,
) -> None:
    desk = settling_desk
    settling = desk.ws["carl"].settling
    settle_booked(desk, "ACC-100", Side.BUY)
    sale = _book(desk, "ACC-100", side=Side.SELL)
    settling.instruct([sale])
    settling.match([sale])
    assert settling.settle(sale, quantity=Decimal(40)).amount == Decimal("8407.80")
    holdings = desk.ws["carl"].holdings

    (left,) = holdings.positions("ACC-100").positions
    assert (left.settled, left.trade_date_quantity, left.cost) == (60, 0, Decimal("12618.30"))
    # Never a zero value for want of a price.
    assert (left.quote, left.market_value, left.gain, left.price_text) == (
        None, None, None, "no price",
    )  # fmt: skip
    (traded,) = holdings.positions("ACC-100", basis=Basis.TRADE).positions
    assert (traded.quantity, traded.cost, traded.lots_quantity) == (0, 0, 0)

    (usd,) = holdings.cash("ACC-100")
    assert (usd.settled, usd.pending, usd.projected) == (
        Decimal("-12622.70"), Decimal("12611.70"), Decimal("-11.00"),
    )  # fmt: skip


def test_a_journal_in_carries_its_lots_and_shows_in_the_activity(funded_desk: Desk) -> None:
    carl, sam = funded_desk.ws["carl"], funded_desk.ws["sam"]
    asked = carl.transfers.request_securities("ACC-200", "ACC-300", AAPL, Decimal(40), "gift")
    sam.approvals.approve(asked.request_id)

    (given,) = carl.holdings.positions("ACC-300").positions
    assert (given.settled, given.cost, given.lots_quantity) == (40, Decimal("8412.20"), 40)
    (kept,) = carl.holdings.positions("ACC-200").positions
    assert (kept.settled, kept.cost) == (60, Decimal("12618.30"))
    assert carl.holdings.cash("ACC-300") == ()

    latest = carl.holdings.activity("ACC-200")
    assert [a.kind for a in latest] == ["journal out", "settlement", "trade"]
    assert latest[0].description == f"40 {AAPL} to ACC-300"
    assert latest[1].description == f"Received 100 {AAPL}"
    assert latest[2].description == f"Buy 100 {AAPL} at 210.25"
    summary = carl.holdings.summary("ACC-300")
    assert [a.kind for a in summary.activity] == ["journal in"]
    assert summary.holdings.positions == (given,)


def test_an_unknown_account_is_named(settling_desk: Desk) -> None:
    with pytest.raises(ValidationError, match="account: is not an account"):
        settling_desk.ws["carl"].holdings.positions("NOPE-1")


def test_an_imported_trade_without_its_obligation_yet_is_pending(settling_desk: Desk) -> None:
    carl = settling_desk.ws["carl"]
    content = (
        b"external_id,trade_date,account,side,isin,quantity,price,currency,counterparty\n"
        b"T-1,2026-11-24,ACC-100,sell,US0378331005,30,210,USD,GSCO\n"
    )
    assert carl.imports.import_bytes(content, "late.csv").added == 1
    (short,) = carl.holdings.positions("ACC-100", basis=Basis.TRADE).positions
    assert (short.settled, short.trade_date_quantity) == (0, -30)
    carl.settlements.run()  # now its obligation covers it, counted once
    (same,) = carl.holdings.positions("ACC-100", basis=Basis.TRADE).positions
    assert same.trade_date_quantity == -30
    (usd,) = carl.holdings.cash("ACC-100")
    assert usd.pending == Decimal("6300.00")  # the sale's cash still to come in
