"""Counterparties: the list, add, amend, deactivate and reactivate, delete one never used.

Every change is audited (before and after) and checked against the version the
clerk's form was opened on. A counterparty that trades, obligations or SSIs use is
never deleted, only deactivated (it then takes no new trade); changing its BIC, LEI
or DTC participant number becomes a request a principal approves, since it decides
where booked trades settle (see `desk_app.domain.reference_data`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.paging import Expr, KeysetSource
from desk_app.db.text_search import any_contains, every_word, in_codes
from desk_app.domain import labels
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.listing import Column, ColumnKind, SortSpec
from desk_app.domain.permissions import Action
from desk_app.domain.reference_data import (
    COUNTERPARTY_FIELDS,
    FIXED_WHEN_USED,
    SUPERVISED_COUNTERPARTY_FIELDS,
    changed,
    clean_counterparty,
    first_problem,
    validate_code,
)
from desk_app.domain.text_search import codes_matching
from desk_app.services.reference import reference_import
from desk_app.services.reference.records import (
    ACTIVATE,
    ADD,
    AMEND,
    DEACTIVATE,
    DELETE,
    IMPORT,
    Amended,
    ChangeInUse,
    ReferenceChangeHandler,
    ReferenceImport,
    ReferenceRecord,
    check_version,
    form_values,
    used_by,
)
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.unit_of_work import UnitOfWork

K = ColumnKind
CP = m.Counterparty
TABLE = "counterparties"
COLUMNS = (
    Column("code", "Code"),
    Column("name", "Name"),
    Column("kind", "Kind", K.STATUS, labels.COUNTERPARTY_KIND),
    Column("bic", "BIC"),
    Column("lei", "LEI"),
    Column("dtc_participant", "DTC participant"),
    Column("active", "Active", K.BOOL),
    Column("version", "Version", K.INT),
)


def counterparty_matches(word: str) -> ColumnElement[bool]:
    """A counterparty whose code, name, BIC, LEI or DTC number contains ``word``, or its kind."""
    return or_(
        any_contains(word, CP.code, CP.name, CP.bic, CP.lei, CP.dtc_participant),
        in_codes(CP.kind, codes_matching(word, labels.COUNTERPARTY_KIND)),
    )


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned, problems = clean_counterparty(values, partial=True)
    first_problem(problems)
    return cleaned


class CounterpartyService:
    """Counterparties for the Reference tab, the CLI and the getting-started panel."""

    def __init__(
        self, uow: UnitOfWork, approvals: ApprovalService, handler: ReferenceChangeHandler
    ):
        self._uow = uow
        self._approvals = approvals
        handler.add_table(TABLE, ChangeInUse(CP, _clean, COUNTERPARTY_FIELDS))

    # -- reading -------------------------------------------------------------------------
    def listing(self, search: str = "", active: bool | None = None) -> KeysetSource:
        """Every counterparty by code; ``search`` words in code, name, identifiers or kind."""

        def cols() -> list[Expr]:
            return [CP.code, CP.name, CP.kind, CP.bic, CP.lei, CP.dtc_participant, CP.active,
                    CP.version]  # fmt: skip

        def shape(stmt: Select[Any]) -> Select[Any]:
            return stmt if active is None else stmt.where(CP.active.is_(active))

        return KeysetSource(
            self._uow.sessions, COLUMNS, cols, CP.id, shape, SortSpec("code"),
            where=every_word(search, counterparty_matches),
        )  # fmt: skip

    def record(self, code: str) -> ReferenceRecord:
        """One counterparty by code, with what uses it."""
        with self._uow.read() as session:
            row = _get(session, code)
            return _record(session, row)

    @staticmethod
    def problems(values: Mapping[str, Any], *, partial: bool = False) -> list[ValidationError]:
        """Every problem of a form's or a command's values (empty: fine), checked as typed."""
        return clean_counterparty(values, partial=partial)[1]

    # -- changing ------------------------------------------------------------------------
    def add(self, values: Mapping[str, Any]) -> str:
        """Add a counterparty; its code."""
        cleaned, problems = clean_counterparty(values)
        first_problem(problems)
        with self._uow.write(f"counterparty.{ADD}", permission=Action.REFERENCE_EDIT) as session:
            _refuse_taken(session, cleaned["code"])
            session.add(CP(**cleaned))
        return str(cleaned["code"])

    def amend(
        self, code: str, changes: Mapping[str, Any], version: int | None = None, reason: str = ""
    ) -> Amended:
        """Change a counterparty; a used one's settlement identifiers become a request."""
        cleaned = _clean(changes)
        with self._uow.write(f"counterparty.{AMEND}", permission=Action.REFERENCE_EDIT) as session:
            row = _get(session, code)
            check_version(session, row, version, f"Counterparty {row.code}")
            now = form_values(row, COUNTERPARTY_FIELDS)
            diff = changed(now, {k: getattr(v, "value", v) for k, v in cleaned.items()})
            if not diff:
                raise ValidationError("changes", "nothing would change")
            used = used_by(session, row)
            if used:
                for key in FIXED_WHEN_USED[TABLE] & set(diff):
                    raise ValidationError(
                        key, f"cannot change: {', '.join(used)} refer to this counterparty"
                    )
            if used and SUPERVISED_COUNTERPARTY_FIELDS & set(diff):
                if not reason.strip():
                    raise ValidationError(
                        "reason", "say why: changing where a used counterparty settles is "
                        "approved by a principal",
                    )  # fmt: skip
                names = ", ".join(k.replace("_", " ") for k in sorted(diff))
                proposal = Proposal(
                    Action.REFERENCE_CHANGE_IN_USE, TABLE, f"{TABLE}:{row.code}",
                    f"Counterparty {row.code}: {names}", {k: now[k] for k in diff}, diff,
                    row.id, row.version,
                )  # fmt: skip
                return Amended(row.code, self._approvals.file(session, proposal, reason.strip()),
                               tuple(sorted(diff)))  # fmt: skip
            for key in diff:
                setattr(row, key, cleaned[key])
            return Amended(row.code, None, tuple(sorted(diff)))

    def set_active(self, code: str, active: bool, version: int | None = None) -> None:
        """Deactivate (no new trades; what is booked settles as before) or reactivate."""
        action = ACTIVATE if active else DEACTIVATE
        with self._uow.write(f"counterparty.{action}", permission=Action.REFERENCE_EDIT) as session:
            row = _get(session, code)
            check_version(session, row, version, f"Counterparty {row.code}")
            if row.active == active:
                raise ValidationError("active", f"{row.code} is already {_state(active)}")
            row.active = active

    def delete(self, code: str) -> None:
        """Delete a counterparty nothing refers to (a mistaken entry); a used one is refused."""
        with self._uow.write(f"counterparty.{DELETE}", permission=Action.REFERENCE_EDIT) as session:
            row = _get(session, code)
            used = used_by(session, row)
            if used:
                raise DeskError(
                    f"Counterparty {row.code} cannot be deleted: {', '.join(used)} refer to it. "
                    "Deactivate it instead: it then takes no new trades."
                )
            session.delete(row)

    def import_csv(
        self, path: Path | str, content: bytes | None = None, *, dry_run: bool = False
    ) -> ReferenceImport:
        """Add every counterparty of a CSV file, or none (see `reference_import`)."""
        path = Path(path)
        data = path.read_bytes() if content is None else content
        parsed = reference_import.read_counterparties(data, path.name)
        with self._uow.write(f"counterparty.{IMPORT}", permission=Action.REFERENCE_EDIT) as session:
            existing = {
                row.code: row
                for row in session.scalars(
                    select(CP).where(CP.code.in_([r.key for r in parsed.rows]))
                )
            }
            plan = reference_import.plan(
                parsed, {k: form_values(v, COUNTERPARTY_FIELDS) for k, v in existing.items()},
                "code",
            )  # fmt: skip
            if parsed.problems:  # the file's own problems and the database's, by line
                plan.problems = sorted([*parsed.problems, *plan.problems], key=lambda p: p.line)
            if plan.problems or dry_run:
                return plan.result(path.name, dry_run)
            for row in plan.new:
                session.add(CP(**row.values))
            return plan.result(path.name, dry_run)


def _get(session: Session, code: str) -> m.Counterparty:
    wanted = validate_code(code)
    row = session.scalars(select(CP).where(CP.code == wanted)).one_or_none()
    if row is None:
        raise ValidationError("code", "is not a counterparty on this database", code)
    return row


def _refuse_taken(session: Session, code: str) -> None:
    if session.scalars(select(CP.id).where(CP.code == code)).first() is not None:
        raise ValidationError("code", "is already a counterparty on this database", code)


def _record(session: Session, row: m.Counterparty) -> ReferenceRecord:
    return ReferenceRecord(
        row.id, row.code, form_values(row, COUNTERPARTY_FIELDS), row.active, row.version,
        used_by(session, row),
    )  # fmt: skip


def _state(active: bool) -> str:
    return "active" if active else "inactive"
