"""Checking records against their seals: what differs, what is unsealed, what is gone.

Plain functions over sorted streams, so the check holds no table in memory: one
table's seals in (record id, seq) order, checked against the audit entries that made
them, give each record's last sealed state (`SealWalk`); `compare_rows` walks them
beside the table's rows in id order. The caller reads the database and checks each
batch's digest against its entry (`check_batches`) once every seal has been walked.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from desk_app.domain.record_seals import (
    BatchDigest,
    differing_columns,
    layout_prefix,
    row_hash,
)

#: Problems kept for the listing; beyond it they are only counted.
LISTED = 1000

CHANGED = "changed"  # the row differs from its last audited state
ADDED = "added"  # a row with no audited state: inserted behind Desk's back
GONE = "gone"  # a sealed row that no longer exists: deleted behind Desk's back
SEAL = "seal"  # the seals themselves do not agree with the audit trail


@dataclass(frozen=True)
class RecordProblem:
    """One finding, naming the table, the record and (for a changed row) the columns."""

    table: str
    record_id: int | None
    kind: str
    detail: str
    columns: tuple[str, ...] = ()
    #: The audit entry of the last audited state it was compared with, if any.
    seq: int | None = None

    def __str__(self) -> str:
        where = self.table if self.record_id is None else f"{self.table} {self.record_id}"
        return f"{where}: {self.detail}"


@dataclass
class Findings:
    """The problems found: the first `LISTED` kept in order, all counted by kind."""

    listed: list[RecordProblem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, problem: RecordProblem) -> None:
        self.counts[problem.kind] += 1
        if len(self.listed) < LISTED:
            self.listed.append(problem)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Layout:
    """The columns a seal covers, sorted by name."""

    id: int
    table: str
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LatestSeal:
    """A record's last sealed state; ``row_hash`` None: deleted through Desk."""

    record_id: int
    seq: int
    layout_id: int
    row_hash: bytes | None
    fingerprints: bytes | None


#: A seal joined to the audit entry it names: (record_id, seq, layout_id, row_hash,
#: fingerprints, entry change, entry table, entry record id, entry row hash).
SealRow = tuple[int, int, int, bytes | None, bytes | None, str | None, str | None, str | None,
                str | None]  # fmt: skip


class SealWalk:
    """One table's seals checked against their entries; yields each record's latest.

    A seal must name the entry that made it: a create or update of the same record
    with the same row hash, a delete of it (no hash), or a bulk seal of the table (its
    digest is checked later, over all its rows). A seal that fails is reported and
    passed over, so its record is compared with the last seal that holds.
    """

    def __init__(self, table: str, findings: Findings, batches: dict[int, BatchDigest]) -> None:
        self.table = table
        self.findings = findings
        self.batches = batches
        self.seals = 0
        #: Seals of creates and updates that match their entry (each entry has one).
        self.entries_matched = 0

    def latest(self, rows: Iterable[SealRow]) -> Iterator[LatestSeal]:
        last: LatestSeal | None = None
        for row in rows:
            rid, seq, layout, digest, prints, change, table = row[:7]
            self.seals += 1
            if change == "seal" and table == self.table:
                batch = self.batches.get(seq)
                if batch is None:
                    batch = self.batches[seq] = BatchDigest()
                batch.add(rid, layout, digest, prints)
            else:
                kept, digest = self._held(row)
                if not kept:
                    continue
            if last is not None and last.record_id != rid:
                yield last
            last = LatestSeal(rid, seq, layout, digest, prints)
        if last is not None:
            yield last

    def _held(self, row: SealRow) -> tuple[bool, bytes | None]:
        """Whether a seal counts, and the row hash it holds: its entry's, which the chain
        vouches for. A seal that names no entry of its record does not count."""
        rid, seq, _layout, digest, _prints, change, table, record, entry_hash = row
        if change not in ("create", "update", "delete") or (table, record) != (
            self.table,
            str(rid),
        ):
            what = "does not exist" if change is None else "is about another record"
            self._report(rid, seq, f"its seal names audit entry {seq}, which {what}")
            return False, None
        if change == "delete":
            if digest is not None:
                self._report(rid, seq, f"its seal says it exists, but audit entry {seq} deleted it")
            return True, None
        if digest is None or digest.hex() != entry_hash:
            self._report(rid, seq, f"its seal does not match the row hash in audit entry {seq}")
            try:
                return True, bytes.fromhex(entry_hash or "")
            except ValueError:
                return True, b""
        self.entries_matched += 1
        return True, digest

    def _report(self, rid: int, seq: int, why: str) -> None:
        self.findings.add(RecordProblem(self.table, rid, SEAL, why, seq=seq))


def compare_rows(
    table: str,
    columns: Sequence[str],
    *,
    layouts: dict[int, Layout],
    seals: Iterable[LatestSeal],
    rows: Iterable[Sequence[Any]],
    findings: Findings,
    tick: Callable[[int], None] | None = None,
) -> int:
    """Walk ``rows`` (``columns`` wide, by id) beside each record's latest seal; the rows seen.

    ``tick`` is told how many rows were walked every 10,000 rows (progress, cancel).
    """
    current = tuple(columns)
    at = current.index("id")
    views = {n: _View(table, current, layout) for n, layout in layouts.items()}
    pending = iter(seals)
    seal = next(pending, None)
    count = 0
    for row in rows:
        count += 1
        if tick is not None and count % 10_000 == 0:
            tick(count)
        rid = row[at]
        while seal is not None and seal.record_id < rid:
            _gone(table, seal, findings)
            seal = next(pending, None)
        if seal is None or seal.record_id != rid:
            findings.add(
                RecordProblem(table, rid, ADDED, "has no audited state: added outside Desk")
            )
            continue
        sealed, seal = seal, next(pending, None)
        if sealed.row_hash is None:
            findings.add(RecordProblem(
                table, rid, ADDED,
                f"exists, but audit entry {sealed.seq} deleted it: put back outside Desk",
            ))  # fmt: skip
            continue
        view = views.get(sealed.layout_id)
        if view is None:
            findings.add(RecordProblem(
                table, rid, SEAL, f"its seal (audit entry {sealed.seq}) names an unknown layout"
            ))  # fmt: skip
        elif view.hash(row) != sealed.row_hash:
            findings.add(view.changed(rid, sealed, row))
    while seal is not None:
        _gone(table, seal, findings)
        seal = next(pending, None)
    return count


def _gone(table: str, seal: LatestSeal, findings: Findings) -> None:
    if seal.row_hash is not None:
        findings.add(RecordProblem(
            table, seal.record_id, GONE,
            f"is gone, but its last audited state (audit entry {seal.seq}) has it: "
            "deleted outside Desk", seq=seal.seq,
        ))  # fmt: skip


class _View:
    """A row as one layout saw it: its columns picked out of today's, and hashed.

    A column added since the layout (a later migration's) was empty in every row the
    layout sealed, and stays empty until Desk writes the row again (which seals it with
    today's layout): a value there was put in outside Desk.
    """

    def __init__(self, table: str, current: tuple[str, ...], layout: Layout) -> None:
        self.table = table
        self.layout = layout
        self.prefix = layout_prefix(table, ",".join(layout.columns))
        self.missing = tuple(c for c in layout.columns if c not in current)
        self.added = tuple((i, c) for i, c in enumerate(current) if c not in layout.columns)
        self.pick: Callable[[Sequence[Any]], Sequence[Any]] | None = None
        if not self.missing and layout.columns != current:
            positions = [current.index(c) for c in layout.columns]
            getter = itemgetter(*positions)
            self.pick = getter if len(positions) > 1 else (lambda row: (getter(row),))

    def filled(self, row: Sequence[Any]) -> tuple[str, ...]:
        """Columns added since the layout that hold a value in ``row``."""
        return tuple(c for i, c in self.added if row[i] is not None)

    def hash(self, row: Sequence[Any]) -> bytes | None:
        if self.missing:
            return None
        if self.filled(row):
            return b""  # no seal's hash: reported as changed, naming the columns
        return row_hash(self.prefix, row if self.pick is None else self.pick(row))

    def changed(self, rid: int, sealed: LatestSeal, row: Sequence[Any]) -> RecordProblem:
        where = f"since audit entry {sealed.seq}"
        if self.missing:
            names = ", ".join(self.missing)
            detail = f"column(s) {names} no longer exist {where}"
            return RecordProblem(self.table, rid, CHANGED, detail, self.missing, sealed.seq)
        values = row if self.pick is None else self.pick(row)
        columns = self.filled(row) or differing_columns(
            self.layout.columns, sealed.fingerprints, values
        )
        if columns:
            detail = f"{', '.join(columns)} changed outside Desk {where}"
        else:
            detail = f"changed outside Desk {where} (the columns cannot be told apart)"
        return RecordProblem(self.table, rid, CHANGED, detail, columns, sealed.seq)


def check_batches(
    entries: Iterable[tuple[int, str, str | None]],
    batches: dict[int, BatchDigest],
    findings: Findings,
) -> None:
    """Each bulk seal entry ``(seq, table, after)`` against the digest of its seals now."""
    for seq, table, after in entries:
        found = batches.pop(seq, BatchDigest())
        try:
            recorded = json.loads(after or "{}")
            rows, digest = int(recorded["rows"]), str(recorded["digest"])
        except (ValueError, KeyError, TypeError):
            findings.add(RecordProblem(table, None, SEAL, f"audit entry {seq} holds no digest"))
            continue
        if (found.rows, found.hexdigest()) != (rows, digest):
            findings.add(RecordProblem(
                table, None, SEAL,
                f"the seals of the {rows:,} rows sealed by audit entry {seq} were altered "
                f"(now {found.rows:,} seals, and their digest differs)",
            ))  # fmt: skip
