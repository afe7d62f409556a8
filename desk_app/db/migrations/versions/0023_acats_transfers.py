"""ACATS-style transfers between firms, their assets, and their deadlines.

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-07 19:00:00

A transfer of a client's account to or from another firm, with the business day of
each status and the deadline of the current one; the assets it lists (instrument or
cash, the lots, and why one cannot move). The deadlines are the industry's (1, 3 and
20 business days, `desk_app.domain.acats.DEADLINES`); this migration adds no aging
limits for them, since a row a migration adds after 0013 would need its own seal.
"""

from collections.abc import Sequence
import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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


def downgrade() -> None:
    op.drop_index(op.f("ix_acats_assets_transfer_id"), "acats_assets")
    op.drop_table("acats_assets")
    op.drop_index("ix_acats_transfers_status_deadline", "acats_transfers")
    op.drop_index(op.f("ix_acats_transfers_account_id"), "acats_transfers")
    op.drop_table("acats_transfers")
