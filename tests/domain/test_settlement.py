"""Settlement cycles and dates, checked against an outside reference and by property.

Reference for US settlement days, independent of the `holidays` library:
  * NYSE sessions from exchange_calendars (XNYS), which include one-off closures
    such as the national day of mourning on 2025-01-09;
  * Federal Reserve holidays from pandas' USFederalHolidayCalendar, adjusted to the
    Fed's rule: a holiday falling on a Saturday is NOT observed on the Friday before
    (Reserve Banks stay open), while one falling on a Sunday is observed on the
    Monday. pandas uses the federal-government rule (Saturday -> Friday), so its
    fixed-date holidays are rebuilt here with `sunday_to_monday`.
A US settlement day is an NYSE session that is not a Fed holiday, or one of the
unscheduled NYSE closures on which DTC and Fedwire settled (named below with their
sources). A trade on a session that is not a settlement day is combined with the
previous settlement day's trades (FINRA's schedules); one on a day that is no session
counts from the next session.
"""

from __future__ import annotations

import bisect
import warnings
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain.calendars import CalendarOverride, calendar_for
from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import ValidationError
from desk_app.domain.settlement import (
    DEFAULT_CYCLES,
    SettlementCycle,
    cycle_for,
    settlement_date,
)

T = InstrumentType
US_T1_FROM = date(2024, 5, 28)  # SEC Release 34-96930 compliance date


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@pytest.fixture(scope="module")
def reference_us_sessions() -> set[date]:
    """NYSE sessions 1999-01-01 .. 2031-01-31 from exchange_calendars."""
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Series.values returning an ndarray", category=DeprecationWarning
        )
        nyse = xcals.get_calendar("XNYS", start="1999-01-01", end="2031-01-31")
    return {session.date() for session in nyse.sessions}


#: NYSE closed, settlement went ahead: DTCC's notice of 2012-10-28 (Sandy), SIFMA's of
#: 2012-10-29 ("a good settlement day"), the Fed's of 2018-12-01 as relayed by ICBA,
#: SIFMA's unscheduled-close matrix (2025-01-09).
SETTLED_THROUGH_NYSE_CLOSURE = {
    date(2012, 10, 29), date(2012, 10, 30), date(2018, 12, 5), date(2025, 1, 9),
}  # fmt: skip


@pytest.fixture(scope="module")
def reference_us_days() -> list[date]:
    """Sorted US settlement days 1999-01-01 .. 2031-01-31 from exchange_calendars and pandas."""
    import exchange_calendars as xcals
    from pandas.tseries.holiday import (
        AbstractHolidayCalendar,
        Holiday,
        USFederalHolidayCalendar,
        nearest_workday,
        sunday_to_monday,
    )

    first, last = date(1999, 1, 1), date(2031, 1, 31)
    with warnings.catch_warnings():
        # pandas 3.1 deprecates Series.values on tz-aware data, used inside
        # exchange_calendars when it builds a calendar; nothing else is silenced.
        warnings.filterwarnings(
            "ignore", message="Series.values returning an ndarray", category=DeprecationWarning
        )
        # Its default range is bounded (about 20 years back, 1 ahead): pass both ends.
        nyse = xcals.get_calendar("XNYS", start=first.isoformat(), end=last.isoformat())
    sessions = {session.date() for session in nyse.sessions}

    fed_rules = [
        Holiday(
            rule.name,
            month=rule.month,
            day=rule.day,
            start_date=rule.start_date,
            end_date=rule.end_date,
            observance=sunday_to_monday,
        )
        if rule.observance is nearest_workday
        else rule
        for rule in USFederalHolidayCalendar.rules
    ]
    assert sum(rule.observance is sunday_to_monday for rule in fed_rules) == 5

    class FederalReserve(AbstractHolidayCalendar):  # type: ignore[misc]
        rules = fed_rules

    fed = {ts.date() for ts in FederalReserve().holidays(start=first, end=last)}
    days = sorted((sessions - fed) | SETTLED_THROUGH_NYSE_CLOSURE)
    # The reference must know what the test is about, or it proves nothing.
    assert date(2025, 1, 9) not in sessions
    assert {date(2024, 10, 14), date(2024, 11, 11)} <= sessions & fed
    assert date(2023, 11, 10) in days and date(2021, 12, 31) in days
    return days


def _reference_settlement(
    days: list[date], sessions: set[date], trade_date: date, offset: int
) -> date:
    settles = set(days)
    while trade_date not in settles and trade_date not in sessions:
        trade_date += timedelta(days=1)  # a weekend trade belongs to the next business day
    if trade_date in settles:
        start = bisect.bisect_left(days, trade_date)
    else:  # a session that cannot settle: combined with the previous settlement day
        start = bisect.bisect_left(days, trade_date) - 1
    settle = days[start + offset]
    return settle if settle >= trade_date else days[bisect.bisect_left(days, trade_date)]


def test_us_settlement_days_match_the_reference(reference_us_days: list[date]) -> None:
    """Every weekday 1999-2030."""
    us = calendar_for("US")
    open_days = set(reference_us_days)
    differences = [
        (day, us.holiday_name(day))
        for day in _days(date(1999, 1, 1), date(2030, 12, 31))
        if us.is_settlement_day(day) != (day in open_days)
    ]
    assert differences == []


@pytest.mark.parametrize("kind", [T.EQUITY, T.CORPORATE_BOND, T.MUNICIPAL_BOND])
def test_us_securities_match_the_reference(
    reference_us_days: list[date], reference_us_sessions: set[date], kind: T
) -> None:
    """Every calendar day 2023-2026, across the T+2 -> T+1 switch."""
    us = calendar_for("US")
    differences = []
    for day in _days(date(2023, 1, 1), date(2026, 12, 31)):
        expected = _reference_settlement(
            reference_us_days, reference_us_sessions, day, 2 if day < US_T1_FROM else 1
        )
        actual = settlement_date(day, cycle_for(DEFAULT_CYCLES, kind, "US", day), us)
        if actual != expected:
            differences.append((day, actual, expected))
    assert differences == []


@pytest.mark.parametrize(("kind", "offset"), [(T.OPTION, 1), (T.COMMERCIAL_PAPER, 0)])
def test_options_and_paper_match_the_reference(
    reference_us_days: list[date], reference_us_sessions: set[date], kind: T, offset: int
) -> None:
    us = calendar_for("US")
    for day in _days(date(2023, 1, 1), date(2026, 12, 31)):
        cycle = cycle_for(DEFAULT_CYCLES, kind, "US", day)
        expected = _reference_settlement(reference_us_days, reference_us_sessions, day, offset)
        assert settlement_date(day, cycle, us) == expected, day


def _settle(kind: T, market: str, trade_date: date, *overrides: CalendarOverride) -> date:
    cycle = cycle_for(DEFAULT_CYCLES, kind, market, trade_date)
    return settlement_date(trade_date, cycle, calendar_for(cycle.calendar_code, overrides))


@pytest.mark.parametrize(
    ("trade_date", "expected"),
    [
        (date(2024, 5, 24), date(2024, 5, 29)),  # Fri, last T+2 day, Memorial Day Monday
        (date(2024, 5, 28), date(2024, 5, 29)),  # first T+1 day
        (date(2024, 10, 11), date(2024, 10, 15)),  # Fri before Columbus Day
        (date(2024, 10, 14), date(2024, 10, 15)),  # Columbus Day: settles with Friday's
        (date(2024, 11, 8), date(2024, 11, 12)),  # Fri before Veterans Day
        (date(2024, 11, 11), date(2024, 11, 12)),  # Veterans Day: NYSE open, banks shut
        (date(2024, 3, 28), date(2024, 4, 2)),  # T+2 over Good Friday
        (date(2025, 4, 17), date(2025, 4, 21)),  # T+1 over Good Friday
        (date(2025, 1, 8), date(2025, 1, 9)),  # NYSE closed 2025-01-09, DTC settled
        (date(2024, 12, 31), date(2025, 1, 2)),
        (date(2025, 12, 31), date(2026, 1, 2)),
        (date(2023, 11, 9), date(2023, 11, 13)),  # Fri 11/10 open: Veterans Day on Sat
        (date(2024, 6, 15), date(2024, 6, 18)),  # Saturday trade: from Monday, T+1
    ],
)
def test_us_equity_named_cases(trade_date: date, expected: date) -> None:
    assert _settle(T.EQUITY, "US", trade_date) == expected


#: FINRA's trade-date/settlement-date schedules (Columbus Day and Veterans Day 2023 under
#: T+2, 2024 and 2025 under T+1): trade date -> settlement date, every row published.
FINRA_SCHEDULES = {
    # Columbus Day, Monday 2023-10-09, T+2
    "2023-10-05": "2023-10-10", "2023-10-06": "2023-10-11", "2023-10-09": "2023-10-11",
    "2023-10-10": "2023-10-12", "2023-10-11": "2023-10-13",
    # Columbus Day, Monday 2024-10-14, T+1
    "2024-10-10": "2024-10-11", "2024-10-11": "2024-10-15", "2024-10-14": "2024-10-15",
    "2024-10-15": "2024-10-16",
    # Veterans Day, Monday 2024-11-11, T+1
    "2024-11-07": "2024-11-08", "2024-11-08": "2024-11-12", "2024-11-11": "2024-11-12",
    "2024-11-12": "2024-11-13",
    # Columbus Day, Monday 2025-10-13, T+1
    "2025-10-09": "2025-10-10", "2025-10-10": "2025-10-14", "2025-10-13": "2025-10-14",
    "2025-10-14": "2025-10-15",
    # Veterans Day, Tuesday 2025-11-11, T+1
    "2025-11-07": "2025-11-10", "2025-11-10": "2025-11-12", "2025-11-11": "2025-11-12",
    "2025-11-12": "2025-11-13",
}  # fmt: skip


@pytest.mark.parametrize(("trade_date", "expected"), sorted(FINRA_SCHEDULES.items()))
@pytest.mark.parametrize("kind", [T.EQUITY, T.CORPORATE_BOND, T.MUNICIPAL_BOND])
def test_finra_bank_holiday_schedules(trade_date: str, expected: str, kind: T) -> None:
    assert _settle(kind, "US", date.fromisoformat(trade_date)) == date.fromisoformat(expected)


def test_unscheduled_closures_that_settled() -> None:
    assert _settle(T.EQUITY, "US", date(2025, 1, 8)) == date(2025, 1, 9)
    assert _settle(T.EQUITY, "US", date(2018, 12, 3)) == date(2018, 12, 5)  # T+2
    assert _settle(T.EQUITY, "US", date(2012, 10, 26)) == date(2012, 10, 31)  # T+3
    assert _settle(T.EQUITY, "US", date(2012, 10, 25)) == date(2012, 10, 30)


def test_t0_on_a_bank_holiday_settles_the_next_day() -> None:
    assert _settle(T.COMMERCIAL_PAPER, "US", date(2024, 10, 14)) == date(2024, 10, 15)


def test_treasuries_settle_on_the_government_calendar() -> None:
    assert cycle_for(DEFAULT_CYCLES, T.TREASURY, "US", date(2025, 1, 8)).calendar_code == (
        "US-GOVT"
    )
    assert _settle(T.TREASURY, "US", date(2024, 3, 28)) == date(2024, 4, 1)  # Good Friday shut
    assert _settle(T.TREASURY, "US", date(2023, 4, 6)) == date(2023, 4, 7)  # SIFMA early close
    assert _settle(T.TREASURY, "US", date(2025, 1, 8)) == date(2025, 1, 9)  # bonds open
    assert _settle(T.TREASURY, "US", date(2024, 10, 11)) == date(2024, 10, 15)


def test_commercial_paper_settles_same_day_or_next_open_day() -> None:
    assert _settle(T.COMMERCIAL_PAPER, "US", date(2024, 10, 16)) == date(2024, 10, 16)
    assert _settle(T.COMMERCIAL_PAPER, "US", date(2024, 10, 14)) == date(2024, 10, 15)
    assert _settle(T.COMMERCIAL_PAPER, "US", date(2024, 10, 12)) == date(2024, 10, 15)


def test_futures_have_no_cycle() -> None:
    with pytest.raises(ValidationError, match="futures have no settlement cycle"):
        cycle_for(DEFAULT_CYCLES, T.FUTURE, "US", date(2024, 6, 3))
    with pytest.raises(ValidationError, match="variation margin"):
        SettlementCycle(T.FUTURE, "US", date(2024, 1, 1), 1, "US")


@pytest.mark.parametrize("market", ["EU", "GB", "CH"])
def test_europe_moves_to_t1_on_2027_10_11(market: str) -> None:
    assert cycle_for(DEFAULT_CYCLES, T.EQUITY, market, date(2027, 10, 8)).label == "T+2"
    assert cycle_for(DEFAULT_CYCLES, T.EQUITY, market, date(2027, 10, 11)).label == "T+1"
    assert _settle(T.EQUITY, market, date(2027, 10, 7)) == date(2027, 10, 11)
    assert _settle(T.EQUITY, market, date(2027, 10, 8)) == date(2027, 10, 12)
    assert _settle(T.CORPORATE_BOND, market, date(2027, 10, 11)) == date(2027, 10, 12)
    assert _settle(T.CORPORATE_BOND, market, date(2027, 10, 12)) == date(2027, 10, 13)


def test_european_holidays() -> None:
    assert _settle(T.EQUITY, "EU", date(2025, 4, 17)) == date(2025, 4, 23)  # Easter
    assert _settle(T.EQUITY, "GB", date(2025, 5, 2)) == date(2025, 5, 7)  # May Day
    assert _settle(T.EQUITY, "CH", date(2024, 12, 30)) == date(2025, 1, 6)  # 31 Dec-2 Jan
    assert _settle(T.EQUITY, "EU", date(2024, 10, 11)) == date(2024, 10, 15)  # Columbus: open


def test_overrides_change_the_settlement_date() -> None:
    trade = date(2024, 10, 11)
    closed = CalendarOverride(date(2024, 10, 15), False, "Hurricane closure")
    opened = CalendarOverride(date(2024, 10, 14), True, "Columbus Day worked")
    assert _settle(T.EQUITY, "US", trade) == date(2024, 10, 15)
    assert _settle(T.EQUITY, "US", trade, closed) == date(2024, 10, 16)
    assert _settle(T.EQUITY, "US", trade, opened) == date(2024, 10, 14)


def test_cycle_lookup() -> None:
    t2 = cycle_for(DEFAULT_CYCLES, T.EQUITY, " us ", date(2024, 5, 27))
    assert (t2.offset_days, t2.effective_from) == (2, date(2017, 9, 5))
    assert cycle_for(DEFAULT_CYCLES, T.EQUITY, "US", date(2017, 9, 4)).label == "T+3"
    assert cycle_for(DEFAULT_CYCLES, T.MUNICIPAL_BOND, "US", US_T1_FROM).note.startswith("MSRB")
    assert all(cycle.note for cycle in DEFAULT_CYCLES)
    assert not any(cycle.instrument_type is T.FUTURE for cycle in DEFAULT_CYCLES)


@pytest.mark.parametrize(
    ("kind", "market", "day", "message"),
    [
        (T.EQUITY, "US", date(1990, 1, 2), "earliest starts 1995-06-07"),
        (T.TREASURY, "EU", date(2024, 1, 2), "no settlement cycle is set up for treasury"),
        (T.EQUITY, "JP", date(2024, 1, 2), "in market JP"),
    ],
)
def test_missing_cycle(kind: T, market: str, day: date, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        cycle_for(DEFAULT_CYCLES, kind, market, day)
    assert caught.value.field == "settlement cycle"


def test_conflicting_cycles_are_refused() -> None:
    start = date(2030, 1, 1)
    cycles = [
        *DEFAULT_CYCLES,
        SettlementCycle(T.EQUITY, "US", start, 0, "US"),
        SettlementCycle(T.EQUITY, "US", start, 1, "US"),
    ]
    assert cycle_for(cycles, T.EQUITY, "US", date(2029, 12, 31)).label == "T+1"
    with pytest.raises(ValidationError, match="conflicting"):
        cycle_for(cycles, T.EQUITY, "US", start)


def test_cycle_rows_are_checked() -> None:
    with pytest.raises(ValidationError, match="negative"):
        SettlementCycle(T.EQUITY, "US", date(2024, 1, 1), -1, "US")
    with pytest.raises(ValidationError, match="unknown calendar"):
        SettlementCycle(T.EQUITY, "US", date(2024, 1, 1), 1, "NYSE")
    with pytest.raises(ValidationError, match="required"):
        SettlementCycle(T.EQUITY, " ", date(2024, 1, 1), 1, "US")


def test_calendar_must_be_the_cycles() -> None:
    cycle = cycle_for(DEFAULT_CYCLES, T.TREASURY, "US", date(2024, 6, 3))
    with pytest.raises(ValueError, match="US-GOVT"):
        settlement_date(date(2024, 6, 3), cycle, calendar_for("US"))


# Every calendar has holiday data for 2000-2100 (the Fed and ECB from 1999, LSE and SIX 2000).
_trade_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 1))
_cycles = st.sampled_from(DEFAULT_CYCLES)
_overrides = st.lists(
    st.builds(
        CalendarOverride,
        day=st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31)),
        is_settlement_day=st.booleans(),
        reason=st.just("test"),
    ),
    max_size=20,
)


@given(trade_date=_trade_dates, cycle=_cycles, overrides=_overrides)
def test_settles_on_a_settlement_day_not_before_trade(
    trade_date: date, cycle: SettlementCycle, overrides: list[CalendarOverride]
) -> None:
    calendar = calendar_for(cycle.calendar_code, overrides)
    settles = settlement_date(trade_date, cycle, calendar)
    assert calendar.is_settlement_day(settles)
    assert settles >= trade_date
    assert settles <= trade_date + timedelta(days=7 * (cycle.offset_days + 2) + 2 * len(overrides))


@given(
    first=_trade_dates,
    gap=st.integers(min_value=0, max_value=40),
    cycle=_cycles,
    overrides=_overrides,
)
def test_settlement_date_is_monotone_in_trade_date(
    first: date, gap: int, cycle: SettlementCycle, overrides: list[CalendarOverride]
) -> None:
    calendar = calendar_for(cycle.calendar_code, overrides)
    later = first + timedelta(days=gap)
    assert settlement_date(first, cycle, calendar) <= settlement_date(later, cycle, calendar)


def test_default_cycles_cover_every_business_line() -> None:
    """Seeded rows: every non-future type has a US cycle, Europe its cash lines."""
    today = date(2028, 1, 3)
    for kind in T:
        if kind is not T.FUTURE:
            assert cycle_for(DEFAULT_CYCLES, kind, "US", today).offset_days in (0, 1)
    for market in ("EU", "GB", "CH"):
        for kind in (T.EQUITY, T.CORPORATE_BOND):
            assert cycle_for(DEFAULT_CYCLES, kind, market, today).label == "T+1"


def test_fails_age_and_close_outs_count_settlement_days_only() -> None:
    """A Columbus Day is no settlement day for fails either; 2025-01-09 was one."""
    from desk_app.domain.fails import age_in_settlement_days

    us = calendar_for("US")
    assert age_in_settlement_days(date(2024, 10, 11), date(2024, 10, 14), us) == 0
    assert age_in_settlement_days(date(2024, 10, 11), date(2024, 10, 15), us) == 1
    assert us.add_settlement_days(date(2024, 10, 10), 3) == date(2024, 10, 16)  # S+3 close-out
    assert age_in_settlement_days(date(2025, 1, 8), date(2025, 1, 9), us) == 1
