"""New York's time in the status bar, and the desk's own zone beside it.

The books run on New York's clock (cut-offs, the business date); a desk in London or
Chicago also wants its own. The zone is a zoneinfo name chosen in File → Settings….
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

NEW_YORK = "America/New_York"
TICK_MS = 15_000


def zone_or_utc(name: str) -> ZoneInfo:
    """The zone called ``name``; UTC for a name this computer does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def clock_text(now: datetime, local_zone: str) -> str:
    """ "New York 09:15 EST · London 14:15 GMT" (New York alone when the desk is there)."""
    ny = now.astimezone(ZoneInfo(NEW_YORK))
    text = f"New York {ny:%H:%M %Z}"
    zone = zone_or_utc(local_zone)
    if zone.key == NEW_YORK:
        return text
    here = now.astimezone(zone)
    if zone.key == "UTC":
        return f"{text} · UTC {here:%H:%M}"
    place = zone.key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{text} · {place} {here:%H:%M %Z}"


class StatusClock(QLabel):
    """The clocks, read again every `TICK_MS` (minutes only: no need to wake more often)."""

    def __init__(self, local_zone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status_clock")
        self.setContentsMargins(8, 0, 8, 0)
        self._zone = local_zone
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.tick()

    @property
    def zone(self) -> str:
        return self._zone

    def set_zone(self, zone: str) -> None:
        self._zone = zone
        self.tick()

    def tick(self) -> None:
        self.setText(clock_text(datetime.now(UTC), self._zone))
        self.setToolTip(
            f"New York time runs the books (cut-offs, the business date); the other is "
            f"this desk's zone, {zone_or_utc(self._zone).key} (File → Settings…)"
        )
