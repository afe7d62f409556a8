"""What a demo trade is for: its quantity, its price, and what it costs.

Quantities come in the lots each market trades; prices near the instrument's mid of
the day, in the market's ticks; charges follow the usual US and European schedules.
"""

from __future__ import annotations

import math
import random
from datetime import date
from decimal import ROUND_CEILING, Decimal

from desk_app.demo.book import Instrument, Row
from desk_app.domain.codes import InstrumentType, Side
from desk_app.domain.money import round_money
from desk_app.domain.trade_math import net_amount, principal

_E, _OP = InstrumentType.EQUITY, InstrumentType.OPTION
_CB, _MB = InstrumentType.CORPORATE_BOND, InstrumentType.MUNICIPAL_BOND
_TR = InstrumentType.TREASURY
_ZERO = Decimal(0)
_SEC_FEE = Decimal("0.0000278")  # Section 31 fee per dollar sold
_TAF, _TAF_MAX = Decimal("0.000166"), Decimal("8.30")  # FINRA trading activity fee


def draw_quantity(rng: random.Random, inst: Instrument, index: int) -> Decimal:
    """Round lots mostly; bonds and money-market paper in face value."""
    if inst.kind is _E:
        shares = math.exp(rng.gauss(math.log(20000), 1.0)) / inst.mids[index]
        if inst.market != "US":
            return Decimal(max(1, round(shares / 10)) * 10)
        if rng.random() < 0.1:
            return Decimal(rng.randint(1, 99))  # odd lot
        return Decimal(min(500, max(1, round(shares / 100))) * 100)
    if inst.kind is _OP:
        return Decimal(rng.choice((1, 2, 3, 5, 5, 10, 10, 15, 20, 25, 50, 100)))
    if inst.kind in (_CB, _MB):
        return Decimal(rng.choice((5, 10, 10, 15, 20, 25, 25, 50, 100, 250, 500, 1000)) * 1000)
    if inst.kind is _TR:
        return Decimal(rng.choice((10, 25, 50, 100, 100, 250, 500, 1000, 5000, 10000)) * 1000)
    return Decimal(rng.choice((250, 500, 1000, 1000, 2000, 5000, 10000, 25000)) * 1000)


def draw_price(rng: random.Random, inst: Instrument, index: int, day: date) -> Decimal:
    """Near the day's mid; discount paper from a ~4.3% rate; Treasuries in 32nds.

    Bonds, bills and commercial paper are quoted per 100 of face; options per share
    of the underlying (the premium), equities per share.
    """
    kind = inst.kind
    if inst.price == 0.0:  # bills and CP: 100 less the discount to maturity
        fraction = 1 - (0.0425 + 0.002 * rng.random()) * (inst.maturity - day).days / 360
        return Decimal(f"{fraction * 100:.5f}")
    mid = inst.mids[index]
    if kind is _TR:
        return Decimal(round((mid + rng.gauss(0, 0.03)) * 32)) / 32
    if kind in (_CB, _MB):
        return Decimal(f"{mid + rng.gauss(0, 0.08):.3f}")
    return Decimal(f"{max(1.0, mid * (1 + rng.gauss(0, 0.004))):.2f}")


def amounts(
    inst: Instrument, side: Side, qty: Decimal, price: Decimal, *, institutional: bool
) -> Row:
    """Gross, commission, fees and net, in whole cents (or the currency's minor unit)."""
    currency = inst.row["currency"]
    gross = principal(inst.kind, qty, price, currency, inst.row["multiplier"])
    commission, fees = _charges(inst, side, qty, gross, institutional)
    net = net_amount(side, gross, commission, fees)
    if net <= 0:  # a tiny sale: the commission is waived rather than a negative net
        commission, net = _ZERO, net_amount(side, gross, _ZERO, fees)
    return {"gross_amount": gross, "commission": commission, "fees": fees, "net_amount": net}


def _charges(
    inst: Instrument, side: Side, qty: Decimal, gross: Decimal, institutional: bool
) -> tuple[Decimal, Decimal]:
    """Commission and fees; regulatory fees round up, as their schedules say."""
    kind, currency = inst.kind, inst.row["currency"]
    if kind is _E and inst.market == "US":
        per_share = Decimal("0.005") if institutional else Decimal("0.01")
        commission = round_money(max(Decimal(1), qty * per_share), currency)
        if not side.delivers:
            return commission, _ZERO
        taf = round_money(min(qty * _TAF, _TAF_MAX), currency, ROUND_CEILING)
        return commission, round_money(gross * _SEC_FEE, currency, ROUND_CEILING) + taf
    if kind is _E:  # UK stamp duty and French FTT on purchases
        commission = round_money(max(Decimal(15), gross * Decimal("0.0008")), currency)
        duty = {"GB": Decimal("0.005"), "FR": Decimal("0.003")}.get(inst.row["isin"][:2], _ZERO)
        return commission, _ZERO if side.delivers else round_money(gross * duty, currency)
    if kind is _OP:  # per contract
        return qty * Decimal("0.65"), qty * Decimal("0.02")
    if kind in (_CB, _MB):  # a dollar a bond, between $10 and $250
        return round_money(min(Decimal(250), max(Decimal(10), qty / 1000)), currency), _ZERO
    return _ZERO, _ZERO
