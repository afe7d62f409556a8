"""Maker-checker: a supervised action becomes a request that another principal decides.

Any capability registers an `ApprovalHandler` for its supervised actions. The
request keeps the record's version when it was made and the full proposed change;
approval re-checks the version (stale → refused) and applies the change in the same
transaction as the decision, audited with the request's id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import ColumnElement, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from desk_app.db import models as m
from desk_app.db.paging import KeysetSource
from desk_app.db.text_search import any_contains, every_word, in_codes
from desk_app.domain import labels
from desk_app.domain.audit_chain import canonical_json
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, NotPermitted, StaleRecord, ValidationError
from desk_app.domain.identifiers import mask_tax_id
from desk_app.domain.listing import Column, ColumnKind, Row, SortSpec
from desk_app.domain.permissions import Action
from desk_app.domain.states import APPROVAL, ApprovalStatus
from desk_app.domain.supervision import decision_refusal
from desk_app.domain.text_search import codes_matching, whole_number
from desk_app.services import audit
from desk_app.services.actor import Actor, CredentialRequired, Proof
from desk_app.services.supervision.os_login import verify_os_password
from desk_app.services.unit_of_work import UnitOfWork

K = ColumnKind

REQUEST_COLUMNS = (
    Column("id", "Request", K.INT),
    Column("status", "Status", K.STATUS, labels.APPROVAL_STATUS),
    Column("made_at", "Age", K.AGE, tooltip="How long ago the request was made"),
    Column("action", "Action", K.STATUS, labels.ACTIONS),
    Column("target_key", "Record"),
    Column("summary", "Proposed change"),
    Column("maker", "Requested by"),
    Column("reason", "Reason"),
    Column("decided_by", "Decided by"),
    Column("decided_at", "Decided at", K.DATETIME),
    Column("decision_note", "Comment or reason"),
)


def request_matches(word: str) -> ColumnElement[bool]:
    """A request numbered ``word``, or whose kind, maker, record or change contains it."""
    r = m.ApprovalRequest
    sides = [
        in_codes(r.action, codes_matching(word, labels.ACTIONS)),
        any_contains(word, r.maker, r.target_key, r.summary),
    ]
    number = whole_number(word)
    if number is not None:
        sides.append(r.id == number)
    return or_(*sides)


@dataclass(frozen=True)
class Proposal:
    """What a maker asks for: the action, its record, and the change in full."""

    action: Action
    target_table: str
    target_key: str
    summary: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    target_id: int | None = None
    target_version: int | None = None
    #: What the handler applies, beyond the fields shown (a grant's exact terms).
    terms: Mapping[str, Any] | None = None
    #: A granted password's argon2 hash: kept on the request, never in its proposal.
    password_hash: str | None = None


class ApprovalHandler(Protocol):
    """How one supervised action reads its record and applies an approved change."""

    action: Action

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        """The record's values now (None if it does not exist), including ``version``."""
        ...

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        """Make the change; raise `DeskError` if it can no longer be made."""
        ...


@runtime_checkable
class DecisionRule(Protocol):
    """A handler's own rule on who decides (a grant: never its subject), on top of the rest."""

    decide_permission: Action

    def refusal(self, request: m.ApprovalRequest, actor: Actor) -> str | None:
        """Why ``actor`` may not decide ``request``, or None."""
        ...


@dataclass(frozen=True)
class FieldRow:
    field: str
    at_request: Any
    current: Any
    proposed: Any

    @property
    def changed_since_request(self) -> bool:
        return bool(self.at_request != self.current)


@dataclass(frozen=True)
class RequestDetail:
    """A request beside its record: what the maker saw, what is there now, what would be."""

    id: int
    action: Action
    status: ApprovalStatus
    target_key: str
    summary: str
    reason: str
    maker: str
    made_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    fields: tuple[FieldRow, ...]
    stale: bool
    #: Why the current user may not approve or reject it (None: they may).
    decision_refusal: str | None = None
    version: int = 1
    extra: Mapping[str, Any] = field(default_factory=dict)


_RECORD = [c.key for c in REQUEST_COLUMNS].index("target_key")
_KINDS = {
    "accounts": "account", "trades": "trade", "journals": "journal",
    "standing_settlement_instructions": "standing instruction", "certificates": "certificate",
    "users": "user", "settlement_cycles": "settlement cycle",
    "calendar_overrides": "calendar override", "fail_rules": "fail rule",
    "aging_limits": "aging limit", "estate_cases": "estate case",
    "acats_transfers": "ACATS transfer",
}  # fmt: skip


def _record_text(target_key: str) -> str:
    """``accounts:NYC-20417`` reads "account NYC-20417"."""
    table, _, key = target_key.partition(":")
    return f"{_KINDS.get(table, table)} {key}".strip()


def _record_label(row: Row) -> Row:
    text = _record_text(str(row[_RECORD]))
    label = text[:1].upper() + text[1:]
    return (*row[:_RECORD], label, *row[_RECORD + 1 :])


def _shown(name: str, value: Any) -> Any:
    """Sensitive ids stay masked in the queue; revealing one is a separate, audited act."""
    return mask_tax_id(value) if name == "tax_id" and value else value


class ApprovalService:
    """The approval queue; decisions never by the maker."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._handlers: dict[Action, ApprovalHandler] = {}

    def register(self, handler: ApprovalHandler) -> None:
        self._handlers[handler.action] = handler

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(self._handlers)

    def _handler(self, action: str) -> ApprovalHandler:
        try:
            return self._handlers[Action(action)]
        except (KeyError, ValueError):
            raise DeskError(f"no handler for supervised action {action!r}") from None

    # -- making a request ------------------------------------------------------------------

    def request(self, proposal: Proposal, reason: str) -> int:
        """File a request for ``proposal``; return its id. Duplicates are refused."""
        if not proposal.action.supervised:
            raise DeskError(f"{proposal.action.value} is not a supervised action")
        self._handler(proposal.action)
        reason = reason.strip()
        if not reason:
            raise ValidationError("reason", "say why the change is needed")
        try:
            with self._uow.write("approval.request", permission=proposal.action) as session:
                return self.file(session, proposal, reason)
        except IntegrityError:
            # Filed by someone else between our check and our insert: the index refused it.
            raise DeskError(
                f"another request to {labels.ACTIONS[proposal.action.value].lower()} for "
                f"{_record_text(proposal.target_key)} was filed a moment ago; "
                "see the approvals queue"
            ) from None

    def file(self, session: Session, proposal: Proposal, reason: str) -> int:
        """Add the request inside an open unit of work (a service that also did other work)."""
        duplicate = session.scalars(
            select(m.ApprovalRequest).where(
                m.ApprovalRequest.action == proposal.action.value,
                m.ApprovalRequest.target_key == proposal.target_key,
                m.ApprovalRequest.status == ApprovalStatus.PENDING,
            )
        ).first()
        if duplicate is not None:
            raise DeskError(
                f"request {duplicate.id} by {duplicate.maker} already asks to "
                f"{labels.ACTIONS[proposal.action.value].lower()} for "
                f"{_record_text(proposal.target_key)}; "
                "withdraw or decide it first"
            )
        content: dict[str, Any] = {"before": proposal.before, "after": proposal.after}
        if proposal.terms is not None:
            content["terms"] = proposal.terms
        row = m.ApprovalRequest(
            action=proposal.action.value,
            target_table=proposal.target_table,
            target_id=proposal.target_id,
            target_version=proposal.target_version,
            target_key=proposal.target_key,
            summary=proposal.summary[:200],
            proposal=canonical_json(content),
            password_hash=proposal.password_hash,
            reason=reason[:500],
            maker=self._uow.actor.username,
            maker_login=self._uow.actor.db_login,
            made_at=datetime.now(UTC),
            status=ApprovalStatus.PENDING,
        )
        session.add(row)
        session.flush()
        return row.id

    # -- reading ---------------------------------------------------------------------------

    def requests(
        self, *, status: ApprovalStatus | None = None, mine: bool = False, search: str = ""
    ) -> KeysetSource:
        """The queue (pending first by age); a user without view-all sees only their own.

        ``search``: each word the request's number, or in its kind, maker, record or
        proposed change.
        """
        r = m.ApprovalRequest
        where = [] if status is None else [r.status == status]
        where += every_word(search, request_matches)
        if mine or not self._uow.actor.can(Action.APPROVAL_VIEW_ALL):
            where.append(r.maker == self._uow.actor.username)
        return KeysetSource(
            self._uow.sessions,
            REQUEST_COLUMNS,
            lambda: [
                r.id,
                r.status,
                r.made_at,
                r.action,
                r.target_key,
                r.summary,
                r.maker,
                r.reason,
                r.decided_by,
                r.decided_at,
                r.decision_note,
            ],  # fmt: skip
            r.id,
            lambda stmt: stmt.select_from(r),
            SortSpec("made_at"),
            where=where,
            transform=_record_label,
        )

    def pending_count(self) -> int:
        return self.requests(status=ApprovalStatus.PENDING).count()

    def detail(self, request_id: int) -> RequestDetail:
        with self._uow.read() as session:
            row = self._get(session, request_id)
            self._check_may_see(row)
            current = self._handler(row.action).current(session, row)
            return self._detail(row, current)

    def _detail(self, row: m.ApprovalRequest, current: Mapping[str, Any] | None) -> RequestDetail:
        proposal = json.loads(row.proposal)
        before, after = proposal["before"], proposal["after"]
        now = dict(current or {})
        names = sorted((set(before) | set(after)) - {"version"})
        rows = tuple(
            FieldRow(
                n, *(_shown(n, v) for v in (before.get(n), now.get(n), after.get(n, before.get(n))))
            )
            for n in names
        )
        stale = row.target_version is not None and now.get("version") != row.target_version
        return RequestDetail(
            id=row.id,
            action=Action(row.action),
            status=row.status,
            target_key=row.target_key,
            summary=row.summary,
            reason=row.reason,
            maker=row.maker,
            made_at=row.made_at,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            decision_note=row.decision_note,
            fields=rows,
            stale=stale and row.status is ApprovalStatus.PENDING,
            decision_refusal=self.row_refusal(row),
            version=row.version,
        )

    def refusal(self, maker: str) -> str | None:
        """Why the current user may not decide an ordinary request made by ``maker``."""
        actor = self._uow.actor
        return decision_refusal(
            maker=maker,
            approver=actor.username,
            roles=actor.roles,
            registrations=actor.registrations,
            today=market_today(),
        )

    def row_refusal(self, row: m.ApprovalRequest, actor: Actor | None = None) -> str | None:
        """Why ``actor`` (default: the current user) may not decide ``row``; None if they may."""
        actor = actor or self._uow.actor
        handler = self._handler(row.action)
        rule = handler if isinstance(handler, DecisionRule) else None
        reason = decision_refusal(
            maker=row.maker,
            approver=actor.username,
            roles=actor.roles,
            registrations=actor.registrations,
            today=market_today(),
            permission=Action.APPROVAL_DECIDE if rule is None else rule.decide_permission,
        )
        if reason is None and rule is not None:
            reason = rule.refusal(row, actor)
        return reason

    # -- deciding --------------------------------------------------------------------------

    def approve(self, request_id: int, comment: str = "", *, credential: str | None = None) -> None:
        """Approve and apply, all in one transaction; refused if stale or self-made.

        ``credential`` is the approver's password, needed when they signed in with
        nothing typed (a local file opened by their computer login).
        """
        self._require_decider()
        self._confirm(credential)
        # Who may decide depends on the request (a grant: compliance too): see `_pending`.
        with self._uow.write("approval.approve", permission=Action.VIEW_BOOKS) as session:
            row = self._pending(session, request_id)
            self._decide(session, row, ApprovalStatus.APPROVED, comment.strip()[:500] or None)
            handler = self._handler(row.action)
            current = handler.current(session, row)
            if row.target_version is not None and (
                current is None or current.get("version") != row.target_version
            ):
                raise StaleRecord(
                    f"request {row.id}: {_record_text(row.target_key)} changed after the "
                    "request was made "
                    f"(version {row.target_version} then, "
                    f"{'deleted' if current is None else current.get('version')} now); "
                    "reject it and ask for a new request"
                )
            after = json.loads(row.proposal)["after"]
            with audit.acting(session, row.action, approval_id=row.id):
                handler.apply(session, row, after)

    def reject(self, request_id: int, reason: str, *, credential: str | None = None) -> None:
        reason = reason.strip()
        if not reason:
            raise ValidationError("reason", "say why the request is rejected")
        self._require_decider()
        self._confirm(credential)
        with self._uow.write("approval.reject", permission=Action.VIEW_BOOKS) as session:
            row = self._pending(session, request_id)
            self._decide(session, row, ApprovalStatus.REJECTED, reason[:500])

    def withdraw(self, request_id: int) -> None:
        """The maker takes back a request nobody has decided yet."""
        with self._uow.write("approval.withdraw", permission=Action.VIEW_BOOKS) as session:
            row = self._get(session, request_id)
            if row.maker != self._uow.actor.username:
                raise NotPermitted(f"request {row.id} is {row.maker}'s; only they can withdraw it")
            self._decide(session, row, ApprovalStatus.WITHDRAWN, None)

    def _decide(
        self, session: Session, row: m.ApprovalRequest, status: ApprovalStatus, note: str | None
    ) -> None:
        """Claim the request for this decision before anything else happens.

        The flush checks the request's version: when two people decide it at the same
        moment, the later one is refused here, told so, and nothing of theirs is applied.
        """
        if row.status is not ApprovalStatus.PENDING:
            by = f" by {row.decided_by}" if row.decided_by else ""
            raise DeskError(f"request {row.id} is already {row.status.value}{by}")
        txid = None
        if status is ApprovalStatus.APPROVED and session.get_bind().dialect.name == "postgresql":
            # The database sets the same: a grant's rows are accepted in this transaction only.
            # Read before the row changes: the query must not flush the decision early.
            txid = session.scalar(text("SELECT txid_current()"))
        row.status = APPROVAL.check(row.status, status)
        row.decided_by = self._uow.actor.username
        row.decided_login = self._uow.actor.db_login
        row.decided_at = datetime.now(UTC)
        row.decision_note = note
        row.decided_txid = txid
        request_id = row.id  # the row cannot be read once a failed flush rolled back
        ctx = audit.context_of(session)
        session.info[audit.CONTEXT_KEY] = replace(ctx, approval_id=request_id)
        try:
            session.flush()  # the decision's own entry names the request too
        except StaleDataError:
            raise StaleRecord(
                f"request {request_id} was decided or withdrawn by someone else a moment ago; "
                "nothing was applied. Reload the queue."
            ) from None
        finally:
            session.info[audit.CONTEXT_KEY] = ctx

    def _require_decider(self) -> None:
        """Someone who may decide nothing at all is told so first (their role)."""
        if not self._uow.actor.can(Action.GRANT_DECIDE):
            self._uow.actor.require(Action.APPROVAL_DECIDE)

    @property
    def needs_credential(self) -> bool:
        """Whether a decision must come with a password (signing in proved nothing typed)."""
        return not self._uow.actor.credentialed

    def _confirm(self, credential: str | None) -> None:
        """Approving always rests on a credential: ask for one if signing in gave none.

        Checked before the transaction opens: a computer-login check may take seconds.
        """
        actor = self._uow.actor
        if actor.credentialed:
            return
        if not credential:
            raise CredentialRequired(actor.username)
        if actor.has_password:
            proven = self._uow.password_matches(credential)
        else:
            proven = verify_os_password(actor.db_login, credential)
        if not proven:
            raise NotPermitted("that password is not right; nothing was decided")
        self._uow.actor = actor.proven_by(Proof.PASSWORD)

    def _pending(self, session: Session, request_id: int) -> m.ApprovalRequest:
        """The request, if the approver (as the database has them now) may decide it."""
        row = self._get(session, request_id)
        refusal = self.row_refusal(row, self._uow.current_actor(session))
        if refusal is not None:
            raise NotPermitted(f"request {row.id}: {refusal}")
        return row

    def _get(self, session: Session, request_id: int) -> m.ApprovalRequest:
        row = session.get(m.ApprovalRequest, request_id)
        if row is None:
            raise DeskError(f"request {request_id}: no such approval request")
        return row

    def _check_may_see(self, row: m.ApprovalRequest) -> None:
        actor = self._uow.actor
        if row.maker != actor.username and not actor.can(Action.APPROVAL_VIEW_ALL):
            raise NotPermitted(f"request {row.id} is {row.maker}'s; you see only your own")
