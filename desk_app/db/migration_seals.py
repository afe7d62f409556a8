"""Sealing what a migration wrote, for a database whose audit trail has begun.

A migration that inserts or changes business rows after the trail began (migration
0013) seals them as they now stand, as the application seals what it writes: one
``seal`` entry per table on the audit chain and a record seal per row, then one
``event`` entry saying why. The layout is the table's columns as the database has
them at that moment (not the models'), so what a migration seals does not change
when the models change later. A new database (no entry yet) needs nothing: its
first audited change seals every row there is.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from desk_app.db.sealing import read_rows
from desk_app.domain import audit_chain
from desk_app.domain.audit_chain import EntryContent, canonical_json
from desk_app.domain.record_seals import BatchDigest, batch_detail, layout_prefix, layout_text
from desk_app.domain.record_seals import seal_rows as hash_rows

#: Who the entries say wrote them.
APP_USER = "desk-migration"
_ENTRIES = sa.table(
    "audit_log",
    *(sa.column(name) for name in (
        "seq", "recorded_at", "app_user", "db_login", "action", "change", "table_name",
        "record_id", "before", "after", "approval_id", "row_hash", "prev_hash", "entry_hash",
    )),
)  # fmt: skip
_SEAL_COLUMNS = ("table_name", "record_id", "seq", "layout_id", "row_hash", "fingerprints")


def seal_written(
    conn: sa.Connection, ids: dict[str, list[int]], action: str, event: tuple[str, str]
) -> None:
    """Seal the rows ``ids`` (by table) as they now stand, if the trail began; then one
    ``event`` entry (table, record) under ``action`` counting what was sealed."""
    seq, head = conn.execute(
        sa.text("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, entry_hash")
    ).one()
    if seq == 0:  # a new database: its first audited change seals what is here
        return
    if conn.dialect.name == "postgresql":
        login = str(conn.execute(sa.text("SELECT session_user")).scalar_one())
    else:
        try:
            login = getpass.getuser()
        except OSError:
            login = "unknown"
    trail: list[Any] = [int(seq), str(head)]

    def append(change: str, table: str, record_id: str, after: dict[str, Any]) -> int:
        trail[0] += 1
        content = EntryContent(
            trail[0], audit_chain.timestamp_text(datetime.now(UTC)), APP_USER, login,
            action, change, table, record_id, None, canonical_json(after), None,
        )  # fmt: skip
        [(entry, prev, digest)] = audit_chain.chain(str(trail[1]), [content])
        conn.execute(sa.insert(_ENTRIES).values(**vars(entry), prev_hash=prev, entry_hash=digest))
        conn.execute(
            sa.text("UPDATE audit_head SET seq = :seq, entry_hash = :hash WHERE id = 1"),
            {"seq": trail[0], "hash": digest},
        )
        trail[1] = digest
        return int(trail[0])

    sealed = {table: _seal(conn, table, set(rows), append) for table, rows in ids.items()}
    append("event", event[0], event[1], {"sealed": sealed})


def _seal(conn: sa.Connection, table: str, ids: set[int], append: Any) -> int:
    """Seal the rows ``ids`` of ``table`` under one ``seal`` entry."""
    columns = tuple(sorted(c["name"] for c in sa.inspect(conn).get_columns(table)))
    text = layout_text(table, columns)
    layouts = sa.table("record_seal_layouts", sa.column("id"), sa.column("table_name"),
                       sa.column("columns"))  # fmt: skip
    find = sa.select(layouts.c.id).where(layouts.c.table_name == table, layouts.c.columns == text)
    layout = conn.execute(find).scalar()
    if layout is None:
        conn.execute(sa.insert(layouts).values(table_name=table, columns=text))
        layout = conn.execute(find).scalar_one()
    prefix, at = layout_prefix(table, text), columns.index("id")
    rows = [row for chunk in read_rows(conn, table, columns) for row in chunk if row[at] in ids]
    sealed = [(row[at], *seal) for row, seal in zip(rows, hash_rows(prefix, rows), strict=True)]
    digest = BatchDigest()
    for rid, row_hash, prints in sealed:
        digest.add(rid, int(layout), row_hash, prints)
    detail = batch_detail((rid for rid, _, _ in sealed), digest)
    seq = append("seal", table, f"{detail['first_id']}..{detail['last_id']}", detail)
    conn.execute(
        sa.text(
            f"INSERT INTO record_seals ({', '.join(_SEAL_COLUMNS)}) VALUES (:t, :r, :s, :l, :h, :f)"
        ),
        [
            {"t": table, "r": rid, "s": seq, "l": int(layout), "h": row_hash, "f": prints}
            for rid, row_hash, prints in sealed
        ],
    )
    return len(sealed)
