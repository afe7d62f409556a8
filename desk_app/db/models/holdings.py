"""What sits beside an account's ledger: its restrictions, and the prices that value it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_app.db.models.base import Base, Versioned, code_enum, utcnow
from desk_app.db.models.reference import Account, Instrument
from desk_app.db.types import Price, UTCDateTime
from desk_app.domain.codes import RestrictionKind


class AccountRestriction(Versioned, Base):
    """One restriction on an account, from its placing to its lifting; never deleted.

    In force from ``starts_on`` until lifted (``lifted_at``) or, where it has one, until
    the end of ``ends_on`` (the Reg T freeze's 90 days). ``source_key`` names the process
    that placed it (``acats:12``, ``estate:3``), which lifts it when it ends.
    """

    __tablename__ = "account_restrictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[RestrictionKind] = mapped_column(code_enum(RestrictionKind))
    reason: Mapped[str] = mapped_column(String(500))
    starts_on: Mapped[date] = mapped_column(index=True)  # the daily sweep reads by day
    ends_on: Mapped[date | None] = mapped_column(index=True)
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source_key: Mapped[str | None] = mapped_column(String(64), index=True)
    lifted_by: Mapped[str | None] = mapped_column(String(64))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lift_reason: Mapped[str | None] = mapped_column(String(500))

    account: Mapped[Account] = relationship()


class RestrictionSweep(Versioned, Base):
    """One business day on which the restrictions that began or ended were acted on.

    Restrictions placed with a later start, or with an end date, change what an
    account's open obligations may do when their day comes; the first opening,
    listing or settling of that New York day re-checks the accounts concerned and
    writes this row, so that the rest of the day costs one indexed read. Never dated
    after New York's today (on PostgreSQL a trigger refuses it, whoever writes).
    """

    __tablename__ = "restriction_sweeps"

    id: Mapped[int] = mapped_column(primary_key=True)
    swept_on: Mapped[date] = mapped_column(unique=True)
    swept_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    swept_by: Mapped[str] = mapped_column(String(64))
    accounts: Mapped[int]  # accounts whose restrictions began or ended since the last sweep
    raised: Mapped[int]  # exceptions raised on their open obligations
    cleared: Mapped[int]


class InstrumentPrice(Versioned, Base):
    """An instrument's price on one day (the close), with the day's high and low if known.

    Market values use the latest price on or before their date; an estate's value at
    death uses the mean of the high and low (`desk_app.domain`'s estate rules).
    """

    __tablename__ = "instrument_prices"
    __table_args__ = (
        UniqueConstraint("instrument_id", "price_date"),
        # The prices list pages newest day first (migration 0022).
        Index("ix_instrument_prices_date_id", "price_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    price_date: Mapped[date]
    price: Mapped[Decimal] = mapped_column(Price())
    currency: Mapped[str] = mapped_column(String(3))
    high: Mapped[Decimal | None] = mapped_column(Price())
    low: Mapped[Decimal | None] = mapped_column(Price())
    #: Where it came from (the file's name) and who brought it in.
    source: Mapped[str] = mapped_column(String(200))
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    instrument: Mapped[Instrument] = relationship()
