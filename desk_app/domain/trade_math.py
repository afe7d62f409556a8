"""The arithmetic of a trade: its gross (principal) and net (settlement) amounts.

One place for the rules the trade ticket, the importers and the demo book share.
Everything is exact Decimal arithmetic (never float, never the default 28-digit
context): a result is rounded only by `round_money`, where an amount is paid.
"""

from __future__ import annotations

from decimal import Decimal

from desk_app.domain.codes import InstrumentType, Side
from desk_app.domain.money import EXACT, round_money

__all__ = ["gross_amount", "net_amount", "principal"]


def gross_amount(
    instrument_type: InstrumentType,
    quantity: Decimal,
    price: Decimal,
    multiplier: Decimal = Decimal(1),
) -> Decimal:
    """Quantity × price × multiplier, exactly; per 100 of face where quoted in percent of par.

    Shares: 100 × 210.25 = 21,025. Bonds, bills and commercial paper: the quantity
    is face value, 25,000 at 99.375 = 24,843.75. Options: contracts × premium ×
    the contract multiplier, 5 × 8.40 × 100 = 4,200. Not rounded: a bond in 32nds
    can come to a fraction of a cent (see `principal`).
    """
    if not (type(quantity) is type(price) is type(multiplier) is Decimal):
        _refuse_non_decimals(quantity=quantity, price=price, multiplier=multiplier)
    if multiplier <= 0:
        raise ValueError(f"a contract multiplier must be positive, not {multiplier}")
    amount = EXACT.multiply(EXACT.multiply(quantity, price), multiplier)
    if instrument_type.quoted_in_percent_of_par:
        return amount.scaleb(-2, EXACT)  # exactly / 100
    return amount


def principal(
    instrument_type: InstrumentType,
    quantity: Decimal,
    price: Decimal,
    currency: str,
    multiplier: Decimal = Decimal(1),
) -> Decimal:
    """The gross amount as it is paid: in whole minor units of ``currency``.

    Rounded half to even (`round_money`): 10,000 face at 99.171875 (99-05+) is
    9,917.1875 exactly and 9,917.19 paid.
    """
    exact = gross_amount(instrument_type, quantity, price, multiplier)
    return round_money(exact, currency)


def net_amount(side: Side, gross: Decimal, commission: Decimal, fees: Decimal) -> Decimal:
    """What the client pays on a buy or receives on a sale, exactly.

    A buy pays its charges on top of the gross; a sale (or short sale) has them
    netted off: buy 1,000.00 + 5.00 + 0.50 = 1,005.50, sell 1,000.00 - 5.50 = 994.50.
    """
    if not (type(gross) is type(commission) is type(fees) is Decimal):
        _refuse_non_decimals(gross=gross, commission=commission, fees=fees)
    charges = EXACT.add(commission, fees)
    if side.delivers:
        return EXACT.subtract(gross, charges)
    return EXACT.add(gross, charges)


def _refuse_non_decimals(**values: object) -> None:
    """Refuse floats (and anything else) where an exact amount belongs."""
    for name, value in values.items():
        if not isinstance(value, Decimal):
            raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
