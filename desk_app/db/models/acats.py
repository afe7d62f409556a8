"""ACATS-style transfers between firms, and the assets each one lists."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_app.db.models.base import Base, Versioned, code_enum, utcnow
from desk_app.db.models.ledger import LedgerPosting
from desk_app.db.models.reference import Account, Counterparty, Instrument
from desk_app.db.types import Money, Quantity, UTCDateTime
from desk_app.domain.acats import AcatsDirection, AcatsStatus, AcatsType


class AcatsTransfer(Versioned, Base):
    """One transfer of a client's account to or from another firm (the contra firm).

    Each status keeps the business day it was reached; ``deadline_on`` is the last
    business day for what the current status waits on (reviewing, settling, a soft
    reject's correction), so that the list sorts and colours by it in SQL.
    """

    __tablename__ = "acats_transfers"
    __table_args__ = (Index("ix_acats_transfers_status_deadline", "status", "deadline_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[AcatsDirection] = mapped_column(code_enum(AcatsDirection))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    contra_id: Mapped[int] = mapped_column(ForeignKey("counterparties.id"))
    contra_account: Mapped[str] = mapped_column(String(34))
    transfer_type: Mapped[AcatsType] = mapped_column(code_enum(AcatsType))
    status: Mapped[AcatsStatus] = mapped_column(code_enum(AcatsStatus))
    status_since: Mapped[date]
    deadline_on: Mapped[date | None]
    requested_on: Mapped[date]
    validated_on: Mapped[date | None]
    rejected_on: Mapped[date | None]
    settle_prep_on: Mapped[date | None]
    completed_on: Mapped[date | None]
    purged_on: Mapped[date | None]
    reversed_on: Mapped[date | None]
    reject_code: Mapped[str | None] = mapped_column(String(32))
    reject_note: Mapped[str | None] = mapped_column(String(500))
    #: How many times a soft reject was corrected and the request resubmitted.
    resubmissions: Mapped[int] = mapped_column(default=0)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: A transfer out completes on a principal's approval of this request.
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approval_requests.id"))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_postings.id"), unique=True)

    account: Mapped[Account] = relationship()
    contra: Mapped[Counterparty] = relationship()
    posting: Mapped[LedgerPosting | None] = relationship()
    assets: Mapped[list[AcatsAsset]] = relationship(
        back_populates="transfer", order_by="AcatsAsset.id"
    )


class AcatsAsset(Versioned, Base):
    """One asset a transfer lists: a quantity of an instrument, or an amount of cash.

    ``blocked_reason`` marks what cannot move (a proprietary fund, a restricted or
    non-transferable position): it stays listed for the client and does not move.
    ``lots``: for a transfer in, the lots the contra firm stated; for one out, the
    lots it took, oldest first (JSON: acquired, quantity, cost).
    """

    __tablename__ = "acats_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("acats_transfers.id"), index=True)
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instruments.id"))
    currency: Mapped[str | None] = mapped_column(String(3))  # cash
    quantity: Mapped[Decimal | None] = mapped_column(Quantity())  # securities
    amount: Mapped[Decimal | None] = mapped_column(Money())  # cash
    lots: Mapped[str | None] = mapped_column(Text)
    blocked_reason: Mapped[str | None] = mapped_column(String(200))

    transfer: Mapped[AcatsTransfer] = relationship(back_populates="assets")
    instrument: Mapped[Instrument | None] = relationship()
