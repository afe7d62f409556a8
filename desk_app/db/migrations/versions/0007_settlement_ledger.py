"""The settlement ledger: postings, their balanced entries, and the balances kept.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 23:35:25

Settling an obligation posts movements of securities and cash between the client
account and the counterparty (debits equal credits in every posting); a reversal
is a new posting linked to the one it undoes. Balances are kept per holder, book
and asset, always the sum of their entries.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _exact(scale: int) -> sa.types.TypeEngine:
    """Scaled integer on SQLite (exact and sortable), NUMERIC on PostgreSQL."""
    return sa.BigInteger().with_variant(sa.Numeric(19 + scale, scale), "postgresql")


def upgrade() -> None:
    op.create_table(
        "ledger_balances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("balance_key", sa.String(length=64), nullable=False),
        sa.Column(
            "book",
            sa.Enum("securities", "cash", name="book", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("counterparty_id", sa.Integer(), nullable=True),
        sa.Column("instrument_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("quantity", _exact(6), nullable=True),
        sa.Column("amount", _exact(4), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_ledger_balances_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["counterparty_id"],
            ["counterparties.id"],
            name=op.f("fk_ledger_balances_counterparty_id_counterparties"),
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name=op.f("fk_ledger_balances_instrument_id_instruments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_balances")),
        sa.UniqueConstraint("balance_key", name=op.f("uq_ledger_balances_balance_key")),
    )
    with op.batch_alter_table("ledger_balances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_balances_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "ledger_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("quantity", _exact(6), nullable=False),
        sa.Column("amount", _exact(4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            ["settlement_obligations.id"],
            name=op.f("fk_ledger_postings_obligation_id_settlement_obligations"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["ledger_postings.id"],
            name=op.f("fk_ledger_postings_reverses_id_ledger_postings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_ledger_postings_reverses_id")),
    )
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_postings_obligation_id"), ["obligation_id"], unique=False
        )

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=False),
        sa.Column("balance_key", sa.String(length=64), nullable=False),
        sa.Column(
            "book",
            sa.Enum("securities", "cash", name="book", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("counterparty_id", sa.Integer(), nullable=True),
        sa.Column("instrument_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("quantity", _exact(6), nullable=True),
        sa.Column("amount", _exact(4), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_ledger_entries_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["counterparty_id"],
            ["counterparties.id"],
            name=op.f("fk_ledger_entries_counterparty_id_counterparties"),
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instruments.id"],
            name=op.f("fk_ledger_entries_instrument_id_instruments"),
        ),
        sa.ForeignKeyConstraint(
            ["posting_id"],
            ["ledger_postings.id"],
            name=op.f("fk_ledger_entries_posting_id_ledger_postings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_entries_balance_key", ["balance_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_posting_id"), ["posting_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_posting_id"))
        batch_op.drop_index("ix_ledger_entries_balance_key")

    op.drop_table("ledger_entries")
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_postings_obligation_id"))

    op.drop_table("ledger_postings")
    with op.batch_alter_table("ledger_balances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_balances_account_id"))

    op.drop_table("ledger_balances")
