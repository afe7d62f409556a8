"""What counterparties and instruments share: who uses a record, its form values, the
supervised change of one in use (its approval handler), and the import result."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.errors import DeskError, StaleRecord
from desk_app.domain.permissions import Action
from desk_app.domain.trade_rows import RowProblem
from desk_app.services import audit

#: Tables that point at reference data, as a clerk names them.
USER_NAMES = {
    "trades": "trades",
    "settlement_obligations": "settlement obligations",
    "standing_settlement_instructions": "standing settlement instructions",
    "certificates": "certificates",
}
#: The audit trail's action names.
ADD, AMEND, DEACTIVATE, ACTIVATE, DELETE, IMPORT = (
    "add", "amend", "deactivate", "activate", "delete", "import",
)  # fmt: skip


@dataclass(frozen=True)
class ReferenceRecord:
    """A counterparty or an instrument as a form shows it."""

    id: int
    key: str
    values: Mapping[str, Any]
    active: bool
    version: int
    #: What uses it ("trades", ...): empty means it may still be deleted.
    used_by: tuple[str, ...]

    @property
    def in_use(self) -> bool:
        return bool(self.used_by)


@dataclass(frozen=True)
class Amended:
    """What an amendment did: applied now, or filed as request ``request_id``."""

    key: str
    request_id: int | None = None
    changed: tuple[str, ...] = ()

    @property
    def applied(self) -> bool:
        return self.request_id is None


@dataclass(frozen=True)
class ReferenceImport:
    """What a CSV import did (or, on a dry run, would do), or every problem that stopped it."""

    file_name: str
    added: int
    skipped: int
    problems: tuple[RowProblem, ...]
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def used_by(session: Session, row: m.Counterparty | m.Instrument) -> tuple[str, ...]:
    """The kinds of record that point at ``row`` (any table with a foreign key to its table)."""
    target = type(row).__table__
    found: list[str] = []
    for table in m.Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is not target or table.name in found:
                continue
            hit = session.execute(
                select(literal(1)).select_from(table).where(fk.parent == row.id).limit(1)
            ).first()
            if hit is not None:
                found.append(table.name)
    return tuple(USER_NAMES.get(name, name.replace("_", " ")) for name in found)


def check_version(session: Session, row: Any, version: int | None, what: str) -> None:
    """Refuse a change made on a form older than the record (someone saved in between),
    saying who changed it last and what."""
    if version is None or row.version == version:
        return
    last = session.scalars(
        select(m.AuditEntry)
        .where(m.AuditEntry.table_name == row.__tablename__, m.AuditEntry.record_id == str(row.id))
        .order_by(m.AuditEntry.seq.desc())
        .limit(1)
    ).first()
    who = ""
    if last is not None:
        fields = sorted(json.loads(last.after or "{}").keys() - {"version", "updated_at"})
        what_changed = f" ({', '.join(fields)})" if fields and last.change == "update" else ""
        who = f" by {last.app_user} at {last.recorded_at[:16].replace('T', ' ')}{what_changed}"
    raise StaleRecord(
        f"{what} was changed{who} since you opened it (version {version} then, "
        f"{row.version} now); nothing was saved. Reload it and make the change again."
    )


def stored(value: Any) -> Any:
    """A value as an approval request keeps it (JSON): Decimals as exact text, enums by value."""
    if isinstance(value, Decimal):
        return str(value)
    return getattr(value, "value", value)


def form_values(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The record's fields as text and codes (what forms and requests compare)."""
    snap = audit.snapshot(row)
    return {key: stored(snap.get(key)) for key in fields}


@dataclass(frozen=True)
class ChangeInUse:
    """How one table applies an approved change to a record in use."""

    model: type[Any]
    clean: Callable[[Mapping[str, Any]], dict[str, Any]]
    fields: tuple[str, ...]
    #: Run after the change is applied (an instrument checks its settlement cycle).
    check: Callable[[Session, Any], None] | None = None


class ReferenceChangeHandler:
    """Applies an approved change to a counterparty or instrument in use (one action, two
    tables: the request's ``target_table`` says which)."""

    action = Action.REFERENCE_CHANGE_IN_USE

    def __init__(self) -> None:
        self._tables: dict[str, ChangeInUse] = {}

    def add_table(self, table: str, how: ChangeInUse) -> None:
        self._tables[table] = how

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        how = self._tables[request.target_table]
        row = session.get(how.model, request.target_id)
        if row is None:
            return None
        return {**form_values(row, how.fields), "version": row.version}

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        how = self._tables[request.target_table]
        row = session.get(how.model, request.target_id)
        if row is None:
            raise DeskError(f"{request.target_key} no longer exists")
        for key, value in how.clean(after).items():
            setattr(row, key, value)
        if how.check is not None:
            how.check(session, row)
