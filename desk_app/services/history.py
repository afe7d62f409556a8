"""Reading the audit trail: a record's history, its past versions, and the chain check."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from desk_app.db import models as m
from desk_app.domain.audit_chain import ChainReport
from desk_app.domain.errors import DeskError
from desk_app.domain.history import FieldDiff, RecordChange, diff, reconstruct
from desk_app.domain.permissions import Action
from desk_app.services import audit
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

    def diff(self, index: int) -> list[FieldDiff]:
        return diff(self.changes[index])


def _model_for(table_name: str) -> type[Any]:
    for mapper in m.Base.registry.mappers:
        if getattr(mapper.local_table, "name", None) == table_name:
            return mapper.class_
    raise DeskError(f"{table_name}: no such kind of record")


class HistoryService:
    def __init__(self, uow: UnitOfWork, engine: Engine) -> None:
        self._uow = uow
        self._engine = engine

    def history(self, table_name: str, record_id: object, title: str = "") -> RecordHistory:
        """Every audit entry of one record, and each version rebuilt from them."""
        self._uow.actor.require(Action.VIEW_HISTORY)
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
        return RecordHistory(
            table_name, key, title or f"{table_name} {key}", changes,
            tuple(reconstruct(current, changes)),
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
