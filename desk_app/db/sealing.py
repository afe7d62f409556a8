"""The SQL behind record seals: rows read as their seals see them, and seals written.

A seal hashes a row as the database gives it back (the driver's own values, no
column types applied): what Desk wrote and what someone changed behind its back read
alike, and hashing a million rows stays cheap. Rows are read in id order, a chunk at
a time, through the driver's cursor (server-side on PostgreSQL).

Set-based writes (`bulk_insert`, a settlement run, a bulk settlement) make no ORM
objects for the audit listener to see: they `note_written` the ids, and the audit
trail seals those rows, as they then stand, when the transaction commits.
"""

from __future__ import annotations

import gc
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desk_app.db.models.base import Base
from desk_app.db.models.seals import RecordSeal, SealLayout
from desk_app.db.pg_copy import copy_rows
from desk_app.domain.record_seals import (
    BatchDigest,
    ColumnMemo,
    batch_detail,
    layout_prefix,
    layout_text,
    seal_columns,
)

#: Tables that are the trail itself, not records in it.
UNSEALED_TABLES = frozenset({"audit_log", "audit_head", "record_seals", "record_seal_layouts"})
WRITTEN_KEY = "desk_written_rows"
CHUNK = 20_000
#: Rows read at a time to be sealed: fewer than a check reads, so that they are still
#: in the CPU's caches when they are hashed.
_SEAL_READ = 2000
#: Ids of one ``IN`` list when the ids are too sparse for a range.
_IN_LIST = 1000
#: Rows hashed together: a few hundred, so that the work stays in the CPU's caches.
_SEAL_SLICE = 500
#: Seals from which PostgreSQL gets them by ``COPY``.
_COPY_FROM = 50

Seal = tuple[str, int, int, int, bytes | None, bytes | None]
#: Seals of rows of one table, column by column: record ids, row hashes, fingerprints.
Sealed = tuple[list[int], list[bytes], list[bytes]]
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def sealed_tables(dialect: str = "") -> list[Table]:
    """Every table whose rows are sealed on ``dialect``'s databases, by name.

    A table may be left unsealed on an engine that keeps it fixed by privileges and
    that the desk cannot read there (``info["unsealed_on"]``: the tax id vault).
    """
    tables = [
        t for t in Base.metadata.sorted_tables
        if t.name not in UNSEALED_TABLES and dialect not in t.info.get("unsealed_on", ())
    ]  # fmt: skip
    return sorted(tables, key=lambda t: t.name)


@cache
def tables_by_name(dialect: str = "") -> dict[str, Table]:
    return {str(table.name): table for table in sealed_tables(dialect)}


def columns_of(table: Table) -> tuple[str, ...]:
    """A table's columns as its layout lists them (sorted by name)."""
    return tuple(sorted(c.name for c in table.c))


def note_written(session: Session, table: str, ids: Iterable[int]) -> None:
    """Rows written by set-based SQL in ``session``: sealed when it commits."""
    session.info.setdefault(WRITTEN_KEY, {}).setdefault(table, []).extend(ids)


def take_written(session: Session) -> dict[str, list[int]]:
    """The noted rows by table (sorted, once each), forgotten here."""
    noted: dict[str, list[int]] = session.info.pop(WRITTEN_KEY, {})
    return {table: sorted(set(ids)) for table, ids in sorted(noted.items()) if ids}


def read_rows(
    conn: Connection, table: str, columns: Sequence[str], ids: Sequence[int] | None = None,
    *, chunk: int = CHUNK,
) -> Iterator[list[tuple[Any, ...]]]:  # fmt: skip
    """Rows of ``table`` (``columns`` wide) in id order, all or ``ids`` (sorted), in chunks."""
    preparer = conn.dialect.identifier_preparer
    head = f"SELECT {', '.join(map(preparer.quote, columns))} FROM {preparer.quote(table)}"
    if ids is None:
        yield from fetch(conn, f"{head} ORDER BY id", chunk, server_side=True)
        return
    at = columns.index("id")
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        if part[-1] - part[0] < 4 * len(part):  # dense (a load's ids): a range, filtered here
            where = f"WHERE id BETWEEN {int(part[0])} AND {int(part[-1])}"
            if part[-1] - part[0] + 1 == len(part):  # every id of the range: nothing to filter
                yield from fetch(conn, f"{head} {where} ORDER BY id", chunk)
                continue
            wanted = set(part)
            for rows in fetch(conn, f"{head} {where} ORDER BY id", chunk):
                yield [row for row in rows if row[at] in wanted]
            continue
        for first in range(0, len(part), _IN_LIST):
            listed = ", ".join(str(int(i)) for i in part[first : first + _IN_LIST])
            yield from fetch(conn, f"{head} WHERE id IN ({listed}) ORDER BY id", chunk)


def literal_name(name: str) -> str:
    """A table name as an SQL string literal (names are Desk's own: checked, not escaped)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a table name")
    return f"'{name}'"


def fetch(
    conn: Connection, sql: str, chunk: int = CHUNK, *, server_side: bool = False
) -> Iterator[list[tuple[Any, ...]]]:
    """The driver's plain tuples, ``chunk`` at a time, in the connection's transaction."""
    driver: Any = conn.connection.driver_connection
    if server_side and conn.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"desk_rows_{uuid.uuid4().hex[:12]}")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunk):
            yield rows
    finally:
        cursor.close()


def seal_chunks(
    conn: Connection, table: Table, ids: Sequence[int] | None = None, *, chunk: int = _SEAL_READ
) -> Iterator[Sealed]:
    """The seals of the rows as they stand now, in id order, a chunk at a time."""
    columns = columns_of(table)
    prefix = layout_prefix(table.name, layout_text(table.name, columns))
    pick = itemgetter(columns.index("id"))
    memos = [ColumnMemo() for _ in columns]
    for rows in read_rows(conn, table.name, columns, ids, chunk=chunk):
        hashes: list[bytes] = []
        prints: list[bytes] = []
        for start in range(0, len(rows), _SEAL_SLICE):
            made, marks = seal_columns(prefix, rows[start : start + _SEAL_SLICE], memos)
            hashes += made
            prints += marks
        yield list(map(pick, rows)), hashes, prints


def images(
    conn: Connection, records: Iterable[tuple[str, int]]
) -> dict[tuple[str, str], tuple[bytes, bytes]]:
    """The row hash and fingerprints of each (table, id) as it now stands, by (table, "id")."""
    tables = tables_by_name(conn.dialect.name)
    wanted: dict[str, set[int]] = {}
    for name, record_id in records:
        if name in tables:
            wanted.setdefault(name, set()).add(record_id)
    found = {}
    for name, ids in wanted.items():
        for rids, hashes, prints in seal_chunks(conn, tables[name], sorted(ids)):
            for rid, digest, marks in zip(rids, hashes, prints, strict=True):
                found[name, str(rid)] = (digest, marks)
    return found


def unsealed_ids(conn: Connection, table: Table) -> list[int]:
    """Rows of ``table`` that have never been sealed, by id."""
    seals = RecordSeal.__table__
    sealed = (
        select(seals.c.record_id)
        .where(seals.c.table_name == table.name, seals.c.record_id == table.c.id)
        .exists()
    )
    return list(conn.scalars(select(table.c.id).where(~sealed).order_by(table.c.id)))


def seal_batches(
    conn: Connection, table: Table, ids: Sequence[int] | None,
    entry: Callable[[str, Mapping[str, Any]], int], *, batch_rows: int,
) -> int:  # fmt: skip
    """Seal rows of ``table`` (all, or ``ids``) as they stand; how many.

    Each batch of up to ``batch_rows`` rows is recorded first by ``entry(span,
    detail)``, which appends its audit entry (the digest of the batch's seals) and
    returns its seq; the seals follow, naming that entry.
    """
    layout = layout_id(conn, table)
    name = str(table.name)  # a plain str: the driver adapts a subclass value by value
    records: list[int] = []
    hashes: list[bytes] = []
    prints: list[bytes] = []
    done = 0

    def flush(count: int) -> int:
        batch = (records[:count], hashes[:count], prints[:count])
        del records[:count], hashes[:count], prints[:count]
        digest = BatchDigest()
        digest.add_columns(layout, *batch)
        detail = batch_detail(batch[0], digest)
        seq = entry(f"{detail['first_id']}..{detail['last_id']}", detail)
        insert_batch(conn, name, seq, layout, batch)
        return count

    with no_cycle_collection():
        for more_records, more_hashes, more_prints in seal_chunks(conn, table, ids):
            records += more_records
            hashes += more_hashes
            prints += more_prints
            while len(records) >= batch_rows:
                done += flush(batch_rows)
        if records:
            done += flush(len(records))
    return done


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Sealing a load makes hundreds of thousands of tuples and no reference cycles; the
    cycle collector, set off by so many, would walk the caller's whole heap again and
    again (the demo's book: half of the sealing time). Also around a whole import.

    Nested or in two threads at once, the collector is back on when the outermost
    use that turned it off ends (an inner one finds it off and leaves it so)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def layout_id(conn: Connection, table: Table) -> int:
    """The id of ``table``'s current layout, recorded on first use."""
    layouts = SealLayout.__table__
    assert isinstance(layouts, Table)
    columns = layout_text(table.name, columns_of(table))
    find = select(layouts.c.id).where(
        layouts.c.table_name == table.name, layouts.c.columns == columns
    )
    found = conn.execute(find).scalar()
    if found is None:
        # Two desks may record it at once: the second insert does nothing.
        maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(
            maker(layouts).values(table_name=table.name, columns=columns).on_conflict_do_nothing()
        )
        found = conn.execute(find).scalar_one()
    return int(found)


SEAL_COLUMNS = ("table_name", "record_id", "seq", "layout_id", "row_hash", "fingerprints")


#: One batch's seals in one statement: its record ids as a JSON array, its row hashes
#: and its fingerprints each as one blob, cut up by SQLite itself (no Python per row).
_SQLITE_BATCH = (
    f"INSERT INTO record_seals ({', '.join(SEAL_COLUMNS)}) "
    "SELECT ?1, j.value, ?2, ?3, substr(?5, j.key * 32 + 1, 32), substr(?6, j.key * ?7 + 1, ?7) "
    "FROM json_each(?4) AS j"
)


def insert_batch(conn: Connection, table: str, seq: int, layout: int, sealed: Sealed) -> None:
    """Append the seals of one ``seal`` entry: rows of ``table``, all under ``layout``."""
    ids, hashes, prints = sealed
    if not ids:
        return
    width = len(prints[0])
    if (
        conn.dialect.name == "sqlite"
        and sqlite_has_json()
        and set(map(len, hashes)) == {32}
        and set(map(len, prints)) == {width}
    ):
        listed = f"[{','.join(map(str, map(int, ids)))}]"
        joined = (b"".join(hashes), b"".join(prints))
        conn.exec_driver_sql(_SQLITE_BATCH, (table, seq, layout, listed, *joined, width))
        return
    n = len(ids)
    rows = zip([table] * n, ids, [seq] * n, [layout] * n, hashes, prints, strict=True)
    insert_seals(conn, list(rows))


@cache
def sqlite_has_json() -> bool:
    """Whether this SQLite library has its JSON functions (built in since 3.38)."""
    import sqlite3

    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("SELECT count(*) FROM json_each('[1]')").fetchone()
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def insert_seals(conn: Connection, seals: Sequence[Seal]) -> None:
    """Append seals: one ``executemany`` on SQLite; on PostgreSQL ``COPY`` for a load."""
    if not seals:
        return
    if conn.dialect.name != "postgresql":
        placeholders = ", ".join("?" for _ in SEAL_COLUMNS)
        conn.exec_driver_sql(
            f"INSERT INTO record_seals ({', '.join(SEAL_COLUMNS)}) VALUES ({placeholders})",
            list(seals),
        )
        return
    if len(seals) < _COPY_FROM:  # a flush's few: COPY's round trips would cost more
        conn.execute(insert(RecordSeal), [dict(zip(SEAL_COLUMNS, s, strict=True)) for s in seals])
        return
    copy_rows(conn, "record_seals", SEAL_COLUMNS, seals)
