"""Settlement calendars: the days on which securities and cash can actually move.

A settlement calendar is not an exchange calendar, and each code here holds both as
separate data. US trades settle through DTC against Fedwire cash, so a US settlement
day needs the depository and the Federal Reserve banks open: Columbus Day and
Veterans Day are NYSE trading days but not settlement days. The reverse happens on
unscheduled exchange closures: on 2025-01-09 the NYSE was shut but DTC and Fedwire
settled. Each settlement calendar is the union of the closures of its component
calendars from the `holidays` library, less the exchange closures on which
settlement went ahead (`SETTLED_THROUGH_CLOSURE`, with their sources), plus overrides
a user records for closures nobody predicted (or a holiday the market worked through).
The trading calendar is the exchange's (SIFMA's for government securities).

`holidays` is imported lazily: it is slow to import and the GUI must start fast.
Holidays are computed once per (calendar, year) and kept for the life of the
process, so `is_settlement_day` is a couple of dictionary look-ups after warm-up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING

from desk_app.domain.errors import ValidationError

if TYPE_CHECKING:
    from holidays import HolidayBase

CALENDARS: Mapping[str, str] = MappingProxyType(
    {
        "US": "US securities settlement (DTC): NYSE closures and Federal Reserve holidays",
        "US-GOVT": (
            "US government securities (Fedwire): SIFMA full closes and Federal Reserve holidays"
        ),
        "EU": "TARGET2",
        "GB": "LSE closures and England & Wales bank holidays",
        "CH": "SIX Swiss Exchange",
    }
)

#: Component calendars of each settlement calendar, in the order their holiday
#: names are preferred. ``"XNYS"`` etc. are `holidays.financial_holidays` markets;
#: ``"GB/ENG"`` is a `holidays.country_holidays` country and subdivision.
_COMPONENTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "US": ("XNYS", "XFED"),
        "US-GOVT": ("USGS", "XFED"),
        "EU": ("XECB",),
        "GB": ("XLON", "GB/ENG"),
        "CH": ("XSWX",),
    }
)

#: The exchange (trading) calendar of each code where it is not the settlement
#: calendar; other markets trade and settle on their depositories' days.
_TRADING_COMPONENTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"US": ("XNYS",), "US-GOVT": ("USGS",)}
)

#: Unscheduled closures of the exchange (or SIFMA full closes) on which settlement
#: went ahead, with the published source. Only what a source establishes is here:
#: 2001-09-11..14, 2004-06-11 and 2007-01-02 stay settlement holidays until one does.
SETTLED_THROUGH_CLOSURE: Mapping[str, Mapping[date, str]] = MappingProxyType(
    {
        "US": MappingProxyType(
            {
                date(2012, 10, 29): (
                    "Hurricane Sandy: NYSE closed; DTCC stayed open for clearing and "
                    "settlement with the usual deadlines"
                ),
                date(2012, 10, 30): (
                    "Hurricane Sandy: NYSE closed; a good settlement day (SIFMA, 2012-10-29)"
                ),
                date(2018, 12, 5): (
                    "National Day of Mourning (George H. W. Bush): NYSE closed; DTC/NSCC and "
                    "the Federal Reserve's settlement systems open, settlements as scheduled"
                ),
                date(2025, 1, 9): (
                    "National Day of Mourning (Jimmy Carter): NYSE closed; DTC and Fedwire "
                    "settled (SIFMA unscheduled-close matrix)"
                ),
            }
        ),
        "US-GOVT": MappingProxyType(
            {
                date(2012, 10, 30): (
                    "Hurricane Sandy: SIFMA full close for trading, but a good settlement day "
                    "(SIFMA, 2012-10-29)"
                ),
            }
        ),
    }
)

#: Longest run of closed days tolerated before we assume the data is broken
#: (e.g. overrides closing a whole year) rather than loop forever.
_MAX_CLOSED_RUN = 370

_lock = threading.Lock()
#: calendar code -> year -> weekday settlement closures of that year (date -> name).
_closed_days: dict[str, dict[int, Mapping[date, str]]] = {code: {} for code in _COMPONENTS}
#: calendar code -> year -> weekday trading closures of that year (date -> name).
_trading_closed_days: dict[str, dict[int, Mapping[date, str]]] = {code: {} for code in _COMPONENTS}
#: calendar code -> (first, last) year every component calendar has data for.
_year_ranges: dict[str, tuple[int, int]] = {}


def _component_holidays(component: str, year: int | None) -> HolidayBase:
    """One component calendar from the `holidays` library, with English names."""
    import holidays

    if "/" in component:
        country, subdiv = component.split("/", 1)
        cls = type(holidays.country_holidays(country, subdiv=subdiv))
        language = "en_US" if "en_US" in cls.supported_languages else None
        return holidays.country_holidays(country, subdiv=subdiv, years=year, language=language)
    cls = type(holidays.financial_holidays(component))
    language = "en_US" if "en_US" in cls.supported_languages else None
    return holidays.financial_holidays(component, years=year, language=language)


def _year_range(code: str) -> tuple[int, int]:
    """The years for which every component has holiday data; outside it we refuse."""
    known = _year_ranges.get(code)
    if known is None:
        first, last = 0, 9999
        for component in _COMPONENTS[code] + _TRADING_COMPONENTS.get(code, ()):
            cls = type(_component_holidays(component, None))
            first, last = max(first, int(cls.start_year)), min(last, int(cls.end_year))
        known = _year_ranges[code] = (first, last)
    return known


def _build_year(code: str, year: int, *, trading: bool = False) -> Mapping[date, str]:
    """Weekday closures of ``code`` in ``year``; the first component's name wins.

    The settlement calendar drops the exchange closures on which settlement went ahead.
    """
    first, last = _year_range(code)
    if not first <= year <= last:
        raise ValidationError(
            "calendar",
            f"{code} has holiday data only for {first}-{last}, not for {year}",
        )
    components = _TRADING_COMPONENTS.get(code, _COMPONENTS[code]) if trading else _COMPONENTS[code]
    settled: Mapping[date, str] = {} if trading else SETTLED_THROUGH_CLOSURE.get(code, {})
    closed: dict[date, str] = {}
    for component in components:
        for day, name in sorted(_component_holidays(component, year).items()):
            # Observed days can spill into a neighbouring year; that year's own
            # build picks them up, so keep each year's buckets disjoint.
            if day.year == year and day.weekday() < 5 and day not in settled:
                closed.setdefault(day, name)
    return MappingProxyType(closed)


def _closed_in(code: str, year: int, *, trading: bool = False) -> Mapping[date, str]:
    """Cached weekday closures of ``code`` in ``year`` (of its trading calendar if asked)."""
    by_year = (_trading_closed_days if trading else _closed_days)[code]
    closed = by_year.get(year)
    if closed is None:
        with _lock:
            closed = by_year.get(year)
            if closed is None:
                closed = by_year[year] = _build_year(code, year, trading=trading)
    return closed


@dataclass(frozen=True)
class CalendarOverride:
    """A user's correction to a calendar: an unforeseen closure, or a day worked."""

    day: date
    is_settlement_day: bool
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValidationError("reason", "is required: say why the calendar is overridden")


class SettlementCalendar:
    """Answers "can this day settle?" and "could one trade?" for one calendar code.

    Build it with `calendar_for`. User overrides change the settlement calendar only: a
    day closed by override while the exchange trades is treated like Columbus Day.
    """

    __slots__ = ("_by_year", "_overrides", "_trading_by_year", "code")

    def __init__(self, code: str, overrides: Iterable[CalendarOverride] = ()) -> None:
        if code not in _COMPONENTS:
            raise ValidationError(
                "calendar", f"unknown calendar; known calendars: {', '.join(CALENDARS)}", code
            )
        self.code = code
        # Later overrides for the same day win, so a list in entry order is enough.
        self._overrides: Mapping[date, CalendarOverride] = MappingProxyType(
            {override.day: override for override in overrides}
        )
        self._by_year = _closed_days[code]
        self._trading_by_year = _trading_closed_days[code]

    def __repr__(self) -> str:
        return f"SettlementCalendar({self.code!r}, overrides={len(self._overrides)})"

    @property
    def description(self) -> str:
        """Human description shown next to the code."""
        return CALENDARS[self.code]

    @property
    def overrides(self) -> tuple[CalendarOverride, ...]:
        """The user overrides in force, by day."""
        return tuple(sorted(self._overrides.values(), key=lambda o: o.day))

    def _closed(self, year: int) -> Mapping[date, str]:
        closed = self._by_year.get(year)
        return closed if closed is not None else _closed_in(self.code, year)

    def is_settlement_day(self, day: date) -> bool:
        """A weekday on which no component calendar is closed; overrides win."""
        override = self._overrides.get(day)
        if override is not None:
            return override.is_settlement_day
        return day.weekday() < 5 and day not in self._closed(day.year)

    def holiday_name(self, day: date) -> str | None:
        """Why ``day`` cannot settle, for display; ``None`` if it can."""
        override = self._overrides.get(day)
        if override is not None:
            return None if override.is_settlement_day else f"Override: {override.reason}"
        if day.weekday() >= 5:
            return "Weekend"
        return self._closed(day.year).get(day)

    def is_trading_day(self, day: date) -> bool:
        """A weekday the exchange (SIFMA for government securities) was open."""
        if day.weekday() >= 5:
            return False
        closed = self._trading_by_year.get(day.year)
        if closed is None:
            closed = _closed_in(self.code, day.year, trading=True)
        return day not in closed

    def trading_holiday_name(self, day: date) -> str | None:
        """Why nobody could trade on ``day``, for display; ``None`` if one could."""
        if day.weekday() >= 5:
            return "Weekend"
        return _closed_in(self.code, day.year, trading=True).get(day)

    def previous_settlement_day(self, day: date) -> date:
        """The last settlement day strictly before ``day``."""
        one = timedelta(days=1)
        for _ in range(_MAX_CLOSED_RUN):
            day -= one
            if self.is_settlement_day(day):
                return day
        raise ValidationError(
            "calendar", f"{self.code} has no settlement day for {_MAX_CLOSED_RUN} days", day
        )

    def counting_day(self, trade_date: date) -> date:
        """The settlement day a trade of ``trade_date`` is counted from.

        A settlement day counts from itself. A trading day that cannot settle (Columbus
        Day) is combined with the previous business day's trades (FINRA's schedules).
        A day that is neither (a weekend) belongs to the next day that is either.
        """
        one = timedelta(days=1)
        for _ in range(_MAX_CLOSED_RUN):
            if self.is_settlement_day(trade_date):
                return trade_date
            if self.is_trading_day(trade_date):
                return self.previous_settlement_day(trade_date)
            trade_date += one
        raise ValidationError(
            "calendar", f"{self.code} has no business day for {_MAX_CLOSED_RUN} days", trade_date
        )

    def trade_date_note(self, trade_date: date) -> str | None:
        """What a clerk should know about ``trade_date`` (None: an ordinary business day)."""
        if not self.is_trading_day(trade_date):
            why = self.trading_holiday_name(trade_date) or "closed"
            return f"{trade_date.isoformat()} is no {self.code} trading day: {why}"
        if self.is_settlement_day(trade_date):
            return None
        name = self.holiday_name(trade_date) or "not a settlement day"
        day = self.counting_day(trade_date).isoformat()
        return f"{name}: no settlement day, settles with {day}'s trades"

    def next_settlement_day(self, day: date) -> date:
        """The first settlement day strictly after ``day``."""
        one = timedelta(days=1)
        for _ in range(_MAX_CLOSED_RUN):
            day += one
            if self.is_settlement_day(day):
                return day
        raise ValidationError(
            "calendar", f"{self.code} has no settlement day for {_MAX_CLOSED_RUN} days", day
        )

    def roll_forward(self, day: date) -> date:
        """``day`` itself if it can settle, else the next settlement day."""
        return day if self.is_settlement_day(day) else self.next_settlement_day(day)

    def add_settlement_days(self, day: date, n: int) -> date:
        """The ``n``-th settlement day after ``day`` (``day`` itself when ``n`` is 0)."""
        if n < 0:
            raise ValueError(f"cannot count back {n} settlement days")
        for _ in range(n):
            day = self.next_settlement_day(day)
        return day


def calendar_for(code: str, overrides: Iterable[CalendarOverride] = ()) -> SettlementCalendar:
    """The settlement calendar ``code`` (case-insensitive) with the user's overrides."""
    normalised = code.strip().upper()
    if normalised not in _COMPONENTS:
        raise ValidationError(
            "calendar", f"unknown calendar; known calendars: {', '.join(CALENDARS)}", code
        )
    return SettlementCalendar(normalised, overrides)
