"""Journals between accounts, and the market's status of an instruction.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 01:13:37

A journal is asked for as an approval request and posted to the ledger when a
principal approves it: a posting with no obligation (so ``obligation_id`` may now
be empty) whose two entries take from one account and give to the other.
An obligation also keeps the latest status note a sese.024 or status file gave it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _exact(scale: int) -> sa.types.TypeEngine:
    """Scaled integer on SQLite (exact and sortable), NUMERIC on PostgreSQL."""
    return sa.BigInteger().with_variant(sa.Numeric(19 + scale, scale), "postgresql")


def _fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_journals_{column}_{table}")
    )


def upgrade() -> None:
    op.create_table(
        "journals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "book",
            sa.Enum("securities", "cash", name="book", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("from_account_id", sa.Integer(), nullable=False),
        sa.Column("to_account_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("quantity", _exact(6), nullable=True),
        sa.Column("amount", _exact(4), nullable=True),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approval_id", sa.Integer(), nullable=True),
        sa.Column("posting_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("approval_id", "approval_requests"),
        _fk("from_account_id", "accounts"),
        _fk("instrument_id", "instruments"),
        _fk("posting_id", "ledger_postings"),
        _fk("to_account_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journals")),
        sa.UniqueConstraint("approval_id", name=op.f("uq_journals_approval_id")),
        sa.UniqueConstraint("posting_id", name=op.f("uq_journals_posting_id")),
    )
    with op.batch_alter_table("journals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_journals_from_account_id"), ["from_account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_journals_to_account_id"), ["to_account_id"], unique=False
        )
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.alter_column("obligation_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("settlement_obligations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_note", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # A posted journal moved balances: removing it would leave them unexplained.
    posted = op.get_bind().execute(
        sa.text("SELECT count(*) FROM ledger_postings WHERE obligation_id IS NULL")
    )
    if posted.scalar_one():
        raise RuntimeError("journals have been posted to the ledger; 0008 cannot be undone")
    with op.batch_alter_table("settlement_obligations", schema=None) as batch_op:
        batch_op.drop_column("status_note")
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.alter_column("obligation_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("journals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journals_to_account_id"))
        batch_op.drop_index(batch_op.f("ix_journals_from_account_id"))
    op.drop_table("journals")
