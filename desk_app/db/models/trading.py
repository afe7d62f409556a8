"""The blotter and what it must settle."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_app.db.models.base import Base, Versioned, code_enum, utcnow
from desk_app.db.models.reference import (
    Account,
    Counterparty,
    Instrument,
    StandingSettlementInstruction,
)
from desk_app.db.types import Money, Price, Quantity, UTCDateTime
from desk_app.domain.codes import Direction, FailReason, Payment, Side, TradeSource
from desk_app.domain.states import ObligationStatus, TradeStatus


class TradeImport(Base):
    """One imported trades file: who brought it in, its digest, and what it changed."""

    __tablename__ = "trade_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[TradeSource] = mapped_column(code_enum(TradeSource))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int]
    added: Mapped[int]
    corrected: Mapped[int]
    cancelled: Mapped[int]
    #: Rows already on the blotter from an earlier import of the same ids.
    unchanged: Mapped[int]


class Trade(Versioned, Base):
    """One version of a trade. Corrections and cancels add versions, never overwrite."""

    __tablename__ = "trades"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_trades_trade_date_id", "trade_date", "id"),
        Index("ix_trades_settle_date_id", "settle_date", "id"),
        Index("ix_trades_account_trade_date", "account_id", "trade_date"),
        Index("ix_trades_instrument_trade_date", "instrument_id", "trade_date"),
        Index("ix_trades_counterparty_trade_date", "counterparty_id", "trade_date"),
        Index("ix_trades_status_trade_date", "status", "trade_date"),
        Index("ix_trades_external_id", "external_id"),
        # Sorting the blotter by any column reads an index (desk_app.db.trade_order).
        Index("ix_trades_side_trade_date", "side", "trade_date"),
        Index("ix_trades_currency_trade_date", "currency", "trade_date"),
        Index("ix_trades_source_trade_date", "source", "trade_date"),
        Index("ix_trades_quantity_id", "quantity", "id"),
        Index("ix_trades_price_id", "price", "id"),
        Index("ix_trades_gross_amount_id", "gross_amount", "id"),
        Index("ix_trades_net_amount_id", "net_amount", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[TradeSource] = mapped_column(code_enum(TradeSource))
    version_no: Mapped[int] = mapped_column(default=1)
    original_id: Mapped[int | None] = mapped_column(ForeignKey("trades.id"), index=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("trades.id"))
    status: Mapped[TradeStatus] = mapped_column(code_enum(TradeStatus))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    counterparty_id: Mapped[int] = mapped_column(ForeignKey("counterparties.id"))
    side: Mapped[Side] = mapped_column(code_enum(Side))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    price: Mapped[Decimal] = mapped_column(Price())
    currency: Mapped[str] = mapped_column(String(3))
    trade_date: Mapped[date]
    trade_time: Mapped[datetime] = mapped_column(UTCDateTime())
    settle_date: Mapped[date]
    settle_date_reason: Mapped[str | None] = mapped_column(String(200))
    gross_amount: Mapped[Decimal] = mapped_column(Money())
    commission: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    fees: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    net_amount: Mapped[Decimal] = mapped_column(Money())
    #: Why a security trades at 0 (or a future at 0 or below), for the auditor.
    price_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    #: Why this version exists, for a correction or cancel ("wrong price, see ticket 881").
    reason: Mapped[str | None] = mapped_column(String(200))
    #: The file this version came in with (None for a ticket or an approved request).
    import_id: Mapped[int | None] = mapped_column(ForeignKey("trade_imports.id"))

    account: Mapped[Account] = relationship()
    instrument: Mapped[Instrument] = relationship()
    counterparty: Mapped[Counterparty] = relationship()


class SettlementObligation(Versioned, Base):
    """What one trade version must deliver or receive, and how far it has got."""

    __tablename__ = "settlement_obligations"
    __table_args__ = (
        Index("ix_obligations_settle_date_id", "settle_date", "id"),
        Index("ix_obligations_status_settle_date", "status", "settle_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trade_id: Mapped[int] = mapped_column(ForeignKey("trades.id"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"), index=True)
    counterparty_id: Mapped[int] = mapped_column(ForeignKey("counterparties.id"), index=True)
    ssi_id: Mapped[int | None] = mapped_column(ForeignKey("standing_settlement_instructions.id"))
    direction: Mapped[Direction] = mapped_column(code_enum(Direction))
    payment: Mapped[Payment] = mapped_column(code_enum(Payment))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    settled_quantity: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    amount: Mapped[Decimal] = mapped_column(Money())
    settled_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    settle_date: Mapped[date]
    status: Mapped[ObligationStatus] = mapped_column(code_enum(ObligationStatus))
    fail_reason: Mapped[FailReason | None] = mapped_column(code_enum(FailReason))
    exception_reason: Mapped[str | None] = mapped_column(String(200))
    #: The market's latest word on it from a status message ("Unmatched: DQUA").
    status_note: Mapped[str | None] = mapped_column(String(200))
    #: When the counterparty's instruction matched it (None: never matched).
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The net it is instructed through, with the counterparty's other obligations.
    net_id: Mapped[int | None] = mapped_column(ForeignKey("settlement_nets.id"), index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    trade: Mapped[Trade] = relationship()
    account: Mapped[Account] = relationship()
    instrument: Mapped[Instrument] = relationship()
    counterparty: Mapped[Counterparty] = relationship()
    ssi: Mapped[StandingSettlementInstruction | None] = relationship()


class SettlementNet(Versioned, Base):
    """Obligations with one counterparty in one instrument on one day, instructed as one.

    The street sees the net (one instruction for the difference); each member still
    settles to its own account in the ledger. Made only from pending obligations.
    """

    __tablename__ = "settlement_nets"

    id: Mapped[int] = mapped_column(primary_key=True)
    counterparty_id: Mapped[int] = mapped_column(ForeignKey("counterparties.id"))
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    settle_date: Mapped[date] = mapped_column(index=True)
    currency: Mapped[str] = mapped_column(String(3))
    direction: Mapped[Direction] = mapped_column(code_enum(Direction))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    amount: Mapped[Decimal] = mapped_column(Money())  # paid by whoever receives, as obligations
    members: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)  # False: undone (its members gross again)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
