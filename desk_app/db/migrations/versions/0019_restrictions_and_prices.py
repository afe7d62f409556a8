"""Account restrictions as records, and instrument prices.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 18:40:00

A restriction was a bare status on the account; now each one is a row with its kind,
reason, dates, who placed it and who lifted it (`desk_app.domain.restrictions`).
Prices, one per instrument and day with the day's high and low, value positions and
an estate at the date of death.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _price() -> sa.types.TypeEngine:
    """Scaled integer on SQLite (exact and sortable), NUMERIC on PostgreSQL (as 0001)."""
    return sa.BigInteger().with_variant(sa.Numeric(27, 8), "postgresql")


def _versioned() -> list[sa.Column[object]]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "account_restrictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("placed_by", sa.String(length=64), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_key", sa.String(length=64), nullable=True),
        sa.Column("lifted_by", sa.String(length=64), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lift_reason", sa.String(length=500), nullable=True),
        *_versioned(),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_restrictions_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_restrictions")),
    )
    op.create_index(
        op.f("ix_account_restrictions_account_id"), "account_restrictions", ["account_id"]
    )
    op.create_index(
        op.f("ix_account_restrictions_source_key"), "account_restrictions", ["source_key"]
    )
    op.create_table(
        "instrument_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("price_date", sa.Date(), nullable=False),
        sa.Column("price", _price(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("high", _price(), nullable=True),
        sa.Column("low", _price(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        *_versioned(),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"],
            name=op.f("fk_instrument_prices_instrument_id_instruments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_prices")),
        sa.UniqueConstraint(
            "instrument_id", "price_date", name=op.f("uq_instrument_prices_instrument_id_price_date")
        ),
    )


def downgrade() -> None:
    op.drop_table("instrument_prices")
    op.drop_index(op.f("ix_account_restrictions_source_key"), "account_restrictions")
    op.drop_index(op.f("ix_account_restrictions_account_id"), "account_restrictions")
    op.drop_table("account_restrictions")
