"""The editable settlement rules: lists, supervised change requests, CSV imports.

Settlement cycles, calendar overrides, fail rules and aging limits decide settlement
dates, close-out deadlines and capital charges, so none of them changes directly: a
change is an approval request (``rules.change``) that a principal other than the
maker approves, and the approval applies it in the same transaction, audited with
the request's id (before and after, under the record's version). A request to amend
a record carries the version it was made against; a record changed meanwhile makes
the request stale. An import files one request for the whole file: approved, every
line applies; otherwise none does.

A cycle or override never rewrites stored obligations: once one is approved,
``calendar check`` (Reference → Check settlement dates) lists the obligations whose
stored date today's rules would set otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain import labels
from desk_app.domain.codes import InstrumentType
from desk_app.domain.csv_files import CsvTableReader, path_problem
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.listing import Column, ColumnKind, Row
from desk_app.domain.permissions import Action
from desk_app.domain.rule_changes import (
    CSV_COLUMNS,
    RuleKind,
    RuleProblems,
    check_override_key,
    check_row,
)
from desk_app.domain.trade_rows import RowProblem, problem_from
from desk_app.services.audit import snapshot
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.unit_of_work import UnitOfWork

K = ColumnKind
#: Said after a cycle or override is requested: stored dates stay as they are.
DATES_HINT = (
    "Stored settlement dates do not change by themselves: once approved, run "
    "`desk-app calendar check` (Reference → Check settlement dates) to see the open "
    "obligations whose date the new rule would set otherwise."
)
COLUMNS: Mapping[RuleKind, tuple[Column, ...]] = {
    RuleKind.CYCLE: (
        Column("id", "Cycle", K.INT),
        Column("instrument_type", "Instrument type", K.STATUS, labels.INSTRUMENT_TYPE),
        Column("market", "Market"),
        Column("effective_from", "From", K.DATE),
        Column("effective_to", "Until", K.DATE, tooltip="The day before the next cycle starts"),
        Column("offset_days", "T+", K.INT),
        Column("calendar_code", "Calendar"),
        Column("note", "Note"),
    ),
    RuleKind.OVERRIDE: (
        Column("id", "Override", K.INT),
        Column("calendar_code", "Calendar"),
        Column("day", "Day", K.DATE),
        Column("settlement_day", "The day is", tooltip="Open or closed for settlement"),
        Column("reason", "Reason"),
    ),
    RuleKind.FAIL_RULE: (
        Column("code", "Rule"),
        Column("label", "What it is"),
        Column(
            "kind",
            "Kind",
            K.STATUS,
            {"close_out": "Close-out deadline", "capital": "Capital charge"},
        ),
        Column("side", "Side", K.STATUS, {"ftd": "Fail to deliver", "ftr": "Fail to receive"}),
        Column(
            "applies",
            "Applies to",
            K.STATUS,
            {
                "any": "Any",
                "long": "Long sale",
                "short": "Short sale",
                "threshold": "Threshold security",
            },
        ),
        Column("days", "Days", K.INT),
    ),
    RuleKind.AGING_LIMIT: (
        Column("code", "Limit"),
        Column("label", "What it is"),
        Column("days", "Business days", K.INT),
    ),
}
_MODEL: Mapping[RuleKind, Any] = {
    RuleKind.CYCLE: m.SettlementCycle,
    RuleKind.OVERRIDE: m.CalendarOverride,
    RuleKind.FAIL_RULE: m.FailRule,
    RuleKind.AGING_LIMIT: m.AgingLimit,
}


@dataclass
class RulesImport:
    """What an import found: every problem, or the request it filed (None on a dry run)."""

    kind: RuleKind
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    request_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class _RulesReader(CsvTableReader):
    """One rules file: the kind's columns, each line checked with every problem named."""

    row_noun = "rule"

    def __init__(self, file_name: str, kind: RuleKind, today: date) -> None:
        super().__init__(file_name)
        self.kind = kind
        self.today = today
        self.known, self.required = CSV_COLUMNS[kind]
        self.rows: list[tuple[int, dict[str, Any]]] = []

    def has_rows(self) -> bool:
        return bool(self.rows)

    def read_row(self, line: int, fields: list[str]) -> None:
        values = self.values(line, fields)
        if values is None:
            self.rows.append((line, {}))
            return
        checked = check_row(self.kind, {k: v for k, v in values.items() if k}, self.today)
        for error in checked.problems:
            self.report_error(line, error)
        self.rows.append((line, checked.values))


class RulesService:
    """The rules as lists, and requests to change them (a principal approves each)."""

    def __init__(
        self,
        uow: UnitOfWork,
        approvals: ApprovalService,
        today: Callable[[], date] = market_today,
    ) -> None:
        self._uow = uow
        self._approvals = approvals
        self._today = today
        approvals.register(_RulesHandler())

    # -- reading -----------------------------------------------------------------------

    def columns(self, kind: RuleKind) -> tuple[Column, ...]:
        return COLUMNS[kind]

    def rows(self, kind: RuleKind, search: str = "") -> list[Row]:
        """Every rule of ``kind``; ``search``: each word somewhere in the row (any case).

        These tables hold tens of rows, not thousands: read whole, filtered here.
        """
        with self._uow.read() as session:
            rows = _ROWS[kind](session)
        words = search.lower().split()
        return [r for r in rows if all(any(w in _text(v) for v in r) for w in words)]

    # -- requests ----------------------------------------------------------------------

    def request(self, kind: RuleKind, values: Mapping[str, Any], reason: str) -> int:
        """Ask to add a cycle, set an override, or change a rule's or limit's days."""
        checked = check_row(kind, values, self._today())
        if not reason.strip():
            checked.problems.append(
                ValidationError("request reason", "say why the change is needed")
            )
        clean = checked.raise_problems()
        with self._uow.read() as session:
            target = _check_applies(session, kind, clean)
            before = {} if target is None else _shown(kind, target)
        key = _key(kind, clean)
        proposal = Proposal(
            Action.RULE_CHANGE,
            kind.value,
            f"{kind.value}:{key}",
            _summary(kind, clean),
            {k: before.get(k) for k in clean if k in before},
            clean,
            None if target is None else target.id,
            None if target is None else target.version,
            terms={"kind": kind.value, "op": "set", "rows": [clean]},
        )
        return self._approvals.request(proposal, reason)

    def request_removal(self, values: Mapping[str, Any], reason: str) -> int:
        """Ask to remove a calendar override (the day follows the calendar again)."""
        clean = check_override_key(values).raise_problems()
        with self._uow.read() as session:
            row = _override(session, clean)
            if row is None:
                raise ValidationError(
                    "day", f"{clean['calendar_code']} has no override on that day", clean["day"]
                )
            before = _shown(RuleKind.OVERRIDE, row)
        kind = RuleKind.OVERRIDE
        proposal = Proposal(
            Action.RULE_CHANGE,
            kind.value,
            f"{kind.value}:{_key(kind, clean)}",
            f"Remove the override of {clean['calendar_code']} {clean['day']}",
            before,
            {"removed": True},
            row.id,
            row.version,
            terms={"kind": kind.value, "op": "remove", "rows": [clean]},
        )
        return self._approvals.request(proposal, reason)

    def import_csv(
        self, kind: RuleKind, path: Path, reason: str, *, dry_run: bool = False
    ) -> RulesImport:
        """Check every line of a rules file; unless ``dry_run``, file one request for it all."""
        self._uow.actor.require(Action.RULE_CHANGE)
        result = RulesImport(kind)
        problem = path_problem(path)
        if problem is not None:
            result.problems.append(RowProblem(path.name, 1, "file", problem))
            return result
        reader = _RulesReader(path.name, kind, self._today())
        reader.read_content(path.read_bytes())
        result.problems.extend(reader.problems)
        result.rows = len(reader.rows)
        # Lines that read well are checked against the database too: every problem at once.
        bad = {p.line for p in reader.problems}
        sound = [(line, values) for line, values in reader.rows if line not in bad]
        if sound:
            with self._uow.read() as session:
                result.problems.extend(_conflicts(session, path.name, kind, sound))
            result.problems.sort(key=lambda p: p.line)
        if result.problems or dry_run:
            return result
        rows = [values for _line, values in reader.rows]
        # Padded to one width: the approver's view sorts the lines by name.
        width = len(str(reader.rows[-1][0]))
        shown = {f"line {line:0{width}d}": _summary(kind, v) for line, v in reader.rows}
        proposal = Proposal(
            Action.RULE_CHANGE,
            kind.value,
            f"{kind.value}:import {path.name}",
            f"Import {len(rows)} {kind.label}(s) from {path.name}",
            {},
            shown,
            terms={"kind": kind.value, "op": "set", "rows": rows},
        )
        result.request_id = self._approvals.request(proposal, reason)
        return result


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value).lower()


def _cycle_rows(session: Session) -> list[Row]:
    c = m.SettlementCycle
    found = session.scalars(select(c).order_by(c.instrument_type, c.market, c.effective_from)).all()
    rows: list[Row] = []
    for n, row in enumerate(found):
        after = found[n + 1] if n + 1 < len(found) else None
        same = after is not None and (after.instrument_type, after.market) == (
            row.instrument_type,
            row.market,
        )
        until = (
            after.effective_from.fromordinal(after.effective_from.toordinal() - 1)
            if (same and after is not None)
            else None
        )
        rows.append(
            (
                row.id,
                row.instrument_type.value,
                row.market,
                row.effective_from,
                until,
                row.offset_days,
                row.calendar_code,
                row.note,
            )
        )
    return rows


def _override_rows(session: Session) -> list[Row]:
    o = m.CalendarOverride
    found = session.scalars(select(o).order_by(o.calendar_code, o.day)).all()
    return [
        (r.id, r.calendar_code, r.day, "open" if r.is_settlement_day else "closed", r.reason)
        for r in found
    ]


def _fail_rows(session: Session) -> list[Row]:
    found = session.scalars(select(m.FailRule).order_by(m.FailRule.code)).all()
    return [(r.code, r.label, r.kind.value, r.side.value, r.applies.value, r.days) for r in found]


def _aging_rows(session: Session) -> list[Row]:
    found = session.scalars(select(m.AgingLimit).order_by(m.AgingLimit.code)).all()
    return [(r.code, r.label, r.days) for r in found]


_ROWS: Mapping[RuleKind, Callable[[Session], list[Row]]] = {
    RuleKind.CYCLE: _cycle_rows,
    RuleKind.OVERRIDE: _override_rows,
    RuleKind.FAIL_RULE: _fail_rows,
    RuleKind.AGING_LIMIT: _aging_rows,
}


def _key(kind: RuleKind, v: Mapping[str, Any]) -> str:
    if kind is RuleKind.CYCLE:
        return f"{v['instrument_type']}/{v['market']}/{v['effective_from']}"
    if kind is RuleKind.OVERRIDE:
        return f"{v['calendar_code']}/{v['day']}"
    return str(v["code"])


def _summary(kind: RuleKind, v: Mapping[str, Any]) -> str:
    if kind is RuleKind.CYCLE:
        return (
            f"{v['instrument_type']} in {v['market']} from {v['effective_from']}: "
            f"T+{v['offset_days']} on {v['calendar_code']}"
        )
    if kind is RuleKind.OVERRIDE:
        state = "open" if v["settlement_day"] else "closed"
        return f"{v['calendar_code']} {v['day']} {state}: {v['reason']}"
    return f"{kind.label} {v['code']}: {v['days']} days"


def _shown(kind: RuleKind, row: Any) -> dict[str, Any]:
    """A record's values as a request compares them (dates as text), with its version."""
    snap = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in snapshot(row).items()}
    if kind is RuleKind.OVERRIDE:
        snap["settlement_day"] = snap.pop("is_settlement_day", None)
    return snap


def _override(session: Session, v: Mapping[str, Any]) -> m.CalendarOverride | None:
    o = m.CalendarOverride
    return session.scalars(
        select(o).where(
            o.calendar_code == v["calendar_code"],
            o.day == date.fromisoformat(v["day"]),
        )
    ).one_or_none()


def _by_code(session: Session, kind: RuleKind, code: str) -> Any:
    model = _MODEL[kind]
    return session.scalars(select(model).where(model.code == code)).one_or_none()


def _check_applies(session: Session, kind: RuleKind, v: Mapping[str, Any]) -> Any:
    """The record the change amends (None: it adds one); refuse what cannot apply."""
    if kind is RuleKind.CYCLE:
        c = m.SettlementCycle
        same = session.scalars(
            select(c.id).where(
                c.instrument_type == InstrumentType(v["instrument_type"]),
                c.market == v["market"],
                c.effective_from == date.fromisoformat(v["effective_from"]),
            )
        ).first()
        if same is not None:
            raise ValidationError(
                "effective_from",
                f"cycle {same} already starts that day for "
                f"{v['instrument_type']} in {v['market']}: start this one on another day",
                v["effective_from"],
            )
        return None
    if kind is RuleKind.OVERRIDE:
        return _override(session, v)
    row = _by_code(session, kind, v["code"])
    if row is None:
        known = ", ".join(str(r[0]) for r in _ROWS[kind](session))
        raise ValidationError("code", f"is not a known {kind.label} (known: {known})", v["code"])
    if row.days == v["days"]:
        raise ValidationError("days", "is already the value", str(v["days"]))
    return row


def _conflicts(
    session: Session, file: str, kind: RuleKind, rows: Sequence[tuple[int, dict[str, Any]]]
) -> list[RowProblem]:
    """Each line against the database and against the lines before it."""
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        key = _key(kind, values)
        if key in seen:
            problems.append(RowProblem(file, line, "row", f"repeats line {seen[key]} ({key})"))
            continue
        seen[key] = line
        try:
            _check_applies(session, kind, values)
        except ValidationError as error:
            problems.append(problem_from(file, line, error))
    return problems


class _RulesHandler:
    """Applies an approved rules request: every row of it, or (raising) none."""

    action = Action.RULE_CHANGE

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        if request.target_id is None:
            return None
        kind = RuleKind(request.target_table)
        row = session.get(_MODEL[kind], request.target_id)
        return None if row is None else _shown(kind, row)

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        # The decision first: on PostgreSQL the rules tables admit a change only in the
        # transaction that approved it (migration 0018).
        session.flush()
        terms = json.loads(request.proposal)["terms"]
        kind, rows = RuleKind(terms["kind"]), terms["rows"]
        if terms["op"] == "remove":
            for values in rows:
                row = _override(session, values)
                if row is None:
                    raise DeskError(f"request {request.id}: the override is gone already")
                session.delete(row)
            return
        for values in rows:
            try:
                target = _check_applies(session, kind, values)
            except ValidationError as error:
                raise RuleProblems([error]) from None
            _write(session, kind, values, target)
            session.flush()  # a later line sees this one


def _write(session: Session, kind: RuleKind, v: Mapping[str, Any], target: Any) -> None:
    if kind is RuleKind.CYCLE:
        session.add(
            m.SettlementCycle(
                instrument_type=InstrumentType(v["instrument_type"]),
                market=v["market"],
                effective_from=date.fromisoformat(v["effective_from"]),
                offset_days=v["offset_days"],
                calendar_code=v["calendar_code"],
                note=v["note"],
            )
        )
    elif kind is RuleKind.OVERRIDE:
        if target is None:
            target = m.CalendarOverride(
                calendar_code=v["calendar_code"], day=date.fromisoformat(v["day"])
            )
            session.add(target)
        target.is_settlement_day = v["settlement_day"]
        target.reason = v["reason"]
    else:
        target.days = v["days"]
