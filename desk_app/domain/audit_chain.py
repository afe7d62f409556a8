"""The audit trail's hash chain: each entry's hash covers its content and the previous hash.

Changing, deleting, inserting or reordering any entry breaks a link that `verify` finds.
Entries are numbered without gaps (``seq``), and the chain's head (last seq and hash)
is kept apart, so a removed tail is caught too. The hash covers the stored text of
each field, so verifying never depends on how values were serialised.

A field added after the first entries were written (``row_hash``) is hashed only when
it has a value: entries written before it existed keep the hash they were given.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

GENESIS = "0" * 64
#: The fields every entry has hashed since the first; later ones count only when set.
FIRST_FIELDS = 11


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, exact decimals, ISO dates."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return timestamp_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot record {type(value).__name__} in the audit trail")


def timestamp_text(moment: datetime) -> str:
    """A UTC instant as fixed-width ISO text with microseconds (sorts as it reads)."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: give a timezone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class EntryContent:
    """What one audit entry says; the order of `fields` is part of the hash."""

    seq: int
    recorded_at: str
    app_user: str
    db_login: str
    action: str
    change: str
    table_name: str
    record_id: str
    before: str | None
    after: str | None
    approval_id: int | None
    #: SHA-256 (hex) of the whole row after a create or update (`record_seals`).
    row_hash: str | None = None

    def fields(self) -> tuple[object, ...]:
        return (
            self.seq,
            self.recorded_at,
            self.app_user,
            self.db_login,
            self.action,
            self.change,
            self.table_name,
            self.record_id,
            self.before,
            self.after,
            self.approval_id,
            self.row_hash,
        )


def hashed_fields(fields: tuple[object, ...]) -> tuple[object, ...]:
    """The fields an entry's hash covers: the first eleven, and any later one that is set.

    Trailing unset later fields are left out, so an entry written before they existed
    (or without a value for them) hashes exactly as it always did.
    """
    end = len(fields)
    while end > FIRST_FIELDS and fields[end - 1] is None:
        end -= 1
    return fields[:end]


def entry_hash(prev_hash: str, fields: tuple[object, ...]) -> str:
    """SHA-256 of the previous hash and the entry's `hashed_fields` as a JSON array."""
    hashed = hashed_fields(tuple(fields))
    payload = json.dumps([prev_hash, *hashed], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chain(prev_hash: str, entries: Iterable[EntryContent]) -> list[tuple[EntryContent, str, str]]:
    """Each entry with its previous hash and its own hash, continuing from ``prev_hash``."""
    linked = []
    for entry in entries:
        digest = entry_hash(prev_hash, entry.fields())
        linked.append((entry, prev_hash, digest))
        prev_hash = digest
    return linked


@dataclass(frozen=True)
class ChainProblem:
    """The first entry where the chain breaks, and how."""

    seq: int
    reason: str

    def __str__(self) -> str:
        where = f"audit entry {self.seq}" if self.seq > 0 else "audit trail"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(rows: Iterable[tuple[Any, ...]], head: tuple[int, str] | None) -> ChainReport:
    """Walk rows ``(*EntryContent.fields(), prev_hash, entry_hash)`` in seq order.

    ``head`` is the separately kept (last seq, last hash); None if nothing was ever
    recorded. Stops at the first problem.
    """
    expected_seq, prev, count = 1, GENESIS, 0
    for row in rows:
        fields, stored_prev, stored_hash = row[:-2], row[-2], row[-1]
        seq = int(fields[0])
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "out of order or duplicated"
            problem = ChainProblem(
                expected_seq if seq > expected_seq else seq,
                f"{what} (found entry {seq} where entry {expected_seq} belongs)",
            )
            return ChainReport(count, seq, prev, problem)
        if stored_prev != prev:
            return ChainReport(
                count, seq, prev, ChainProblem(seq, "does not follow the entry before it")
            )
        if entry_hash(prev, tuple(fields)) != stored_hash:
            return ChainReport(
                count, seq, prev, ChainProblem(seq, "was changed after it was recorded")
            )
        prev, expected_seq, count = stored_hash, expected_seq + 1, count + 1
    last_seq = expected_seq - 1
    head_seq, head_hash = head if head is not None else (0, GENESIS)
    if (head_seq, head_hash) != (last_seq, prev):
        if head_seq > last_seq:
            problem = ChainProblem(
                last_seq + 1,
                f"missing: the trail ends at {last_seq} "
                f"but the chain head records {head_seq} entries",
            )
        else:
            problem = ChainProblem(last_seq, "does not match the recorded chain head")
        return ChainReport(count, last_seq, prev, problem)
    return ChainReport(count, last_seq, prev, None)
