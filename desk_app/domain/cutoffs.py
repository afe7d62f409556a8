"""The day's settlement cut-off: until when an instruction still settles today.

One per market, in the market's own time zone; the Settlements Due tab counts down
to it, and what is still due today once it has passed turns red. The US cut-off is
the desk's own deadline for DTC deliveries (set here, in one place).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo


class SettlementDays(Protocol):
    """What a cut-off needs of a calendar (`SettlementCalendar` is one)."""

    def is_settlement_day(self, day: date) -> bool: ...
    def holiday_name(self, day: date) -> str | None: ...
    def next_settlement_day(self, day: date) -> date: ...


@dataclass(frozen=True)
class CutoffState:
    """What the countdown says, and whether what is due today is now late (red)."""

    text: str
    passed: bool


@dataclass(frozen=True)
class Cutoff:
    market: str
    name: str
    at: time
    zone: str

    def today(self, now: datetime) -> date:
        """The market's date at ``now`` (New York's, whatever the desk's own clock says)."""
        return now.astimezone(ZoneInfo(self.zone)).date()

    def moment(self, now: datetime) -> datetime:
        """Today's cut-off (today as the market's clock has it), as a UTC instant."""
        local = now.astimezone(ZoneInfo(self.zone))
        return datetime.combine(local.date(), self.at, ZoneInfo(self.zone)).astimezone(UTC)

    def passed(self, now: datetime) -> bool:
        return now >= self.moment(now)

    def countdown(self, now: datetime) -> str:
        """``DTC cut-off 15:30 New York in 2 h 05 min`` (or ``… passed``)."""
        zone = self.zone.rsplit("/", 1)[-1].replace("_", " ")
        head = f"{self.name} cut-off {self.at:%H:%M} {zone}"
        left = self.moment(now) - now
        if left.total_seconds() <= 0:
            return f"{head} passed"
        minutes = int(left.total_seconds() // 60)
        hours, minutes = divmod(minutes, 60)
        return f"{head} in {hours} h {minutes:02d} min" if hours else f"{head} in {minutes} min"

    def next_moment(self, now: datetime, calendar: SettlementDays) -> datetime:
        """The next cut-off still to come: today's, or the next settlement day's."""
        today = self.today(now)
        day = today if calendar.is_settlement_day(today) else calendar.next_settlement_day(today)
        moment = datetime.combine(day, self.at, ZoneInfo(self.zone))
        if moment <= now:
            day = calendar.next_settlement_day(day)
            moment = datetime.combine(day, self.at, ZoneInfo(self.zone))
        return moment

    def state(self, now: datetime, calendar: SettlementDays) -> CutoffState:
        """The countdown on a settlement day; on any other day, why and the next cut-off.

        ``No DTC settlement today (Sunday); next cut-off Mon 15:30 EST``: a weekend or a
        holiday has no cut-off to pass, so nothing turns red.
        """
        today = self.today(now)
        upcoming = self.next_moment(now, calendar)
        following = f"next cut-off {upcoming:%a %H:%M %Z}"
        if not calendar.is_settlement_day(today):
            holiday = calendar.holiday_name(today)
            why = f"{today:%A}" if holiday in (None, "Weekend") else holiday
            return CutoffState(f"No {self.name} settlement today ({why}); {following}", False)
        if self.passed(now):
            return CutoffState(f"{self.countdown(now)}; {following}", True)
        return CutoffState(self.countdown(now), False)


def business_date(now: datetime, market: str = "US") -> date:
    """The business date at ``now``: the market's own (New York's for the US), not UTC's."""
    cutoff = CUTOFFS.get(market.upper(), CUTOFFS["US"])
    return cutoff.today(now)


def market_today(market: str = "US") -> date:
    """Today's business date on the market's clock, whatever the computer's time zone:
    the one "today" of the books (an account opened, a registration in force, a
    certificate's stop placed), never `date.today()`."""
    return business_date(datetime.now(UTC), market)


CUTOFFS = {"US": Cutoff("US", "DTC", time(15, 30), "America/New_York")}
