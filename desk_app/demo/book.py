"""The demo generator's shared state: the random source, what it has made, and tools.

Every stage takes the `Book`, draws from its one ``random.Random`` in a fixed order,
and records what it made (with the new ids) for the stages after it.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.bulk import bulk_insert
from desk_app.demo.catalogue_people import Holder
from desk_app.domain.calendars import SettlementCalendar
from desk_app.domain.codes import InstrumentType, RestrictionKind
from desk_app.domain.settlement import SettlementCycle, cycle_for, settlement_date

Progress = Callable[[int, int, str], None]
Row = dict[str, Any]

HISTORY_DAYS = 182  # how far back the blotter goes
NEW_YORK = ZoneInfo("America/New_York")
NYSE_OPEN = time(9, 30)
CHUNKS = 10  # progress reports per bulk stage


@dataclass(slots=True)
class Instrument:
    """An instrument as the generator sees it: its row plus how it trades."""

    row: Row
    kind: InstrumentType
    market: str
    price: float  # where its price walk starts
    first_trade: date = date.min
    maturity: date = date.max  # last day it can trade
    weight: float = 1.0
    mids: list[float] = field(default_factory=list)  # one mid price per trade day
    id: int = 0


@dataclass(slots=True)
class Party:
    """A counterparty as trades and their SSIs need it."""

    id: int
    code: str
    bic: str
    dtc: str | None


@dataclass(slots=True)
class Account:
    """An account plus the holder details certificates and manifests need."""

    row: Row
    holder: Holder
    weight: float
    id: int = 0


@dataclass(slots=True)
class Restricted:
    """One restriction of the book: its row (with its id once saved) and its account."""

    row: Row
    account: Account
    id: int = 0

    @property
    def kind(self) -> RestrictionKind:
        return RestrictionKind(self.row["kind"])


@dataclass(frozen=True, slots=True)
class Told:
    """One thing the demo's staff did, for the audit trail (`desk_app.demo.history`)."""

    at: datetime
    user: str
    action: str
    change: Any  # an `audit.Change`


@dataclass(slots=True)
class Trade:
    """One trade version: its row, and what its corrections and obligation need."""

    row: Row
    inst: Instrument
    party: Party
    exception: bool = False  # traded on a route that has no SSI
    amend: int = 0  # how many corrections follow this version
    cancel: bool = False  # a cancel version follows this one
    id: int = 0


@dataclass
class Book:
    """The generator's state: the random source, what it has made so far, and tools."""

    rng: random.Random
    session: Session
    today: date
    days: list[date]  # trade days, oldest first
    cycles: list[SettlementCycle]
    calendars: dict[str, SettlementCalendar]
    clerks: list[str] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)
    instruments: list[Instrument] = field(default_factory=list)
    parties: dict[str, Party] = field(default_factory=dict)
    ssis: dict[tuple[int, str, InstrumentType], list[tuple[date, date | None, int]]] = field(
        default_factory=dict
    )
    accounts: list[Account] = field(default_factory=list)
    #: The accounts' restrictions (`desk_app.demo.restrictions`).
    restrictions: list[Restricted] = field(default_factory=list)
    #: What the staff did, told by the stages, written to the audit trail at the end.
    past: list[Told] = field(default_factory=list)
    #: The moment the book is made: nothing in it happens later (New York's clock).
    now: datetime = datetime.max.replace(tzinfo=UTC)
    #: The accounts' full tax ids, so that no two clients share one (the vault keeps them).
    tax_ids: set[str] = field(default_factory=set)
    _settle: dict[tuple[InstrumentType, str, date], tuple[date, str | None]] = field(
        default_factory=dict
    )

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """``hour:minute`` UTC on ``day``, or `now` if that is still to come."""
        return self.no_later(datetime.combine(day, time(hour, minute), UTC))

    def no_later(self, when: datetime) -> datetime:
        """``when``, or `now` if that is still to come: the demo has no future."""
        return min(when, self.now)

    def ago(self, low: int, high: int) -> date:
        """A trade day between ``low`` and ``high`` trade days before the last one."""
        return self.days[-1 - min(len(self.days) - 1, self.rng.randint(low, high))]

    def settle(self, kind: InstrumentType, market: str, day: date) -> tuple[date, str | None]:
        """Settlement date, and why it moved if ``day`` cannot settle; cached."""
        known = self._settle.get((kind, market, day))
        if known is None:
            cycle = cycle_for(self.cycles, kind, market, day)
            calendar = self.calendars[cycle.calendar_code]
            why = None
            if not calendar.is_settlement_day(day):
                why = (
                    f"{day.isoformat()} is not a {calendar.code} settlement day "
                    f"({calendar.holiday_name(day)}); {cycle.label} counted from "
                    f"{calendar.counting_day(day).isoformat()}"
                )
            known = self._settle[(kind, market, day)] = (
                settlement_date(day, cycle, calendar),
                why,
            )
        return known

    def ssi(self, party: Party, inst: Instrument, day: date) -> int | None:
        """The counterparty's SSI in force on ``day`` for the instrument's route."""
        for start, end, ssi_id in self.ssis.get((party.id, inst.market, inst.kind), ()):
            if start <= day and (end is None or day <= end):
                return ssi_id
        return None


class Steps:
    """Feeds the caller's progress bar; a few dozen calls in all."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, stage: str, *, last: bool = False) -> None:
        self.done = self.total if last else min(self.done + 1, self.total - 1)
        if self.progress is not None:
            self.progress(self.done, self.total, stage)


class _Saved(Protocol):
    row: Row
    id: int


S = TypeVar("S", bound=_Saved)
T = TypeVar("T")


def save(book: Book, model: type[m.Base], items: Sequence[S]) -> list[S]:
    """Insert the items' rows and give each item its new id."""
    new_ids = bulk_insert(book.session, model, [item.row for item in items])
    for item, new_id in zip(items, new_ids, strict=True):
        item.id = item.row["id"] = new_id
    return list(items)


def stamped(row: Row, when: datetime) -> Row:
    """Version 1 and a deterministic ``updated_at`` (the model default reads the clock)."""
    row["version"] = 1
    row["updated_at"] = when
    return row


def draw(rng: random.Random, items: Sequence[T], cum_weights: Sequence[float]) -> T:
    """``rng.choices(items, cum_weights=...)[0]`` (the same draw) without its overhead."""
    return items[bisect_right(cum_weights, rng.random() * cum_weights[-1], 0, len(items) - 1)]


def trade_days(today: date, now: datetime | None = None) -> list[date]:
    """NYSE trading days of the last six months (not settlement days: see DOMAIN.md);
    today only once New York has opened at ``now`` (always when ``now`` is None)."""
    import holidays

    start = today - timedelta(days=HISTORY_DAYS)
    closed = holidays.financial_holidays("XNYS", years=range(start.year, today.year + 1))
    days = [start + timedelta(days=i) for i in range((today - start).days + 1)]
    open_days = [d for d in days if d.weekday() < 5 and d not in closed]
    if now is not None and open_days and open_days[-1] == today:
        opening = datetime.combine(today, NYSE_OPEN, NEW_YORK)
        if now < opening + timedelta(minutes=1):
            open_days.pop()
    return open_days
