"""The settlement ledger: postings of balanced movements, and the balances they add up to."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_app.db.models.base import Base, Versioned, code_enum, utcnow
from desk_app.db.models.reference import Account, Instrument
from desk_app.db.models.trading import SettlementObligation
from desk_app.db.types import Money, Quantity, UTCDateTime
from desk_app.domain.ledger import Book


class LedgerPosting(Base):
    """One settlement, the reversal of one, or a journal: what moved, never edited."""

    __tablename__ = "ledger_postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The obligation settled or reversed (None for a journal between accounts).
    obligation_id: Mapped[int | None] = mapped_column(
        ForeignKey("settlement_obligations.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # settlement, reversal, journal
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    #: The settlement this one reverses (a posting is reversed at most once).
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_postings.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(String(200))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    posted_by: Mapped[str] = mapped_column(String(64))

    obligation: Mapped[SettlementObligation | None] = relationship()


class LedgerEntry(Base):
    """One movement of a posting: a holder's securities or cash, up or down."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_balance_key", "balance_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("ledger_postings.id"), index=True)
    balance_key: Mapped[str] = mapped_column(String(64))
    book: Mapped[Book] = mapped_column(code_enum(Book))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    counterparty_id: Mapped[int | None] = mapped_column(ForeignKey("counterparties.id"))
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instruments.id"))
    currency: Mapped[str | None] = mapped_column(String(3))
    quantity: Mapped[Decimal | None] = mapped_column(Quantity())  # securities
    amount: Mapped[Decimal | None] = mapped_column(Money())  # cash


class LedgerBalance(Versioned, Base):
    """A holder's position in one instrument, or cash in one currency, kept as it moves.

    Always the sum of its entries (the ledger tests recompute it); kept so that a
    position is read, not added up, and so that two settlements at once cannot both
    take what is there (the version check).
    """

    __tablename__ = "ledger_balances"

    id: Mapped[int] = mapped_column(primary_key=True)
    balance_key: Mapped[str] = mapped_column(String(64), unique=True)
    book: Mapped[Book] = mapped_column(code_enum(Book))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    counterparty_id: Mapped[int | None] = mapped_column(ForeignKey("counterparties.id"))
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instruments.id"))
    currency: Mapped[str | None] = mapped_column(String(3))
    quantity: Mapped[Decimal | None] = mapped_column(Quantity())
    amount: Mapped[Decimal | None] = mapped_column(Money())


class Journal(Versioned, Base):
    """Cash or securities moved from one client account to another: one record, two legs.

    Made when a clerk asks for it, as an approval request; posted (``posting_id``)
    only when a principal other than the maker approves it and the source still
    holds enough. Its state is the request's until then.
    """

    __tablename__ = "journals"

    id: Mapped[int] = mapped_column(primary_key=True)
    book: Mapped[Book] = mapped_column(code_enum(Book))
    from_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    to_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instruments.id"))  # securities
    currency: Mapped[str | None] = mapped_column(String(3))  # cash
    quantity: Mapped[Decimal | None] = mapped_column(Quantity())  # securities
    amount: Mapped[Decimal | None] = mapped_column(Money())  # cash
    memo: Mapped[str] = mapped_column(String(500))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval_requests.id"), unique=True)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_postings.id"), unique=True)
    #: Securities: the cost-basis lots it carried (JSON: acquired, quantity, cost), oldest
    #: first, as the source held them when it was approved. Before it posts: the lots the
    #: clerk named, if any (else empty: the oldest go first).
    lots: Mapped[str | None] = mapped_column(Text)

    from_account: Mapped[Account] = relationship(foreign_keys=[from_account_id])
    to_account: Mapped[Account] = relationship(foreign_keys=[to_account_id])
    instrument: Mapped[Instrument | None] = relationship()
    posting: Mapped[LedgerPosting | None] = relationship()
