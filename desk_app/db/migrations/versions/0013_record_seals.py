"""Record seals: every audited row's state bound into the audit trail, and a baseline.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 09:00:00

An audit entry now carries the hash of its row after a create or update
(``audit_log.row_hash``, hashed into the entry only when set, so older entries keep
their hashes), and ``record_seals`` keeps each row's sealed hashes and column
fingerprints, under the columns (``record_seal_layouts``) it was sealed with. Both
tables are append-only like the trail, and on PostgreSQL a seal must follow an
entry appended by the same login.

Every row already in a database in use is sealed here as it stands (``seal``
entries of up to 50,000 rows, each with the digest of its rows' seals), and one
event records the baseline. A new database (an empty trail: only the reference
rows earlier migrations add) is left to its first audited change, which seals them
in the same way (`desk_app.services.audit`), so that entry 1 stays the first user.

This file keeps its own SQL for the trail and the seals, so it does not change when
the models do; the hashing is the domain's (versioned by its ``SEAL_FORMAT``), and
rows are read by `desk_app.db.sealing.read_rows`. A later migration that changes
the values of sealed rows must seal them again the same way, or ``audit verify
--records`` reports them as changed outside Desk; one that only adds a column needs
nothing (a seal covers the columns it was made with).
"""

import getpass
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from desk_app.db.sealing import read_rows
from desk_app.domain import audit_chain
from desk_app.domain.audit_chain import EntryContent, canonical_json
from desk_app.domain.record_seals import (
    BatchDigest,
    batch_detail,
    layout_prefix,
    layout_text,
    seal_rows,
)

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH_ROWS = 50_000
APP_USER = "desk-migration"
ACTION = "db.baseline_seal"
UNSEALED = {"alembic_version", "audit_log", "audit_head", "record_seals", "record_seal_layouts"}
SEAL_COLUMNS = ("table_name", "record_id", "seq", "layout_id", "row_hash", "fingerprints")

_PG_APPEND_ONLY = """
CREATE FUNCTION desk_record_seals_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
"""
# One check per statement (a COPY of 50,000 seals is one), over the rows it added.
_PG_SEAL_CHECK = """
CREATE FUNCTION desk_record_seal_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.table_name, n.record_id, n.seq INTO bad
    FROM new_seals n LEFT JOIN audit_log e ON e.seq = n.seq
    WHERE e.seq IS NULL
       OR e.db_login IS DISTINCT FROM session_user::text
       OR e.table_name IS DISTINCT FROM n.table_name
       OR e.change NOT IN ('create', 'update', 'delete', 'seal')
       OR (e.change <> 'seal' AND e.record_id <> n.record_id::text)
       OR (e.change IN ('create', 'update')
           AND e.row_hash IS DISTINCT FROM encode(n.row_hash, 'hex'))
       OR (e.change = 'delete' AND n.row_hash IS NOT NULL)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the seal of % % does not follow audit entry % of this login',
            bad.table_name, bad.record_id, bad.seq USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("audit_log", sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "record_seal_layouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=48), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_seal_layouts")),
        sa.UniqueConstraint(
            "table_name", "columns", name=op.f("uq_record_seal_layouts_table_name_columns")
        ),
    )
    op.create_table(
        "record_seals",
        sa.Column("table_name", sa.String(length=48), nullable=False),
        sa.Column("record_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("layout_id", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("fingerprints", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["layout_id"],
            ["record_seal_layouts.id"],
            name=op.f("fk_record_seals_layout_id_record_seal_layouts"),
        ),
        sa.PrimaryKeyConstraint("table_name", "record_id", "seq", name=op.f("pk_record_seals")),
        sqlite_with_rowid=False,
    )
    if dialect == "postgresql":
        op.execute(_PG_APPEND_ONLY)
        op.execute(_PG_SEAL_CHECK)
        for table in ("record_seals", "record_seal_layouts"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION desk_record_seals_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION desk_record_seals_append_only()"
            )
        op.execute(
            "CREATE TRIGGER record_seals_insert_check AFTER INSERT ON record_seals "
            "REFERENCING NEW TABLE AS new_seals "
            "FOR EACH STATEMENT EXECUTE FUNCTION desk_record_seal_check()"
        )
    else:
        for table in ("record_seals", "record_seal_layouts"):
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {event} refused'); END"
                )
    _baseline(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("the record seals are part of the audit trail: never removed")


# -- the baseline seal ----------------------------------------------------------------------

_ENTRIES = sa.table(
    "audit_log",
    *(sa.column(name) for name in (
        "seq", "recorded_at", "app_user", "db_login", "action", "change", "table_name",
        "record_id", "before", "after", "approval_id", "row_hash", "prev_hash", "entry_hash",
    )),
)  # fmt: skip
_LAYOUTS = sa.table("record_seal_layouts", sa.column("id"), sa.column("table_name"),
                    sa.column("columns"))  # fmt: skip


class _Trail:
    """Appends entries after the chain's head, as `desk_app.services.audit.append` does."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.seq, self.head = conn.execute(
            sa.text("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, entry_hash")
        ).one()
        if conn.dialect.name == "postgresql":
            self.login = str(conn.execute(sa.text("SELECT session_user")).scalar_one())
        else:
            try:
                self.login = getpass.getuser()
            except OSError:
                self.login = "unknown"

    def append(self, change: str, table: str, record_id: str, after: dict[str, Any]) -> int:
        self.seq += 1
        content = EntryContent(
            self.seq, audit_chain.timestamp_text(datetime.now(UTC)), APP_USER, self.login,
            ACTION, change, table, record_id, None, canonical_json(after), None,
        )  # fmt: skip
        [(entry, prev, digest)] = audit_chain.chain(self.head, [content])
        self.conn.execute(
            sa.insert(_ENTRIES).values(**vars(entry), prev_hash=prev, entry_hash=digest)
        )
        self.conn.execute(
            sa.text("UPDATE audit_head SET seq = :seq, entry_hash = :hash WHERE id = 1"),
            {"seq": self.seq, "hash": digest},
        )
        self.head = digest
        return int(self.seq)


def _baseline(conn: sa.Connection) -> None:
    trail = _Trail(conn)
    if trail.seq == 0:  # a new database: the first audited change seals what is here
        return
    sealed: dict[str, int] = {}
    for table in sorted(sa.inspect(conn).get_table_names()):
        if table in UNSEALED or table.startswith("sqlite_"):
            continue
        columns = tuple(sorted(c["name"] for c in sa.inspect(conn).get_columns(table)))
        if "id" in columns:
            sealed[table] = _seal_table(conn, trail, table, columns)
    rows = {table: n for table, n in sealed.items() if n}
    trail.append("event", "record_seals", "baseline", {"rows": rows})


def _seal_table(conn: sa.Connection, trail: _Trail, table: str, columns: tuple[str, ...]) -> int:
    text = layout_text(table, columns)
    conn.execute(sa.insert(_LAYOUTS).values(table_name=table, columns=text))
    layout = int(
        conn.execute(
            sa.select(_LAYOUTS.c.id).where(
                _LAYOUTS.c.table_name == table, _LAYOUTS.c.columns == text
            )
        ).scalar_one()
    )
    prefix, at = layout_prefix(table, text), columns.index("id")
    pending: list[tuple[int, bytes, bytes]] = []
    done = 0
    for rows in read_rows(conn, table, columns):
        for start in range(0, len(rows), 2000):  # a few thousand at a time: faster
            part = rows[start : start + 2000]
            sealed = seal_rows(prefix, part)
            pending += [(row[at], *seal) for row, seal in zip(part, sealed, strict=True)]
        while len(pending) >= BATCH_ROWS:
            done += _seal_batch(conn, trail, table, layout, pending[:BATCH_ROWS])
            del pending[:BATCH_ROWS]
    if pending:
        done += _seal_batch(conn, trail, table, layout, pending)
    return done


def _seal_batch(
    conn: sa.Connection, trail: _Trail, table: str, layout: int,
    rows: list[tuple[int, bytes, bytes]],
) -> int:  # fmt: skip
    digest = BatchDigest()
    for rid, row_hash, prints in rows:
        digest.add(rid, layout, row_hash, prints)
    detail = batch_detail((rid for rid, _, _ in rows), digest)
    seq = trail.append("seal", table, f"{detail['first_id']}..{detail['last_id']}", detail)
    seals = [(table, rid, seq, layout, row_hash, prints) for rid, row_hash, prints in rows]
    if conn.dialect.name == "postgresql":
        from psycopg import sql

        driver: Any = conn.connection.driver_connection
        statement = sql.SQL("COPY record_seals ({}) FROM STDIN").format(
            sql.SQL(", ").join(map(sql.Identifier, SEAL_COLUMNS))
        )
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for seal in seals:
                copy.write_row(seal)
    else:
        conn.exec_driver_sql(
            f"INSERT INTO record_seals ({', '.join(SEAL_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
            seals,
        )
    return len(rows)
