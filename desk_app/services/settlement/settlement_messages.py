"""Instructions out (ISO 20022 sese.023) and statuses in (sese.024 or a CSV).

Exporting writes one sese.023.001.11 file per obligation that can be instructed and
marks the pending ones instructed, in one transaction: if a file cannot be written,
nothing is marked. Re-exporting an instructed obligation writes the same file again.

Status files are all or nothing: every line of every file is checked (the
obligation, the status, the reason code, whether the move is allowed), and one
problem, named by file, line and field, applies none of them.
"""

from __future__ import annotations

import csv
import io
import os
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain import sese023
from desk_app.domain.codes import FailReason
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.permissions import Action
from desk_app.domain.settlement_rules import EXPORTABLE, MARKET_MAY_FAIL
from desk_app.domain.states import OBLIGATION, ObligationStatus, TradeStatus
from desk_app.domain.trade_rows import RowProblem, shown_value
from desk_app.services.unit_of_work import UnitOfWork

S = ObligationStatus
#: The statuses a status file may give, and the columns of its CSV form.
STATUSES = ("matched", "unmatched", "pending", "failing")
CSV_COLUMNS = ("instruction", "status", "reason", "note")
_SESE024 = "urn:iso:std:iso:20022:tech:xsd:sese.024."


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote, what it newly instructed, and what it left out and why."""

    files: tuple[Path, ...]
    instructed: int
    skipped: tuple[tuple[int, str], ...]

    @property
    def summary(self) -> str:
        text = f"{len(self.files):,} instruction{'' if len(self.files) == 1 else 's'} written"
        text += f" ({self.instructed:,} newly instructed)"
        if self.skipped:
            text += f", {len(self.skipped):,} left out"
        return text


@dataclass(frozen=True)
class StatusUpdate:
    """One status from a file: for which obligation, what, why."""

    file: str
    line: int
    instruction: str
    status: str
    reason: str = ""
    note: str = ""


@dataclass
class StatusReport:
    """Status files' outcome: nothing of any of them applied unless ``problems`` is empty."""

    files: int = 0
    matched: int = 0
    failing: int = 0
    noted: int = 0  # unmatched or pending: the note is kept, the status stays
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        return (
            f"{self.files} file{'' if self.files == 1 else 's'}: {self.matched} matched, "
            f"{self.failing} failing, {self.noted} noted, {self.unchanged} unchanged"
        )


class SettlementMessageService:
    """Write sese.023 instructions; read the market's statuses back."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    # -- instructions out ------------------------------------------------------------------
    def export(
        self, out_dir: Path, *, day: date | None = None, ids: Iterable[int] | None = None
    ) -> ExportReport:
        """Write the instructions settling on ``day`` (or of ``ids``) into ``out_dir``."""
        if (day is None) == (ids is None):
            raise ValueError("export either a settlement date or a list of obligations")
        parts: list[Path] = []
        try:
            with self._uow.write(Action.SETTLEMENT_SETTLE) as session:
                chosen = _chosen(session, day, ids)
                messages, instructed, skipped = _instruct(session, chosen)
                parts = _write_parts(out_dir, messages)
        except BaseException:
            _discard(parts)  # nothing was marked instructed: no file may look ready to send
            raise
        return ExportReport(tuple(_publish(parts)), instructed, tuple(skipped))

    # -- statuses in -----------------------------------------------------------------------
    def import_statuses(self, paths: Sequence[Path]) -> StatusReport:
        """Apply sese.024 documents or CSVs of statuses: all of them, or none."""
        report = StatusReport(len(paths))
        updates: list[StatusUpdate] = []
        for path in paths:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise DeskError(f"{path}: cannot be read ({exc.strerror or exc})") from None
            text = raw.decode("utf-8-sig", errors="replace")
            read = _from_sese024 if text.lstrip().startswith("<") else _from_csv
            updates += read(path.name, text, report)
        if not report.ok:
            return report
        try:
            with self._uow.write(Action.SETTLEMENT_SETTLE) as session:
                for update in updates:
                    _apply(session, update, report)
                if not report.ok:
                    raise _Rejected
        except _Rejected:
            pass  # rolled back: a file applies whole or not at all
        return report


class _Rejected(Exception):
    """A status file had a problem: undo what its earlier lines did."""


def _chosen(
    session: Session, day: date | None, ids: Iterable[int] | None
) -> list[m.SettlementObligation]:
    """The obligations to export, locked so that nothing cancels them meanwhile."""
    o = m.SettlementObligation
    stmt = select(o).order_by(o.id).with_for_update()
    if ids is None:
        return list(session.scalars(stmt.where(o.settle_date == day, o.status.in_(EXPORTABLE))))
    wanted = sorted(set(ids))
    found = list(session.scalars(stmt.where(o.id.in_(wanted))))
    missing = sorted(set(wanted) - {row.id for row in found})
    if missing:
        raise DeskError(f"no settlement obligation {missing[0]}")
    return found


def _instruct(
    session: Session, chosen: Iterable[m.SettlementObligation]
) -> tuple[list[tuple[str, bytes]], int, list[tuple[int, str]]]:
    """Each message to write, how many became instructed, and what was left out and why.

    A netted obligation goes out only as its net, and a net only whole: every one of
    its live obligations chosen and exportable, or none of them.
    """
    from desk_app.services.settlement.netting import members_of

    messages: list[tuple[str, bytes]] = []
    skipped: list[tuple[int, str]] = []
    ready: list[m.SettlementObligation] = []
    nets: dict[int, list[m.SettlementObligation]] = defaultdict(list)
    for o in chosen:
        why = _not_exportable(o)
        if why is None and o.net_id is not None:
            nets[o.net_id].append(o)
            continue
        if why is None:
            try:
                messages.append((f"{sese023.tx_id(o.id)}.xml", sese023.message(_instruction(o))))
                ready.append(o)
            except ValidationError as exc:
                why = exc.message
        if why is not None:
            skipped.append((o.id, why))
    for net_id, members in nets.items():
        live = {x.id for x in members_of(session, net_id) if x.status is not S.CANCELLED}
        if live != {x.id for x in members}:
            why = f"it is part of net {net_id}: export all of the net's obligations"
            skipped += [(x.id, why) for x in members]
            continue
        message = sese023.message(_net_instruction(net_id, members))
        messages.append((f"{sese023.TX_PREFIX}N{net_id}.xml", message))
        ready += members
    instructed = 0
    for o in ready:
        if o.status is S.PENDING:
            OBLIGATION.check(o.status, S.INSTRUCTED)
            o.status = S.INSTRUCTED
            o.status_changed_at = datetime.now(UTC)
            instructed += 1
    return messages, instructed, sorted(skipped)


#: The safekeeping account a net settles through: the firm's own, not one client's.
OMNIBUS = "OMNIBUS"


def _net_instruction(net_id: int, members: list[m.SettlementObligation]) -> sese023.Instruction:
    """One instruction for a net: its difference, the route of its (shared) SSI."""
    from desk_app.services.settlement.netting import net_of

    first = members[0]
    direction, quantity, amount = net_of(members)
    return replace(
        _instruction(first), obligation_id=net_id, net=True, direction=direction,
        quantity=quantity, amount=amount, safekeeping_account=OMNIBUS,
        trade_ref=f"NET-{net_id}",
    )  # fmt: skip


def _not_exportable(o: m.SettlementObligation) -> str | None:
    if o.status not in EXPORTABLE:
        return f"it is {o.status.label.lower()}"
    if o.exception_reason:
        return o.exception_reason
    if o.trade.status is not TradeStatus.ACTIVE:
        return f"its trade version is {o.trade.status.label.lower()}"
    if o.ssi is None:
        return "it has no standing settlement instruction"
    return None


def _instruction(o: m.SettlementObligation) -> sese023.Instruction:
    assert o.ssi is not None
    instrument = o.instrument
    return sese023.Instruction(
        obligation_id=o.id, trade_ref=o.trade.external_id or f"T{o.trade_id}",
        direction=o.direction, payment=o.payment, trade_date=o.trade.trade_date,
        settle_date=o.settle_date, isin=instrument.isin, description=instrument.description,
        quantity=o.quantity - o.settled_quantity,
        face_amount=instrument.instrument_type.quoted_in_percent_of_par,
        amount=o.amount - o.settled_amount, currency=o.currency,
        safekeeping_account=o.account.account_number,
        place_of_settlement=o.ssi.place_of_settlement, agent_bic=o.ssi.agent_bic,
        counterparty_account=o.ssi.safekeeping_account,
    )  # fmt: skip


def _write_parts(out_dir: Path, messages: Sequence[tuple[str, bytes]]) -> list[Path]:
    """Each message under a temporary name (``.xml.part``); renamed once the commit is made."""
    parts: list[Path] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, data in messages:
            part = out_dir / f"{name}.part"
            parts.append(part)
            part.write_bytes(data)
    except OSError as exc:
        _discard(parts)
        raise DeskError(
            f"{out_dir}: cannot write the instructions ({exc.strerror or exc}); "
            "nothing was marked instructed"
        ) from None
    return parts


def _publish(parts: Sequence[Path]) -> list[Path]:
    """Give each written file its real name (``DESK-<id>.xml``)."""
    files = []
    for part in parts:
        target = part.with_suffix("")
        try:
            os.replace(part, target)
        except OSError as exc:
            raise DeskError(
                f"{target}: the obligations are instructed, but the file could not be named "
                f"({exc.strerror or exc}); it is waiting as {part.name}"
            ) from None
        files.append(target)
    return files


def _discard(parts: Iterable[Path]) -> None:
    for part in parts:
        try:
            part.unlink(missing_ok=True)
        except OSError:
            pass  # not ours to remove (a folder in the way): the error already says so


def _from_csv(file: str, text: str, report: StatusReport) -> list[StatusUpdate]:
    dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    rows = csv.reader(io.StringIO(text), delimiter=dialect)
    header = [h.strip().lower() for h in next(rows, [])]
    for needed in ("instruction", "status"):
        if needed not in header:
            report.problems.append(RowProblem(file, 1, needed, "column is missing"))
    if not report.ok:
        return []
    at = {name: header.index(name) for name in CSV_COLUMNS if name in header}
    updates: list[StatusUpdate] = []
    try:
        _read_rows(file, rows, at, updates)
    except csv.Error as exc:
        report.problems.append(RowProblem(file, rows.line_num, "line", f"cannot be read ({exc})"))
    return updates


def _read_rows(file: str, rows: Any, at: dict[str, int], updates: list[StatusUpdate]) -> None:
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {k: row[i].strip() if i < len(row) else "" for k, i in at.items()}
        reason, note = cells.get("reason", "").upper(), cells.get("note", "")
        updates.append(
            StatusUpdate(file, number, cells["instruction"], cells["status"].lower(), reason, note)
        )


def _from_sese024(file: str, text: str, report: StatusReport) -> list[StatusUpdate]:
    """One sese.024 status advice: its transaction id, matching and settlement status."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 1
        report.problems.append(RowProblem(file, line, "xml", f"is not well-formed XML ({exc})"))
        return []
    ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if not ns.startswith(_SESE024):
        report.problems.append(
            RowProblem(file, 1, "Document", f"is not a sese.024 status advice ('{ns or root.tag}')")
        )
        return []

    def find(path: str) -> ET.Element | None:
        return root.find("/".join(f"{{{ns}}}{p}" for p in path.split("/")))

    def code(base: str) -> str:
        element = find(f"{base}/Rsn/Cd/Cd")
        return (element.text or "").strip().upper() if element is not None else ""

    def note(base: str) -> str:
        element = find(f"{base}/Rsn/AddtlRsnInf")
        return (element.text or "").strip() if element is not None else ""

    tx = find("SctiesSttlmTxStsAdvc/TxId/AcctOwnrTxId")
    instruction = (tx.text or "").strip() if tx is not None else ""
    body = "SctiesSttlmTxStsAdvc"
    updates = []
    if find(f"{body}/MtchgSts/Mtchd") is not None:
        updates.append(StatusUpdate(file, 1, instruction, "matched"))
    elif find(f"{body}/MtchgSts/Umtchd") is not None:
        base = f"{body}/MtchgSts/Umtchd"
        updates.append(StatusUpdate(file, 1, instruction, "unmatched", code(base), note(base)))
    if find(f"{body}/SttlmSts/Flng") is not None:
        base = f"{body}/SttlmSts/Flng"
        updates.append(StatusUpdate(file, 1, instruction, "failing", code(base), note(base)))
    elif find(f"{body}/SttlmSts/Pdg") is not None:
        base = f"{body}/SttlmSts/Pdg"
        updates.append(StatusUpdate(file, 1, instruction, "pending", code(base), note(base)))
    if not updates and find(f"{body}/PrcgSts") is None:
        report.problems.append(
            RowProblem(file, 1, "status", "gives no processing, matching or settlement status")
        )
    elif not updates:
        updates.append(StatusUpdate(file, 1, instruction, "processed"))  # acknowledged only
    return updates


def _apply(session: Session, update: StatusUpdate, report: StatusReport) -> None:
    """Move one obligation as its status says, or add a problem naming the line."""

    def problem(field_name: str, reason: str, value: str | None = None) -> None:
        shown = f" ('{shown_value(value)}')" if value else ""
        report.problems.append(RowProblem(update.file, update.line, field_name,
                                          reason + shown, value))  # fmt: skip

    net = sese023.net_of_tx_id(update.instruction)
    if net is not None:
        if not _apply_net(session, net, update, report):
            problem("instruction", "is not a net Desk sent", update.instruction)
        return
    oid = sese023.obligation_of_tx_id(update.instruction)
    o = None if oid is None else session.get(m.SettlementObligation, oid)
    if o is None:
        problem("instruction", "is not an instruction Desk sent", update.instruction)
        return
    if update.status == "processed":
        report.unchanged += 1  # the market has it; nothing to move yet
        return
    if update.status not in STATUSES:
        problem("status", f"must be one of {', '.join(STATUSES)}", update.status)
        return
    where = f"obligation {o.id} is {o.status.label.lower()}"
    detail = " ".join(filter(None, [update.reason, update.note]))
    if o.status is S.PENDING:
        problem("status", f"{where}: it was never instructed", update.status)
    elif o.status is S.CANCELLED:
        problem("status", f"{where}: its trade version was corrected or cancelled; "
                "leave this status out", update.status)  # fmt: skip
    elif update.status == "matched":
        if o.status is S.INSTRUCTED or (o.status is S.FAILING and o.matched_at is None):
            _move(o, S.MATCHED, None)
            o.matched_at = o.status_changed_at
            report.matched += 1
        else:
            report.unchanged += 1  # matched already, or on from there
    elif update.status == "failing":
        try:
            reason = FailReason(update.reason)
        except ValueError:
            known = ", ".join(r.value for r in FailReason)
            problem("reason", f"must be a failing reason code ({known}); a failing status "
                    "without one is not applied", update.reason)  # fmt: skip
            return
        if o.status not in MARKET_MAY_FAIL:
            problem("status", f"{where}: only a matched obligation fails to settle "
                    "(a matched status comes first)", update.status)  # fmt: skip
            return
        _move(o, S.FAILING, f"Failing: {detail}")
        o.fail_reason = reason
        report.failing += 1
    elif update.status == "unmatched" and o.status is not S.INSTRUCTED:
        problem("status", f"{where}: only an instructed obligation is unmatched", update.status)
    else:  # unmatched, or settlement pending: the status stays, the note is kept
        o.status_note = f"{update.status.capitalize()}: {detail}".rstrip(": ")[:200]
        report.noted += 1


def _apply_net(session: Session, net: int, update: StatusUpdate, report: StatusReport) -> bool:
    """A status for a net, applied to each of its live obligations; False: no such net."""
    from desk_app.services.settlement.netting import members_of

    members = members_of(session, net)
    for member in members:
        if member.status in (S.SETTLED, S.CANCELLED):
            report.unchanged += 1  # settled on its own, or replaced: the net's word is moot
            continue
        _apply(session, replace(update, instruction=str(member.id)), report)
    return bool(members)


def _move(o: m.SettlementObligation, target: ObligationStatus, note: str | None) -> None:
    if o.status is not target:
        OBLIGATION.check(o.status, target)
        o.status = target
        o.status_changed_at = datetime.now(UTC)
    o.status_note = note[:200] if note else None
