"""ACATS-style transfers of a client's account to or from another firm.

The public face of ACATS: enter a transfer, record the delivering side's validation
or exception, correct a soft reject, purge, complete. Validating a transfer out
freezes the account (an ACATS restriction), lifted when the transfer ends. A
transfer in completes directly (assets come into the firm); one out becomes a
supervised request, since client assets leave the firm, posted when a principal
other than the maker approves it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.paging import KeysetSource
from desk_app.domain.acats import (
    VALIDATION_STOPS,
    AcatsDeadlines,
    AcatsDirection,
    AcatsStatus,
    AcatsType,
    BusinessDays,
    correction_refusal,
    reject_code,
    residual_refusal,
)
from desk_app.domain.acats_records import TransferView
from desk_app.domain.codes import AccountStatus, RestrictionKind
from desk_app.domain.errors import ValidationError
from desk_app.domain.permissions import Action
from desk_app.services.accounts import restrictions
from desk_app.services.supervision.approvals import ApprovalService
from desk_app.services.transfers import (
    acats_assets,
    acats_moves,
    acats_requests,
    acats_reversal,
    acats_rules,
    acats_views,
)
from desk_app.services.transfers.acats_assets import AssetAsked
from desk_app.services.unit_of_work import UnitOfWork

#: Said where a transfer out would cancel the account's open orders.
NO_ORDER_BOOK = (
    "Desk keeps no order book, so there are no open orders to cancel; the account's "
    "unsettled trades settle as booked"
)


@dataclass(frozen=True)
class Outcome:
    """What an ACATS action did: the transfer, a request filed, and what to tell the clerk.

    ``not_moving``: each listed asset that stays behind, as (asset, reason); nothing is
    left out silently.
    """

    transfer_id: int
    request_id: int | None = None
    notes: tuple[str, ...] = field(default=())
    not_moving: tuple[tuple[str, str], ...] = field(default=())


def _not_moving(transfer: m.AcatsTransfer) -> tuple[tuple[str, str], ...]:
    return tuple(
        (acats_moves.describe(a), a.blocked_reason) for a in transfer.assets if a.blocked_reason
    )


def _not_moving_notes(pairs: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(f"not moving: {what}: {why}" for what, why in pairs)


class AcatsService:
    """ACATS transfers; `acats_requests` files and applies the supervised ones."""

    def __init__(
        self,
        uow: UnitOfWork,
        approvals: ApprovalService,
        calendar: Callable[[], BusinessDays],
        today: Callable[[], date],
    ) -> None:
        self._uow = uow
        self._approvals = approvals
        self._calendar = calendar
        self._today = today
        approvals.register(acats_requests.CompletionHandler(today, calendar))
        approvals.register(acats_requests.ReversalHandler(today, calendar))

    # -- reading ---------------------------------------------------------------------------
    def transfers(self, statuses: Sequence[str] = (), search: str = "") -> KeysetSource:
        """The transfers, nearest deadline first (see `acats_views.transfers`)."""
        for status in statuses:
            if status not in {s.value for s in AcatsStatus}:
                raise ValidationError(
                    "status", f"is not an ACATS status; known: {', '.join(AcatsStatus)}", status
                )
        return acats_views.transfers(
            self._uow.sessions, self._calendar, self._today, statuses, search
        )

    def deadlines(self) -> AcatsDeadlines:
        """The deadlines as the aging limits hold them now (a principal changes them)."""
        with self._uow.read() as session:
            return acats_rules.deadlines(session)

    def view(self, transfer_id: int) -> TransferView:
        with self._uow.read() as session:
            transfer = acats_rules.get(session, transfer_id)
            return acats_views.view_of(session, transfer, self._today(), self._calendar())

    # -- entering --------------------------------------------------------------------------
    def new(
        self,
        direction: AcatsDirection,
        account: str,
        *,
        contra: str,
        contra_account: str,
        transfer_type: AcatsType,
        assets: Sequence[AssetAsked] = (),
        cash: Sequence[tuple[str, Decimal]] = (),
    ) -> Outcome:
        """Enter a transfer and send it for review; a full one out lists all the account holds."""
        contra_account = contra_account.strip()
        if not contra_account:
            raise ValidationError("contra-account", "is required (the account at the contra firm)")
        today, calendar = self._today(), self._calendar()
        with self._uow.write(Action.ACATS_WORK) as session:
            client = acats_rules.account(session, account)
            if client.status is AccountStatus.CLOSED:
                raise ValidationError("account", "is closed", client.account_number)
            firm = acats_rules.contra_firm(session, contra)
            if transfer_type is AcatsType.RESIDUAL:
                _refuse_residual(session, client, direction)
            _refuse_duplicate(session, client, firm, direction)
            transfer = m.AcatsTransfer(
                direction=direction, account_id=client.id, contra_id=firm.id,
                contra_account=contra_account[:34], transfer_type=transfer_type,
                status=AcatsStatus.REQUEST, status_since=today, requested_on=today,
                resubmissions=0, requested_by=self._uow.actor.username,
                requested_at=datetime.now(UTC),
            )  # fmt: skip
            session.add(transfer)
            session.flush()
            rows = acats_assets.rows(session, transfer, client, assets, cash)
            if not rows and (direction is AcatsDirection.IN or transfer_type is not AcatsType.FULL):
                raise ValidationError(
                    "asset", "list what moves (--asset ISIN=QTY or --cash CUR=AMOUNT)"
                    + ("; only a full transfer out lists the account's holdings itself"
                       if direction is AcatsDirection.OUT else ""),
                )  # fmt: skip
            if not rows:
                rows = acats_assets.holdings(session, transfer, client)
            if not rows:
                raise ValidationError("account", "holds nothing to transfer", client.account_number)
            session.add_all(rows)
            session.flush()
            acats_rules.move(session, transfer, AcatsStatus.REVIEW, today, calendar)
            session.refresh(transfer, ["assets"])
            staying = _not_moving(transfer)
            return Outcome(transfer.id, notes=_not_moving_notes(staying), not_moving=staying)

    def new_from_text(
        self,
        direction: AcatsDirection,
        account: str,
        *,
        contra: str,
        contra_account: str,
        transfer_type: AcatsType,
        assets: Sequence[tuple[str, Decimal]],
        cash: Sequence[tuple[str, Decimal]],
    ) -> Outcome:
        """`new` with the assets as (ISIN, quantity): what a screen's form gives (no lots)."""
        return self.new(
            direction, account, contra=contra, contra_account=contra_account,
            transfer_type=transfer_type, assets=[AssetAsked(i, q) for i, q in assets], cash=cash,
        )  # fmt: skip

    # -- the delivering side's answer ------------------------------------------------------
    def validate(self, transfer_id: int) -> Outcome:
        """Validated: a transfer out freezes the account until the transfer ends."""
        today, calendar = self._today(), self._calendar()
        with self._uow.write(Action.ACATS_WORK) as session:
            transfer = acats_rules.get(session, transfer_id)
            if transfer.direction is AcatsDirection.OUT and transfer.status is AcatsStatus.REVIEW:
                _refuse_held(session, transfer, today)
            acats_rules.move(session, transfer, AcatsStatus.VALIDATED, today, calendar)
            if transfer.direction is not AcatsDirection.OUT:
                return Outcome(transfer.id)
            restrictions.place(
                session, transfer.account, RestrictionKind.ACATS,
                reason=f"ACATS transfer {transfer.id} out to {transfer.contra.code} validated",
                placed_by=self._uow.actor.username, starts_on=today,
                source_key=acats_moves.source_key(transfer),
            )  # fmt: skip
            trades = acats_views.unsettled_trades(session, transfer.account_id)
            notes = [f"account {transfer.account.account_number} frozen (ACATS)", NO_ORDER_BOOK]
            notes += [f"unsettled: {line}" for line in trades] or ["no unsettled trades"]
            return Outcome(transfer.id, notes=tuple(notes))

    def take_exception(self, transfer_id: int, code: str, note: str = "") -> Outcome:
        """Rejected with a reject code: a soft one opens the receiver's correction window."""
        found = reject_code(code)
        today, calendar = self._today(), self._calendar()
        with self._uow.write(Action.ACATS_WORK) as session:
            transfer = acats_rules.get(session, transfer_id)
            transfer.reject_code, transfer.reject_note = found.code, note.strip()[:500] or None
            acats_rules.move(session, transfer, AcatsStatus.REJECTED, today, calendar)
            _lift(session, transfer, self._uow.actor.username, f"rejected ({found.code})")
            kind = "soft: the receiver may correct it" if found.soft else "hard: it ends here"
            due = f" by {transfer.deadline_on.isoformat()}" if transfer.deadline_on else ""
            return Outcome(transfer.id, notes=(f"{found.code} is {kind}{due}",))

    def correct(
        self, transfer_id: int, contra_account: str | None = None, note: str = ""
    ) -> Outcome:
        """The receiver corrected a soft reject: the request goes back for review."""
        today, calendar = self._today(), self._calendar()
        with self._uow.write(Action.ACATS_WORK) as session:
            transfer = acats_rules.get(session, transfer_id)
            if transfer.status is not AcatsStatus.REJECTED:
                raise ValidationError(
                    "transfer", f"{transfer.id} is {transfer.status.label.lower()}, not rejected"
                )
            why = correction_refusal(transfer.reject_code, transfer.rejected_on, today, calendar,
                                     acats_rules.deadlines(session))  # fmt: skip
            if why is not None:
                raise ValidationError("transfer", f"{transfer.id} cannot be corrected: {why}")
            if contra_account is not None and contra_account.strip():
                transfer.contra_account = contra_account.strip()[:34]
            transfer.reject_note = f"corrected after {transfer.reject_code}: {note.strip()}".strip(
                ": "
            )[:500]
            transfer.reject_code = None
            transfer.resubmissions += 1
            acats_rules.move(session, transfer, AcatsStatus.REVIEW, today, calendar)
            return Outcome(transfer.id)

    def purge(self, transfer_id: int, reason: str) -> Outcome:
        """Withdrawn or timed out: nothing moved; the account's ACATS freeze is lifted."""
        if not reason.strip():
            raise ValidationError("reason", "say why the transfer is purged")
        today, calendar = self._today(), self._calendar()
        with self._uow.write(Action.ACATS_WORK) as session:
            transfer = acats_rules.get(session, transfer_id)
            acats_rules.move(session, transfer, AcatsStatus.PURGED, today, calendar)
            transfer.reject_note = f"purged: {reason.strip()}"[:500]
            _lift(session, transfer, self._uow.actor.username, f"purged: {reason.strip()}")
            return Outcome(transfer.id)

    # -- completing ------------------------------------------------------------------------
    def complete(self, transfer_id: int, reason: str = "") -> Outcome:
        """In: post it now. Out: settle-prep, and a request a principal approves."""
        self._uow.actor.require(Action.ACATS_WORK)  # before the record is even looked at
        today, calendar = self._today(), self._calendar()
        with self._uow.read() as session:
            out = acats_rules.get(session, transfer_id).direction is AcatsDirection.OUT
        if not out:
            with self._uow.write(Action.ACATS_WORK) as session:
                transfer = acats_rules.get(session, transfer_id)
                acats_moves.complete(session, transfer, today, calendar)
                staying = _not_moving(transfer)
                return Outcome(transfer.id, notes=_not_moving_notes(staying), not_moving=staying)
        with self._uow.write(Action.ACATS_COMPLETE_OUT) as session:
            transfer = acats_rules.get(session, transfer_id)
            if transfer.status is AcatsStatus.VALIDATED:
                acats_rules.move(session, transfer, AcatsStatus.SETTLE_PREP, today, calendar)
            elif transfer.status is not AcatsStatus.SETTLE_PREP:
                state = transfer.status.label.lower()
                raise ValidationError("transfer", f"{transfer.id} is {state}: validate it first")
            acats_moves.check_out(session, transfer, today)
            summary = (
                f"ACATS transfer {transfer.id} out: {transfer.account.account_number} "
                f"to {transfer.contra.code}"
            )
            why = reason.strip() or "the contra firm is ready to receive the assets"
            acats_requests.file(session, self._approvals, transfer,
                                action=Action.ACATS_COMPLETE_OUT, summary=summary,
                                target=AcatsStatus.COMPLETED, why=why)  # fmt: skip
            staying = _not_moving(transfer)
            notes = (summary, *_not_moving_notes(staying))
            return Outcome(transfer.id, transfer.approval_id, notes, staying)

    # -- reversing -------------------------------------------------------------------------
    def reverse(self, transfer_id: int, reason: str) -> Outcome:
        """Undo a completed transfer: out, at once; in (assets leave), a principal's request."""
        why = reason.strip()
        if not why:
            raise ValidationError("reason", "say why the transfer is reversed")
        self._uow.actor.require(Action.ACATS_WORK)
        today, calendar = self._today(), self._calendar()
        with self._uow.read() as session:
            out = acats_rules.get(session, transfer_id).direction is AcatsDirection.OUT
        if out:
            with self._uow.write(Action.ACATS_WORK) as session:
                transfer = acats_rules.get(session, transfer_id)
                acats_reversal.post(session, transfer, why, today, calendar)
                return Outcome(transfer.id, notes=(f"back in {transfer.account.account_number}",))
        with self._uow.write(Action.ACATS_REVERSE_IN) as session:
            transfer = acats_rules.get(session, transfer_id)
            acats_reversal.check(session, transfer, today)
            number, contra = transfer.account.account_number, transfer.contra.code
            summary = f"ACATS transfer {transfer.id} in reversed: {number} back to {contra}"
            acats_requests.file(session, self._approvals, transfer,
                                action=Action.ACATS_REVERSE_IN, summary=summary,
                                target=AcatsStatus.REVERSED, why=why)  # fmt: skip
            return Outcome(transfer.id, transfer.approval_id, (summary,))


def _lift(session: Session, transfer: m.AcatsTransfer, who: str, why: str) -> None:
    restrictions.lift_source(
        session,
        acats_moves.source_key(transfer),
        who,
        f"ACATS transfer {transfer.id} {why}",
    )


def _refuse_held(session: Session, transfer: m.AcatsTransfer, today: date) -> None:
    """A transfer out is not validated while a legal hold or stop transfer is in force."""
    held = [
        r for r in restrictions.in_force(session, transfer.account_id, today)
        if r.kind.value in VALIDATION_STOPS
    ]  # fmt: skip
    if held:
        named = "; ".join(
            f"{r.kind.label.lower()} since {r.starts_on.isoformat()} ({r.reason})" for r in held
        )
        raise ValidationError(
            "account", f"{transfer.account.account_number} has a {named}: a transfer out "
            f"cannot be validated while it holds (take exception, or lift it first)",
        )  # fmt: skip


def _refuse_residual(session: Session, client: m.Account, direction: AcatsDirection) -> None:
    """A residual credit follows a completed full transfer the same way for that account."""
    T = m.AcatsTransfer
    prior = session.scalars(
        select(T.id).where(
            T.account_id == client.id,
            T.direction == direction,
            T.transfer_type == AcatsType.FULL,
            T.status == AcatsStatus.COMPLETED,
        )  # fmt: skip
    ).first()
    why = residual_refusal(direction, client.account_number, prior is not None)
    if why is not None:
        raise ValidationError("type", why)


def _refuse_duplicate(
    session: Session, client: m.Account, firm: m.Counterparty, direction: AcatsDirection
) -> None:
    T = m.AcatsTransfer
    open_ = [s for s in AcatsStatus if s.is_open]
    found = session.scalars(
        select(T.id).where(
            T.account_id == client.id,
            T.contra_id == firm.id,
            T.direction == direction,
            T.status.in_(open_),
        )  # fmt: skip
    ).first()
    if found is not None:
        raise ValidationError(
            "account", f"ACATS transfer {found} with {firm.code} is already open for it",
            client.account_number,
        )  # fmt: skip


__all__ = ["NO_ORDER_BOOK", "AcatsDeadlines", "AcatsService", "AssetAsked", "Outcome"]
