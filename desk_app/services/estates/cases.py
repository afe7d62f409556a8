"""Estate cases: record a death, keep the checklist, print what is missing, ask to re-register.

Recording a death is one unit of work: the account is restricted (deceased) and the
case opens with the documents its path needs. A sole account's case then waits for
its executor: adding them files the retitle to "Estate of ..." as one supervised
amendment (`desk_app.services.estates.executor`). Re-registration is a supervised
request too; `desk_app.services.estates.reregistration` applies it on approval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain import estate_parties as heirs
from desk_app.domain import estate_rules as rules
from desk_app.domain.codes import AccountStatus, PartyRole, RestrictionKind
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.estate_rules import CaseStatus, DocumentStatus, EstatePath
from desk_app.domain.listing import Column, ColumnKind, ListSource, SortSpec
from desk_app.domain.permissions import Action
from desk_app.domain.states import CertificateStatus
from desk_app.services.accounts import parties as party_rows
from desk_app.services.accounts import restrictions
from desk_app.services.estates import executor as executors
from desk_app.services.estates import owners
from desk_app.services.estates import reregistration as rereg
from desk_app.services.estates.case_views import (
    CaseView,
    DocumentLine,
    line_of,
    recency_windows,
    requirements,
    view_of,
)
from desk_app.services.firm import letterhead
from desk_app.services.supervision.approvals import ApprovalService
from desk_app.services.unit_of_work import UnitOfWork

TABLE = "estate_cases"
K = ColumnKind
CASE_COLUMNS = (
    Column("id", "Case", K.INT),
    Column("opened_at", "Age", K.AGE, tooltip="How long ago the death was recorded"),
    Column("account", "Account"),
    Column("name", "Name"),
    Column("outstanding", "To verify", K.INT, tooltip="Documents not yet verified"),
    Column("path", "Path", K.STATUS, {p.value: p.short for p in EstatePath}),
    Column("date_of_death", "Date of death", K.DATE),
    Column("documents", "Documents not yet verified"),
)
#: Certificates no longer in the firm's hands for the account.
_GONE = (CertificateStatus.CANCELLED, CertificateStatus.DELIVERED, CertificateStatus.LOST)


def estate_name(name: str) -> str:
    return name if name.startswith("Estate of ") else f"Estate of {name}"[:200]


class EstateService:
    """Estate cases; the re-registration handler is registered with the approvals."""

    def __init__(
        self, uow: UnitOfWork, approvals: ApprovalService, today: Callable[[], date] = market_today
    ) -> None:
        self._uow = uow
        self._approvals = approvals
        self._today = today  # New York's business date: what ages and expires a document
        approvals.register(rereg.ReregistrationHandler())

    # -- recording a death -------------------------------------------------------------------
    def open_case(
        self, account: str, date_of_death: date, source: str = "", *, decedent: str = "",
        spouses: bool = True, small_estate: bool = False,
    ) -> int:  # fmt: skip
        """Restrict the account, open its case and checklist (a sole account's then waits for
        its executor: `add_executor` files the retitle).

        ``decedent`` names the owner who died (a joint account; default the first owner);
        ``spouses`` whether the joint owners are spouses (the basis rule reads it);
        ``small_estate`` asks for the affidavit path, refused unless the account's state
        allows it at its value at death and no executor is appointed.
        """
        source = source.strip() or "notice to the desk"
        actor, who = self._uow.actor.username, decedent
        with self._uow.write(Action.ESTATE_CASE) as session:
            holder = _account(session, account)
            if holder.status is AccountStatus.CLOSED:
                raise ValidationError("account", "is closed", holder.account_number)
            path = rules.path_of(holder.registration_type.value)
            rules.check_date_of_death(date_of_death, holder.opened_on, self._today())
            died = heirs.decedent(owners.parties_of(session, holder.id), who)
            if small_estate:
                refused = owners.small_estate_refusal(session, holder, path, date_of_death)
                if refused:
                    raise ValidationError("small estate", refused, holder.account_number)
                path = EstatePath.SMALL_ESTATE
            already = session.scalars(
                select(m.EstateCase.id).where(
                    m.EstateCase.account_id == holder.id, m.EstateCase.status == CaseStatus.OPEN
                )
            ).first()
            if already is not None:
                raise ValidationError(
                    "account", f"has estate case {already} open", holder.account_number
                )
            case = m.EstateCase(
                account_id=holder.id, date_of_death=date_of_death, notice_source=source[:200],
                registration=holder.registration_type.value, path=path, status=CaseStatus.OPEN,
                alternate_valuation=False, opened_by=actor, opened_at=datetime.now(UTC),
                decedent=died.name if died else None, spouses=spouses,
            )  # fmt: skip
            session.add(case)
            session.flush()
            # A power of attorney ends with the death of the one who gave it.
            ended = party_rows.end_role(
                session, holder.id, PartyRole.POWER_OF_ATTORNEY, date_of_death
            )
            why = f"holder died {date_of_death.isoformat()} ({source}); estate case {case.id}"
            if ended:
                why += f"; power of attorney ended: {', '.join(ended)}"
            restrictions.place(
                session, holder, RestrictionKind.DECEASED,
                reason=why[:500],
                placed_by=actor, starts_on=min(date_of_death, self._today()),
                source_key=f"estate:{case.id}",
            )  # fmt: skip
            for n, need in enumerate(self._checklist(session, holder, path), 1):
                session.add(
                    m.EstateDocument(
                        case_id=case.id,
                        kind=need.kind,
                        label=need.label,
                        position=n,
                        status=DocumentStatus.REQUIRED,
                    )  # fmt: skip
                )
            session.flush()
            owners.sync_w9(session, case)
            session.flush()
            return case.id

    def add_executor(
        self, case_id: int, party: Mapping[str, Any], ein: str = "", reason: str = ""
    ) -> int:
        """File the executor retitle of a sole account's case; the request id.

        One supervised amendment: the account retitled "Estate of <decedent>", ``party``
        (its name and the usual party fields) added with the role executor, and ``ein``
        (the estate's own, if given) as the account's tax id. Refused while one waits.
        """
        today = self._today()
        with self._uow.write(Action.ESTATE_CASE) as session:
            case = _open(session, case_id)
            proposal = executors.proposal(session, case, party, ein, today)
            name = proposal.summary.rpartition("executor ")[2]
            why = reason.strip() or (
                f"holder died {case.date_of_death.isoformat()}: estate case {case.id}; "
                f"the letters name {name} executor"
            )
            case.retitle_request_id = self._approvals.file(session, proposal, why[:500])
            session.flush()
            owners.sync_w9(session, case)
            return case.retitle_request_id

    def executor_refusal(self, case_id: int) -> str | None:
        """Why the executor cannot be added to the case now (None: it can)."""
        with self._uow.read() as session:
            return executors.refusal(session, _case(session, case_id))

    def beneficiary_deceased(self, case_id: int, name: str, date_of_death: date) -> CaseView:
        """Record that a party (a beneficiary) died before the holder; the shares follow."""
        with self._uow.write(Action.ESTATE_CASE) as session:
            case = _open(session, case_id)
            owners.record_predeceased(session, case, name, date_of_death, self._uow.actor.username)
            owners.sync_w9(session, case)
        return self.case(case_id)

    @staticmethod
    def _checklist(
        session: Session, holder: m.Account, path: EstatePath
    ) -> list[rules.Requirement]:
        C = m.Certificate
        holds = (
            session.scalars(
                select(C.id).where(C.account_id == holder.id, C.status.not_in(_GONE))
            ).first()
            is not None
        )
        return [
            need for need in requirements(session)
            if need.applies(path, holder.residence_state, holds)
        ]  # fmt: skip

    # -- the checklist -----------------------------------------------------------------------
    def case(self, case_id: int) -> CaseView:
        """The case with its proposed new owners and (executor's path) the affidavit test."""
        with self._uow.read() as session:
            case = _case(session, case_id)
            view = view_of(session, case, self._today())
            small = ""
            if case.status is CaseStatus.OPEN and case.path in (
                EstatePath.EXECUTOR,
                EstatePath.SMALL_ESTATE,
            ):
                small = owners.small_estate_note(
                    session, case.account, case.date_of_death, case.path
                )
            return replace(view, new_owners=tuple(owners.owner_lines(session, case)),
                           small_estate=small)  # fmt: skip

    def open_cases(self, search: str = "") -> list[CaseView]:
        """Open cases, oldest first; ``search`` matches the account, name or case number."""
        today = self._today()
        with self._uow.read() as session:
            rows = session.scalars(
                select(m.EstateCase)
                .where(m.EstateCase.status == CaseStatus.OPEN)
                .order_by(m.EstateCase.opened_at, m.EstateCase.id)
            ).all()
            views = [view_of(session, row, today) for row in rows]
        words = search.casefold().split()
        return [
            v for v in views
            if all(w in f"{v.id} {v.account} {v.name} {v.path.value}".casefold() for w in words)
        ]  # fmt: skip

    def cases_source(self, search: str = "") -> ListSource:
        """Open cases as a list, oldest first: what the Estates tab shows."""
        rows = [
            (v.id, v.opened_at, v.account, v.name, len(v.not_ready), v.path.value,
             v.date_of_death, "; ".join(v.not_ready))
            for v in self.open_cases(search)
        ]  # fmt: skip
        return ListSource(CASE_COLUMNS, rows, SortSpec("opened_at"))

    def receive(
        self, case_id: int, kind: str, *, verified: bool = False, dated: date | None = None
    ) -> DocumentLine:
        """Record a document in hand (a newer copy replaces the last), or verify the one held."""
        actor, today = self._uow.actor.username, self._today()
        with self._uow.write(Action.ESTATE_CASE) as session:
            case = _open(session, case_id)
            owners.sync_w9(session, case)
            doc = next((d for d in case.documents if d.kind == kind.strip().lower()), None)
            if doc is None:
                kinds = ", ".join(d.kind for d in case.documents)
                raise ValidationError(
                    "document", f"is not on case {case_id}'s list ({kinds})", kind
                )
            now = rules.document_status(doc.status, doc.expires_on, today)
            fresh = dated is not None or now in (DocumentStatus.REQUIRED, DocumentStatus.EXPIRED)
            if fresh or not verified:
                when = dated or today
                if when > today:
                    raise ValidationError("dated", "is in the future", when.isoformat())
                need = next((r for r in requirements(session) if r.kind == doc.kind), None)
                doc.dated, doc.received_on, doc.received_by = when, today, actor
                doc.expires_on = need.expires_on(when) if need else None
                doc.status, doc.verified_on, doc.verified_by = DocumentStatus.RECEIVED, None, None
                if doc.expires_on is not None and doc.expires_on < today:
                    raise ValidationError(
                        "dated", f"is older than the {need.recency_days if need else 0} days "
                        f"{doc.label} may be", when.isoformat(),
                    )  # fmt: skip
            if verified:
                doc.status, doc.verified_on, doc.verified_by = DocumentStatus.VERIFIED, today, actor
            session.flush()
            return line_of(doc, today, recency_windows(session))

    def letter(self, case_id: int, path: Path, printed_at: datetime | None = None) -> Path:
        """The deficiency letter (PDF) at ``path``: what the case still needs from the client."""
        from desk_app.reports.estate_letter import deficiency_letter_pdf

        view = self.case(case_id)
        with self._uow.read() as session:
            firm, address = letterhead(session)
        data = deficiency_letter_pdf(
            view, firm=firm, firm_address=address, printed_at=printed_at,
            printed_by=self._uow.actor.full_name,
        )  # fmt: skip
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise DeskError(f"{path}: cannot write the letter ({exc.strerror or exc})") from None
        return path

    # -- re-registration ----------------------------------------------------------------------
    def request_reregistration(
        self, case_id: int, to: Sequence[tuple[str, Decimal | None]],
        alternate_valuation: bool = False, reason: str = "", *,
        survivor_contribution: Decimal | None = None, evidence: str = "",
    ) -> int:  # fmt: skip
        """Ask to move everything to the new owners; refused while documents are missing.

        Joint owners who are not spouses: ``survivor_contribution`` is the percentage the
        survivor shows they paid, with its ``evidence`` (IRC 2040(a)); none shown, all
        of the account steps up.
        """
        given = [(a.strip().upper(), p) for a, p in to]
        targets = rules.targets(given)
        today = self._today()
        with self._uow.write(Action.ESTATE_REREGISTER) as session:
            case = _open(session, case_id)
            owners.sync_w9(session, case)
            missing = view_of(session, case, today).not_ready
            if missing:
                raise ValidationError(
                    "documents", f"case {case_id} still needs: " + "; ".join(missing)
                )
            case.alternate_valuation = alternate_valuation
            contribution = rereg.contribution_of(case, survivor_contribution, evidence)
            plan = rereg.plan(session, case, targets, contribution)
            after = rereg.proposal_values(case, targets, plan, contribution)
            proposal = rereg.proposal(case, targets, after, contribution)
            why = reason.strip() or f"estate case {case.id}: documents verified"
            case.reregister_request_id = self._approvals.file(session, proposal, why)
            session.flush()
            return case.reregister_request_id


def _account(session: Session, number: str) -> m.Account:
    text = number.strip().upper()
    found = session.scalars(select(m.Account).where(m.Account.account_number == text)).one_or_none()
    if found is None:
        raise ValidationError("account", "is not an account", number.strip())
    return found


def _case(session: Session, case_id: int) -> m.EstateCase:
    case = session.get(m.EstateCase, case_id)
    if case is None:
        raise ValidationError("case", "is not an estate case", str(case_id))
    return case


def _open(session: Session, case_id: int) -> m.EstateCase:
    case = _case(session, case_id)
    if case.status is not CaseStatus.OPEN:
        raise ValidationError("case", f"{case_id} is {case.status.value}", str(case_id))
    return case
