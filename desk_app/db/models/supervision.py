"""Maker-checker approval requests and the append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from desk_app.db.models.base import Base, Versioned, code_enum, utcnow
from desk_app.db.types import UTCDateTime
from desk_app.domain.states import ApprovalStatus


class ApprovalRequest(Versioned, Base):
    """A supervised action waiting for (or decided by) a principal other than its maker."""

    __tablename__ = "approval_requests"
    __table_args__ = (
        # One pending request per action and record: a duplicate is refused by the database too.
        Index(
            "uq_approval_requests_pending_target",
            "action",
            "target_key",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_approval_requests_status_made_at", "status", "made_at"),
        Index("ix_approval_requests_decided_txid", "decided_txid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(48))
    #: The record acted on ("accounts"), its id and version when the request was made.
    target_table: Mapped[str] = mapped_column(String(48))
    target_id: Mapped[int | None]
    target_version: Mapped[int | None]
    #: "accounts:17" or, for a record not yet created, its natural key ("accounts:NYC-20417").
    target_key: Mapped[str] = mapped_column(String(96))
    summary: Mapped[str] = mapped_column(String(200))
    #: Canonical JSON: {"before": what the maker saw, "after": the full proposed change}.
    proposal: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    maker: Mapped[str] = mapped_column(String(64), index=True)
    #: The login the maker was proven by (PostgreSQL: set by the database itself).
    maker_login: Mapped[str | None] = mapped_column(String(63))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[ApprovalStatus] = mapped_column(
        code_enum(ApprovalStatus), default=ApprovalStatus.PENDING
    )
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_login: Mapped[str | None] = mapped_column(String(63))
    decision_note: Mapped[str | None] = mapped_column(String(500))
    #: A grant's new password, argon2-hashed (never plain text; kept out of the trail).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    #: PostgreSQL: the transaction that approved it (``txid_current()``, set by the
    #: database); a grant's change to ``users`` is accepted only in that transaction.
    decided_txid: Mapped[int | None] = mapped_column(BigInteger())


class FirstPrincipal(Base):
    """The database's first principal: recorded once, so a grant is never again unsupervised.

    Until someone may decide grants, nobody can approve one, so grants apply at once;
    the grant that makes the first principal records them here. The row is never
    changed or deleted (triggers on both engines), so losing every principal later
    does not reopen that window.
    """

    __tablename__ = "first_principal"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    username: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """One append-only audit entry; written only through `desk_app.services.audit`."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_record", "table_name", "record_id", "seq"),)

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    recorded_at: Mapped[str] = mapped_column(String(32))
    app_user: Mapped[str] = mapped_column(String(64))
    db_login: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    change: Mapped[str] = mapped_column(String(8))
    table_name: Mapped[str] = mapped_column(String(48))
    record_id: Mapped[str] = mapped_column(String(96))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    approval_id: Mapped[int | None]
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    #: SHA-256 (hex) of the whole row after a create or update; see `RecordSeal`.
    row_hash: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last entry, kept apart so that a removed tail is noticed."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    entry_hash: Mapped[str] = mapped_column(String(64))
