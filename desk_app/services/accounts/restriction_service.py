"""Placing and lifting an account's restrictions: what the Accounts tab and the CLI call.

Placing one is protective: a clerk places it and it holds at once (a freeze that waited
for a principal would let the money go meanwhile). Lifting one lets things move
again, so it is a supervised request that a principal other than the maker approves;
the approval lifts it in its own transaction and records who lifted it and why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.restriction_book import Badged
from desk_app.domain.codes import RestrictionKind
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.listing import Column, ColumnKind, PageSource
from desk_app.domain.permissions import Action
from desk_app.domain.restrictions import by_hand_refusal, default_end
from desk_app.domain.states import ApprovalStatus
from desk_app.services import audit
from desk_app.services.accounts import restrictions
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.unit_of_work import UnitOfWork

TABLE = restrictions.TABLE
K = ColumnKind
KIND_LABELS = {kind.value: kind.label for kind in RestrictionKind}
#: An account's restrictions as a list shows them (the page, ``accounts restrictions``).
RESTRICTION_COLUMNS = (
    Column("id", "Restriction", K.INT),
    Column("kind", "Kind", K.STATUS, KIND_LABELS),
    Column("state", "State"),
    Column("starts_on", "From", K.DATE),
    Column("ends_on", "Until", K.DATE),
    Column("reason", "Reason"),
    Column("placed_by", "Placed by"),
    Column("placed_at", "Placed at", K.DATETIME),
    Column("lift_request", "Lift request", K.INT),
    Column("lifted_by", "Lifted by"),
    Column("lifted_at", "Lifted at", K.DATETIME),
    Column("lift_reason", "Why lifted"),
)


@dataclass(frozen=True)
class RestrictionLine:
    """One restriction as the Restrictions page and ``accounts restrictions`` show it."""

    id: int
    kind: RestrictionKind
    reason: str
    starts_on: date
    ends_on: date | None
    placed_by: str
    placed_at: datetime
    state: str  # in force, to start, ended, lifted
    lifted_by: str | None
    lifted_at: datetime | None
    lift_reason: str | None
    lift_request: int | None  # a pending request to lift it

    def row(self) -> tuple[Any, ...]:
        """The values of `RESTRICTION_COLUMNS`, in their order."""
        return (
            self.id, self.kind.value, self.state, self.starts_on, self.ends_on, self.reason,
            self.placed_by, self.placed_at, self.lift_request, self.lifted_by, self.lifted_at,
            self.lift_reason,
        )  # fmt: skip

    @property
    def open(self) -> bool:
        """In force or yet to start: what a lift may end."""
        return self.state in ("in force", "to start")


def state_of(row: m.AccountRestriction, today: date) -> str:
    """``in force``, ``to start``, ``ended`` (its last day passed) or ``lifted``."""
    if row.lifted_at is not None:
        return "lifted"
    if row.ends_on is not None and row.ends_on < today:
        return "ended"
    return "to start" if row.starts_on > today else "in force"


class RestrictionService:
    """An account's restrictions: list them, place one, ask to lift one."""

    def __init__(
        self, uow: UnitOfWork, approvals: ApprovalService, today: Callable[[], date] = market_today
    ) -> None:
        self._uow = uow
        self._approvals = approvals
        self._today = today
        approvals.register(_LiftHandler())

    def restrictions(self, number: str, *, include_past: bool = True) -> list[RestrictionLine]:
        """The account's restrictions, oldest first; without ``include_past`` only open ones."""
        today = self._today()
        with self._uow.read() as session:
            account = _account(session, number)
            R = m.AccountRestriction
            rows = session.scalars(
                select(R).where(R.account_id == account.id).order_by(R.starts_on, R.id)
            ).all()
            pending = _pending_lifts(session, [r.id for r in rows])
            lines = [_line(row, today, pending.get(row.id)) for row in rows]
        return lines if include_past else [line for line in lines if line.open]

    def place(
        self,
        number: str,
        kind: RestrictionKind | str,
        reason: str,
        *,
        starts_on: date | None = None,
        ends_on: date | None = None,
    ) -> int:
        """Restrict the account now (or from ``starts_on``); its id.

        A Reg T freeze without an end date ends 90 calendar days on.
        """
        try:
            what = RestrictionKind(kind)
        except ValueError:
            known = ", ".join(k.value for k in RestrictionKind)
            raise ValidationError("kind", f"is not a kind of restriction ({known})", kind) from None
        refused = by_hand_refusal(what)
        if refused is not None:
            raise ValidationError("kind", refused, what.value)
        start = starts_on or self._today()
        end = ends_on or default_end(what, start)
        with self._uow.write(Action.ACCOUNT_RESTRICT) as session:
            account = _account(session, number)
            row = restrictions.place(
                session, account, what, reason=reason, placed_by=self._uow.actor.username,
                starts_on=start, ends_on=end, on=self._today(),
            )  # fmt: skip
            return row.id

    def badged(self, source: PageSource, account_key: str = "account") -> PageSource:
        """``source`` with each account's restriction badge, read a page at a time."""
        badged: PageSource = Badged(source, self._uow.sessions, account_key)
        return badged

    def request_lift(self, restriction_id: int, reason: str) -> int:
        """Ask a principal to lift a restriction; the request's id."""
        self._uow.actor.require(Action.ACCOUNT_LIFT_RESTRICTION)  # before what it would say
        with self._uow.read() as session:
            row = _get(session, restriction_id)
            state = state_of(row, self._today())
            if state in ("lifted", "ended"):
                raise ValidationError(
                    "restriction", f"{row.id} is {state}: there is nothing to lift", row.id
                )
            before = _values(row)
            number = row.account.account_number
        after = {"state": "lifted"}
        proposal = Proposal(
            Action.ACCOUNT_LIFT_RESTRICTION, TABLE, f"{TABLE}:{restriction_id}",
            f"Lift {row.kind.label.lower()} on {number} (restriction {restriction_id})",
            before, after, restriction_id, before["version"],
        )  # fmt: skip
        return self._approvals.request(proposal, reason)


def _values(row: m.AccountRestriction) -> dict[str, Any]:
    """A restriction as a lift request shows it (and compares for staleness)."""
    return {
        "account": row.account.account_number,
        "kind": row.kind.label,
        "reason": row.reason,
        "from": row.starts_on.isoformat(),
        "until": row.ends_on.isoformat() if row.ends_on else None,
        "placed_by": row.placed_by,
        "state": "lifted" if row.lifted_at is not None else "not lifted",
        "version": row.version,
    }


def _line(row: m.AccountRestriction, today: date, request: int | None) -> RestrictionLine:
    return RestrictionLine(
        row.id, row.kind, row.reason, row.starts_on, row.ends_on, row.placed_by, row.placed_at,
        state_of(row, today), row.lifted_by, row.lifted_at, row.lift_reason, request,
    )  # fmt: skip


def _pending_lifts(session: Session, ids: list[int]) -> dict[int, int]:
    """Pending lift requests by the restriction they would lift."""
    if not ids:
        return {}
    r = m.ApprovalRequest
    rows = session.execute(
        select(r.target_id, r.id).where(
            r.action == Action.ACCOUNT_LIFT_RESTRICTION.value,
            r.status == ApprovalStatus.PENDING,
            r.target_id.in_(ids),
        )
    ).all()
    return {target: request for target, request in rows if target is not None}


def _account(session: Session, number: str) -> m.Account:
    text = number.strip().upper()
    account = session.scalars(
        select(m.Account).where(m.Account.account_number == text)
    ).one_or_none()
    if account is None:
        raise DeskError(f"account {number.strip()}: no such account")
    return account


def _get(session: Session, restriction_id: int) -> m.AccountRestriction:
    row = session.get(m.AccountRestriction, restriction_id)
    if row is None:
        raise DeskError(f"restriction {restriction_id}: no such restriction")
    return row


class _LiftHandler:
    """Lifts the restriction when a principal approves; the approver is who lifted it."""

    action = Action.ACCOUNT_LIFT_RESTRICTION

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        row = session.get(m.AccountRestriction, request.target_id)
        return None if row is None else _values(row)

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        row = session.get(m.AccountRestriction, request.target_id)
        if row is None:
            raise DeskError(f"request {request.id}: the restriction no longer exists")
        why = f"{request.reason} (asked by {request.maker}, request {request.id})"
        restrictions.lift(session, row, audit.context_of(session).app_user, why[:500])
