"""Writing the ledger: a posting's entries and the kept balances they move.

Shared by settlements and journals, so that every posting is checked balanced and
every kept balance moves with its entries in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.ledger import Book, Holder, Movement, check_balanced

#: The kinds of a settlement's posting: the settlement itself, and one undoing it.
SETTLEMENT, REVERSAL = "settlement", "reversal"


def post(session: Session, posting: m.LedgerPosting, moves: Sequence[Movement]) -> m.LedgerPosting:
    """Add ``posting`` with one entry per movement, and move the kept balances."""
    check_balanced(moves)
    session.add(posting)
    session.flush()
    for move in moves:
        session.add(m.LedgerEntry(posting_id=posting.id, **columns_of(move)))
        _apply(session, move)
    return posting


def lock(session: Session, keys: Iterable[str] | Select[Any]) -> None:
    """Lock the kept balances ``keys`` (or those a SELECT of keys gives) in one order
    (PostgreSQL), so that two postings moving the same two balances opposite ways wait
    for each other instead of deadlocking.

    Nothing on SQLite: a writer there holds the whole database's write lock already.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    wanted = keys if isinstance(keys, Select) else sorted(set(keys))
    session.execute(
        select(m.LedgerBalance.id)
        .where(m.LedgerBalance.balance_key.in_(wanted))
        .order_by(m.LedgerBalance.balance_key)
        .with_for_update()
    ).all()


def kept_balance(session: Session, key: str) -> Decimal:
    """A holder's kept position or cash by `Movement.balance_key` (0 if nothing moved yet)."""
    row = session.scalars(
        select(m.LedgerBalance).where(m.LedgerBalance.balance_key == key)
    ).one_or_none()
    if row is None:
        return Decimal(0)
    return (row.quantity if row.book is Book.SECURITIES else row.amount) or Decimal(0)


def movement_of(entry: m.LedgerEntry) -> Movement:
    if entry.account_id is not None:
        holder = Holder("account", entry.account_id)
    else:
        assert entry.counterparty_id is not None
        holder = Holder("counterparty", entry.counterparty_id)
    if entry.book is Book.SECURITIES:
        assert entry.quantity is not None
        return Movement(holder, entry.book, str(entry.instrument_id), entry.quantity)
    assert entry.amount is not None and entry.currency is not None
    return Movement(holder, entry.book, entry.currency, entry.amount)


def columns_of(move: Movement) -> dict[str, object]:
    holder = move.holder
    securities = move.book is Book.SECURITIES
    return {
        "balance_key": move.balance_key, "book": move.book,
        "account_id": holder.id if holder.kind == "account" else None,
        "counterparty_id": holder.id if holder.kind == "counterparty" else None,
        "instrument_id": int(move.asset) if securities else None,
        "currency": None if securities else move.asset,
        "quantity": move.delta if securities else None,
        "amount": None if securities else move.delta,
    }  # fmt: skip


def _apply(session: Session, move: Movement) -> None:
    """Move the kept balance by ``move`` (made on its first movement)."""
    balance = session.scalars(
        select(m.LedgerBalance).where(m.LedgerBalance.balance_key == move.balance_key)
    ).one_or_none()
    if balance is None:
        balance = m.LedgerBalance(**{**columns_of(move), "quantity": None, "amount": None})
        balance.quantity = Decimal(0) if move.book is Book.SECURITIES else None
        balance.amount = Decimal(0) if move.book is Book.CASH else None
        session.add(balance)
    if move.book is Book.SECURITIES:
        balance.quantity = (balance.quantity or Decimal(0)) + move.delta
    else:
        balance.amount = (balance.amount or Decimal(0)) + move.delta
