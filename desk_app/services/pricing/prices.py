"""Prices in and out: a file imported all or nothing, and the list of prices by day.

A price for a day already on file with the same values changes nothing (a file can
be imported again); with other values it replaces the day's row, which the audit
trail records with the values before. A file with any problem stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db import models as m
from desk_app.db.paging import Expr, KeysetSource
from desk_app.db.text_search import any_contains, every_word
from desk_app.domain.cutoffs import market_today
from desk_app.domain.listing import Column, ColumnKind, SortSpec
from desk_app.domain.permissions import Action
from desk_app.domain.trade_rows import RowProblem
from desk_app.services.pricing.price_file import PriceLine, read_prices
from desk_app.services.unit_of_work import UnitOfWork

K = ColumnKind
PRICE_COLUMNS = (
    Column("isin", "ISIN"),
    Column("symbol", "Symbol"),
    Column("description", "Description"),
    Column("price_date", "Date", K.DATE),
    Column("price", "Price", K.PRICE),
    Column("currency", "Ccy"),
    Column("high", "High", K.PRICE),
    Column("low", "Low", K.PRICE),
    Column("source", "Source"),
    Column("loaded_by", "Loaded by"),
)


@dataclass(frozen=True)
class PriceImport:
    """What an import did (or, with problems, why it did nothing)."""

    file: str
    added: int
    replaced: int
    unchanged: int
    problems: tuple[RowProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            count = len(self.problems)
            return f"{self.file}: {count} problem{'s' if count != 1 else ''}; nothing was imported"
        return (
            f"{self.file}: {self.added} added, {self.replaced} replaced, {self.unchanged} unchanged"
        )


class PriceService:
    """Import and list instrument prices."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        uow: UnitOfWork,
        today: Callable[[], date] = market_today,
    ) -> None:
        self._sessions = sessions
        self._uow = uow
        self._today = today

    def import_file(self, path: Path) -> PriceImport:
        """Import ``path`` (see `import_bytes`)."""
        return self.import_bytes(path.read_bytes(), path.name)

    def import_bytes(self, content: bytes, file_name: str) -> PriceImport:
        """Check every line, then store all of it or nothing."""
        self._uow.actor.require(Action.PRICE_IMPORT)
        lines, problems = read_prices(content, file_name, self._today())
        isins = {line.isin for line in lines}
        with self._uow.read() as session:
            known = {i.isin: i.currency for i in _instruments(session, isins).values()}
        for line in lines:
            problems.extend(_book_problems(file_name, line, known.get(line.isin)))
        if problems:
            problems.sort(key=lambda p: p.line)
            return PriceImport(file_name, 0, 0, 0, tuple(problems))
        with self._uow.write(Action.PRICE_IMPORT) as session:
            return self._store(session, file_name, lines, _instruments(session, isins))

    def _store(
        self,
        session: Session,
        file_name: str,
        lines: list[PriceLine],
        instruments: dict[str, m.Instrument],
    ) -> PriceImport:
        IP = m.InstrumentPrice
        ids = {instruments[line.isin].id for line in lines}
        days = [line.day for line in lines]
        existing = {
            (p.instrument_id, p.price_date): p
            for p in session.scalars(
                select(IP).where(
                    IP.instrument_id.in_(ids), IP.price_date.between(min(days), max(days))
                )
            )
        }
        added = replaced = unchanged = 0
        actor, now = self._uow.actor.username, datetime.now(UTC)
        for line in lines:
            instrument_id = instruments[line.isin].id
            values = {"price": line.price, "currency": line.currency,
                      "high": line.high, "low": line.low}  # fmt: skip
            row = existing.get((instrument_id, line.day))
            if row is None:
                session.add(IP(instrument_id=instrument_id, price_date=line.day, source=file_name,
                               loaded_by=actor, loaded_at=now, **values))  # fmt: skip
                added += 1
            elif all(getattr(row, k) == v for k, v in values.items()):
                unchanged += 1
            else:
                for key, new in values.items():
                    setattr(row, key, new)
                row.source, row.loaded_by, row.loaded_at = file_name, actor, now
                replaced += 1
        return PriceImport(file_name, added, replaced, unchanged)

    def prices(self, search: str = "", isin: str | None = None) -> KeysetSource:
        """Every price, newest day first; ``search``: words in the ISIN, symbol or description."""
        IP, Ins = m.InstrumentPrice, m.Instrument

        def cols() -> list[Expr]:
            return [Ins.isin, Ins.symbol, Ins.description, IP.price_date, IP.price, IP.currency,
                    IP.high, IP.low, IP.source, IP.loaded_by]  # fmt: skip

        def joined(stmt: Select[tuple[object, ...]]) -> Select[tuple[object, ...]]:
            return stmt.select_from(IP).join(Ins, Ins.id == IP.instrument_id)

        where = list(
            every_word(search, lambda w: any_contains(w, Ins.isin, Ins.symbol, Ins.description))
        )
        if isin:
            where.append(Ins.isin == isin.strip().upper())
        return KeysetSource(
            self._sessions, PRICE_COLUMNS, cols, IP.id, joined,
            SortSpec("price_date", descending=True), where=where,
        )  # fmt: skip


def _instruments(session: Session, isins: set[str]) -> dict[str, m.Instrument]:
    if not isins:
        return {}
    found = session.scalars(select(m.Instrument).where(m.Instrument.isin.in_(sorted(isins))))
    return {i.isin: i for i in found}


def _book_problems(file_name: str, line: PriceLine, currency: str | None) -> list[RowProblem]:
    """What the books say against a line: an unknown instrument, another currency."""
    if currency is None:
        reason = f"{line.isin} is not an instrument in reference data"
        return [RowProblem(file_name, line.line, "isin", reason, line.isin)]
    if line.currency != currency:
        return [RowProblem(
            file_name, line.line, "currency",
            f"{line.currency} is not {line.isin}'s currency ({currency})",
            line.currency,
        )]  # fmt: skip
    return []
