"""Netting (obligations instructed as one), and the cost-basis lots a journal carries.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _exact(scale: int) -> sa.types.TypeEngine:
    """Scaled integer on SQLite (exact and sortable), NUMERIC on PostgreSQL."""
    return sa.BigInteger().with_variant(sa.Numeric(19 + scale, scale), "postgresql")


def upgrade() -> None:
    op.create_table(
        "settlement_nets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counterparty_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("settle_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("receive", "deliver", name="direction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("quantity", _exact(6), nullable=False),
        sa.Column("amount", _exact(4), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["counterparty_id"], ["counterparties.id"],
            name=op.f("fk_settlement_nets_counterparty_id_counterparties"),
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instruments.id"],
            name=op.f("fk_settlement_nets_instrument_id_instruments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_nets")),
    )  # fmt: skip
    with op.batch_alter_table("settlement_nets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_settlement_nets_settle_date"), ["settle_date"], unique=False
        )
    with op.batch_alter_table("journals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lots", sa.Text(), nullable=True))
    with op.batch_alter_table("settlement_obligations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("net_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_settlement_obligations_net_id"), ["net_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_settlement_obligations_net_id_settlement_nets"),
            "settlement_nets", ["net_id"], ["id"],
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("settlement_obligations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_settlement_obligations_net_id_settlement_nets"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_settlement_obligations_net_id"))
        batch_op.drop_column("net_id")
    with op.batch_alter_table("journals", schema=None) as batch_op:
        batch_op.drop_column("lots")
    with op.batch_alter_table("settlement_nets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlement_nets_settle_date"))
    op.drop_table("settlement_nets")
