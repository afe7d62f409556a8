"""The day's settlement cut-off: until when an instruction still settles today.

One per market, in the market's own time zone; the Settlements Due tab counts down
to it, and what is still due today once it has passed turns red. The US cut-off is
the desk's own deadline for DTC deliveries (set here, in one place).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


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


CUTOFFS = {"US": Cutoff("US", "DTC", time(15, 30), "America/New_York")}
