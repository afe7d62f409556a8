"""Valuing a position: the basis, the lots, the instrument's arithmetic, no price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from desk_app.domain.codes import InstrumentType
from desk_app.domain.holdings import NO_PRICE, Basis, PendingTrade, Quote, position, value
from desk_app.domain.lots import Lot

D = Decimal
QUOTE = Quote(D("50"), date(2026, 11, 24), "USD")


def _position(**changes: object) -> object:
    values: dict[str, object] = {
        "isin": "US0378331005", "description": "Apple", "instrument_type": InstrumentType.EQUITY,
        "currency": "USD", "multiplier": D(1), "settled": D(100),
        "lots": [Lot(date(2026, 1, 5), D(100), D("4000.00"))], "pending": [],
        "basis": Basis.SETTLEMENT, "quote": QUOTE, **changes,
    }  # fmt: skip
    return position(**values)  # type: ignore[arg-type]


def test_a_bond_is_valued_per_hundred_of_face_and_an_option_by_its_multiplier() -> None:
    bond = Quote(D("99.375"), date(2026, 11, 24), "USD")
    assert value(InstrumentType.CORPORATE_BOND, D(1), D(25000), bond) == D("24843.75")
    option = Quote(D("8.40"), date(2026, 11, 24), "USD")
    assert value(InstrumentType.OPTION, D(100), D(5), option) == D("4200.00")
    assert value(InstrumentType.EQUITY, D(1), D(-3), QUOTE) == D("-150.00")  # a short
    assert value(InstrumentType.EQUITY, D(1), D(3), None) is None


def test_the_trade_basis_adds_pending_buys_as_lots_and_takes_pending_sales_oldest_first() -> None:
    pending = [
        PendingTrade(date(2026, 11, 20), D(-60), D("2990.00")),  # a sale: out of the 100
        PendingTrade(date(2026, 11, 24), D(10), D("505.50")),  # a buy: a lot at its cost
    ]
    settled = _position(pending=pending)
    traded = _position(pending=pending, basis=Basis.TRADE)
    assert (settled.quantity, settled.cost, settled.gain) == (100, D("4000.00"), D("1000.00"))
    assert (traded.quantity, traded.lots_quantity) == (50, 50)
    assert traded.cost == D("1600.00") + D("505.50")
    assert traded.market_value == D("2500.00") and traded.pending == -50


def test_without_a_price_there_is_no_value_and_no_gain() -> None:
    unpriced = _position(quote=None)
    assert (unpriced.market_value, unpriced.gain, unpriced.price_text) == (None, None, NO_PRICE)


def test_a_gain_needs_lots_for_every_share_valued() -> None:
    part = _position(settled=D(150))  # 50 came in before lots were kept
    assert part.market_value == D("7500.00") and part.gain is None
    assert _position().price_text == "50 (2026-11-24)"
