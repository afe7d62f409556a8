"""Reading the audit trail: a record's history, its past versions, and the checks.

`verify` walks the hash chain; `verify_records` also checks every sealed row against
its last audited state (`record_check`), which reads the whole database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, Engine, Enum, Table, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.types import ScaledDecimal, UTCDateTime
from desk_app.domain.audit_chain import ChainReport, canonical_json
from desk_app.domain.errors import DeskError
from desk_app.domain.history import (
    FieldDiff,
    FieldFormat,
    FieldKind,
    RecordChange,
    diff,
    reconstruct,
    value_text,
)
from desk_app.domain.identifiers import mask_tax_id
from desk_app.domain.labels import labels_of
from desk_app.domain.money import MONEY_SCALE, PRICE_SCALE
from desk_app.domain.permissions import Action
from desk_app.domain.progress import CancelToken, Progress, no_progress
from desk_app.services import audit
from desk_app.services.supervision.party_history import party_changes
from desk_app.services.supervision.record_check import RecordsReport, check_one, check_records
from desk_app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class RecordHistory:
    """A record's audited changes, oldest first, and the record after each of them."""

    table_name: str
    record_id: str
    title: str
    changes: tuple[RecordChange, ...]
    #: ``versions[0]`` is the record before the first change; ``versions[i + 1]`` after change i.
    versions: tuple[dict[str, Any] | None, ...]
    #: The record differs from what its trail says it should be: changed outside Desk.
    changed_outside: bool = False
    #: The bulk load that sealed its last audited state, when no change of its own did.
    sealed_by: RecordChange | None = None
    #: How it differs from its last audited state (`record_check.check_one`).
    seal_problems: tuple[str, ...] = ()
    #: How each field reads: its kind, and the business keys of the records it names.
    formats: Mapping[str, FieldFormat] = field(default_factory=dict)
    #: The full names of the users in the trail, by user name.
    people: Mapping[str, str] = field(default_factory=dict)

    def diff(self, index: int) -> list[FieldDiff]:
        return diff(self.changes[index])

    def text(self, name: str, value: Any, record: Mapping[str, Any] | None = None) -> str:
        """``value`` of field ``name`` as a person reads it (``record`` for its currency)."""
        return value_text(self.formats.get(name, _PLAIN), value, record)

    def who(self, username: str) -> str:
        """``Sarah Goldberg (sgoldberg)``; the user name alone when Desk has no full name."""
        full = self.people.get(username)
        return f"{full} ({username})" if full and full != username else username


_PLAIN = FieldFormat()


def _user_key(row: Any) -> str:
    return f"{row.full_name} ({row.username})"


def _ssi_key(row: Any) -> str:
    return f"{row.place_of_settlement} via {row.agent_bic} ({row.market} {row.asset_class})"


#: A record another one points to, by its business key rather than its id.
_KEYS: dict[str, tuple[Any, Any]] = {
    "accounts": (m.Account, lambda r: f"{r.account_number} {r.name}"),
    "instruments": (
        m.Instrument,
        lambda r: f"{r.isin} {r.symbol}" if r.symbol else f"{r.isin} {r.description}",
    ),
    "counterparties": (m.Counterparty, lambda r: f"{r.code} {r.name}"),
    "standing_settlement_instructions": (m.StandingSettlementInstruction, _ssi_key),
    "users": (m.User, _user_key),
    "trades": (m.Trade, lambda r: f"trade {r.original_id or r.id} (version {r.version_no})"),
    "certificates": (m.Certificate, lambda r: f"certificate {r.certificate_number}"),
    "courier_manifests": (m.CourierManifest, lambda r: f"manifest {r.manifest_number}"),
    "trade_imports": (m.TradeImport, lambda r: f"import {r.id} ({r.file_name})"),
}


def _kind_of(column: Any) -> FieldKind:
    kind = column.type
    if column.foreign_keys:
        return FieldKind.REFERENCE
    if isinstance(kind, ScaledDecimal):
        return {MONEY_SCALE: FieldKind.MONEY, PRICE_SCALE: FieldKind.PRICE}.get(
            kind.scale, FieldKind.QUANTITY
        )
    if isinstance(kind, UTCDateTime):
        return FieldKind.MOMENT
    if isinstance(kind, Date):
        return FieldKind.DATE
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return FieldKind.CODE
    return FieldKind.TEXT


def field_formats(
    session: Session, table: Table, records: list[Mapping[str, Any] | None]
) -> dict[str, FieldFormat]:
    """How each column of ``table`` reads, with the keys of the records ``records`` name."""
    formats: dict[str, FieldFormat] = {}
    for column in table.columns:
        kind = _kind_of(column)
        codes = getattr(column.type, "enum_class", None)
        if kind is FieldKind.CODE and isinstance(codes, type) and issubclass(codes, StrEnum):
            formats[column.name] = FieldFormat(kind, labels_of(codes))
        elif kind is FieldKind.REFERENCE:
            target = next(iter(column.foreign_keys)).column.table.name
            ids = {int(r[column.name]) for r in records if r and r.get(column.name) is not None}
            formats[column.name] = FieldFormat(kind, _keys(session, target, ids))
        elif kind is not FieldKind.TEXT:
            formats[column.name] = FieldFormat(kind)
    return formats


def _keys(session: Session, table_name: str, ids: set[int]) -> dict[str, str]:
    if not ids:
        return {}
    known = _KEYS.get(table_name)
    if known is None:
        return {str(i): f"{table_name.replace('_', ' ')} #{i}" for i in ids}
    model, key = known
    rows = session.scalars(select(model).where(model.id.in_(sorted(ids)))).all()
    return {str(r.id): key(r) for r in rows}


def _people(session: Session, names: set[str]) -> dict[str, str]:
    if not names:
        return {}
    rows = session.execute(
        select(m.User.username, m.User.full_name).where(m.User.username.in_(sorted(names)))
    ).all()
    return {username: full_name for username, full_name in rows}


def _model_for(table_name: str) -> type[Any]:
    for mapper in m.Base.registry.mappers:
        if getattr(mapper.local_table, "name", None) == table_name:
            return mapper.class_
    raise DeskError(f"{table_name}: no such kind of record")


#: Whose history needs more than `Action.VIEW_HISTORY` (the list it comes from is guarded).
_GUARDED = {
    "users": Action.USER_VIEW,
    "user_registrations": Action.USER_VIEW,
    "approval_requests": Action.APPROVAL_VIEW_ALL,
}


def _masked(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Tax ids masked, also inside a request's proposal: revealing one is its own act."""
    if values is None:
        return None
    shown = dict(values)
    if shown.get("tax_id"):
        shown["tax_id"] = mask_tax_id(str(shown["tax_id"]))
    proposal = shown.get("proposal")
    if isinstance(proposal, str) and "tax_id" in proposal:
        parts = json.loads(proposal)
        shown["proposal"] = canonical_json({k: _masked(v) for k, v in parts.items()})
    return shown


def with_parties(record: RecordHistory, changes: list[RecordChange]) -> RecordHistory:
    """``record`` with its parties' ``changes`` merged in by sequence; each leaves the
    account's version as it was."""
    if not changes:
        return record
    merged: list[RecordChange] = []
    versions: list[dict[str, Any] | None] = [record.versions[0]]
    own = list(zip(record.changes, record.versions[1:], strict=True))
    theirs = list(changes)
    while own or theirs:
        if theirs and (not own or theirs[0].seq < own[0][0].seq):
            merged.append(theirs.pop(0))
            versions.append(versions[-1])
        else:
            change, version = own.pop(0)
            merged.append(change)
            versions.append(version)
    return replace(record, changes=tuple(merged), versions=tuple(versions))


class HistoryService:
    def __init__(self, uow: UnitOfWork, engine: Engine) -> None:
        self._uow = uow
        self._engine = engine

    def history(self, table_name: str, record_id: object, title: str = "") -> RecordHistory:
        """Every audit entry of one record, and each version rebuilt from them."""
        self._uow.actor.require(Action.VIEW_HISTORY)
        if table_name in _GUARDED:
            self._uow.actor.require(_GUARDED[table_name])
        key = str(record_id)
        model = _model_for(table_name)
        e = m.AuditEntry
        with self._uow.read() as session:
            rows = session.scalars(
                select(e).where(e.table_name == table_name, e.record_id == key).order_by(e.seq)
            ).all()
            changes = tuple(
                RecordChange(
                    r.seq, r.recorded_at, r.app_user, r.db_login, r.action, r.change,
                    None if r.before is None else json.loads(r.before),
                    None if r.after is None else json.loads(r.after),
                    r.approval_id,
                )
                for r in rows
            )  # fmt: skip
            obj = session.get(model, int(key)) if key.isdigit() else None
            current = None if obj is None else audit.snapshot(obj)
            problems, sealed_seq = (
                check_one(session.connection(), model.__table__, int(key))
                if key.isdigit()
                else ((), None)
            )
            sealed_by = None
            if sealed_seq is not None and sealed_seq not in {c.seq for c in changes}:
                entry = session.get(e, sealed_seq)
                if entry is not None:
                    sealed_by = RecordChange(
                        entry.seq, entry.recorded_at, entry.app_user, entry.db_login,
                        entry.action, entry.change, None, json.loads(entry.after or "null"),
                    )  # fmt: skip
            versions = reconstruct(current, changes)  # from the full values, then masked
            records = [v for c in changes for v in (c.before, c.after)] + list(versions)
            formats = field_formats(session, model.__table__, records)
            people = _people(session, {c.app_user for c in changes} | (
                {sealed_by.app_user} if sealed_by else set()))  # fmt: skip
        # Its seal, where it has one, also knows what set-based writes (a bulk settlement)
        # did to it, which its own entries do not.
        outside = bool(problems) or (
            sealed_seq is None
            and bool(changes)
            and changes[0].change == "create"
            and versions[-1] != current
        )
        shown = tuple(replace(c, before=_masked(c.before), after=_masked(c.after)) for c in changes)
        return RecordHistory(
            table_name, key, title or f"{table_name} {key}", shown,
            tuple(_masked(v) for v in versions), outside, sealed_by,
            tuple(p.detail for p in problems), formats, people,
        )  # fmt: skip

    def account_history(self, number: str) -> RecordHistory:
        with self._uow.read() as session:
            account_id = session.scalars(
                select(m.Account.id).where(m.Account.account_number == number.strip().upper())
            ).first()
        if account_id is None:
            raise DeskError(f"account {number.strip()}: no such account")
        record = self.history("accounts", account_id, f"Account {number.strip().upper()}")
        with self._uow.read() as session:
            changes = party_changes(session, account_id)
        return with_parties(record, changes)

    def verify(self) -> ChainReport:
        """Walk the whole chain (compliance and admins)."""
        self._uow.actor.require(Action.AUDIT_VERIFY)
        return audit.verify_chain(self._engine)

    def verify_records(
        self, progress: Progress = no_progress, cancel: CancelToken | None = None
    ) -> RecordsReport:
        """The chain, then every sealed row against its last audited state (slower)."""
        self._uow.actor.require(Action.AUDIT_VERIFY)
        return check_records(self._engine, progress, cancel)
