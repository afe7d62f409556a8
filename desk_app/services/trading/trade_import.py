"""Importing a trades file (CSV or FIX 4.4): all or nothing, and never the same trade twice.

Every problem of a file is listed (file, line, field, reason) before anything is
stored. A trade whose external id is already on the blotter with the same terms is
counted as unchanged, so re-importing a file adds nothing. FIX corrections (G) and
cancels (H) become new versions of the trade their ExecRefID names, in file order.
New trades go in with one bulk insert; the file itself is logged with its digest and
one audit entry; corrections and cancels are audited one by one like a ticket's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import String, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.bulk import big_load, bulk_insert_columns
from desk_app.db.sealing import no_cycle_collection, sqlite_has_json
from desk_app.domain.codes import TradeSource
from desk_app.domain.csv_files import path_problem
from desk_app.domain.errors import ValidationError
from desk_app.domain.fix44 import FixExecution, field_name, read_fix_executions
from desk_app.domain.permissions import Action
from desk_app.domain.progress import CancelToken, Progress, no_progress
from desk_app.domain.states import TradeStatus
from desk_app.domain.trade_csv import CsvResult, read_trades_csv
from desk_app.domain.trade_rows import RefusedRow, RowProblem, TradeRow, problem_from
from desk_app.domain.trade_ticket import TradeTerms, local_trade_time
from desk_app.services import audit
from desk_app.services.reference.calendar import CalendarService
from desk_app.services.trading.fix_changes import Decision, FixChanges, changed_trade
from desk_app.services.trading.import_problems import attempt, book_problems, refused_problems
from desk_app.services.trading.trade_books import (
    TERM_COLUMNS,
    BookRefs,
    CheckedTrade,
    RowChecker,
    SettleDates,
    check_terms,
)
from desk_app.services.trading.trades import TradeService
from desk_app.services.unit_of_work import UnitOfWork

_T = TypeVar("_T")
PREVIEW_ROWS = 500
_CHUNK = 5000
#: External ids per look-up: under SQLite's oldest limit of 999 parameters; on
#: PostgreSQL one array parameter a look-up.
_IDS_PER_QUERY = {"sqlite": 900, "postgresql": 50_000}
_FIX_FIELDS = {
    "account": field_name(1), "isin": field_name(48), "counterparty": field_name(76),
    "trade_date": field_name(75), "settle_date": field_name(64), "price": field_name(31),
    "quantity": field_name(32), "currency": field_name(15),
}  # fmt: skip


@dataclass(frozen=True)
class PreviewRow:
    """One row of a file as the import would treat it."""

    line: int
    action: str  # add, correct, cancel, unchanged
    external_id: str
    trade_date: str
    account: str
    side: str
    isin: str
    quantity: Decimal | None
    price: Decimal | None
    currency: str
    counterparty: str
    settle_date: str
    net_amount: Decimal | None


@dataclass(frozen=True)
class ImportReport:
    """What a file holds and what importing it did (or, on a dry run, would do)."""

    file_name: str
    source: TradeSource
    sha256: str
    rows: int
    added: int = 0
    corrected: int = 0
    cancelled: int = 0
    unchanged: int = 0
    #: Late corrections and cancels sent to a principal as approval requests.
    requested: int = 0
    #: Late changes that went for approval from an earlier import of them.
    requested_before: int = 0
    problems: tuple[RowProblem, ...] = ()
    preview: tuple[PreviewRow, ...] = ()
    dry_run: bool = False
    import_id: int | None = None
    #: When this very file (same digest) was imported before, and by whom.
    already_imported: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        text = (
            f"{self.added:,} added, {self.corrected:,} corrected, {self.cancelled:,} cancelled, "
            f"{self.unchanged:,} already on the blotter"
        )
        if self.requested:
            text += f", {self.requested:,} sent for approval"
        if self.requested_before:
            text += f", {self.requested_before:,} sent for approval before"
        return text


@dataclass
class _Plan:
    """What the checked file will do, in file order."""

    #: New trades: line, external id and the trade-table values their terms decide
    #: (in the order of `TERM_COLUMNS`).
    new: list[tuple[int, str, tuple[Any, ...]]] = field(default_factory=list)
    changes: list[tuple[FixExecution, CheckedTrade | None]] = field(default_factory=list)
    #: Late corrections and cancels: each becomes an approval request, and why.
    requests: list[tuple[FixExecution, CheckedTrade | None, str]] = field(default_factory=list)
    unchanged: int = 0
    requested_before: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    preview: list[PreviewRow] = field(default_factory=list)

    def show(self, row: TradeRow | FixExecution, action: str, checked: CheckedTrade | None) -> None:
        if len(self.preview) < PREVIEW_ROWS:  # the rest are counted, not shown
            self.preview.append(_preview(row, action, checked))


def _is_fix(content: bytes) -> bool:
    return content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"8=FIX")


class TradeImportService:
    """``desk-app import trades`` and File → Import trades…"""

    def __init__(self, uow: UnitOfWork, trades: TradeService, calendar: CalendarService) -> None:
        self._uow = uow
        self._trades = trades
        self._calendar = calendar

    def import_file(
        self,
        path: Path,
        *,
        dry_run: bool = False,
        progress: Progress = no_progress,
        cancel: CancelToken | None = None,
    ) -> ImportReport:
        wrong = path_problem(path)
        if wrong is not None:
            raise ValidationError("file", wrong, str(path))
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise ValidationError("file", f"cannot be read: {exc.strerror}", str(path)) from None
        return self.import_bytes(
            content, path.name, dry_run=dry_run, progress=progress, cancel=cancel
        )

    def import_bytes(
        self,
        content: bytes,
        file_name: str,
        *,
        dry_run: bool = False,
        progress: Progress = no_progress,
        cancel: CancelToken | None = None,
    ) -> ImportReport:
        """Check ``content`` and, unless ``dry_run`` or anything is wrong, store it whole.

        A file's rows, values and checked terms are a few objects a line and no
        reference cycles, yet so many new objects set off the cycle collector again
        and again over the whole heap: off while the import runs, it took 8 s of CPU
        instead of 9 s for 100,000 trades (parse, check and insert each cheaper).
        """
        with no_cycle_collection():
            return self._import_bytes(content, file_name, dry_run, progress, cancel)

    def _import_bytes(
        self,
        content: bytes,
        file_name: str,
        dry_run: bool,
        progress: Progress,
        cancel: CancelToken | None,
    ) -> ImportReport:
        token = cancel or CancelToken()
        self._uow.actor.require(Action.TRADE_IMPORT)
        digest = hashlib.sha256(content).hexdigest()
        progress(0, 0, f"Reading {file_name}…")
        source = TradeSource.FIX if _is_fix(content) else TradeSource.CSV
        rows: Sequence[TradeRow | FixExecution]
        read = (
            read_fix_executions(content, file_name)
            if source is TradeSource.FIX
            else read_trades_csv(content, file_name)
        )
        rows = read.rows if isinstance(read, CsvResult) else read.executions
        problems = list(read.problems)
        token.check("The import")
        base = ImportReport(file_name, source, digest, len(rows) + _lines_refused(problems))
        if dry_run or problems:
            with self._uow.read() as session:
                plan = self._plan(
                    session, source, file_name, rows, progress=progress, token=token,
                    refused=read.refused,
                )  # fmt: skip
                before = self._earlier_import(session, digest)
            return self._report(base, plan, problems, dry_run=dry_run, before=before)
        with self._uow.write(Action.TRADE_IMPORT) as session:
            plan = self._plan(session, source, file_name, rows, progress=progress, token=token)
            before = self._earlier_import(session, digest)
            if plan.problems:
                return self._report(base, plan, [], dry_run=False, before=before)
            import_id = self._store(session, base, plan, progress, token)
            return self._report(base, plan, [], dry_run=False, before=before, import_id=import_id)

    # -- checking ------------------------------------------------------------------------

    def _plan(
        self,
        session: Session,
        source: TradeSource,
        file_name: str,
        rows: Sequence[TradeRow | FixExecution],
        *,
        progress: Progress,
        token: CancelToken,
        refused: Sequence[RefusedRow] = (),
    ) -> _Plan:
        plan = _Plan()
        progress(0, len(rows), f"Checking {file_name}…")
        refs = _load_refs(session, [*rows, *refused])
        dates = SettleDates(self._calendar)
        named = [_external_id(r) for r in rows]
        named += [r.exec_ref_id for r in rows if isinstance(r, FixExecution) and r.exec_ref_id]
        stored = _stored(session, source, named)
        changes = FixChanges(session, stored, self._trades.today())
        default_reason = f"As given in {file_name}"
        checker = RowChecker(refs, dates, default_reason)
        for n, row in enumerate(rows, start=1):
            if n % 2000 == 0:
                token.check("The import")
                progress(n, len(rows), f"Checking line {row.line:,} of {file_name}…")
            ext = _external_id(row)
            if (
                type(row) is TradeRow and len(plan.preview) >= PREVIEW_ROWS and ext not in stored
            ):  # the bulk of a big file: checked value by value, no objects per row
                values = _checked_values(checker, row)
                if values is not None:
                    changes.booked(ext)
                    plan.new.append((row.line, ext, values))
                    continue
            try:
                if isinstance(row, FixExecution) and row.exec_type != "trade":
                    check = partial(_check_row, row, refs, dates, default_reason)
                    _add_change(plan, row, changes.decide(row, check))
                    continue
                errors: list[ValidationError] = []
                if isinstance(row, FixExecution) and ext not in stored:
                    attempt(errors, partial(changes.check_new, ext))
                checked = _check_new(refs, dates, row, default_reason, errors)
                if checked is None:
                    fix = isinstance(row, FixExecution)
                    plan.problems += (_problem(file_name, row.line, e, fix=fix) for e in errors)
                    continue
            except ValidationError as exc:
                plan.problems.append(
                    _problem(file_name, row.line, exc, fix=isinstance(row, FixExecution))
                )
                continue
            earlier = stored.get(ext)
            if earlier is not None:
                different = _differences(earlier, checked)
                if different:
                    plan.problems.append(
                        RowProblem(
                            file_name,
                            row.line,
                            _id_field(row),
                            f"{ext} is already trade {earlier.id} with another {different}; "
                            "a correction must come as a new version",
                            ext,
                        )  # fmt: skip
                    )
                    continue
                plan.unchanged += 1
                plan.show(row, "unchanged", checked)
                continue
            changes.booked(ext)
            plan.new.append((row.line, ext, checked.values()))
            plan.show(row, "add", checked)
        fix = source is TradeSource.FIX
        for refused_row in refused:  # what the books say of the lines the reader refused
            plan.problems += (
                _problem(file_name, refused_row.line, e, fix=fix)
                for e in refused_problems(refs, refused_row)
            )
        return plan

    def _earlier_import(self, session: Session, digest: str) -> str | None:
        earlier = session.scalars(
            select(m.TradeImport).where(m.TradeImport.sha256 == digest).order_by(m.TradeImport.id)
        ).first()
        if earlier is None:
            return None
        when = earlier.imported_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")
        return (
            f"This file was imported before (import {earlier.id}, {when}, by {earlier.imported_by})"
        )

    # -- storing -------------------------------------------------------------------------

    def _store(
        self,
        session: Session,
        base: ImportReport,
        plan: _Plan,
        progress: Progress,
        token: CancelToken,
    ) -> int:
        by = self._uow.actor.username
        now = datetime.now(UTC)
        log = m.TradeImport(
            file_name=base.file_name[:255], sha256=base.sha256, source=base.source,
            imported_at=now, imported_by=by, rows=base.rows, added=len(plan.new),
            corrected=sum(1 for _, c in plan.changes if c is not None),
            cancelled=sum(1 for _, c in plan.changes if c is None), unchanged=plan.unchanged,
        )  # fmt: skip
        session.add(log)
        session.flush()
        fixed = {
            "source": base.source, "version_no": 1, "original_id": None, "supersedes_id": None,
            "status": TradeStatus.ACTIVE, "created_at": now, "created_by": by, "reason": None,
            "import_id": log.id, "version": 1, "updated_at": now,
        }  # fmt: skip
        total, ids = len(plan.new) + len(plan.changes), []
        progress(0, total, "Storing trades…")
        # One page cache for all the chunks; the indexes built once after a big load.
        with big_load(session, len(plan.new), m.Trade):
            for start in range(0, len(plan.new), _CHUNK):
                token.check("The import")
                chunk = plan.new[start : start + _CHUNK]
                ids += bulk_insert_columns(session, m.Trade, _columns(chunk), fixed)
                progress(start + len(chunk), total, f"Storing trades ({start + len(chunk):,})…")
        audit.record_event(session, "trade_imports", log.id, {
            "file_name": base.file_name, "sha256": base.sha256, "source": base.source.value,
            "added": len(ids), "requested": len(plan.requests),
        })  # fmt: skip
        for n, (row, checked) in enumerate(plan.changes, start=len(plan.new) + 1):
            token.check("The import")
            old = changed_trade(session, row)
            kind = "correction" if checked else "cancel"
            self._trades.apply_change(
                session, old, checked.booked_terms if checked else None,
                f"FIX {kind} {row.exec_id}", by, source=TradeSource.FIX,
                external_id=row.exec_id, import_id=log.id,
            )  # fmt: skip
            if n % 500 == 0:
                progress(n, total, f"Applying corrections and cancels ({n:,})…")
        for row, checked, late in plan.requests:
            old = changed_trade(session, row)
            kind = "correction" if checked else "cancel"
            self._trades.file_change_request(
                session, old, checked.booked_terms if checked else None,
                f"FIX {kind} {row.exec_id} in {base.file_name} ({late})",
                because=late, external_id=row.exec_id, source=TradeSource.FIX,
            )  # fmt: skip
        token.check("The import")
        progress(total, total, "Saving…")
        return log.id

    @staticmethod
    def _report(
        base: ImportReport,
        plan: _Plan,
        read_problems: list[RowProblem],
        *,
        dry_run: bool,
        before: str | None,
        import_id: int | None = None,
    ) -> ImportReport:
        problems = sorted([*read_problems, *plan.problems], key=lambda p: p.line)
        return ImportReport(
            base.file_name, base.source, base.sha256, base.rows,
            added=len(plan.new), corrected=sum(1 for _, c in plan.changes if c is not None),
            cancelled=sum(1 for _, c in plan.changes if c is None), unchanged=plan.unchanged,
            requested=len(plan.requests), requested_before=plan.requested_before,
            problems=tuple(problems),
            preview=tuple(plan.preview), dry_run=dry_run, import_id=import_id,
            already_imported=before,
        )  # fmt: skip


def _columns(chunk: Sequence[tuple[int, str, tuple[Any, ...]]]) -> dict[str, Sequence[Any]]:
    """New trades' values column by column: their terms' and their external ids."""
    _lines, external_ids, values = zip(*chunk, strict=True)
    columns: dict[str, Sequence[Any]] = dict(
        zip(TERM_COLUMNS, zip(*values, strict=True), strict=True)
    )
    columns["external_id"] = external_ids
    return columns


def _check_row(
    row: FixExecution, refs: BookRefs, dates: SettleDates, default_reason: str
) -> CheckedTrade:
    """A correction's terms, checked against the books."""
    terms, kind = _terms(row, refs)
    return check_terms(refs, dates, terms, instrument_type=kind, default_reason=default_reason)


def _check_new(
    refs: BookRefs,
    dates: SettleDates,
    row: TradeRow | FixExecution,
    default_reason: str,
    errors: list[ValidationError],
) -> CheckedTrade | None:
    """A new trade's checked terms, or None with every problem of the row in ``errors``."""
    terms, kind = _terms(row, refs)
    try:
        checked = check_terms(
            refs, dates, terms, instrument_type=kind, default_reason=default_reason
        )
    except ValidationError:  # name every problem of the row, not only this one
        errors += book_problems(refs, dates, terms, kind, default_reason)
        return None
    return None if errors else checked


def _load_refs(session: Session, rows: Sequence[TradeRow | FixExecution | RefusedRow]) -> BookRefs:
    """The accounts, instruments and counterparties the rows name, read once each."""
    return BookRefs.load(
        session,
        {r.account for r in rows if r.account},
        {r.isin for r in rows if r.isin},
        {r.counterparty for r in rows if r.counterparty},
    )


def _add_change(plan: _Plan, row: FixExecution, decision: Decision) -> None:
    checked = decision.checked
    if decision.kind == "unchanged":
        plan.unchanged += 1
        plan.show(row, "unchanged", checked)
    elif decision.kind == "requested_before":
        plan.requested_before += 1
        plan.show(row, "requested", checked)
    elif decision.kind == "request":
        assert decision.late is not None
        plan.requests.append((row, checked, decision.late))
        plan.show(row, "request", checked)
    else:
        plan.changes.append((row, checked))
        plan.show(row, "correct" if checked else "cancel", checked)


def _lines_refused(problems: Iterable[RowProblem]) -> int:
    """Lines the reader refused outright (they are rows of the file all the same)."""
    return len({p.line for p in problems})


def _external_id(row: TradeRow | FixExecution) -> str:
    return row.exec_id if isinstance(row, FixExecution) else row.external_id


def _id_field(row: TradeRow | FixExecution) -> str:
    return field_name(17) if isinstance(row, FixExecution) else "external_id"


def _problem(file_name: str, line: int, exc: ValidationError, *, fix: bool) -> RowProblem:
    """The problem as the file names its field (a FIX tag, or a CSV column)."""
    if fix and exc.field in _FIX_FIELDS:
        exc = ValidationError(_FIX_FIELDS[exc.field], exc.reason, exc.value)
    return problem_from(file_name, line, exc)


def _checked_values(checker: RowChecker, row: TradeRow) -> tuple[Any, ...] | None:
    """A CSV row's trade-table values if every check passes (else None: see `_terms`)."""
    market = checker.market(row.isin)
    return checker.values(
        row.account, row.isin, row.counterparty, row.instrument_type,
        (row.side, row.quantity, row.price, row.currency, row.trade_date,
         local_trade_time(row.trade_date, row.trade_time, market), row.commission, row.fees,
         row.settle_date),
    )  # fmt: skip


def _terms(row: TradeRow | FixExecution, refs: BookRefs) -> tuple[TradeTerms, Any]:
    """The terms a row states; a time of day is read in the instrument's market."""
    isin = row.isin or ""
    known = refs.instruments.get(isin)
    market = known.market if known else "US"
    if isinstance(row, FixExecution):
        if not row.counterparty:
            raise ValidationError("counterparty", "is required (ExecBroker 76)")
        assert row.trade_date and row.side and row.quantity is not None and row.price is not None
        when = row.transact_time or local_trade_time(row.trade_date, None, market)
        return TradeTerms(
            account=row.account or "", side=row.side, isin=isin, quantity=row.quantity,
            price=row.price, currency=row.currency or (known.currency if known else "USD"),
            trade_date=row.trade_date, trade_time=when, counterparty=row.counterparty,
            commission=row.commission or Decimal(0), settle_date=row.settle_date,
        ), None  # fmt: skip
    return TradeTerms(
        account=row.account, side=row.side, isin=isin, quantity=row.quantity, price=row.price,
        currency=row.currency, trade_date=row.trade_date,
        trade_time=local_trade_time(row.trade_date, row.trade_time, market),
        counterparty=row.counterparty, commission=row.commission, fees=row.fees,
        settle_date=row.settle_date, price_reason=row.price_reason,
    ), row.instrument_type  # fmt: skip


def _stored(session: Session, source: TradeSource, external_ids: list[str]) -> dict[str, m.Trade]:
    """The versions already on the blotter under these external ids of ``source``."""
    found: dict[str, m.Trade] = {}
    unique = sorted(set(external_ids))
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and unique and sqlite_has_json():
        # One statement, the ids as one JSON array: no statement of 900 parameters to
        # build and parse a hundred times over (a quarter of a second for 100,000 ids).
        listed = text("SELECT value FROM json_each(:ids)").bindparams(ids=json.dumps(unique))
        in_file = m.Trade.external_id.in_(listed.columns(value=String))
        for trade in session.scalars(select(m.Trade).where(m.Trade.source == source, in_file)):
            found[trade.external_id or ""] = trade
        return found
    size = _IDS_PER_QUERY.get(dialect, _IDS_PER_QUERY["sqlite"])
    for start in range(0, len(unique), size):
        chunk = unique[start : start + size]
        if dialect == "postgresql":  # one array parameter: no statement of 10,000 to parse
            named = m.Trade.external_id == any_(bindparam("ids", chunk, type_=ARRAY(String)))
        else:
            named = m.Trade.external_id.in_(chunk)
        for trade in session.scalars(select(m.Trade).where(m.Trade.source == source, named)):
            found[trade.external_id or ""] = trade
    return found


_COMPARED = ("account_id", "instrument_id", "counterparty_id", "side", "quantity", "price",
             "currency", "trade_date", "settle_date", "commission", "fees")  # fmt: skip


def _differences(stored: m.Trade, checked: CheckedTrade) -> str:
    """The terms (names) in which a re-sent trade differs from the one stored."""
    columns = checked.columns()
    names = [k.removesuffix("_id") for k in _COMPARED if getattr(stored, k) != columns[k]]
    return ", ".join(names)


def _preview(row: TradeRow | FixExecution, action: str, checked: CheckedTrade | None) -> PreviewRow:
    t = checked.terms if checked else None
    return PreviewRow(
        line=row.line, action=action, external_id=_external_id(row),
        trade_date=t.trade_date.isoformat() if t else "",
        account=t.account if t else (row.account or ""),
        side=t.side.label if t else "", isin=t.isin if t else (row.isin or ""),
        quantity=t.quantity if t else None, price=t.price if t else None,
        currency=t.currency if t else "", counterparty=t.counterparty if t else "",
        settle_date=checked.settle_date.isoformat() if checked else "",
        net_amount=checked.amounts.net if checked else None,
    )  # fmt: skip
