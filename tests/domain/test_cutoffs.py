"""The settlement cut-off and the business date, on New York's clock, with fixed clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime

from desk_app.domain.calendars import calendar_for
from desk_app.domain.cutoffs import CUTOFFS, business_date

DTC = CUTOFFS["US"]
US = calendar_for("US")


def test_the_business_date_is_new_yorks_not_utcs() -> None:
    evening = datetime(2026, 12, 8, 2, 30, tzinfo=UTC)  # Monday 21:30 in New York
    assert business_date(evening) == date(2026, 12, 7)
    assert business_date(datetime(2026, 12, 7, 5, 0, tzinfo=UTC)) == date(2026, 12, 7)
    assert business_date(datetime(2026, 12, 7, 23, 30, tzinfo=UTC), "GB") == date(2026, 12, 7)


def test_a_sunday_names_the_next_cut_off_and_nothing_is_late() -> None:
    sunday = datetime(2026, 12, 6, 17, 0, tzinfo=UTC)  # Sunday noon in New York
    state = DTC.state(sunday, US)
    assert state.text == "No DTC settlement today (Sunday); next cut-off Mon 15:30 EST"
    assert not state.passed


def test_a_holiday_is_named_and_the_next_cut_off_skips_it() -> None:
    thanksgiving = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    state = DTC.state(thanksgiving, US)
    assert state.text.startswith("No DTC settlement today (Thanksgiving")
    assert state.text.endswith("next cut-off Fri 15:30 EST")


def test_a_settlement_day_counts_down_then_points_to_the_next() -> None:
    morning = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # 09:00 EST
    state = DTC.state(morning, US)
    assert (state.text, state.passed) == ("DTC cut-off 15:30 New York in 6 h 30 min", False)
    friday_evening = datetime(2026, 12, 11, 21, 0, tzinfo=UTC)  # 16:00 EST, after the cut-off
    state = DTC.state(friday_evening, US)
    assert state.passed
    assert state.text == "DTC cut-off 15:30 New York passed; next cut-off Mon 15:30 EST"
    summer = DTC.next_moment(datetime(2026, 7, 4, 12, 0, tzinfo=UTC), US)  # a holiday Saturday
    assert f"{summer:%Y-%m-%d %H:%M %Z}" == "2026-07-06 15:30 EDT"


def test_new_york_today_is_the_business_date_of_now() -> None:
    from desk_app.services.accounts.maintenance import new_york_today

    assert new_york_today() == business_date(datetime.now(UTC))
