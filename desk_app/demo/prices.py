"""The demo book's closing prices: one a trade day for each instrument, with high and low.

Drawn from each instrument's price walk (not from the random source, so that adding
them changes nothing else in the book): the close is the day's mid, the high and low
a little either side. Bills and commercial paper close at their discount to maturity.
Today's close is there only once New York's market has closed.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from desk_app.db import models as m
from desk_app.db.bulk import bulk_insert
from desk_app.demo.book import NEW_YORK, Book, Instrument, Row, stamped
from desk_app.domain.codes import InstrumentType

_CLOSE = time(16, 0)
_SOURCE = "demo closing prices"
#: The day's range either side of the close, as a fraction of it.
_SPREAD = {InstrumentType.EQUITY: 0.009, InstrumentType.OPTION: 0.04}
_BOND_SPREAD = 0.0015
_DISCOUNT_RATE = 0.0435


def make_prices(book: Book) -> int:
    """Save every instrument's closes over the book's days; return how many."""
    loaded_by = book.clerks[0] if book.clerks else "demo"
    closed = book.now >= datetime.combine(book.today, _CLOSE, NEW_YORK)
    rows: list[Row] = []
    for inst in book.instruments:
        for index, day in enumerate(book.days):
            if not inst.first_trade <= day <= inst.maturity or (day == book.today and not closed):
                continue
            close = _close(inst, index, day)
            spread = _SPREAD.get(inst.kind, _BOND_SPREAD)
            places = 2 if inst.kind in _SPREAD else 4
            high, low = _round(close * (1 + spread), places), _round(close * (1 - spread), places)
            price = min(max(_round(close, places), low), high)
            when = book.at(day, 22)
            rows.append(stamped({
                "instrument_id": inst.id, "price_date": day, "price": price,
                "currency": inst.row["currency"], "high": high, "low": low,
                "source": _SOURCE, "loaded_by": loaded_by, "loaded_at": when,
            }, when))  # fmt: skip
    bulk_insert(book.session, m.InstrumentPrice, rows)
    return len(rows)


def _close(inst: Instrument, index: int, day: date) -> float:
    if inst.price == 0.0:  # bills and paper: 100 less the discount to maturity
        return 100 * (1 - _DISCOUNT_RATE * (inst.maturity - day).days / 360)
    return max(0.05, inst.mids[index])


def _round(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")
