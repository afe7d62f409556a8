"""What a security was worth when its holder died (26 CFR 20.2031-2, 20.2032).

The fair market value of a listed share on a day is the mean of that day's high and
low. A day without a trade (a weekend, a holiday, no price on file) takes the means of
the nearest trading days before and after, weighted inversely by their distance: two
days before and three after weigh 3 and 2 (20.2031-2(b)(1)). The executor may elect
the alternate valuation date, six months after death (20.2032), valued the same way.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

#: A value per share is kept to 6 places; the basis of a lot is then rounded to the cent.
FMV_QUANTUM = Decimal("0.000001")
#: How far from the valuation date a trading day may be and still value it: beyond a
#: month either side the price says little about that day, and the desk asks for one.
SEARCH_DAYS = 31


@dataclass(frozen=True)
class DayRange:
    """One trading day's high and low."""

    day: date
    high: Decimal
    low: Decimal

    @property
    def mean(self) -> Decimal:
        return (self.high + self.low) / 2


@dataclass(frozen=True)
class Valuation:
    """A share's fair market value on ``on``, and the days it came from."""

    on: date
    per_share: Decimal
    before: DayRange
    after: DayRange | None = None  # None: ``on`` was itself a trading day

    @property
    def explained(self) -> str:
        """How the value was found, as an approver reads it."""
        if self.after is None:
            return f"mean of high {self.before.high} and low {self.before.low} on {self.on}"
        return (
            f"{self.on} had no trade: means of {self.before.day} ({self.before.mean}) and "
            f"{self.after.day} ({self.after.mean}) weighted by distance"
        )


def fair_market_value(on: date, days: Iterable[DayRange]) -> Valuation | None:
    """The value of one share on ``on``, or None when no trading day is near enough."""
    known = {d.day: d for d in days if abs((d.day - on).days) <= SEARCH_DAYS}
    if on in known:
        day = known[on]
        return Valuation(on, day.mean.quantize(FMV_QUANTUM, ROUND_HALF_UP), day)
    before = max((d for d in known if d < on), default=None)
    after = min((d for d in known if d > on), default=None)
    if before is None or after is None:
        return None
    to_before, to_after = (on - before).days, (after - on).days
    value = (known[before].mean * to_after + known[after].mean * to_before) / (to_before + to_after)
    return Valuation(on, value.quantize(FMV_QUANTUM, ROUND_HALF_UP), known[before], known[after])


def alternate_valuation_date(death: date) -> date:
    """Six months after death; a month without that day ends the month (20.2032-1(b))."""
    month = death.month + 6
    year = death.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(death.day, calendar.monthrange(year, month)[1]))


def search_window(on: date) -> tuple[date, date]:
    """The days whose prices may value ``on``."""
    return on - timedelta(days=SEARCH_DAYS), on + timedelta(days=SEARCH_DAYS)
