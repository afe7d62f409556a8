"""Journals between client accounts: cash or securities, always a supervised request.

The clerk asks; the journal is recorded with its approval request in one
transaction, checked against what the source account holds now. A principal other
than the maker approves it; the check is made again inside the approval's own
transaction (two requests that together overdraw: the second approval is refused),
and the journal is posted to the ledger as two balancing legs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import ledger_book
from desk_app.db import models as m
from desk_app.db.restriction_book import refuse_if
from desk_app.domain.codes import AccountStatus
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.ledger import Book, Holder, Movement, journal_movements
from desk_app.domain.lots import Lot, named_of, take, take_named
from desk_app.domain.money import canonical, format_amount, format_quantity, round_money
from desk_app.domain.permissions import Action
from desk_app.domain.restrictions import Movement as Stop
from desk_app.domain.trade_rows import parse_currency, parse_isin
from desk_app.services import audit
from desk_app.services.settlement.lots import lots_of
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.unit_of_work import UnitOfWork

TABLE = "journals"
JOURNAL = "journal"


@dataclass(frozen=True)
class JournalRequest:
    """A journal asked for: its number and the approval request that decides it."""

    journal_id: int
    request_id: int
    summary: str


@dataclass(frozen=True)
class _Leg:
    """What one journal moves, resolved against the database."""

    book: Book
    source: m.Account
    target: m.Account
    asset: str  # currency, or the instrument id as text
    size: Decimal
    instrument: m.Instrument | None = None

    @property
    def source_key(self) -> str:
        return Movement(
            Holder("account", self.source.id), self.book, self.asset, self.size
        ).balance_key

    def text(self, size: Decimal) -> str:
        """A size as a request records it: whole cents for cash, exact shares."""
        return str(round_money(size, self.asset) if self.instrument is None else canonical(size))

    def describe(self, size: Decimal | None = None) -> str:
        """``1,250.00 USD`` or ``300 US0378331005 (AAPL)``."""
        value = self.size if size is None else size
        if self.instrument is None:
            return f"{format_amount(value)} {self.asset}"
        name = self.instrument.symbol or self.instrument.description
        return f"{format_quantity(value)} {self.instrument.isin} ({name})"


class TransferService:
    """Ask for journals; the approval handlers below post them."""

    def __init__(self, uow: UnitOfWork, approvals: ApprovalService) -> None:
        self._uow = uow
        self._approvals = approvals
        for action in (Action.TRANSFER_CASH, Action.TRANSFER_SECURITIES):
            approvals.register(_JournalHandler(action))

    # -- what an account holds -------------------------------------------------------------
    def available_cash(self, account: str, currency: str) -> Decimal:
        """Settled cash in ``currency`` that a journal may take from ``account`` now."""
        code = parse_currency("currency", currency.strip())
        with self._uow.read() as session:
            source = _account(session, account, "from")
            return ledger_book.kept_balance(session, _key(source, Book.CASH, code))

    def lots(self, account: str, isin: str) -> list[Lot]:
        """The account's cost-basis lots in ``isin``, oldest first."""
        with self._uow.read() as session:
            holder = _account(session, account, "account")
            instrument = _instrument(session, isin)
            return lots_of(session, holder.id, instrument.id)

    def available_position(self, account: str, isin: str) -> Decimal:
        """Settled quantity of ``isin`` that a journal may take from ``account`` now."""
        with self._uow.read() as session:
            source = _account(session, account, "from")
            instrument = _instrument(session, isin)
            return ledger_book.kept_balance(
                session, _key(source, Book.SECURITIES, str(instrument.id))
            )

    # -- asking ----------------------------------------------------------------------------
    def request_cash(
        self, from_account: str, to_account: str, amount: Decimal, currency: str, reason: str
    ) -> JournalRequest:
        """Ask to move ``amount`` of ``currency`` between two accounts."""
        code = parse_currency("currency", currency.strip())
        if amount <= 0:
            raise ValidationError("amount", "must be greater than 0", str(amount))
        if round_money(amount, code) != amount:
            raise ValidationError("amount", f"is finer than {code} can be paid", str(amount))
        return self._request(Action.TRANSFER_CASH, from_account, to_account, reason,
                             lambda session: (Book.CASH, code, amount, None))  # fmt: skip

    def request_securities(
        self,
        from_account: str,
        to_account: str,
        isin: str,
        quantity: Decimal,
        reason: str,
        *,
        lots: Mapping[date, Decimal] | None = None,
    ) -> JournalRequest:
        """Ask to move ``quantity`` of the instrument ``isin`` between two accounts.

        ``lots``: the quantity to take from each lot, by the day it was acquired (they
        must add up to ``quantity``); without them the oldest lots go first.
        """
        if quantity <= 0:
            raise ValidationError("quantity", "must be greater than 0", str(quantity))

        def what(session: Session) -> tuple[Book, str, Decimal, m.Instrument]:
            instrument = _instrument(session, isin)
            return Book.SECURITIES, str(instrument.id), quantity, instrument

        return self._request(
            Action.TRANSFER_SECURITIES, from_account, to_account, reason, what, named=lots or None
        )

    def _request(
        self,
        action: Action,
        from_account: str,
        to_account: str,
        reason: str,
        what: Any,
        *,
        named: Mapping[date, Decimal] | None = None,
    ) -> JournalRequest:
        reason = reason.strip()
        if not reason:
            raise ValidationError("reason", "say why the journal is needed")
        with self._uow.write(action) as session:
            book, asset, size, instrument = what(session)
            leg = _Leg(
                book, _account(session, from_account, "from"),
                _account(session, to_account, "to"), asset, size, instrument,
            )  # fmt: skip
            available = _check(session, leg)
            carried = _carried(session, leg, named) if instrument is not None else []
            journal = m.Journal(
                book=book, from_account_id=leg.source.id, to_account_id=leg.target.id,
                instrument_id=instrument.id if instrument else None,
                currency=None if instrument else asset,
                quantity=size if instrument else None, amount=None if instrument else size,
                memo=reason[:500], requested_by=self._uow.actor.username,
                requested_at=datetime.now(UTC),
                # The lots the clerk named, until the approval posts the ones it carried.
                lots=json.dumps([lot.to_json() for lot in carried]) if named else None,
            )  # fmt: skip
            session.add(journal)
            session.flush()
            summary = (
                f"Journal {leg.describe()} from {leg.source.account_number} "
                f"to {leg.target.account_number}"
            )
            values = _values(leg)
            if instrument is not None:  # what cost basis goes with it
                values["lots"] = lots_text(carried, instrument.currency)
            proposal = Proposal(
                action, TABLE, f"{TABLE}:{journal.id}", summary,
                {**values, "available": leg.text(available)},
                {**values, "available": leg.text(available - size)},
                journal.id,  # no version: a journal is never edited, only posted once
            )  # fmt: skip
            journal.approval_id = self._approvals.file(session, proposal, reason)
            return JournalRequest(journal.id, journal.approval_id, summary)


class _JournalHandler:
    """Reads a journal for its request, and posts it when the request is approved."""

    def __init__(self, action: Action) -> None:
        self.action = action

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        journal = session.get(m.Journal, request.target_id)
        if journal is None:
            return None
        leg = _leg_of(journal)
        return {
            **_values(leg),
            "available": leg.text(ledger_book.kept_balance(session, leg.source_key)),
            "version": journal.version,
        }

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        journal = session.get(m.Journal, request.target_id)
        if journal is None:
            raise DeskError(f"request {request.id}: the journal no longer exists")
        if journal.posting_id is not None:
            raise DeskError(f"request {request.id}: journal {journal.id} is already posted")
        leg = _leg_of(journal)
        moves = journal_movements(
            leg.book, from_account_id=leg.source.id, to_account_id=leg.target.id,
            asset=leg.asset, amount=leg.size,
        )  # fmt: skip
        ledger_book.lock(session, (move.balance_key for move in moves))
        named = _named(journal)
        try:
            _check(session, leg)
            carried = _carried(session, leg, named) if leg.instrument is not None else []
        except ValidationError as exc:
            raise DeskError(f"request {request.id} cannot be approved: {exc.message}") from None
        cash = leg.instrument is None
        posting = m.LedgerPosting(
            obligation_id=None, kind=JOURNAL,
            quantity=Decimal(0) if cash else leg.size, amount=leg.size if cash else Decimal(0),
            currency=leg.asset if leg.instrument is None else leg.instrument.currency,
            reason=journal.memo[:200], posted_at=datetime.now(UTC),
            posted_by=audit.context_of(session).app_user,
        )  # fmt: skip
        if leg.instrument is not None:
            journal.lots = json.dumps([lot.to_json() for lot in carried])
        journal.posting_id = ledger_book.post(session, posting, moves).id


def _carried(session: Session, leg: _Leg, named: Mapping[date, Decimal] | None) -> list[Lot]:
    """The lots a securities journal takes from its source: those ``named`` (quantity by
    acquisition date), else the oldest first. Bad names are refused, every one."""
    held = lots_of(session, leg.source.id, int(leg.asset))
    if not named:
        return take(held, leg.size)[1]
    try:
        return take_named(held, named, leg.size)[1]
    except ValueError as problems:
        raise ValidationError("lots", "; ".join(str(problems).splitlines())) from None


def _named(journal: m.Journal) -> dict[date, Decimal] | None:
    """What an unposted journal's clerk named (quantity by acquisition date), if anything."""
    if journal.posting_id is not None or not journal.lots:
        return None
    return named_of(Lot.from_json(data) for data in json.loads(journal.lots))


def lots_text(lots: list[Lot], currency: str) -> str:
    """``100 acquired 2026-11-03 at 21,030.50 USD; ...`` (what an approver reads)."""
    return (
        "; ".join(
            f"{format_quantity(lot.quantity)} acquired {lot.acquired} at "
            f"{format_amount(canonical(lot.cost))} {currency}"
            for lot in lots
        )
        or "no known lots"
    )


def _check(session: Session, leg: _Leg) -> Decimal:
    """What the source holds now; refuse a journal it cannot make (accounts, restrictions,
    balance): at request and again inside the approval's transaction."""
    if leg.source.id == leg.target.id:
        raise ValidationError(
            "to", "is the account the journal comes from", leg.target.account_number
        )
    for field, account, way in (("from", leg.source, "out of"), ("to", leg.target, "into")):
        if account.status is not AccountStatus.OPEN:
            raise ValidationError(
                field, f"is {account.status.value}: nothing moves {way} it", account.account_number
            )
    # A restriction on the source stops it going out (the target may still receive).
    refuse_if(session, leg.source, Stop.JOURNAL_OUT, market_today())
    available = ledger_book.kept_balance(session, leg.source_key)
    if leg.size > available:
        field = "amount" if leg.instrument is None else "quantity"
        raise ValidationError(
            field, f"{leg.source.account_number} has {leg.describe(available)} available; "
            f"the journal needs {leg.describe()}", str(leg.size),
        )  # fmt: skip
    return available


def _values(leg: _Leg) -> dict[str, Any]:
    """The journal as a request shows it."""
    values: dict[str, Any] = {
        "from_account": leg.source.account_number,
        "to_account": leg.target.account_number,
    }
    if leg.instrument is None:
        return {**values, "amount": leg.text(leg.size), "currency": leg.asset}
    return {**values, "quantity": leg.text(leg.size), "isin": leg.instrument.isin}


def _leg_of(journal: m.Journal) -> _Leg:
    if journal.instrument is None:
        assert journal.amount is not None and journal.currency is not None
        return _Leg(Book.CASH, journal.from_account, journal.to_account, journal.currency,
                    journal.amount)  # fmt: skip
    assert journal.quantity is not None
    return _Leg(Book.SECURITIES, journal.from_account, journal.to_account,
                str(journal.instrument.id), journal.quantity, journal.instrument)  # fmt: skip


def _key(account: m.Account, book: Book, asset: str) -> str:
    return Movement(Holder("account", account.id), book, asset, Decimal(0)).balance_key


def _account(session: Session, number: str, field: str) -> m.Account:
    text = number.strip().upper()
    if not text:
        raise ValidationError(field, "is required (an account number)")
    account = session.scalars(
        select(m.Account).where(m.Account.account_number == text)
    ).one_or_none()
    if account is None:
        raise ValidationError(field, "is not an account", number.strip())
    return account


def _instrument(session: Session, isin: str) -> m.Instrument:
    code = parse_isin("isin", isin.strip().upper())
    instrument = session.scalars(
        select(m.Instrument).where(m.Instrument.isin == code)
    ).one_or_none()
    if instrument is None:
        raise ValidationError("isin", "is not an instrument in reference data", code)
    return instrument
