"""Indexes for the text search of every list: contained words found without a scan.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10 09:00:00

A search word must be contained in a field (``ILIKE '%word%'``), which no B-tree can
answer. On PostgreSQL the ``pg_trgm`` extension's trigram GIN indexes can: one per
searched table, over the fields the lists search (`desk_app.db.text_search`). The
extension is used where it is already installed (in whatever schema); otherwise this
migration installs it in the schema (``pg_trgm`` is a trusted extension: the schema's
owner may, with CREATE on the database). Where it can do neither, the searches still
work, reading the tables, and the migration logs a warning; a later upgrade does not
retry (an administrator can install the extension, then downgrade to 0016 and upgrade).

A trade's reference is matched from its start, through the B-tree index it has (a
trigram index on a million trades would slow every import). Obligations are reached
from a matching account, instrument, counterparty or trade
through their foreign keys: the instrument and counterparty columns get the indexes
the account and trade columns already had, on both engines. SQLite has no substring
index; it reads the small tables whose fields match and reaches the large one through
these indexes (`bench/search.py` measures both).
"""

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

#: PostgreSQL only (see desk_app.db.models.base.POSTGRESQL_ONLY_INDEXES): table, fields.
TRIGRAM_INDEXES = {
    "ix_accounts_search": ("accounts", ("account_number", "name", "registered_rep")),
    "ix_instruments_search": ("instruments", ("isin", "cusip", "symbol", "description")),
    "ix_counterparties_search": ("counterparties", ("code", "name")),
    "ix_certificates_search": (
        "certificates",
        ("certificate_number", "cusip", "issuer", "registered_holder"),
    ),
    "ix_courier_manifests_search": (
        "courier_manifests",
        ("manifest_number", "courier", "recipient", "recipient_address", "airbill"),
    ),
    "ix_approval_requests_search": ("approval_requests", ("maker", "target_key", "summary")),
    "ix_certificate_custody_search": ("certificate_custody", ("from_party", "to_party")),
}

FOREIGN_KEY_INDEXES = {
    "ix_settlement_obligations_instrument_id": "instrument_id",
    "ix_settlement_obligations_counterparty_id": "counterparty_id",
}


def upgrade() -> None:
    for name, column in FOREIGN_KEY_INDEXES.items():
        op.create_index(name, "settlement_obligations", [column])
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _trigram_schema()
    if schema is None:
        return
    for name, (table, columns) in TRIGRAM_INDEXES.items():
        fields = ", ".join(f'{c} "{schema}".gin_trgm_ops' for c in columns)
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({fields})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    for name in FOREIGN_KEY_INDEXES:
        op.drop_index(name, table_name="settlement_obligations")


def _trigram_schema() -> str | None:
    """Where ``pg_trgm`` is (installing it in this schema if it can), or None."""
    conn = op.get_bind()
    found = text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    schema = conn.scalar(found)
    if schema is not None:
        return str(schema)
    try:
        with conn.begin_nested():  # a refusal must not abort the migration's transaction
            conn.execute(text("CREATE EXTENSION pg_trgm"))
    except DBAPIError as exc:
        log.warning(
            "pg_trgm could not be installed (%s): searches will read the tables; "
            "a database administrator can install it (CREATE EXTENSION pg_trgm) and "
            "downgrade to 0016 and upgrade again to add the search indexes",
            str(exc.orig).splitlines()[0] if exc.orig else exc,
        )
        return None
    return str(conn.scalar(found))
