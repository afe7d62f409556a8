"""The prices list in its order: newest day first, read from an index.

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-07 19:00:00

The Prices tab and ``prices list`` page through every price by day and id (keyset
paging); a book of years of daily closes for thousands of instruments would be
sorted in full for each page without this index. A position's price is found
through the unique (instrument, day) index 0019 made.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_instrument_prices_date_id", "instrument_prices", ["price_date", "id"])


def downgrade() -> None:
    op.drop_index("ix_instrument_prices_date_id", table_name="instrument_prices")
