"""Indexes for sorting the blotter by any column.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 23:00:00

Sorting a million trades by an amount, a code or a reference column read every
matching row and sorted it (2 s a page on SQLite). Each sort order now has an index
to walk: amounts by (value, id); side, currency and source by (code, trade date);
instruments by symbol or description, then ISIN. On PostgreSQL, whose indexes keep
NULLs last, the columns that may be empty (external id, symbol) get an index with
NULLs first, the order Desk shows on both engines.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRADE_INDEXES = {
    "ix_trades_side_trade_date": ["side", "trade_date"],
    "ix_trades_currency_trade_date": ["currency", "trade_date"],
    "ix_trades_source_trade_date": ["source", "trade_date"],
    "ix_trades_quantity_id": ["quantity", "id"],
    "ix_trades_price_id": ["price", "id"],
    "ix_trades_gross_amount_id": ["gross_amount", "id"],
    "ix_trades_net_amount_id": ["net_amount", "id"],
}


#: PostgreSQL only (see desk_app.db.models.base.POSTGRESQL_ONLY_INDEXES).
NULLS_FIRST_INDEXES = {
    "ix_trades_external_id_nulls_first": "trades (external_id NULLS FIRST, id)",
    "ix_instruments_symbol_nulls_first": "instruments (symbol NULLS FIRST, isin)",
}


def upgrade() -> None:
    for name, columns in TRADE_INDEXES.items():
        op.create_index(name, "trades", columns)
    if op.get_bind().dialect.name == "postgresql":
        for name, definition in NULLS_FIRST_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {definition}")
    op.drop_index("ix_instruments_symbol", table_name="instruments")
    # Unique (the ISIN is): SQLite then knows the walk meets each instrument once.
    op.create_index("ix_instruments_symbol_isin", "instruments", ["symbol", "isin"], unique=True)
    op.create_index(
        "ix_instruments_description_isin", "instruments", ["description", "isin"], unique=True
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in NULLS_FIRST_INDEXES:
            op.execute(f"DROP INDEX {name}")
    op.drop_index("ix_instruments_description_isin", table_name="instruments")
    op.drop_index("ix_instruments_symbol_isin", table_name="instruments")
    op.create_index("ix_instruments_symbol", "instruments", ["symbol"])
    for name in reversed(TRADE_INDEXES):
        op.drop_index(name, table_name="trades")
