"""Settlement dates from the cycles and calendar overrides stored as reference data."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db import models
from desk_app.domain import calendars, settlement
from desk_app.domain.codes import InstrumentType


class CalendarService:
    """Answers "when does this settle?" with the user's current reference data."""

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
