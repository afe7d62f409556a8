"""What a security was worth when its holder died (26 CFR 20.2031-2, 20.2032).

The fair market value of a listed share on a day is the mean of that day's high and
low. A day without a trade (a weekend, a holiday, no price on file) takes the means of
the nearest days with sales before and after, weighted inversely by the number of
**trading** days between each and the valuation date (20.2031-2(b)(1)): sales two
trading days before and three after weigh 3 and 2; a death on a weekend takes Friday
and Monday equally. Trading days are the market's own calendar (`trading_days`). The
executor may elect the alternate valuation date, six months after death (20.2032),
valued the same way.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from desk_app.domain.trading_days import closure

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
            f"{self.after.day} ({self.after.mean}) weighted by trading days"
        )


def trading_days_apart(first: date, last: date, market: str = "US") -> int:
    """How many trading days ``last`` is from ``first`` (``first`` before ``last``): one,
    plus the trading days strictly between them. Friday to Monday is 1; Monday to the
    Wednesday after is 2."""
    between = sum(
        1 for n in range(1, (last - first).days)
        if closure(first + timedelta(days=n), market) is None
    )  # fmt: skip
    return 1 + between


def fair_market_value(on: date, days: Iterable[DayRange], market: str = "US") -> Valuation | None:
    """The value of one share on ``on``, or None when no trading day is near enough."""
    known = {d.day: d for d in days if abs((d.day - on).days) <= SEARCH_DAYS}
    if on in known:
        day = known[on]
        return Valuation(on, day.mean.quantize(FMV_QUANTUM, ROUND_HALF_UP), day)
    before = max((d for d in known if d < on), default=None)
    after = min((d for d in known if d > on), default=None)
    if before is None or after is None:
        return None
    to_before = trading_days_apart(before, on, market)
    to_after = trading_days_apart(on, after, market)
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
