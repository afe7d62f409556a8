"""Reading the audit trail: a record's history, its past versions, and the checks.

`verify` walks the hash chain; `verify_records` also checks every sealed row against
its last audited state (`record_check`), which reads the whole database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, select

from desk_app.db import models as m
from desk_app.domain.audit_chain import ChainReport, canonical_json
from desk_app.domain.errors import DeskError
from desk_app.domain.history import FieldDiff, RecordChange, diff, reconstruct
from desk_app.domain.identifiers import mask_tax_id
from desk_app.domain.permissions import Action
from desk_app.domain.progress import CancelToken, Progress, no_progress
from desk_app.services import audit
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

    def diff(self, index: int) -> list[FieldDiff]:
        return diff(self.changes[index])


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
            tuple(p.detail for p in problems),
        )  # fmt: skip

    def account_history(self, number: str) -> RecordHistory:
        with self._uow.read() as session:
            account_id = session.scalars(
                select(m.Account.id).where(m.Account.account_number == number.strip().upper())
            ).first()
        if account_id is None:
            raise DeskError(f"account {number.strip()}: no such account")
        return self.history("accounts", account_id, f"Account {number.strip().upper()}")

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
