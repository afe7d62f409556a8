"""Instruments: the list, add (also the trade ticket's "Add instrument"), amend,
deactivate and reactivate, delete one never used.

Same rules as counterparties (`counterparties`): audited, versioned, a used record is
only deactivated. For an instrument in use, a change of type, market, currency or
multiplier is a request a principal approves (it changes how and for how much booked
trades settle), and its ISIN and CUSIP never change. A type and market need a
settlement cycle, or none of the instrument's trades could be booked.
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
from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.listing import Column, ColumnKind, SortSpec
from desk_app.domain.permissions import Action
from desk_app.domain.reference_data import (
    FIXED_WHEN_USED,
    INSTRUMENT_FIELDS,
    SUPERVISED_INSTRUMENT_FIELDS,
    changed,
    clean_instrument,
    first_problem,
    security_ids,
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
    stored,
    used_by,
)
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.unit_of_work import UnitOfWork

K = ColumnKind
I = m.Instrument  # noqa: E741
TABLE = "instruments"
#: The audit trail's name for adding an instrument (from the Reference tab or a ticket).
ADD_INSTRUMENT = f"instrument.{ADD}"
COLUMNS = (
    Column("isin", "ISIN"),
    Column("cusip", "CUSIP"),
    Column("symbol", "Symbol"),
    Column("description", "Description"),
    Column("instrument_type", "Type", K.STATUS, labels.INSTRUMENT_TYPE),
    Column("market", "Market"),
    Column("currency", "Ccy"),
    Column("multiplier", "Multiplier", K.QUANTITY),
    Column("issuer", "Issuer"),
    Column("active", "Active", K.BOOL),
    Column("version", "Version", K.INT),
)


def instrument_matches(word: str) -> ColumnElement[bool]:
    """An instrument whose ISIN, CUSIP, symbol, description or issuer contains ``word``."""
    return or_(
        any_contains(word, I.isin, I.cusip, I.symbol, I.description, I.issuer),
        in_codes(I.instrument_type, codes_matching(word, labels.INSTRUMENT_TYPE)),
    )


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned, problems = clean_instrument(values, partial=True)
    first_problem(problems)
    return cleaned


def cycle_problem(session: Session, kind: InstrumentType, market: str) -> ValidationError | None:
    """Why a type and market cannot be booked (no settlement cycle), or None."""
    if kind is InstrumentType.FUTURE:
        return None  # futures settle by daily variation margin, not on a cycle
    found = session.scalars(
        select(m.SettlementCycle.id).where(
            m.SettlementCycle.instrument_type == kind, m.SettlementCycle.market == market
        )
    ).first()
    if found is None:
        return ValidationError(
            "market", f"has no settlement cycle for {kind.label.lower()}", market
        )
    return None


def _check_cycle(session: Session, row: m.Instrument) -> None:
    problem = cycle_problem(session, row.instrument_type, row.market)
    if problem is not None:
        raise problem


class InstrumentService:
    """Instruments for the Reference tab, the trade ticket, the CLI and the first-run panel."""

    def __init__(
        self, uow: UnitOfWork, approvals: ApprovalService, handler: ReferenceChangeHandler
    ):
        self._uow = uow
        self._approvals = approvals
        handler.add_table(TABLE, ChangeInUse(I, _clean, INSTRUMENT_FIELDS, _check_cycle))

    # -- reading -------------------------------------------------------------------------
    def listing(self, search: str = "", active: bool | None = None) -> KeysetSource:
        """Every instrument by ISIN; ``search`` words in its identifiers, names or type."""

        def cols() -> list[Expr]:
            return [I.isin, I.cusip, I.symbol, I.description, I.instrument_type, I.market,
                    I.currency, I.multiplier, I.issuer, I.active, I.version]  # fmt: skip

        def shape(stmt: Select[Any]) -> Select[Any]:
            return stmt if active is None else stmt.where(I.active.is_(active))

        return KeysetSource(
            self._uow.sessions, COLUMNS, cols, I.id, shape, SortSpec("isin"),
            where=every_word(search, instrument_matches),
        )  # fmt: skip

    def record(self, identifier: str) -> ReferenceRecord:
        """One instrument by ISIN or CUSIP, with what uses it."""
        with self._uow.read() as session:
            row = _get(session, identifier)
            return ReferenceRecord(
                row.id, row.isin, form_values(row, INSTRUMENT_FIELDS), row.active, row.version,
                used_by(session, row),
            )  # fmt: skip

    @staticmethod
    def problems(values: Mapping[str, Any], *, partial: bool = False) -> list[ValidationError]:
        """Every problem of a form's or a command's values (empty: fine), checked as typed."""
        return clean_instrument(values, partial=partial)[1]

    # -- changing ------------------------------------------------------------------------
    def add(self, values: Mapping[str, Any]) -> str:
        """Add an instrument (ISIN or CUSIP with check digits); its ISIN."""
        cleaned, problems = clean_instrument(values)
        first_problem(problems)
        with self._uow.write(ADD_INSTRUMENT, permission=Action.REFERENCE_EDIT) as session:
            first_problem(_new_problems(session, cleaned))
            session.add(I(**cleaned))
        return str(cleaned["isin"])

    def amend(
        self, identifier: str, changes: Mapping[str, Any], version: int | None = None,
        reason: str = "",
    ) -> Amended:  # fmt: skip
        """Change an instrument; for one in use, type, market, currency or multiplier
        become a request."""
        changes = dict(changes)
        if ("isin" in changes) != ("cusip" in changes):  # one names the other: resolve both
            changes.setdefault("isin", "")
            changes.setdefault("cusip", "")
        cleaned = _clean(changes)
        with self._uow.write(f"instrument.{AMEND}", permission=Action.REFERENCE_EDIT) as session:
            row = _get(session, identifier)
            check_version(session, row, version, f"Instrument {row.isin}")
            now = form_values(row, INSTRUMENT_FIELDS)
            diff = changed(now, {k: stored(v) for k, v in cleaned.items()})
            if "multiplier" in diff and row.multiplier == cleaned["multiplier"]:
                del diff["multiplier"]  # 1 and 1.000000 are the same multiplier
            if not diff:
                raise ValidationError("changes", "nothing would change")
            used = used_by(session, row)
            # In the form's order (ISIN first): a set's order changes from run to run.
            fixed = [k for k in INSTRUMENT_FIELDS if k in FIXED_WHEN_USED[TABLE] and k in diff]
            for key in fixed if used else ():
                raise ValidationError(
                    key, f"cannot change: {', '.join(used)} refer to this instrument; add the "
                    "new identifier as a new instrument and deactivate this one",
                )  # fmt: skip
            if used and SUPERVISED_INSTRUMENT_FIELDS & set(diff):
                if not reason.strip():
                    raise ValidationError(
                        "reason", "say why: changing how a used instrument settles is "
                        "approved by a principal",
                    )  # fmt: skip
                names = ", ".join(k.replace("_", " ") for k in sorted(diff))
                proposal = Proposal(
                    Action.REFERENCE_CHANGE_IN_USE, TABLE, f"{TABLE}:{row.isin}",
                    f"Instrument {row.isin}: {names}", {k: now[k] for k in diff}, diff,
                    row.id, row.version,
                )  # fmt: skip
                return Amended(row.isin, self._approvals.file(session, proposal, reason.strip()),
                               tuple(sorted(diff)))  # fmt: skip
            for key in diff:
                setattr(row, key, cleaned[key])
            if {"isin", "cusip"} & set(diff):
                first_problem(_taken(session, row.isin, row.cusip, row.id))
            _check_cycle(session, row)
            return Amended(row.isin, None, tuple(sorted(diff)))

    def set_active(self, identifier: str, active: bool, version: int | None = None) -> None:
        """Deactivate (no new trades; booked ones settle as before) or reactivate."""
        action = ACTIVATE if active else DEACTIVATE
        with self._uow.write(f"instrument.{action}", permission=Action.REFERENCE_EDIT) as session:
            row = _get(session, identifier)
            check_version(session, row, version, f"Instrument {row.isin}")
            if row.active == active:
                state = "active" if active else "inactive"
                raise ValidationError("active", f"{row.isin} is already {state}")
            row.active = active

    def delete(self, identifier: str) -> None:
        """Delete an instrument nothing refers to (a mistaken entry); a used one is refused."""
        with self._uow.write(f"instrument.{DELETE}", permission=Action.REFERENCE_EDIT) as session:
            row = _get(session, identifier)
            used = used_by(session, row)
            if used:
                raise DeskError(
                    f"Instrument {row.isin} cannot be deleted: {', '.join(used)} refer to it. "
                    "Deactivate it instead: it then takes no new trades."
                )
            session.delete(row)

    def import_csv(
        self, path: Path | str, content: bytes | None = None, *, dry_run: bool = False
    ) -> ReferenceImport:
        """Add every instrument of a CSV file, or none (see `reference_import`)."""
        path = Path(path)
        data = path.read_bytes() if content is None else content
        parsed = reference_import.read_instruments(data, path.name)
        with self._uow.write(f"instrument.{IMPORT}", permission=Action.REFERENCE_EDIT) as session:
            existing = {
                row.isin: form_values(row, INSTRUMENT_FIELDS)
                for row in session.scalars(
                    select(I).where(I.isin.in_([r.key for r in parsed.rows]))
                )
            }
            plan = reference_import.plan(
                parsed, existing, "instrument", lambda row: _new_problems(session, row.values)
            )
            if parsed.problems:  # the file's own problems and the database's, by line
                plan.problems = sorted([*parsed.problems, *plan.problems], key=lambda p: p.line)
            if plan.problems or dry_run:
                return plan.result(path.name, dry_run)
            for row in plan.new:
                session.add(I(**row.values))
            return plan.result(path.name, dry_run)


def _get(session: Session, identifier: str) -> m.Instrument:
    text = "".join(identifier.split()).upper()
    try:
        ids = security_ids(text, "") if len(text) == 12 else security_ids("", text)
    except ValidationError as error:
        raise ValidationError("instrument", error.reason, identifier) from None
    clause = I.isin == ids["isin"]
    if ids["cusip"] is not None:
        clause = or_(clause, I.cusip == ids["cusip"])
    row = session.scalars(select(I).where(clause).order_by(I.id)).first()
    if row is None:
        raise ValidationError("instrument", "is not an instrument on this database", identifier)
    return row


def _taken(
    session: Session, isin: str, cusip: str | None, own_id: int | None
) -> list[ValidationError]:
    clash = [I.isin == isin] + ([I.cusip == cusip] if cusip else [])
    stmt = select(I).where(or_(*clash))
    if own_id is not None:
        stmt = stmt.where(I.id != own_id)
    other = session.scalars(stmt).first()
    if other is None:
        return []
    field = "isin" if other.isin == isin else "cusip"
    return [ValidationError(field, f"is already on the database as {other.isin}",
                            isin if field == "isin" else cusip)]  # fmt: skip


def _new_problems(session: Session, values: Mapping[str, Any]) -> list[ValidationError]:
    problems = _taken(session, values["isin"], values.get("cusip"), None)
    cycle = cycle_problem(session, values["instrument_type"], values["market"])
    return problems + ([cycle] if cycle is not None else [])
