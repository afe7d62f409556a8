"""The audit trail: every ORM write in a unit of work appends hash-chained entries.

A listener on the workspace's sessions turns each flushed insert, update and delete
into an entry (who, database login, when, action, record, before and after) inside
the same transaction, so a change and its audit entry commit or vanish together. A
flush that changes a record with no acting user is a bug and is refused.

Each entry also seals its record (`desk_app.db.sealing`): a create or update carries
the hash of the whole row as it stands after the flush, and a seal row beside it
keeps that hash with the row's column fingerprints. Rows written by set-based SQL
are noted and sealed at commit, up to `BATCH_ROWS` rows a ``seal`` entry, which
holds the digest of their seals. So a row changed behind Desk's back no longer
matches its last audited state, and ``audit verify --records`` names it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, event, insert, inspect, select, text, update
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from desk_app.db import models as m
from desk_app.db import sealing
from desk_app.db.engine import hold_big_cache
from desk_app.domain import audit_chain
from desk_app.domain.audit_chain import ChainReport, EntryContent, canonical_json

CONTEXT_KEY = "desk_audit"
#: Values never copied into the trail: they would only help an attacker.
SECRET_FIELDS = frozenset({"password_hash"})
UNAUDITED = (m.AuditEntry, m.AuditHead, m.RecordSeal, m.SealLayout)
#: Rows of a set-based write sealed by one ``seal`` entry.
BATCH_ROWS = 50_000
#: What sealed the rows a database held before its first audited change.
BASELINE_ACTION = "db.baseline_seal"
_FIRST_KEY = "desk_began_trail"


class UnauditedWrite(RuntimeError):
    """A record was changed outside a unit of work that names its actor (a bug)."""


@dataclass(frozen=True)
class AuditContext:
    """Who is acting and why, for the entries a unit of work appends."""

    app_user: str
    db_login: str
    action: str
    approval_id: int | None = None


@dataclass(frozen=True)
class Change:
    """One change to record: ``change`` is create, update, delete, event or seal."""

    change: str
    table_name: str
    record_id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    row_hash: str | None = None


def install(sessions: sessionmaker[Session]) -> None:
    """Audit every flush of sessions made by ``sessions``; seal set-based writes at commit."""
    event.listen(sessions, "before_flush", _before_flush)
    event.listen(sessions, "after_flush", _after_flush)
    event.listen(sessions, "before_commit", _before_commit)


def _before_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    """Set ``onupdate`` columns (``updated_at``) as ordinary changes, so their old value
    is in the entry's ``before`` and every past version can be rebuilt exactly.

    Left to the flush, SQLAlchemy overwrites the old value without any history.
    """
    for obj in session.dirty:
        if isinstance(obj, UNAUDITED) or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            onupdate = attr.columns[0].onupdate
            if not getattr(onupdate, "is_callable", False):
                continue
            if not state.attrs[attr.key].history.has_changes():
                setattr(obj, attr.key, onupdate.arg(None))


@contextmanager
def acting(session: Session, action: str, approval_id: int | None = None) -> Iterator[None]:
    """Record what happens inside the block as ``action`` (e.g. an approved change)."""
    session.flush()
    saved = context_of(session)
    session.info[CONTEXT_KEY] = replace(saved, action=action, approval_id=approval_id)
    try:
        yield
        session.flush()
    finally:
        session.info[CONTEXT_KEY] = saved


def context_of(session: Session) -> AuditContext:
    ctx = session.info.get(CONTEXT_KEY)
    if not isinstance(ctx, AuditContext):
        raise UnauditedWrite("a write without an acting user; use a service's unit of work")
    return ctx


def record_event(
    session: Session, table_name: str, record_id: object, detail: Mapping[str, Any]
) -> None:
    """An entry for something that changed no record (revealing a tax id, a reprint)."""
    _append(session, [Change("event", table_name, str(record_id), None, detail)])


def _append(session: Session, changes: list[Change]) -> int:
    """`append` in ``session``, noting whether its entries began the trail."""
    last = append(session.connection(), context_of(session), changes)
    if last == len(changes):
        session.info[_FIRST_KEY] = True
    return last


def append_past(session: Session, entries: list[tuple[AuditContext, datetime, Change]]) -> None:
    """`append_dated` in ``session``, noting whether its entries began the trail."""
    last = append_dated(session.connection(), entries)
    if entries and last == len(entries):
        session.info[_FIRST_KEY] = True


def _after_flush(session: Session, flush: UOWTransaction) -> None:
    changes = list(_changes(session, flush))
    if not changes:
        return
    conn = session.connection()
    images = _images(conn, changes)
    changes = [
        replace(c, row_hash=images[c.table_name, c.record_id][0].hex())
        if (c.table_name, c.record_id) in images and c.change != "delete"
        else c
        for c in changes
    ]
    last = _append(session, changes)
    tables = sealing.tables_by_name(conn.dialect.name)
    layouts = {name: sealing.layout_id(conn, tables[name]) for name in {
        c.table_name for c in changes if c.table_name in tables
    }}  # fmt: skip
    seals: list[sealing.Seal] = []
    for seq, c in enumerate(changes, start=last - len(changes) + 1):
        if c.table_name not in tables or c.change not in ("create", "update", "delete"):
            continue
        digest, prints = images.get((c.table_name, c.record_id), (None, None))
        if c.change == "delete":
            digest = prints = None
        elif digest is None:
            continue  # nothing to seal: the row is not there to read
        seals.append((c.table_name, int(c.record_id), seq, layouts[c.table_name], digest, prints))
    sealing.insert_seals(conn, seals)


def _images(conn: Connection, changes: list[Change]) -> dict[tuple[str, str], tuple[bytes, bytes]]:
    """The row hash and fingerprints of each created or updated record, as it now stands."""
    return sealing.images(conn, [
        (c.table_name, int(c.record_id)) for c in changes if c.change in ("create", "update")
    ])  # fmt: skip


def _before_commit(session: Session) -> None:
    """Seal what set-based SQL wrote (`sealing.note_written`), as it now stands; and, in
    the transaction that began the trail, the rows the migrations put in the database."""
    session.flush()  # the ORM's own changes first: their entries seal them
    first = session.info.pop(_FIRST_KEY, False)
    if not first and not session.info.get(sealing.WRITTEN_KEY):
        return
    conn = session.connection()
    ctx = context_of(session)
    tables = sealing.tables_by_name(conn.dialect.name)
    written = sealing.take_written(session)
    hold_big_cache(conn, sum(map(len, written.values())))  # rows just written, read back
    for name, ids in written.items():
        seal_rows(conn, ctx, tables[name], ids)
    if first:
        baseline = replace(ctx, action=BASELINE_ACTION)
        sealed = {
            name: seal_rows(conn, baseline, table, ids)
            for name, table in tables.items()
            if (ids := sealing.unsealed_ids(conn, table))
        }
        if sealed:
            detail = {"rows": sealed}
            append(conn, baseline, [Change("event", "record_seals", "baseline", None, detail)])


def seal_rows(conn: Connection, ctx: AuditContext, table: Table, ids: list[int] | None) -> int:
    """Seal rows of ``table`` (all, or ``ids``) as they stand: a ``seal`` entry per
    `BATCH_ROWS` rows, holding the digest of their seals, which follow it; the rows."""
    name = str(table.name)

    def entry(span: str, detail: Mapping[str, Any]) -> int:
        return append(conn, ctx, [Change("seal", name, span, None, detail)])

    return sealing.seal_batches(conn, table, ids, entry, batch_rows=BATCH_ROWS)


def _changes(session: Session, flush: UOWTransaction) -> Iterator[Change]:
    deleted = _deleted(session, flush)
    gone = {id(obj) for obj in deleted}
    for obj in session.new:
        if not isinstance(obj, UNAUDITED):
            yield Change("create", _table(obj), _record_id(obj), None, snapshot(obj))
    for obj in session.dirty:
        if id(obj) in gone or isinstance(obj, UNAUDITED):
            continue
        if not session.is_modified(obj, include_collections=False):
            continue
        before, after = _changed_fields(obj)
        if before != after:
            yield Change("update", _table(obj), _record_id(obj), before, after)
    for obj in deleted:
        if not isinstance(obj, UNAUDITED):
            yield Change("delete", _table(obj), _record_id(obj), _as_loaded(obj), None)


def _deleted(session: Session, flush: UOWTransaction) -> list[object]:
    """Objects this flush deleted: ``session.deleted`` and the orphans cascaded away.

    A row removed from a ``delete-orphan`` collection (a user's registration) only
    becomes a delete inside the flush, so ``session.deleted`` never lists it.
    """
    deleted = list(session.deleted)
    seen = {id(obj) for obj in deleted}
    for state, (is_delete, list_only) in flush.states.items():
        obj = state.obj()
        if is_delete and not list_only and obj is not None and id(obj) not in seen:
            deleted.append(obj)
            seen.add(id(obj))
    return deleted


def _table(obj: object) -> str:
    return str(getattr(inspect(obj).mapper.local_table, "name", ""))


def _record_id(obj: object) -> str:
    mapper = inspect(obj).mapper
    return ",".join(str(part) for part in mapper.primary_key_from_instance(obj))


def snapshot(obj: object) -> dict[str, Any]:
    """Every column value of ``obj`` (secrets reduced to whether they are set)."""
    values = {}
    for attr in inspect(obj).mapper.column_attrs:
        value = getattr(obj, attr.key)
        values[attr.key] = _recordable(attr.key, value)
    return values


def _as_loaded(obj: object) -> dict[str, Any]:
    """`snapshot` of the values as stored, before any unflushed change (a deleted record)."""
    state = inspect(obj)
    values = snapshot(obj)
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.deleted:
            values[attr.key] = _recordable(attr.key, history.deleted[0])
    return values


def _changed_fields(obj: object) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        before[attr.key] = _recordable(attr.key, old)
        after[attr.key] = _recordable(attr.key, new)
    version = getattr(obj, "version", None)
    if before and isinstance(version, int):
        before.setdefault("version", version - 1)
        after.setdefault("version", version)
    return before, after


def _recordable(key: str, value: Any) -> Any:
    if key in SECRET_FIELDS:
        return None if value is None else "(set)"
    return json.loads(canonical_json(value))


def append(conn: Connection, ctx: AuditContext, changes: Iterable[Change]) -> int:
    """Append entries after the chain's head, under the head's row lock; return the last seq.

    The head row is updated first, so that concurrent writers queue on it (a row
    lock on PostgreSQL, the write lock on SQLite) and never fork the chain.
    """
    now = datetime.now(UTC)
    return append_dated(conn, ((ctx, now, c) for c in changes))


def append_dated(conn: Connection, entries: Iterable[tuple[AuditContext, datetime, Change]]) -> int:
    """`append`, each entry with its own actor and time: a past told in order at once
    (the demo's book, as its staff made it), chained as every other entry is."""
    last_seq, prev_hash = conn.execute(
        text("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, entry_hash")
    ).one()
    contents = [
        EntryContent(
            seq=last_seq + n,
            recorded_at=audit_chain.timestamp_text(at),
            app_user=ctx.app_user,
            db_login=ctx.db_login,
            action=ctx.action,
            change=c.change,
            table_name=c.table_name,
            record_id=c.record_id,
            before=None if c.before is None else canonical_json(c.before),
            after=None if c.after is None else canonical_json(c.after),
            approval_id=ctx.approval_id,
            row_hash=c.row_hash,
        )
        for n, (ctx, at, c) in enumerate(entries, start=1)
    ]
    if not contents:
        return int(last_seq)
    linked = audit_chain.chain(prev_hash, contents)
    conn.execute(
        insert(m.AuditEntry),
        [
            {**vars(entry), "prev_hash": prev, "entry_hash": digest}
            for entry, prev, digest in linked
        ],
    )
    head_seq, head_hash = contents[-1].seq, linked[-1][2]
    conn.execute(
        update(m.AuditHead).where(m.AuditHead.id == 1).values(seq=head_seq, entry_hash=head_hash)
    )
    return head_seq


CHAIN_COLUMNS = (
    "seq", "recorded_at", "app_user", "db_login", "action", "change", "table_name",
    "record_id", "before", "after", "approval_id", "row_hash", "prev_hash", "entry_hash",
)  # fmt: skip


def verify_chain(engine: Engine, *, batch: int = 20_000) -> ChainReport:
    """Walk the whole trail in seq order, streaming, and check every link and the head."""
    table = m.AuditEntry.__table__
    columns = [table.c[name] for name in CHAIN_COLUMNS]
    with engine.connect() as conn:
        head = conn.execute(select(m.AuditHead.seq, m.AuditHead.entry_hash)).one_or_none()
        if head is None:  # the migration writes it: gone means someone removed it
            problem = audit_chain.ChainProblem(0, "the chain head (audit_head) is missing")
            return ChainReport(0, 0, audit_chain.GENESIS, problem)
        # Closed explicitly: verify stops at the first problem, mid-stream, and an
        # abandoned server-side cursor on PostgreSQL is a resource leak.
        with conn.execution_options(stream_results=True, yield_per=batch).execute(
            select(*columns).order_by(table.c.seq)
        ) as result:
            rows = (tuple(row) for row in result)
            return audit_chain.verify(rows, (int(head[0]), str(head[1])))
