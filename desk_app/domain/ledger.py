"""Double entry for settlements and journals: what moves, between whom.

A settlement moves securities one way and, against payment, cash the other, between
the client's account and the counterparty. Each leg is two movements of equal size
and opposite sign, so in every posting debits equal credits, per instrument and per
currency, always; positions and balances are the sums of the movements. A reversal
is the same movements with the signs turned round, never an edit. A journal moves
cash or securities from one client account to another: two legs, one record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from desk_app.domain.codes import Direction, Payment


class Book(StrEnum):
    SECURITIES = "securities"
    CASH = "cash"


@dataclass(frozen=True)
class Holder:
    """Whose position moves: a client account or a counterparty (the street side)."""

    kind: str  # "account" or "counterparty"
    id: int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Movement:
    """One side of a leg: ``delta`` of an instrument (by id) or a currency for a holder."""

    holder: Holder
    book: Book
    asset: str  # the instrument id (securities) or currency code (cash), as text
    delta: Decimal

    @cached_property
    def balance_key(self) -> str:
        """The stored balance this movement changes: holder, book and asset."""
        return f"{self.holder.key}:{self.book.value}:{self.asset}"


class UnbalancedPosting(ValueError):
    """Movements whose debits and credits differ: a bug, never stored."""


@dataclass(frozen=True)
class Leg:
    """One movement of every settlement, as a rule.

    ``receiver``: whether it moves the holder that receives the securities (else the
    one that delivers them); ``sign``: +1 or -1 on the quantity (securities) or the
    amount (cash) settled. The bulk settlement builds its SQL from these same legs.
    """

    book: Book
    receiver: bool
    sign: int


#: Securities to the receiver from the deliverer; cash the other way (who receives pays).
SETTLEMENT_LEGS = (
    Leg(Book.SECURITIES, receiver=True, sign=+1),
    Leg(Book.SECURITIES, receiver=False, sign=-1),
    Leg(Book.CASH, receiver=True, sign=-1),
    Leg(Book.CASH, receiver=False, sign=+1),
)


def settlement_movements(
    direction: Direction,
    payment: Payment,
    *,
    account_id: int,
    counterparty_id: int,
    instrument_id: int,
    currency: str,
    quantity: Decimal,
    amount: Decimal,
) -> list[Movement]:
    """The movements of settling ``quantity`` (and, against payment, ``amount``).

    Receiving: the account gains the securities from the counterparty and pays it
    the cash. Delivering: the other way round. Free of payment: no cash leg. A
    negative amount (a sale whose charges exceed its gross) moves the cash back.
    """
    if quantity <= 0:
        raise ValueError(f"a settlement moves a positive quantity, not {quantity}")
    account, street = Holder("account", account_id), Holder("counterparty", counterparty_id)
    receiver, deliverer = (account, street) if direction is Direction.RECEIVE else (street, account)
    cash = payment is Payment.AGAINST and amount
    moves = [
        Movement(
            receiver if leg.receiver else deliverer,
            leg.book,
            str(instrument_id) if leg.book is Book.SECURITIES else currency,
            leg.sign * (quantity if leg.book is Book.SECURITIES else amount),
        )  # fmt: skip
        for leg in SETTLEMENT_LEGS
        if leg.book is Book.SECURITIES or cash
    ]
    check_balanced(moves)
    return moves


def journal_movements(
    book: Book, *, from_account_id: int, to_account_id: int, asset: str, amount: Decimal
) -> list[Movement]:
    """The two legs of a journal: ``amount`` of ``asset`` out of one account, into another."""
    if amount <= 0:
        raise ValueError(f"a journal moves a positive amount, not {amount}")
    if from_account_id == to_account_id:
        raise ValueError("a journal moves between two different accounts")
    moves = [
        Movement(Holder("account", from_account_id), book, asset, -amount),
        Movement(Holder("account", to_account_id), book, asset, amount),
    ]
    check_balanced(moves)
    return moves


def reversed_movements(movements: Iterable[Movement]) -> list[Movement]:
    """The same movements with their signs turned round (a reversal posting)."""
    return [Movement(m.holder, m.book, m.asset, -m.delta) for m in movements]


def check_balanced(movements: Sequence[Movement]) -> None:
    """Raise `UnbalancedPosting` unless debits equal credits per book and asset."""
    totals: dict[tuple[Book, str], Decimal] = defaultdict(Decimal)
    for move in movements:
        totals[(move.book, move.asset)] += move.delta
    off = {f"{book.value} {asset}": total for (book, asset), total in totals.items() if total}
    if off:
        raise UnbalancedPosting(f"debits and credits differ: {off}")


def balances(movements: Iterable[Movement]) -> dict[str, Decimal]:
    """Every balance the movements add up to, by `Movement.balance_key` (zeros left out)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for move in movements:
        totals[move.balance_key] += move.delta
    return {key: total for key, total in totals.items() if total}
