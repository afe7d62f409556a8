"""Settlement dates from the cycles and calendar overrides stored as reference data."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db import models
from desk_app.domain import calendars, settlement
from desk_app.domain.codes import InstrumentType


class CalendarService:
    """Answers "when does this settle?" with the user's current reference data.

    It only reads: the cycles and overrides change by supervised request (`rules`).
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def cycles(self) -> list[settlement.SettlementCycle]:
        with self._sessions() as session:
            rows = session.scalars(select(models.SettlementCycle)).all()
            return [
                settlement.SettlementCycle(
                    instrument_type=row.instrument_type,
                    market=row.market,
                    effective_from=row.effective_from,
                    offset_days=row.offset_days,
                    calendar_code=row.calendar_code,
                    note=row.note,
                )
                for row in rows
            ]

    def calendar(self, code: str) -> calendars.SettlementCalendar:
        """The calendar with the user's overrides applied."""
        code = code.strip().upper()
        with self._sessions() as session:
            rows = session.scalars(
                select(models.CalendarOverride).where(models.CalendarOverride.calendar_code == code)
            ).all()
            overrides = [
                calendars.CalendarOverride(r.day, r.is_settlement_day, r.reason) for r in rows
            ]
        return calendars.calendar_for(code, overrides)

    def settle_date(
        self, trade_date: date, instrument_type: InstrumentType, market: str = "US"
    ) -> tuple[date, settlement.SettlementCycle]:
        """The settlement date and the cycle that produced it."""
        cycle = settlement.cycle_for(self.cycles(), instrument_type, market, trade_date)
        return settlement.settlement_date(
            trade_date, cycle, self.calendar(cycle.calendar_code)
        ), cycle

    def closed_days(self, code: str, year: int, *, trading: bool = False) -> list[tuple[date, str]]:
        """Weekdays of ``year`` that are not settlement days (or trading days), with the reason."""
        calendar = self.calendar(code)
        day, end = date(year, 1, 1), date(year, 12, 31)
        closed = []
        while day <= end:
            if trading and day.weekday() < 5 and not calendar.is_trading_day(day):
                closed.append((day, calendar.trading_holiday_name(day) or ""))
            elif not trading and day.weekday() < 5 and not calendar.is_settlement_day(day):
                closed.append((day, calendar.holiday_name(day) or ""))
            day += timedelta(days=1)
        if trading:
            return closed
        opened = [(o.day, f"Open by override: {o.reason}") for o in calendar.overrides]
        return sorted(closed + [o for o in opened if o[0].year == year])

    def overrides(self) -> list[tuple[str, calendars.CalendarOverride]]:
        """Every user override, by calendar and day."""
        with self._sessions() as session:
            rows = session.scalars(
                select(models.CalendarOverride).order_by(
                    models.CalendarOverride.calendar_code, models.CalendarOverride.day
                )
            ).all()
            return [
                (r.calendar_code, calendars.CalendarOverride(r.day, r.is_settlement_day, r.reason))
                for r in rows
            ]
