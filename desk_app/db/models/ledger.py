"""The settlement ledger: postings of balanced movements, and the balances they add up to."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_app.db.models.base import Base, Versioned, code_enum, utcnow
from desk_app.db.models.trading import SettlementObligation
from desk_app.db.types import Money, Quantity, UTCDateTime
from desk_app.domain.ledger import Book


class LedgerPosting(Base):
    """One settlement (or the reversal of one): quantity and cash settled, never edited."""

    __tablename__ = "ledger_postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("settlement_obligations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # settlement, reversal
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    #: The settlement this one reverses (a posting is reversed at most once).
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_postings.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(String(200))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    posted_by: Mapped[str] = mapped_column(String(64))

    obligation: Mapped[SettlementObligation] = relationship()


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
