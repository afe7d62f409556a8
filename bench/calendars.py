"""Settlement days and settlement dates on Desk's calendars, against a bare business-day loop.

Imports of 100,000 trades ask "can this day settle?" and "when does this trade
settle?" for every row, so both must stay a few dictionary look-ups once a year's
holidays are built. Times, in the same process, over N days of 2024-2025 (every
day of the two years in turn, warmed first so that building the holidays is not
counted):

- ``is_settlement_day``: ``SettlementCalendar.is_settlement_day`` on the US
  calendar with one user override, against ``bare``: ``day.weekday() < 5 and day
  not in closed``, where ``closed`` is a frozenset of the same closures taken from
  the `holidays` library (NYSE and Federal Reserve) beforehand;
- ``settlement_date``: ``settlement_date(trade_date, T+1 cycle, US calendar)``
  against ``bare``: roll forward to a business day, then step one business day at a
  time through the same frozenset.

Prints JSON: seconds and microseconds per call of each side, and ``ratio`` (our
seconds over the bare loop's; goals <= 4.0 and <= 10.0), with a check that both sides
gave the same answer for every day. Medians over ``--runs`` runs.

    python bench/calendars.py [N] [--runs 5]     (default N: 100000)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from desk_app.domain.calendars import CalendarOverride, calendar_for
from desk_app.domain.codes import InstrumentType
from desk_app.domain.settlement import DEFAULT_CYCLES, cycle_for, settlement_date

#: Our seconds over the bare loop's. `settlement_date` also checks that the cycle and
#: the calendar agree and steps through methods; losing the per-year holiday cache
#: would put either ratio in the thousands.
GOALS = {"is_settlement_day": 4.0, "settlement_date": 10.0}
FIRST = date(2024, 1, 1)
SPAN_DAYS = 731  # 2024 (a leap year) and 2025
OVERRIDE = CalendarOverride(date(2024, 7, 5), False, "bench: an unforeseen closure")


def bare_closures() -> frozenset[date]:
    """The US calendar's closures straight from `holidays`, plus the bench's override."""
    import holidays

    closed = {OVERRIDE.day}
    for market in ("XNYS", "XFED"):
        closed.update(holidays.financial_holidays(market, years=(2024, 2025, 2026)))
    return frozenset(closed)


def bare_is_business_day(closed: frozenset[date]) -> Callable[[date], bool]:
    """The floor: a weekday test and one set look-up, nothing else."""

    def is_business_day(day: date) -> bool:
        return day.weekday() < 5 and day not in closed

    return is_business_day


def bare_settle(closed: frozenset[date], offset: int) -> Callable[[date], date]:
    """The floor of T+``offset``: roll forward, then step business days, inline."""
    one = timedelta(days=1)

    def settle(trade_date: date) -> date:
        day = trade_date
        while day.weekday() >= 5 or day in closed:
            day += one
        for _ in range(offset):
            day += one
            while day.weekday() >= 5 or day in closed:
                day += one
        return day

    return settle


def timed(fn: Callable[[date], Any], days: Sequence[date]) -> tuple[float, list[Any]]:
    """Seconds to call ``fn`` on every day (the loop alone), and the answers (untimed)."""
    start = time.perf_counter()
    for day in days:
        fn(day)
    elapsed = time.perf_counter() - start
    return elapsed, [fn(day) for day in days]


def compare(
    name: str,
    ours: Callable[[date], Any],
    bare: Callable[[date], Any],
    days: Sequence[date],
    runs: int,
) -> dict[str, Any]:
    """Median seconds of each side over ``runs`` runs, alternating, and their ratio."""
    for day in days:  # warm both: each year's holidays are built once, on first use
        ours(day)
        bare(day)
    ours_runs, bare_runs = [], []
    same = True
    for _ in range(runs):
        bare_s, bare_answers = timed(bare, days)
        ours_s, our_answers = timed(ours, days)
        bare_runs.append(bare_s)
        ours_runs.append(ours_s)
        same = same and our_answers == bare_answers
    mine, theirs = statistics.median(ours_runs), statistics.median(bare_runs)
    ratio = mine / theirs
    return {
        "calls": len(days),
        "ours_seconds": round(mine, 4),
        "ours_us_per_call": round(mine / len(days) * 1e6, 3),
        "bare_seconds": round(theirs, 4),
        "bare_us_per_call": round(theirs / len(days) * 1e6, 3),
        "ratio": round(ratio, 3),
        "goal": f"<= {GOALS[name]:.1f}",
        "goal_met": ratio <= GOALS[name],
        "same_answers": same,
    }


def measure(calls: int, runs: int) -> dict[str, Any]:
    days = [FIRST + timedelta(days=i % SPAN_DAYS) for i in range(calls)]
    us = calendar_for("US", [OVERRIDE])
    cycle = cycle_for(DEFAULT_CYCLES, InstrumentType.EQUITY, "US", date(2025, 1, 2))
    closed = bare_closures()

    def ours_settle(trade_date: date) -> date:
        return settlement_date(trade_date, cycle, us)

    return {
        "is_settlement_day": compare(
            "is_settlement_day", us.is_settlement_day, bare_is_business_day(closed), days, runs
        ),
        "settlement_date": {
            "cycle": f"{cycle.label} ({cycle.calendar_code})",
            **compare(
                "settlement_date", ours_settle, bare_settle(closed, cycle.offset_days), days, runs
            ),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("calls", nargs="?", type=int, default=100_000, metavar="N")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = measure(args.calls, args.runs)
    print(json.dumps({"benchmark": "calendars", "runs": args.runs, **results}, indent=2))


if __name__ == "__main__":
    main()
