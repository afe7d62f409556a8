"""Settlement calendars: named closures, overrides, caching, and outside references.

The US calendar is checked day by day against exchange_calendars and pandas in
test_settlement.py; here GB and CH are checked against exchange_calendars' XLON and
XSWX sessions, and EU against TARGET2's published closing days built with pandas.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

import pytest

from desk_app.domain import calendars
from desk_app.domain.calendars import (
    CALENDARS,
    CalendarOverride,
    SettlementCalendar,
    calendar_for,
)
from desk_app.domain.errors import ValidationError


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@pytest.fixture(scope="module")
def xcals() -> Any:
    """exchange_calendars, imported once: the import takes about a second."""
    import exchange_calendars

    return exchange_calendars


def _sessions(xcals: Any, exchange: str, first: date, last: date) -> set[date]:
    """Trading sessions of ``exchange``; its default range is only ~20 years back."""
    with warnings.catch_warnings():
        # pandas 3.1 deprecates Series.values on tz-aware data, used inside
        # exchange_calendars when it builds a calendar; nothing else is silenced.
        warnings.filterwarnings(
            "ignore", message="Series.values returning an ndarray", category=DeprecationWarning
        )
        calendar = xcals.get_calendar(exchange, start=first.isoformat(), end=last.isoformat())
    return {session.date() for session in calendar.sessions}


def test_known_calendars() -> None:
    assert set(CALENDARS) == {"US", "US-GOVT", "EU", "GB", "CH"}
    assert "Federal Reserve" in CALENDARS["US"]
    assert calendar_for(" us-govt ").code == "US-GOVT"
    assert calendar_for("EU").description == "TARGET2"


def test_unknown_calendar_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        calendar_for("XX")
    assert caught.value.field == "calendar"
    assert "unknown calendar" in caught.value.reason
    with pytest.raises(ValidationError):
        SettlementCalendar("us")


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 10, 14), "Columbus Day"),  # NYSE open, banks closed
        (date(2024, 11, 11), "Veterans Day"),  # NYSE open, banks closed
        (date(2024, 3, 29), "Good Friday"),  # NYSE closed, Fed open
        (date(2025, 4, 18), "Good Friday"),
        (date(2025, 1, 1), "New Year's Day"),
        (date(2023, 1, 2), "New Year's Day (observed)"),
        (date(2022, 6, 20), "Juneteenth National Independence Day (observed)"),
        (date(2024, 6, 15), "Weekend"),
        (date(2023, 11, 11), "Weekend"),  # Veterans Day on a Saturday
    ],
)
def test_us_closures(day: date, name: str) -> None:
    us = calendar_for("US")
    assert not us.is_settlement_day(day)
    assert us.holiday_name(day) == name


@pytest.mark.parametrize(
    "day", [date(2012, 10, 29), date(2012, 10, 30), date(2018, 12, 5), date(2025, 1, 9)]
)
def test_unscheduled_nyse_closures_that_settled(day: date) -> None:
    """Sources: DTCC (Sandy, 10-29), SIFMA (10-30), ICBA for the Fed (2018), SIFMA's matrix."""
    us = calendar_for("US")
    assert us.is_settlement_day(day)
    assert not us.is_trading_day(day)
    assert us.holiday_name(day) is None
    assert us.trading_holiday_name(day)
    assert day in calendars.SETTLED_THROUGH_CLOSURE["US"]


@pytest.mark.parametrize(
    "day", [date(2001, 9, 11), date(2001, 9, 14), date(2004, 6, 11), date(2007, 1, 2)]
)
def test_closures_no_source_says_settled_stay_closed(day: date) -> None:
    us = calendar_for("US")
    assert not us.is_settlement_day(day)
    assert not us.is_trading_day(day)


@pytest.mark.parametrize(
    "day", [date(2023, 10, 9), date(2024, 10, 14), date(2024, 11, 11), date(2025, 10, 13),
            date(2025, 11, 11)],
)  # fmt: skip
def test_bank_holidays_are_trading_days_but_not_settlement_days(day: date) -> None:
    us = calendar_for("US")
    assert us.is_trading_day(day)
    assert not us.is_settlement_day(day)
    assert us.counting_day(day) == us.previous_settlement_day(day)


def test_overrides_close_the_settlement_calendar_only() -> None:
    storm = CalendarOverride(date(2030, 1, 2), False, "storm")
    us = calendar_for("US", [storm])
    assert not us.is_settlement_day(date(2030, 1, 2))
    assert us.is_trading_day(date(2030, 1, 2))
    assert us.counting_day(date(2030, 1, 2)) == date(2029, 12, 31)


def test_other_markets_trade_and_settle_on_one_calendar() -> None:
    for code in ("EU", "GB", "CH"):
        calendar = calendar_for(code)
        for day in _days(date(2024, 1, 1), date(2025, 12, 31)):
            assert calendar.is_trading_day(day) == calendar.is_settlement_day(day), (code, day)


def test_saturday_holiday_leaves_the_friday_open() -> None:
    """The Fed does not observe a Saturday holiday on the Friday before (NYSE neither)."""
    us = calendar_for("US")
    assert us.is_settlement_day(date(2023, 11, 10))
    assert us.holiday_name(date(2023, 11, 10)) is None
    assert us.is_settlement_day(date(2021, 12, 31))  # New Year's Day 2022 was a Saturday


def test_us_government_calendar_follows_sifma_and_the_fed() -> None:
    govt = calendar_for("US-GOVT")
    assert not govt.is_settlement_day(date(2024, 3, 29))  # SIFMA full close
    assert govt.is_settlement_day(date(2023, 4, 7))  # SIFMA early close only (jobs report)
    assert not calendar_for("US").is_settlement_day(date(2023, 4, 7))  # NYSE closed
    assert govt.is_settlement_day(date(2025, 1, 9))  # bond market early close, Fed open
    assert govt.is_trading_day(date(2025, 1, 9))
    assert govt.is_settlement_day(date(2012, 10, 30))  # SIFMA: a good settlement day
    assert not govt.is_trading_day(date(2012, 10, 30))  # SIFMA full close
    assert not govt.is_settlement_day(date(2018, 12, 5))  # SIFMA full close, no source
    assert govt.holiday_name(date(2024, 10, 14)) == "Columbus Day"


@pytest.mark.parametrize(
    ("code", "day", "name"),
    [
        ("EU", date(2025, 4, 21), "Easter Monday"),
        ("EU", date(2025, 5, 1), "Labour Day"),
        ("EU", date(2025, 12, 26), "Christmas Holiday"),
        ("GB", date(2025, 5, 5), "May Day"),
        ("GB", date(2025, 8, 25), "Late Summer Bank Holiday"),
        ("GB", date(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
        ("CH", date(2025, 1, 2), "Saint Berchtold's Day"),
        ("CH", date(2025, 8, 1), "National Day"),
        ("CH", date(2025, 12, 24), "Christmas Eve"),
    ],
)
def test_european_closures(code: str, day: date, name: str) -> None:
    calendar = calendar_for(code)
    assert not calendar.is_settlement_day(day)
    assert calendar.holiday_name(day) == name


def test_us_holidays_are_european_settlement_days() -> None:
    for code in ("EU", "GB", "CH"):
        calendar = calendar_for(code)
        assert calendar.is_settlement_day(date(2024, 10, 14))
        assert calendar.is_settlement_day(date(2025, 1, 9))


def test_stepping_through_days() -> None:
    us = calendar_for("US")
    friday = date(2024, 10, 11)
    assert us.next_settlement_day(friday) == date(2024, 10, 15)  # skips weekend, Columbus
    assert us.next_settlement_day(date(2024, 10, 15)) == date(2024, 10, 16)
    assert us.roll_forward(friday) == friday
    assert us.roll_forward(date(2024, 10, 12)) == date(2024, 10, 15)
    assert us.add_settlement_days(friday, 0) == friday
    assert us.add_settlement_days(date(2024, 10, 13), 0) == date(2024, 10, 13)
    assert us.add_settlement_days(friday, 2) == date(2024, 10, 16)
    assert us.add_settlement_days(date(2024, 12, 24), 1) == date(2024, 12, 26)
    with pytest.raises(ValueError, match="count back"):
        us.add_settlement_days(friday, -1)


def test_overrides_close_and_open_days() -> None:
    storm = CalendarOverride(date(2024, 10, 15), False, "Hurricane closure")
    worked = CalendarOverride(date(2024, 10, 14), True, "Banks open by agreement")
    us = calendar_for("US", [storm, worked])
    assert not us.is_settlement_day(date(2024, 10, 15))
    assert us.holiday_name(date(2024, 10, 15)) == "Override: Hurricane closure"
    assert us.is_settlement_day(date(2024, 10, 14))
    assert us.holiday_name(date(2024, 10, 14)) is None
    assert us.next_settlement_day(date(2024, 10, 11)) == date(2024, 10, 14)
    assert us.next_settlement_day(date(2024, 10, 14)) == date(2024, 10, 16)
    assert us.overrides == (worked, storm)
    # Overrides belong to the calendar object, not to the shared holiday cache.
    assert calendar_for("US").is_settlement_day(date(2024, 10, 15))
    # A weekend can be opened, and the last override for a day wins.
    saturday = date(2024, 10, 19)
    reopened = calendar_for(
        "US",
        [
            CalendarOverride(saturday, False, "first"),
            CalendarOverride(saturday, True, "special Saturday settlement"),
        ],
    )
    assert reopened.is_settlement_day(saturday)


def test_override_needs_a_reason() -> None:
    with pytest.raises(ValidationError) as caught:
        CalendarOverride(date(2024, 10, 15), False, "  ")
    assert caught.value.field == "reason"


def test_years_without_holiday_data_are_refused() -> None:
    """The Fed calendar starts in 1999: earlier dates would silently look open."""
    with pytest.raises(ValidationError, match="1999-2100"):
        calendar_for("US").is_settlement_day(date(1998, 12, 31))
    with pytest.raises(ValidationError, match="2101"):
        calendar_for("EU").next_settlement_day(date(2100, 12, 31))
    assert calendar_for("US").is_settlement_day(date(1999, 1, 4))


def test_holidays_are_built_once_per_calendar_and_year(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports of 100,000 trades call this constantly; its speed is in bench/calendars.py."""
    built: list[tuple[str, int]] = []
    build_year = calendars._build_year

    def counting(code: str, year: int, *, trading: bool = False) -> Mapping[date, str]:
        built.append((code + " trading" * trading, year))
        return build_year(code, year, trading=trading)

    monkeypatch.setattr(calendars, "_closed_days", {code: {} for code in CALENDARS})
    monkeypatch.setattr(calendars, "_trading_closed_days", {code: {} for code in CALENDARS})
    monkeypatch.setattr(calendars, "_build_year", counting)
    us = calendar_for("US", [CalendarOverride(date(2024, 7, 5), False, "test")])
    for i in range(2 * 731):
        us.is_settlement_day(date(2024, 1, 1) + timedelta(days=i % 731))
    assert built == [("US", 2024), ("US", 2025)]
    # Another calendar object with other overrides shares the years already built.
    plain = calendar_for("us")
    assert plain.is_settlement_day(date(2024, 7, 5))  # the override stayed with its calendar
    assert plain.next_settlement_day(date(2025, 12, 31)) == date(2026, 1, 2)
    assert built == [("US", 2024), ("US", 2025), ("US", 2026)]
    # The trading calendar is built once too, when first asked.
    for i in range(3):
        plain.counting_day(date(2024, 10, 14) + timedelta(days=i))
    assert built[3:] == [("US trading", 2024)]


def test_holidays_library_is_imported_lazily() -> None:
    """The GUI imports the domain at start-up; `holidays` costs ~100 ms more."""
    code = (
        "import sys, desk_app.domain.calendars, desk_app.domain.settlement;"
        "sys.exit('holidays' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize(("code", "exchange"), [("GB", "XLON"), ("CH", "XSWX")])
def test_against_exchange_calendars(xcals: Any, code: str, exchange: str) -> None:
    """Every weekday 2000-2030: open for settlement exactly when the exchange trades.

    For GB the calendar is LSE closures plus England & Wales bank holidays; the LSE
    closes on every bank holiday, so the two must agree.
    """
    first, last = date(2000, 1, 1), date(2030, 12, 31)
    sessions = _sessions(xcals, exchange, first, last)
    calendar = calendar_for(code)
    differences = [
        (day, calendar.holiday_name(day))
        for day in _days(first, last)
        if day.weekday() < 5 and calendar.is_settlement_day(day) != (day in sessions)
    ]
    assert differences == []


def test_eu_against_target2_closing_days() -> None:
    """TARGET2 closes on New Year's Day, Good Friday, Easter Monday, 1 May and 25-26
    December (ECB, since 2002); the reference is built from pandas' Easter rules."""
    from pandas.tseries.holiday import AbstractHolidayCalendar, EasterMonday, GoodFriday, Holiday

    class Target2(AbstractHolidayCalendar):  # type: ignore[misc]
        rules = [
            Holiday("New Year's Day", month=1, day=1),
            GoodFriday,
            EasterMonday,
            Holiday("Labour Day", month=5, day=1),
            Holiday("Christmas Day", month=12, day=25),
            Holiday("Christmas Holiday", month=12, day=26),
        ]

    first, last = date(2002, 1, 1), date(2030, 12, 31)
    closed = {ts.date() for ts in Target2().holidays(start=first, end=last)}
    eu = calendar_for("EU")
    differences = [
        day
        for day in _days(first, last)
        if day.weekday() < 5 and eu.is_settlement_day(day) == (day in closed)
    ]
    assert differences == []


@pytest.mark.parametrize(
    ("day", "note"),
    [
        (date(2024, 10, 15), None),
        (date(2024, 10, 14), "Columbus Day: no settlement day, settles with 2024-10-11's trades"),
        (date(2025, 1, 9), "2025-01-09 is no US trading day: National Day of Mourning for "
         "former President Jimmy Carter"),
        (date(2024, 6, 15), "2024-06-15 is no US trading day: Weekend"),
    ],
)  # fmt: skip
def test_what_a_clerk_is_told_about_a_trade_date(day: date, note: str | None) -> None:
    assert calendar_for("US").trade_date_note(day) == note
