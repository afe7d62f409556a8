"""ACATS-style transfers of a client's account to or from another firm.

The public face of ACATS: enter a transfer, record the delivering side's validation
or exception, correct a soft reject, purge, complete. Validating a transfer out
freezes the account (an ACATS restriction), lifted when the transfer ends. A
transfer in completes directly (assets come into the firm); one out becomes a
supervised request, since client assets leave the firm, posted when a principal
other than the maker approves it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import ledger_book
from desk_app.db import models as m
from desk_app.db.paging import KeysetSource
from desk_app.domain.acats import (
    AcatsDirection,
    AcatsStatus,
    AcatsType,
    BusinessDays,
    cannot_move,
    correction_refusal,
    reject_code,
)
from desk_app.domain.acats_records import TransferView
from desk_app.domain.codes import AccountStatus, RestrictionKind
from desk_app.domain.errors import ValidationError
from desk_app.domain.ledger import Book, Holder
from desk_app.domain.lots import Lot, holding
from desk_app.domain.money import round_money
from desk_app.domain.permissions import Action
from desk_app.domain.trade_rows import parse_currency
from desk_app.services.accounts import restrictions
from desk_app.services.firm import firm_name
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.transfers import acats_moves, acats_rules, acats_views
from desk_app.services.transfers.acats_rules import TABLE
from desk_app.services.unit_of_work import UnitOfWork

#: Said where a transfer out would cancel the account's open orders.
NO_ORDER_BOOK = (
    "Desk keeps no order book, so there are no open orders to cancel; the account's "
    "unsettled trades settle as booked"
)


@dataclass(frozen=True)
class AssetAsked:
    """An instrument asked for: its ISIN, the quantity and, for a transfer in, its lots."""

    isin: str
    quantity: Decimal
    lots: tuple[Lot, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What an ACATS action did: the transfer, a request filed, and what to tell the clerk."""

    transfer_id: int
    request_id: int | None = None
    notes: tuple[str, ...] = field(default=())


class AcatsService:
    """ACATS transfers; `acats_moves.CompletionHandler` completes the supervised ones."""

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
        approvals.register(acats_moves.CompletionHandler(today, calendar))

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
            rows = _asset_rows(session, transfer, client, assets, cash)
            if not rows and (direction is AcatsDirection.IN or transfer_type is not AcatsType.FULL):
                raise ValidationError(
                    "asset", "list what moves (--asset ISIN=QTY or --cash CUR=AMOUNT)"
                    + ("; only a full transfer out lists the account's holdings itself"
                       if direction is AcatsDirection.OUT else ""),
                )  # fmt: skip
            if not rows:
                rows = _holdings(session, transfer, client)
            if not rows:
                raise ValidationError("account", "holds nothing to transfer", client.account_number)
            session.add_all(rows)
            session.flush()
            acats_rules.move(session, transfer, AcatsStatus.REVIEW, today, calendar)
            blocked = [
                f"cannot move: {acats_moves.describe(r)}: {r.blocked_reason}"
                for r in rows
                if r.blocked_reason
            ]
            return Outcome(transfer.id, notes=tuple(blocked))

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
            why = correction_refusal(transfer.reject_code, transfer.rejected_on, today, calendar)
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
                return Outcome(transfer.id)
        with self._uow.write(Action.ACATS_COMPLETE_OUT) as session:
            transfer = acats_rules.get(session, transfer_id)
            if transfer.status is AcatsStatus.VALIDATED:
                acats_rules.move(session, transfer, AcatsStatus.SETTLE_PREP, today, calendar)
            elif transfer.status is not AcatsStatus.SETTLE_PREP:
                state = transfer.status.label.lower()
                raise ValidationError("transfer", f"{transfer.id} is {state}: validate it first")
            acats_moves.check_out(session, transfer, today)
            values = acats_moves.values(transfer)
            summary = (
                f"ACATS transfer {transfer.id} out: {transfer.account.account_number} "
                f"to {transfer.contra.code}"
            )
            proposal = Proposal(
                Action.ACATS_COMPLETE_OUT, TABLE, f"{TABLE}:{transfer.id}", summary,
                values, {**values, "status": AcatsStatus.COMPLETED.value}, transfer.id,
            )  # fmt: skip
            why = reason.strip() or "the contra firm is ready to receive the assets"
            transfer.approval_id = self._approvals.file(session, proposal, why)
            return Outcome(transfer.id, transfer.approval_id, (summary,))


def _lift(session: Session, transfer: m.AcatsTransfer, who: str, why: str) -> None:
    restrictions.lift_source(
        session,
        acats_moves.source_key(transfer),
        who,
        f"ACATS transfer {transfer.id} {why}",
    )


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


def _blocked(session: Session, instrument: m.Instrument) -> str | None:
    name = firm_name(session)
    return cannot_move(instrument.instrument_type, instrument.active, instrument.issuer, name)


def _asset_rows(
    session: Session,
    transfer: m.AcatsTransfer,
    client: m.Account,
    assets: Sequence[AssetAsked],
    cash: Sequence[tuple[str, Decimal]],
) -> list[m.AcatsAsset]:
    """The listed assets, checked: an instrument once, lots adding up, out: held now."""
    direction = transfer.direction
    rows: list[m.AcatsAsset] = []
    seen: set[str] = set()
    for asked in assets:
        instrument = acats_rules.instrument(session, asked.isin)
        if instrument.isin in seen:
            raise ValidationError("asset", "is listed twice", instrument.isin)
        seen.add(instrument.isin)
        if asked.quantity <= 0:
            raise ValidationError("asset", f"{instrument.isin}: quantity must be greater than 0")
        lots = None
        if asked.lots:
            if direction is AcatsDirection.OUT:
                raise ValidationError(
                    "lot", "a transfer out takes the account's lots, oldest first"
                )
            total = holding(asked.lots)[0]
            if total != asked.quantity:
                raise ValidationError(
                    "lot", f"{instrument.isin}: the lots add up to {total}, not {asked.quantity}"
                )
            lots = json.dumps([lot.to_json() for lot in asked.lots])
        if direction is AcatsDirection.OUT:
            _check_held(session, client, Book.SECURITIES, str(instrument.id), asked.quantity,
                        name=instrument.isin)  # fmt: skip
        rows.append(m.AcatsAsset(
            transfer_id=transfer.id, instrument=instrument, instrument_id=instrument.id,
            quantity=asked.quantity, lots=lots, blocked_reason=_blocked(session, instrument),
        ))  # fmt: skip
    for currency, amount in cash:
        code = parse_currency("cash", currency.strip().upper())
        if amount <= 0 or round_money(amount, code) != amount:
            raise ValidationError("cash", f"{code}: not an amount {code} can be paid", str(amount))
        if code in seen:
            raise ValidationError("cash", "is listed twice", code)
        seen.add(code)
        if direction is AcatsDirection.OUT:
            _check_held(session, client, Book.CASH, code, amount, name=code)
        rows.append(m.AcatsAsset(transfer_id=transfer.id, currency=code, amount=amount))
    return rows


def _check_held(
    session: Session, client: m.Account, book: Book, asset: str, size: Decimal, *, name: str
) -> None:
    key = acats_rules.balance_key(Holder("account", client.id), book, asset)
    held = ledger_book.kept_balance(session, key)
    if size > held:
        field = "asset" if book is Book.SECURITIES else "cash"
        raise ValidationError(field, f"{client.account_number} holds {held} of {name}; "
                              f"the transfer lists {size}")  # fmt: skip


def _holdings(session: Session, transfer: m.AcatsTransfer, client: m.Account) -> list[m.AcatsAsset]:
    """A full transfer out: every position and cash balance the account holds now."""
    B = m.LedgerBalance
    balances = session.scalars(
        select(B).where(B.account_id == client.id).order_by(B.book, B.balance_key)
    )
    rows: list[m.AcatsAsset] = []
    for b in balances:
        if b.book is Book.SECURITIES and b.quantity and b.quantity > 0:
            instrument = session.get_one(m.Instrument, b.instrument_id)
            rows.append(m.AcatsAsset(
                transfer_id=transfer.id, instrument=instrument, instrument_id=b.instrument_id,
                quantity=b.quantity, blocked_reason=_blocked(session, instrument),
            ))  # fmt: skip
        elif b.book is Book.CASH and b.amount and b.amount > 0:
            rows.append(m.AcatsAsset(transfer_id=transfer.id, currency=b.currency, amount=b.amount))
    return rows


__all__ = ["NO_ORDER_BOOK", "AcatsService", "AssetAsked", "Outcome"]
