"""Trades keep why they were booked at a price of 0 (or a future at 0 or below).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 07:00:00

A security at 0 is booked only with a reason (a gift, a transfer at no cost, a
worthless position closed out), kept on the trade version for the auditor. Trades
already on the books have none: nothing is guessed for them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column: a plain ALTER TABLE on both engines, the table's triggers untouched.
    op.add_column("trades", sa.Column("price_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.drop_column("price_reason")
