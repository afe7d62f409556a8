"""Reversing a completed ACATS transfer: one posting that moves its assets back.

The reversal posts the completion's entries with their signs turned, as a posting
that reverses it, so the lots follow (`services.settlement.lots`): a transfer out
reversed gives the account back the very lots it took; a transfer in reversed
removes the lots the contra firm stated. Reversing a transfer in takes assets out
of a client's account, so it is a supervised request, like a completion out, posted
when a principal other than the maker approves it; reversing one out brings them
back at once. The ACATS restriction is not placed again: the transfer has ended.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import ledger_book
from desk_app.db import models as m
from desk_app.db.ledger_book import REVERSAL
from desk_app.db.restriction_book import refuse_if
from desk_app.domain.acats import ONLY_COMPLETED, AcatsDirection, AcatsStatus, BusinessDays
from desk_app.domain.codes import AccountStatus
from desk_app.domain.errors import ValidationError
from desk_app.domain.ledger import Movement
from desk_app.domain.money import format_quantity
from desk_app.domain.restrictions import Movement as Stop
from desk_app.services import audit
from desk_app.services.transfers import acats_rules
from desk_app.services.transfers.acats_moves import describe


def _moves(session: Session, transfer: m.AcatsTransfer) -> list[Movement]:
    """The completion's movements, each turned round."""
    E = m.LedgerEntry
    entries = session.scalars(select(E).where(E.posting_id == transfer.posting_id).order_by(E.id))
    moves = [ledger_book.movement_of(e) for e in entries]
    return [Movement(x.holder, x.book, x.asset, -x.delta) for x in moves]


def check(session: Session, transfer: m.AcatsTransfer, today: date) -> None:
    """Refuse a reversal the books cannot make now; nothing is changed."""
    if transfer.status is not AcatsStatus.COMPLETED or transfer.posting_id is None:
        state = transfer.status.label.lower()
        raise ValidationError("transfer", f"{transfer.id} is {state}: {ONLY_COMPLETED}")
    account = transfer.account
    if account.status is AccountStatus.CLOSED:
        raise ValidationError("account", "is closed: nothing moves", account.account_number)
    if transfer.direction is AcatsDirection.OUT:
        return  # the assets come back into the account
    refuse_if(session, account, Stop.JOURNAL_OUT, today)
    for move in _moves(session, transfer):
        if move.holder.kind != "account" or move.delta >= 0:
            continue
        held = ledger_book.kept_balance(session, move.balance_key)
        if -move.delta > held:
            back = format_quantity(-move.delta)
            raise ValidationError(
                "asset", f"{account.account_number} holds {format_quantity(held)} of "
                f"{_asset_name(transfer, move)}; the reversal gives back {back}",
            )  # fmt: skip


def _asset_name(transfer: m.AcatsTransfer, move: Movement) -> str:
    for asset in transfer.assets:
        if asset.currency == move.asset or str(asset.instrument_id) == move.asset:
            return describe(asset).split(" ", 1)[1]
    return move.asset


def post(
    session: Session,
    transfer: m.AcatsTransfer,
    reason: str,
    today: date,
    calendar: BusinessDays,
) -> m.LedgerPosting:
    """Post the reversal and mark the transfer reversed, the reason kept on it."""
    check(session, transfer, today)
    moves = _moves(session, transfer)
    ledger_book.lock(session, (move.balance_key for move in moves))
    check(session, transfer, today)  # again, under the locks
    original = session.get_one(m.LedgerPosting, transfer.posting_id)
    posting = m.LedgerPosting(
        obligation_id=None, kind=REVERSAL, quantity=original.quantity, amount=original.amount,
        currency=original.currency, reverses_id=original.id,
        reason=f"ACATS {transfer.direction.value} {transfer.id} reversed: {reason}"[:200],
        posted_at=datetime.now(UTC), posted_by=audit.context_of(session).app_user,
    )  # fmt: skip
    ledger_book.post(session, posting, moves)
    transfer.reject_note = f"reversed: {reason}"[:500]
    acats_rules.move(session, transfer, AcatsStatus.REVERSED, today, calendar)
    return posting


def reversal_id(session: Session, transfer: m.AcatsTransfer) -> int | None:
    """The posting that reversed the transfer, if it was."""
    if transfer.posting_id is None:
        return None
    P = m.LedgerPosting
    return session.scalars(select(P.id).where(P.reverses_id == transfer.posting_id)).first()
