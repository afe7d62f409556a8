"""Settlement cycles (T+n) as dated reference data, and the settlement date of a trade.

Regulators change cycles (US T+3 -> T+2 -> T+1; EU/UK/CH T+2 -> T+1), so a cycle
is a row with an effective date, never a constant: a trade is settled under the
cycle in force on its trade date. `DEFAULT_CYCLES` seeds the database; users edit
the rows there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from desk_app.domain.calendars import CALENDARS, SettlementCalendar
from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import ValidationError

_FUTURES_HAVE_NO_CYCLE = (
    "futures have no settlement cycle (T+n): they are marked to market daily with "
    "variation margin and settle at expiry or delivery"
)


@dataclass(frozen=True)
class SettlementCycle:
    """Trades of ``instrument_type`` in ``market`` dated on or after ``effective_from``
    settle ``offset_days`` settlement days later on calendar ``calendar_code``."""

    instrument_type: InstrumentType
    market: str
    effective_from: date
    offset_days: int
    calendar_code: str
    note: str = ""

    def __post_init__(self) -> None:
        # Rows come from user-edited reference data: refuse nonsense at the door.
        if self.instrument_type is InstrumentType.FUTURE:
            raise ValidationError("instrument_type", _FUTURES_HAVE_NO_CYCLE)
        if not self.market.strip():
            raise ValidationError("market", "is required")
        if self.offset_days < 0:
            raise ValidationError("offset_days", "cannot be negative", self.offset_days)
        if self.calendar_code not in CALENDARS:
            raise ValidationError(
                "calendar_code",
                f"unknown calendar; known calendars: {', '.join(CALENDARS)}",
                self.calendar_code,
            )

    @property
    def label(self) -> str:
        """The cycle as traders say it: "T+1"."""
        return f"T+{self.offset_days}"


_SEC = "SEC Rule 15c6-1"
_US_STEPS = (
    (date(1995, 6, 7), 3, f"{_SEC} (Release 34-33023): T+3 from 1995-06-07"),
    (date(2017, 9, 5), 2, f"{_SEC} amended (Release 34-80295): T+2 from 2017-09-05"),
    (date(2024, 5, 28), 1, f"{_SEC} amended (Release 34-96930): T+1 from 2024-05-28"),
)
_MUNI = "MSRB Rules G-12 and G-15, amended in step with SEC Rule 15c6-1"
_EUROPEAN_T2 = {
    "EU": "CSDR (EU 909/2014) Art. 5(2): T+2; EU markets moved on 2014-10-06",
    "GB": "UK market moved to T+2 on 2014-10-06 with the EU (CSDR Art. 5(2))",
    "CH": "SIX Swiss Exchange moved to T+2 on 2014-10-06, aligned with the EU",
}
_EUROPEAN_T1 = {
    "EU": "CSDR Art. 5(2) as amended for T+1 (EU T+1 Industry Committee): from 2027-10-11",
    "GB": "UK Accelerated Settlement Taskforce, confirmed by HM Treasury: T+1 from 2027-10-11",
    "CH": "Swiss Securities Post-Trade Council: T+1 from 2027-10-11, aligned with EU and UK",
}


def _us_cycles() -> tuple[SettlementCycle, ...]:
    """US cash securities follow the SEC rule; the exempt instruments follow practice."""
    cycles = [
        SettlementCycle(
            kind,
            "US",
            start,
            offset,
            "US",
            f"{_MUNI}; {note}" if kind is InstrumentType.MUNICIPAL_BOND else note,
        )
        for kind in (
            InstrumentType.EQUITY,
            InstrumentType.CORPORATE_BOND,
            InstrumentType.MUNICIPAL_BOND,
        )
        for start, offset, note in _US_STEPS
    ]
    cycles += [
        SettlementCycle(
            InstrumentType.OPTION,
            "US",
            date(1995, 6, 7),
            1,
            "US",
            "OCC: listed option premiums settle the next business day (T+1)",
        ),
        SettlementCycle(
            InstrumentType.TREASURY,
            "US",
            date(1995, 6, 7),
            1,
            "US-GOVT",
            "Market practice on Fedwire Securities, exempt from SEC Rule 15c6-1: regular T+1",
        ),
        SettlementCycle(
            InstrumentType.COMMERCIAL_PAPER,
            "US",
            date(1995, 6, 7),
            0,
            "US",
            "Market practice (DTC money market instruments), exempt from SEC Rule 15c6-1: T+0",
        ),
    ]
    return tuple(cycles)


def _european_cycles() -> tuple[SettlementCycle, ...]:
    """EU, UK and Switzerland: T+2 since 2014, T+1 together from 2027-10-11."""
    return tuple(
        SettlementCycle(kind, market, start, offset, market, notes[market])
        for market in ("EU", "GB", "CH")
        for kind in (InstrumentType.EQUITY, InstrumentType.CORPORATE_BOND)
        for start, offset, notes in (
            (date(2014, 10, 6), 2, _EUROPEAN_T2),
            (date(2027, 10, 11), 1, _EUROPEAN_T1),
        )
    )


DEFAULT_CYCLES: tuple[SettlementCycle, ...] = _us_cycles() + _european_cycles()


def cycle_for(
    cycles: Iterable[SettlementCycle],
    instrument_type: InstrumentType,
    market: str,
    trade_date: date,
) -> SettlementCycle:
    """The cycle in force on ``trade_date``: the latest ``effective_from`` not after it."""
    if instrument_type is InstrumentType.FUTURE:
        raise ValidationError("instrument_type", _FUTURES_HAVE_NO_CYCLE, instrument_type.value)
    wanted = market.strip().upper()
    matching = [
        cycle
        for cycle in cycles
        if cycle.instrument_type is instrument_type and cycle.market.strip().upper() == wanted
    ]
    what = f"{instrument_type.label.lower()} in market {wanted or '(none)'}"
    if not matching:
        raise ValidationError("settlement cycle", f"no settlement cycle is set up for {what}")
    in_force = [cycle for cycle in matching if cycle.effective_from <= trade_date]
    if not in_force:
        earliest = min(cycle.effective_from for cycle in matching)
        raise ValidationError(
            "settlement cycle",
            f"no settlement cycle for {what} on trade date {trade_date.isoformat()}; "
            f"the earliest starts {earliest.isoformat()}",
        )
    latest = max(cycle.effective_from for cycle in in_force)
    chosen = [cycle for cycle in in_force if cycle.effective_from == latest]
    if len({(c.offset_days, c.calendar_code) for c in chosen}) > 1:
        raise ValidationError(
            "settlement cycle",
            f"conflicting settlement cycles for {what} both start {latest.isoformat()}",
        )
    return chosen[0]


def settlement_date(trade_date: date, cycle: SettlementCycle, calendar: SettlementCalendar) -> date:
    """Trade date plus the cycle's offset in settlement days of ``calendar``.

    A trade dated on a trading day that cannot settle (Columbus Day, Veterans Day:
    the NYSE open, the banks shut) is combined with the previous business day's
    trades, as FINRA's trade-date/settlement-date schedules say; one dated on a day
    that is neither (a weekend) settles with the next business day's. A day the
    exchange was shut but settlement went ahead (2025-01-09) is a settlement day. A
    cycle of T+0 never settles before the trade: such a trade takes the next
    settlement day.
    """
    if calendar.code != cycle.calendar_code:
        raise ValueError(
            f"cycle {cycle.label} for {cycle.instrument_type.value}/{cycle.market} uses "
            f"calendar {cycle.calendar_code}, not {calendar.code}"
        )
    settles = calendar.add_settlement_days(calendar.counting_day(trade_date), cycle.offset_days)
    return max(settles, calendar.roll_forward(trade_date))


def why_dates_differ(
    trade_date: date, stored: date, expected: date, calendar: SettlementCalendar
) -> str:
    """Name the days between the trade and its settlement that explain a changed date."""
    reasons = []
    day, last = trade_date, max(stored, expected)
    while day <= last:
        trades, settles = calendar.is_trading_day(day), calendar.is_settlement_day(day)
        name = calendar.holiday_name(day) or ""
        if day.weekday() >= 5 or trades == settles and not name.startswith("Override"):
            pass  # an ordinary day, or one both calendars close
        elif name.startswith("Override"):
            reasons.append(f"{day.isoformat()} {name}")
        elif trades:
            reasons.append(
                f"{day.isoformat()} {name}: a trading day but not a settlement day "
                "(its trades settle with the previous business day's)"
            )
        else:
            why = calendar.trading_holiday_name(day) or "exchange closed"
            reasons.append(f"{day.isoformat()} {why}: exchange closed, but a settlement day")
        day += timedelta(days=1)
    return "; ".join(reasons) or "the settlement cycle or a calendar override changed"
