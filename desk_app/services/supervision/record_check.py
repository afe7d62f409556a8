"""``audit verify --records``: every sealed row against its last audited state.

After the chain, each table is walked once, in id order, beside its seals in the
same order (`desk_app.domain.seal_check`), in one read-only snapshot of the
database. Found: rows that differ (with the columns), rows with no audited state
(inserted behind Desk's back), sealed rows that are gone (deleted behind its back),
and seals that disagree with the trail (an altered seal table): a seal that does not
match its entry, a bulk load whose seals no longer give its digest, an entry whose
seal is missing. Memory stays flat: one chunk of rows and one of seals at a time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, Table, func, select

from desk_app.db import models as m
from desk_app.db import sealing
from desk_app.domain.audit_chain import ChainReport
from desk_app.domain.progress import CancelToken, Progress, no_progress
from desk_app.domain.record_seals import BatchDigest
from desk_app.domain.seal_check import (
    GONE,
    SEAL,
    Findings,
    Layout,
    RecordProblem,
    SealRow,
    SealWalk,
    check_batches,
    compare_rows,
)
from desk_app.services import audit


@dataclass(frozen=True)
class RecordsReport:
    """The chain's report and what the records check found (the first `LISTED` listed)."""

    chain: ChainReport
    tables: int
    rows: int
    seals: int
    problems: tuple[RecordProblem, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def found(self) -> int:
        """How many problems in all (more than are listed when there are very many)."""
        return sum(self.counts.values())

    @property
    def intact(self) -> bool:
        return self.chain.intact and self.found == 0

    @property
    def summary(self) -> str:
        """One line: what was checked, and what was found by kind."""
        checked = f"{self.rows:,} rows of {self.tables} tables against {self.seals:,} seals"
        if self.found == 0:
            return f"records intact: {checked}"
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(self.counts.items()) if n)
        problems = "problem" if self.found == 1 else "problems"
        return f"records: {self.found:,} {problems} ({kinds}) in {checked}"


def check_records(
    engine: Engine, progress: Progress = no_progress, cancel: CancelToken | None = None
) -> RecordsReport:
    """Verify the chain, then every sealed table's rows against their seals."""
    progress(0, 1, "Checking the audit trail's hash chain…")
    chain = audit.verify_chain(engine)
    findings = Findings()
    batches: dict[int, BatchDigest] = {}
    tables = sealing.sealed_tables(engine.dialect.name)
    with _snapshot(engine) as conn:
        layouts = _layouts(conn)
        sizes = {t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0) for t in tables}
        total, done, rows, seals, matched = sum(sizes.values()), 0, 0, 0, 0
        for table in tables:
            if cancel is not None:
                cancel.check("The check")
            text = f"Checking {table.name}…"
            progress(done, total, text)

            def tick(n: int, text: str = text, start: int = done) -> None:
                progress(start + n, total, text)
                if cancel is not None:
                    cancel.check("The check")

            walk = SealWalk(table.name, findings, batches)
            columns = sealing.columns_of(table)
            rows += compare_rows(
                table.name,
                columns,
                layouts={n: lay for n, lay in layouts.items() if lay.table == table.name},
                seals=walk.latest(_seal_rows(conn, table.name)),
                rows=itertools.chain.from_iterable(sealing.read_rows(conn, table.name, columns)),
                findings=findings,
                tick=tick,
            )
            seals, matched = seals + walk.seals, matched + walk.entries_matched
            done += sizes[table.name]
        progress(total, total, "Checking the seals against the trail…")
        _stray_seals(conn, {t.name for t in tables}, seals, findings)
        check_batches(_batch_entries(conn), batches, findings)
        _unsealed_entries(conn, matched, findings)
        _explain_gone(conn, findings)
    return RecordsReport(
        chain, len(tables), rows, seals, tuple(findings.listed), dict(findings.counts)
    )


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read-only view of the whole database while the check runs (others may write)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            snap = conn.execution_options(isolation_level="REPEATABLE READ")
            snap.exec_driver_sql("SET TRANSACTION READ ONLY")
        else:  # SQLite reads without a transaction unless one is begun (WAL: a snapshot)
            snap = conn
            snap.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]
        try:
            yield snap
        finally:
            snap.rollback()


def _layouts(conn: Connection) -> dict[int, Layout]:
    t = m.SealLayout
    found = conn.execute(select(t.id, t.table_name, t.columns)).all()
    return {int(i): Layout(int(i), name, tuple(cols.split(","))) for i, name, cols in found}


def check_one(
    conn: Connection, table: Table, record_id: int
) -> tuple[tuple[RecordProblem, ...], int | None]:
    """One record against its last audited state: how it differs, and the entry that
    sealed that state (a bulk load's digest is left to `check_records`)."""
    findings = Findings()
    walk = SealWalk(table.name, findings, {})
    latest = list(walk.latest(_seal_rows(conn, table.name, record_id)))
    columns = sealing.columns_of(table)
    compare_rows(
        table.name,
        columns,
        layouts={n: lay for n, lay in _layouts(conn).items() if lay.table == table.name},
        seals=latest,
        rows=itertools.chain.from_iterable(
            sealing.read_rows(conn, table.name, columns, [record_id])
        ),
        findings=findings,
    )
    return tuple(findings.listed), latest[-1].seq if latest else None


def _seal_rows(conn: Connection, table: str, record_id: int | None = None) -> Iterator[SealRow]:
    """A table's seals (or one record's) in (record, seq) order, each beside its entry."""
    one = "" if record_id is None else f" AND s.record_id = {int(record_id)}"
    sql = (
        "SELECT s.record_id, s.seq, s.layout_id, s.row_hash, s.fingerprints, e.change, "
        "e.table_name, e.record_id, e.row_hash "
        "FROM record_seals s LEFT JOIN audit_log e ON e.seq = s.seq "
        f"WHERE s.table_name = {sealing.literal_name(table)}{one} ORDER BY s.record_id, s.seq"
    )
    for chunk in sealing.fetch(conn, sql, server_side=record_id is None):
        for rid, seq, layout, digest, prints, *entry in chunk:
            yield (rid, seq, layout, _bytes(digest), _bytes(prints), *entry)


def _bytes(value: object) -> bytes | None:
    return None if value is None else bytes(value)  # type: ignore[call-overload]


def _stray_seals(conn: Connection, known: set[str], walked: int, findings: Findings) -> None:
    """Seals of a table that is not sealed: forged, or left by a dropped table."""
    s = m.RecordSeal
    if int(conn.scalar(select(func.count()).select_from(s)) or 0) == walked:
        return
    for name, count in conn.execute(
        select(s.table_name, func.count()).group_by(s.table_name).order_by(s.table_name)
    ):
        if name not in known:
            findings.add(RecordProblem(
                name, None, SEAL, f"{count:,} seals name a table Desk does not seal"
            ))  # fmt: skip


def _batch_entries(conn: Connection) -> Iterator[tuple[int, str, str | None]]:
    e = m.AuditEntry
    stmt = select(e.seq, e.table_name, e.after).where(e.change == "seal").order_by(e.seq)
    for seq, table, after in conn.execute(stmt):
        yield int(seq), str(table), after


def _unsealed_entries(conn: Connection, matched: int, findings: Findings) -> None:
    """Creates and updates whose seal is missing (counted first: a full search only then)."""
    e, s = m.AuditEntry, m.RecordSeal
    entries = int(conn.scalar(select(func.count()).where(e.row_hash.is_not(None))) or 0)
    if entries == matched:
        return
    sealed = set(conn.scalars(select(s.seq).join(e, e.seq == s.seq).where(e.row_hash.is_not(None))))
    stmt = select(e.seq, e.table_name, e.record_id).where(e.row_hash.is_not(None)).order_by(e.seq)
    for seq, table, record in conn.execute(stmt):
        if seq not in sealed:
            rid = int(record) if str(record).isdigit() else None
            findings.add(RecordProblem(
                table, rid, SEAL, f"audit entry {seq} sealed it, but that seal is missing"
            ))  # fmt: skip


def _explain_gone(conn: Connection, findings: Findings) -> None:
    """A gone row whose deletion is in the trail lost its deletion's seal, not itself."""
    e = m.AuditEntry
    for n, problem in enumerate(findings.listed):
        if problem.kind != GONE or problem.record_id is None:
            continue
        deleted = conn.scalar(
            select(func.max(e.seq)).where(
                e.table_name == problem.table,
                e.record_id == str(problem.record_id),
                e.change == "delete",
                e.seq > (problem.seq or 0),
            )
        )
        if deleted is not None:
            findings.counts[GONE] -= 1
            findings.counts[SEAL] += 1
            findings.listed[n] = RecordProblem(
                problem.table, problem.record_id, SEAL,
                f"audit entry {deleted} deleted it, but that deletion's seal is missing",
            )  # fmt: skip
