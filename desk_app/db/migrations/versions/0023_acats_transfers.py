"""ACATS-style transfers between firms, their assets, and their deadlines.

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-07 19:00:00

A transfer of a client's account to or from another firm, with the business day of
each status and the deadline of the current one; the assets it lists (instrument or
cash, the lots, and why one cannot move). The three deadlines are aging limits
(reference data), in business days.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = datetime(2026, 12, 7, tzinfo=UTC)
#: code, days, label: what `desk_app.services.transfers.acats_rules` reads.
LIMITS = (
    ("acats_review", 1, "An ACATS request is validated or rejected by the delivering side "
     "within (business days)"),
    ("acats_settlement", 3, "A validated ACATS transfer settles within (business days)"),
    ("acats_correction", 20, "A soft ACATS reject may be corrected and resubmitted within "
     "(business days)"),
)  # fmt: skip


def _exact(scale: int) -> sa.types.TypeEngine:
    """Scaled integer on SQLite (exact and sortable), NUMERIC on PostgreSQL."""
    return sa.BigInteger().with_variant(sa.Numeric(19 + scale, scale), "postgresql")


def _versioned() -> list[sa.Column[object]]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "acats_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contra_id", sa.Integer(), nullable=False),
        sa.Column("contra_account", sa.String(length=34), nullable=False),
        sa.Column("transfer_type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_since", sa.Date(), nullable=False),
        sa.Column("deadline_on", sa.Date(), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("validated_on", sa.Date(), nullable=True),
        sa.Column("rejected_on", sa.Date(), nullable=True),
        sa.Column("settle_prep_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("purged_on", sa.Date(), nullable=True),
        sa.Column("reversed_on", sa.Date(), nullable=True),
        sa.Column("reject_code", sa.String(length=32), nullable=True),
        sa.Column("reject_note", sa.String(length=500), nullable=True),
        sa.Column("resubmissions", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("posting_id", sa.Integer(), nullable=True),
        *_versioned(),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_acats_transfers_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["contra_id"], ["counterparties.id"],
            name=op.f("fk_acats_transfers_contra_id_counterparties"),
        ),
        sa.ForeignKeyConstraint(
            ["approval_id"], ["approval_requests.id"],
            name=op.f("fk_acats_transfers_approval_id_approval_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["ledger_postings.id"],
            name=op.f("fk_acats_transfers_posting_id_ledger_postings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acats_transfers")),
        sa.UniqueConstraint("posting_id", name=op.f("uq_acats_transfers_posting_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_acats_transfers_account_id"), "acats_transfers", ["account_id"])
    op.create_index(
        "ix_acats_transfers_status_deadline", "acats_transfers", ["status", "deadline_on"]
    )
    op.create_table(
        "acats_assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("quantity", _exact(6), nullable=True),
        sa.Column("amount", _exact(4), nullable=True),
        sa.Column("lots", sa.Text(), nullable=True),
        sa.Column("blocked_reason", sa.String(length=200), nullable=True),
        *_versioned(),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["acats_transfers.id"],
            name=op.f("fk_acats_assets_transfer_id_acats_transfers"),
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"],
            name=op.f("fk_acats_assets_instrument_id_instruments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acats_assets")),
    )  # fmt: skip
    op.create_index(op.f("ix_acats_assets_transfer_id"), "acats_assets", ["transfer_id"])
    limits = sa.table(
        "aging_limits",
        sa.column("code", sa.String),
        sa.column("label", sa.String),
        sa.column("days", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        limits,
        [
            {"code": code, "days": days, "label": label, "version": 1, "updated_at": _NOW}
            for code, days, label in LIMITS
        ],
    )


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM aging_limits WHERE code IN ('acats_review', 'acats_settlement', "
                "'acats_correction')")
    )  # fmt: skip
    op.drop_index(op.f("ix_acats_assets_transfer_id"), "acats_assets")
    op.drop_table("acats_assets")
    op.drop_index("ix_acats_transfers_status_deadline", "acats_transfers")
    op.drop_index(op.f("ix_acats_transfers_account_id"), "acats_transfers")
    op.drop_table("acats_transfers")
