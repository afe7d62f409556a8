"""Settlement dates from the cycles and calendar overrides stored as reference data."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db import models
from desk_app.domain import calendars, settlement
from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import NotPermitted
from desk_app.domain.permissions import Action
from desk_app.services.unit_of_work import UnitOfWork


class CalendarService:
    """Answers "when does this settle?" with the user's current reference data."""

    def __init__(self, sessions: sessionmaker[Session], uow: UnitOfWork | None = None) -> None:
        self._sessions = sessions
        self._uow = uow

    def _write(self, action: str) -> AbstractContextManager[Session]:
        if self._uow is None:
            raise NotPermitted("calendar overrides need a signed-in user")
        return self._uow.write(action, permission=Action.CALENDAR_OVERRIDE)

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

    def set_override(self, code: str, day: date, is_settlement_day: bool, reason: str) -> None:
        """Force ``day`` open or closed on calendar ``code`` (replacing any earlier override)."""
        code = code.strip().upper()
        calendars.calendar_for(code)  # refuses an unknown calendar
        override = calendars.CalendarOverride(day, is_settlement_day, reason.strip())
        with self._write("calendar.set_override") as session:
            row = session.scalars(
                select(models.CalendarOverride).where(
                    models.CalendarOverride.calendar_code == code,
                    models.CalendarOverride.day == day,
                )
            ).one_or_none()
            if row is None:
                row = models.CalendarOverride(calendar_code=code, day=day)
                session.add(row)
            row.is_settlement_day = override.is_settlement_day
            row.reason = override.reason

    def remove_override(self, code: str, day: date) -> bool:
        """Drop the override of ``day``; False if there was none."""
        with self._write("calendar.remove_override") as session:
            row = session.scalars(
                select(models.CalendarOverride).where(
                    models.CalendarOverride.calendar_code == code.strip().upper(),
                    models.CalendarOverride.day == day,
                )
            ).one_or_none()
            if row is None:
                return False
            session.delete(row)
            return True
