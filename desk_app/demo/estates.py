"""An estate case in the demo: a sole holder who died, whose case waits for the executor.

The death was recorded as `EstateService.open_case` records it (the account restricted
from the date of death, the checklist its path needs), by a clerk some business days
ago; the death certificate is in and verified. The letters have not come: the case
shows "waiting for the executor", and Add executor… files the retitle once they do.
Drawn from nothing random, so the book's other draws stay as they were.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from desk_app.db import models as m
from desk_app.demo.book import Book
from desk_app.domain import estate_rules as rules
from desk_app.domain.codes import AccountStatus, PartyRole, RegistrationType, RestrictionKind
from desk_app.domain.estate_rules import CaseStatus, DocumentStatus, EstatePath
from desk_app.domain.states import CertificateStatus
from desk_app.services import audit
from desk_app.services.accounts import restrictions
from desk_app.services.estates import owners
from desk_app.services.estates.case_views import requirements

SOURCE = "call from the holder's daughter"


def _back(book: Book, days: int) -> date:
    """``days`` US business days before the book's today."""
    calendar, day = book.calendars["US"], book.today
    for _ in range(days):
        day = calendar.previous_settlement_day(day)
    return day


def make_estates(book: Book) -> int:
    """One open case on a sole account that holds something; returns how many."""
    clerk = book.clerks[0] if book.clerks else "demo-data"
    saved = audit.context_of(book.session)
    book.session.info[audit.CONTEXT_KEY] = replace(saved, app_user=clerk, action="estate.case")
    try:
        return _make(book, clerk)
    finally:
        book.session.info[audit.CONTEXT_KEY] = saved


def _make(book: Book, clerk: str) -> int:
    session = book.session
    A, P, B = m.Account, m.AccountParty, m.LedgerBalance
    busy = select(m.AcatsTransfer.account_id)
    restricted = select(m.AccountRestriction.account_id)
    holder = session.scalars(
        select(A)
        .where(A.registration_type == RegistrationType.INDIVIDUAL,
               A.status == AccountStatus.OPEN, A.id.not_in(busy), A.id.not_in(restricted),
               A.id.in_(select(B.account_id).where(B.quantity > 0)),
               A.id.in_(select(P.account_id).where(P.role == PartyRole.OWNER)))
        .order_by(A.account_number)
    ).first()  # fmt: skip
    if holder is None:
        return 0  # a tiny book
    died, told, verified = _back(book, 12), _back(book, 10), _back(book, 6)
    path = EstatePath.EXECUTOR
    owner = owners.parties_of(session, holder.id)[0]
    case = m.EstateCase(
        account_id=holder.id, date_of_death=died, notice_source=SOURCE,
        registration=holder.registration_type.value, path=path, status=CaseStatus.OPEN,
        alternate_valuation=False, opened_by=clerk, opened_at=book.at(told, 10, 20),
        decedent=owner.name, spouses=True,
    )  # fmt: skip
    session.add(case)
    session.flush()
    restrictions.place(
        session, holder, RestrictionKind.DECEASED, placed_by=clerk, starts_on=died,
        reason=f"holder died {died.isoformat()} ({SOURCE}); estate case {case.id}",
        source_key=f"estate:{case.id}",
    )  # fmt: skip
    C = m.Certificate
    gone = (CertificateStatus.CANCELLED, CertificateStatus.DELIVERED, CertificateStatus.LOST)
    holds = (
        session.scalars(
            select(C.id).where(C.account_id == holder.id, C.status.not_in(gone))
        ).first()
        is not None
    )
    needs = [r for r in requirements(session) if r.applies(path, holder.residence_state, holds)]
    for n, need in enumerate(needs, 1):
        doc = m.EstateDocument(case_id=case.id, kind=need.kind, label=need.label, position=n,
                               status=DocumentStatus.REQUIRED)  # fmt: skip
        if need.kind == "death-certificate":
            doc.status, doc.dated, doc.expires_on = DocumentStatus.VERIFIED, died, None
            doc.received_on, doc.received_by = told, clerk
            doc.verified_on, doc.verified_by = verified, clerk
        session.add(doc)
    session.flush()
    owners.sync_w9(session, case)
    assert rules.retitled(case.registration)  # its case waits for the executor
    return 1
