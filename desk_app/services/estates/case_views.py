"""An estate case as the desk reads it: its account, path, checklist and new owners."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain import estate_rules as rules
from desk_app.domain.estate_rules import CaseStatus, DocumentStatus, EstatePath
from desk_app.services.accounts import parties as party_rows
from desk_app.services.estates import executor as executors
from desk_app.services.estates.owners import ESTATE_W9, GENERIC_W9, OwnerLine


@dataclass(frozen=True)
class DocumentLine:
    kind: str
    label: str
    status: DocumentStatus
    dated: date | None
    expires_on: date | None
    received: str  # "2026-12-01 by carl" or ""
    verified: str
    recency_days: int | None = None  # a copy older than this has expired (letters: 60)


@dataclass(frozen=True)
class CaseView:
    """A case as the desk reads it: the account, the path, the checklist."""

    id: int
    account: str
    name: str
    registration: str
    date_of_death: date
    notice_source: str
    path: EstatePath
    status: CaseStatus
    alternate_valuation: bool
    opened_by: str
    opened_at: datetime
    age_days: int
    documents: tuple[DocumentLine, ...]
    retitle_request_id: int | None
    reregister_request_id: int | None
    decedent: str = ""
    spouses: bool = True
    new_owners: tuple[OwnerLine, ...] = ()
    predeceased: tuple[str, ...] = ()  # "Ann Lee died 2025-04-02"
    small_estate: str = ""  # on the executor's path: whether an affidavit would do, and why
    #: A sole account's case: "waiting for the executor", "executor retitle pending in
    #: request 12 (Carl Doe)", "retitled to the estate; executor Carl Doe" (else empty).
    executor_state: str = ""
    executor_pending: int | None = None  # the executor retitle waiting for approval
    executors: tuple[str, ...] = ()  # on record (or named by the pending retitle)
    executor_address: str = ""

    @property
    def waiting_for_executor(self) -> bool:
        return self.executor_state == executors.WAITING

    @property
    def decisions(self) -> list[str]:
        """Shares still waiting for someone to be named (the executor names the heirs)."""
        return [f"{o.name}: {o.percent}% ({o.why})" for o in self.new_owners if not o.decided]

    @property
    def wanted(self) -> list[str]:
        return rules.wanted([(d.label, d.status) for d in self.documents])

    @property
    def not_ready(self) -> list[str]:
        return rules.not_ready([(d.label, d.status) for d in self.documents])


def requirements(session: Session) -> list[rules.Requirement]:
    """The document requirements as reference data, in the checklist's order."""
    R = m.EstateDocumentRequirement
    return [
        rules.Requirement(
            r.kind,
            r.label,
            frozenset(p for p in r.paths.split(",") if p),
            r.recency_days,
            frozenset(s.strip().upper() for s in r.states.split(",") if s.strip()),
            r.needs_certificates,
        )  # fmt: skip
        for r in session.scalars(select(R).order_by(R.position, R.id))
    ]


def _by(day: date | None, who: str | None) -> str:
    return f"{day.isoformat()} by {who}" if day is not None else ""


def recency_windows(session: Session) -> dict[str, int | None]:
    """How recent each kind of document must be (reference data)."""
    return {r.kind: r.recency_days for r in requirements(session)}


def line_of(doc: m.EstateDocument, today: date, windows: dict[str, int | None]) -> DocumentLine:
    return DocumentLine(
        doc.kind, doc.label, rules.document_status(doc.status, doc.expires_on, today),
        doc.dated, doc.expires_on, _by(doc.received_on, doc.received_by),
        _by(doc.verified_on, doc.verified_by), windows.get(doc.kind),
    )  # fmt: skip


def _fresh(session: Session, case: m.EstateCase, today: date) -> tuple[DocumentLine, ...]:
    """The checklist as the parties stand now: the estate's W-9 line names the executor on
    record, and the generic W-9 line, not wanted once there is one, is not listed (the next
    write to the case removes it; `owners.sync_w9`)."""
    found = recency_windows(session)
    lines = [line_of(d, today, found) for d in case.documents]
    if case.path is not EstatePath.EXECUTOR:
        return tuple(lines)
    on_record = [p.name for p in party_rows.rows(session, case.account_id)
                 if p.role.value == "executor"]  # fmt: skip
    names = " and ".join(on_record)
    # The estate's W-9 names the executor the pending retitle names, as the letter does.
    signer = " and ".join(executors.state_of(session, case).names) or names
    out = []
    for doc, shown in zip(case.documents, lines, strict=True):
        if doc.kind == ESTATE_W9:
            shown = replace(shown, label="The estate's own EIN and W-9" + (  # noqa: PLW2901
                f", signed by its executor {signer}" if signer else " (no executor on record yet)"
            ))  # fmt: skip
        elif (doc.kind == GENERIC_W9 and names and doc.status is DocumentStatus.REQUIRED
              and doc.received_on is None):  # fmt: skip
            continue
        out.append(shown)
    return tuple(out)


def view_of(session: Session, case: m.EstateCase, today: date) -> CaseView:
    state = executors.state_of(session, case)
    values: dict[str, Any] = {
        "id": case.id, "account": case.account.account_number, "name": case.account.name,
        "registration": case.registration, "date_of_death": case.date_of_death,
        "notice_source": case.notice_source, "path": case.path, "status": case.status,
        "alternate_valuation": case.alternate_valuation, "opened_by": case.opened_by,
        "opened_at": case.opened_at,
        "age_days": (today - case.opened_at.astimezone(UTC).date()).days,
        "documents": _fresh(session, case, today),
        "retitle_request_id": case.retitle_request_id,
        "reregister_request_id": case.reregister_request_id,
        "decedent": case.decedent or "", "spouses": case.spouses,
        "predeceased": tuple(f"{d.name} died {d.date_of_death.isoformat()}"
                             for d in case.predeceased),
        "executor_state": state.text, "executor_pending": state.pending,
        "executors": state.names, "executor_address": state.address,
    }  # fmt: skip
    return CaseView(**values)
