"""The demo book's instruments: catalogue entries as rows with computed check digits.

About 130 instruments of every type that has a settlement cycle (no futures).
Bills, options and commercial paper are dated relative to the demo's "today", so
that they are always alive; each instrument gets a daily price walk to trade near.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from desk_app.db import models as m
from desk_app.demo.book import Book, Instrument, save, stamped
from desk_app.demo.catalogue_securities import (
    CORPORATE_BONDS,
    CP_DAY_CODES,
    CP_ISSUERS,
    CP_MONTH_CODES,
    FOREIGN_EQUITIES,
    MUNICIPAL_BONDS,
    OPTION_ROOTS,
    TREASURIES,
    TREASURY_BILL_WEEKS,
    US_EQUITIES,
)
from desk_app.domain import identifiers as ids
from desk_app.domain.codes import InstrumentType

_E, _OP = InstrumentType.EQUITY, InstrumentType.OPTION
_CB, _MB = InstrumentType.CORPORATE_BOND, InstrumentType.MUNICIPAL_BOND
_TR, _CP = InstrumentType.TREASURY, InstrumentType.COMMERCIAL_PAPER
#: Shares per US listed equity option contract (OCC standard).
OPTION_MULTIPLIER = Decimal(100)


def make_instruments(book: Book) -> None:
    """Every instrument of the catalogue, saved, each with its price walk."""
    made = _equities() + _bonds(book.rng, book.today) + _options(book.today)
    made += _commercial_paper(book.today)
    when = book.at(book.days[0] - timedelta(days=30), 12)
    for inst in made:
        ids.validate_isin(inst.row["isin"])
        inst.row.setdefault("multiplier", Decimal(1))  # only contracts have another
        inst.row.setdefault("reg_sho_threshold", False)
        inst.row.update(instrument_type=inst.kind, active=True)
        stamped(inst.row, when)
        inst.mids = _walk(book.rng, inst, len(book.days))
    book.instruments = save(book, m.Instrument, made)


def _walk(rng: random.Random, inst: Instrument, n: int) -> list[float]:
    """Daily mid prices: a geometric walk for shares and options, additive for bonds."""
    x, mids = inst.price, []
    vol = 0.016 if inst.kind is _E else 0.06
    for _ in range(n):
        if inst.kind in (_E, _OP):
            x = max(inst.price * 0.3, x * math.exp(rng.gauss(0, vol)))
        else:
            x = min(max(x + rng.gauss(0, 0.12), inst.price - 12), inst.price + 12)
        mids.append(x)
    return mids


def next_weekday(day: date, weekday: int) -> date:
    """``day`` itself or the next Monday (0) ... Sunday (6)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _us(kind: InstrumentType, price: float, cusip8: str, **row: Any) -> Instrument:
    """A US instrument: computed CUSIP check digit, and the ISIN that wraps the CUSIP."""
    cusip = ids.with_cusip_check_digit(cusip8)
    row.update(cusip=cusip, isin=ids.cusip_to_isin(cusip), market="US", currency="USD")
    return Instrument(row, kind, "US", price)


_PLAIN_WORDS = frozenset(
    {"Common", "Stock", "Shares", "Ordinary", "Registered", "Capital", "Units"}
)


def describe(issuer: str, security_class: str) -> str:
    """ "Alphabet Inc." + "Class A Common Stock" -> "Alphabet Inc. Class A common stock"."""
    words = (w.lower() if w in _PLAIN_WORDS else w for w in security_class.split())
    return f"{issuer} {' '.join(words)}"


def _equities() -> list[Instrument]:
    made = []
    for rank, e in enumerate(US_EQUITIES):
        desc = describe(e.issuer, e.security_class)
        share = _us(_E, e.price, e.cusip8, symbol=e.symbol, issuer=e.issuer, description=desc)
        share.weight = 1.0 / (1 + rank) ** 0.6  # big names trade most
        made.append(share)
    for f in FOREIGN_EQUITIES:
        row = {"symbol": f.symbol, "issuer": f.issuer, "market": f.market, "currency": f.currency,
               "description": describe(f.issuer, f.security_class), "cusip": None,
               "isin": ids.with_isin_check_digit(f.isin11)}  # fmt: skip
        made.append(Instrument(row, _E, f.market, f.price))
    return made


def _bonds(rng: random.Random, today: date) -> list[Instrument]:
    made = []
    for kind, bonds in ((_CB, CORPORATE_BONDS), (_MB, MUNICIPAL_BONDS), (_TR, TREASURIES)):
        for b in bonds:
            issuer = "United States Treasury" if kind is _TR else b.issuer
            desc = f"{b.issuer} {b.coupon}% {b.maturity}"
            made.append(_us(kind, b.price, b.issuer6 + b.issue2, symbol=None, issuer=issuer,
                            description=desc))  # fmt: skip
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    for n, weeks in enumerate(TREASURY_BILL_WEEKS):  # bills mature on a Thursday
        maturity = next_weekday(today + timedelta(days=7 + 9 * n), 3)
        issue = rng.choice(letters) + rng.choice(letters + "0123456789")
        bill = _us(_TR, 0.0, f"912797{issue}", symbol=None, issuer="United States Treasury",
                   description=f"US Treasury Bill {maturity.isoformat()}")  # fmt: skip
        made.append(_alive(bill, maturity - timedelta(weeks=weeks), maturity))
    return made


def _options(today: date) -> list[Instrument]:
    """Listed options with OCC (OSI) symbols; OCC issues no CUSIP, so one is made up."""
    prices = {e.symbol: e.price for e in US_EQUITIES}
    expiries = []
    for ahead in (1, 2, 4):  # third Fridays
        month = today.month - 1 + ahead
        first = date(today.year + month // 12, month % 12 + 1, 1)
        expiries.append(next_weekday(first, 4) + timedelta(weeks=2))
    made = []
    for n, root in enumerate(OPTION_ROOTS):
        for k, right in enumerate("CP"):
            expiry, step = expiries[(n + k) % 3], 5 if prices[root] < 500 else 10
            strike = round(prices[root] * (1.05 if right == "C" else 0.95) / step) * step
            desc = f"{root} {expiry:%b %d %Y} {strike}.00 {'Call' if right == 'C' else 'Put'}"
            option = _us(_OP, prices[root] * 0.04, f"OC{n:02d}{k}{expiry:%m}{right}",
                         symbol=f"{root:<6}{expiry:%y%m%d}{right}{strike * 1000:08d}",
                         issuer=f"Options Clearing Corp ({root})", description=desc,
                         multiplier=OPTION_MULTIPLIER)  # fmt: skip
            made.append(_alive(option, expiry - timedelta(days=270), expiry))
    return made


def _commercial_paper(today: date) -> list[Instrument]:
    """CP matures within 270 days; its CUSIP's last two characters encode the maturity."""
    made = []
    for n, (issuer, issuer6) in enumerate(CP_ISSUERS):
        maturity = today + timedelta(days=20 + 23 * n)
        if maturity.weekday() > 4:  # paper matures on a business day
            maturity = next_weekday(maturity, 0)
        code = CP_MONTH_CODES[maturity.month - 1] + CP_DAY_CODES[maturity.day - 1]
        paper = _us(_CP, 0.0, issuer6 + code, symbol=None, issuer=issuer,
                    description=f"{issuer} CP {maturity.isoformat()}")  # fmt: skip
        made.append(_alive(paper, maturity - timedelta(days=270), maturity))
    return made


def _alive(inst: Instrument, first_trade: date, maturity: date) -> Instrument:
    """``inst`` trades from ``first_trade`` until the day before ``maturity``."""
    inst.first_trade, inst.maturity = first_trade, maturity
    return inst
