"""Seals on records: each audited row's state, bound into the audit trail by a hash.

A seal covers one row under a *layout*: its table and column names, sorted, so the same
columns make the same layout whichever order a table lists them in. It holds

- the row hash: SHA-256 of `SEAL_FORMAT`, the layout and the row's values as one JSON
  array (the values as the database gives them back, so any change shows);
- one 16-bit fingerprint per column (CRC-16/XMODEM of the value's JSON, as
  ``binascii.crc_hqx`` computes it), 2 bytes a column, so a row that no longer matches
  is named column by column.

The row hash decides; fingerprints only name the columns. A changed value whose
fingerprint happens to collide (one in 65,536) still fails the row hash: the row is
reported, with the columns that could be told apart.

A bulk load is sealed by one audit entry holding a `BatchDigest` over its rows' seals
in record id order, so a seal altered afterwards breaks the digest in the trail.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
from array import array
from binascii import crc_hqx
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from itertools import repeat
from typing import Any

from desk_app.domain.money import canonical

SEAL_FORMAT = "desk-row-seal/1"
FINGERPRINT_BYTES = 2


def _plain(value: Any) -> Any:
    """Driver values JSON lacks (PostgreSQL's numeric, timestamptz, date), one text each."""
    if isinstance(value, Decimal):
        return str(canonical(value))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.isoformat(" ")
        return value.astimezone(UTC).isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    raise TypeError(f"cannot seal a {type(value).__name__} value")


_encode = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=_plain, check_circular=False
).encode
_quote: Any = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.encode_basestring


def layout_text(table: str, columns: Sequence[str]) -> str:
    """How a layout is stored: its column names, comma-separated, in sorted order."""
    if list(columns) != sorted(columns):
        raise ValueError(f"{table}: a layout's columns are sorted by name")
    return ",".join(columns)


@cache
def layout_prefix(table: str, columns: str) -> bytes:
    """What every row hash of a layout starts with (``columns`` as `layout_text` gives)."""
    return f"{SEAL_FORMAT}\n{table}\n{columns}\n".encode()


def row_text(values: Sequence[Any]) -> str:
    """A row's values as the JSON array its hash covers."""
    return _encode(values)


def row_hash(prefix: bytes, values: Sequence[Any]) -> bytes:
    """SHA-256 of the layout's prefix and the row's JSON (32 bytes)."""
    return hashlib.sha256(prefix + _encode(values).encode()).digest()


def value_text(value: Any) -> str:
    """One value's JSON, exactly as it appears inside `row_text`."""
    kind = type(value)
    if kind is str:
        return str(_quote(value))
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return _encode(value)


#: Types whose equal values always have one JSON text, so that a column's texts may be
#: remembered by value: not floats or Decimals (0.0 and -0.0, 0 and -0), not bools (1
#: and True are one key).
_REMEMBERED = frozenset({str, int, date, datetime})
_NONE = type(None)
_NULL = b"null"
_NULL_MARK = crc_hqx(_NULL, 0)
_int_text: Any = b"%d".__mod__


def _str_text(value: str) -> bytes:
    quoted: str = _quote(value)
    return quoted.encode()


# A number's, a date's or a time's text needs no escaping (digits, signs, ".", "E",
# ":", "-", " "): it is put between quotes as it is, not through the JSON encoder.


def _decimal_text(value: Decimal) -> bytes:
    return f'"{canonical(value)}"'.encode()


def _date_text(value: date) -> bytes:
    return f'"{value.isoformat()}"'.encode()


def _time_text(value: time) -> bytes:
    return f'"{value.isoformat()}"'.encode()


def _datetime_text(value: datetime) -> bytes:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return f'"{value.isoformat(" ")}"'.encode()


def _bytes_text(value: bytes) -> bytes:
    return f'"{value.hex()}"'.encode()


#: `value_text` (UTF-8) of a value of each type the drivers give, without the JSON
#: encoder's dispatch (`_plain` the same way).
_TEXT_OF: dict[type[Any], Any] = {
    int: _int_text,
    str: _str_text,
    Decimal: _decimal_text,
    date: _date_text,
    time: _time_text,
    datetime: _datetime_text,
    bytes: _bytes_text,
}


#: One column's values as JSON texts (UTF-8) and as fingerprints.
_Column = tuple[list[bytes], list[int]]


class _Texts(dict[Any, bytes]):
    """One column's JSON texts by value, each made once."""

    __slots__ = ("text",)

    def __init__(self, text: Any) -> None:
        super().__init__({None: _NULL})
        self.text = text

    def __missing__(self, value: Any) -> bytes:
        made: bytes = self.text(value)
        self[value] = made
        return made


class _Marks(dict[Any, int]):
    """One column's fingerprints by value, each made once from its text."""

    __slots__ = ("texts",)

    def __init__(self, texts: _Texts) -> None:
        super().__init__()
        self.texts = texts

    def __missing__(self, value: Any) -> int:
        mark = self[value] = crc_hqx(self.texts[value], 0)
        return mark


class ColumnMemo:
    """What one column's values have been, for the next rows of the same seal run.

    A column of one type whose values repeat (a status, a currency, a load's
    timestamps, an account) makes each value's text and fingerprint once, and looks
    them up after that. Given up as soon as its values turn out not to repeat (an
    id, an amount): after the first part, if half its values were new; after any
    other, if an eighth were.
    """

    #: Values remembered a column at most (a run's accounts, instruments, keys).
    LIMIT = 100_000

    __slots__ = ("kind", "marks", "texts", "used")

    def __init__(self) -> None:
        self.kind: type[Any] | None = None
        self.used: bool | None = None  # None: not decided yet
        self.texts = _Texts(None)
        self.marks = _Marks(self.texts)

    def column(
        self, kind: type[Any], column: Sequence[Any]
    ) -> tuple[list[bytes], list[int]] | None:
        """The texts and fingerprints of ``column`` (of ``kind`` and NULLs), or None if
        its values do not repeat enough to be worth remembering."""
        if kind is not self.kind:  # another type: start again
            self.kind, self.used = kind, None
            self.texts = _Texts(_TEXT_OF[kind])
            self.marks = _Marks(self.texts)
        if self.used is False:
            return None
        known = len(self.texts)
        made = list(map(self.texts.__getitem__, column))
        # A first part brings its values in; after it, a few new ones a part are worth it.
        most = len(column) // (2 if self.used is None else 8)
        self.used = len(self.texts) - known <= most and len(self.texts) <= self.LIMIT
        return made, list(map(self.marks.__getitem__, column))


def _column(column: Sequence[Any], memo: ColumnMemo) -> _Column:
    """The UTF-8 `value_text` and the fingerprint of each value of one column.

    By the fastest path its types allow: remembered values (`ColumnMemo`), or one
    ``map`` per step, in C where the type allows.
    """
    kinds = set(map(type, column))
    nulls = _NONE in kinds
    kinds.discard(_NONE)
    if not kinds:
        return [_NULL] * len(column), [_NULL_MARK] * len(column)
    kind = kinds.pop() if len(kinds) == 1 else None
    text = _TEXT_OF.get(kind) if kind is not None else None
    if text is None:
        made = [value_text(v).encode() for v in column]
    elif kind in _REMEMBERED and (done := memo.column(kind, column)) is not None:
        return done
    elif nulls:
        made = [_NULL if v is None else text(v) for v in column]
    elif kind is str:
        made = list(map(str.encode, map(_quote, column)))
    else:
        made = list(map(text, column))
    return made, list(map(crc_hqx, made, repeat(0)))


def seal_columns(
    prefix: bytes, rows: Sequence[Sequence[Any]], memos: list[ColumnMemo] | None = None
) -> tuple[list[bytes], list[bytes]]:
    """The row hashes and the fingerprints of ``rows`` (as wide as their layout), in order.

    Worked column by column (C-level ``map`` calls, each value's text made once and
    used for both): the same bytes as `row_hash` and `fingerprints_of`. Give a few
    hundred rows at a time, with the same ``memos`` (one per column) for every part of
    a table: the lists made then stay in the CPU's caches, and the values that repeat
    from part to part are made once.
    """
    if not rows:
        return [], []
    if memos is None:
        memos = [ColumnMemo() for _ in rows[0]]
    columns = list(map(_column, zip(*rows, strict=True), memos))
    opened = hashlib.sha256(prefix + b"[").copy  # the layout's prefix, hashed once

    def row_digest(values: bytes) -> bytes:
        state = opened()
        state.update(values)
        state.update(b"]")
        return state.digest()

    texts = zip(*(made for made, _ in columns), strict=True)
    hashes = list(map(row_digest, map(b",".join, texts)))
    prints: list[bytes] = list(map(_pack(len(columns)), *(marks for _, marks in columns)))
    return hashes, prints


def seal_rows(prefix: bytes, rows: Sequence[Sequence[Any]]) -> list[tuple[bytes, bytes]]:
    """The row hash and the fingerprints of each row, paired (see `seal_columns`)."""
    hashes, prints = seal_columns(prefix, rows)
    return list(zip(hashes, prints, strict=True))


@cache
def _pack(width: int) -> Any:
    return struct.Struct(f">{width}H").pack


def fingerprints_of(values: Sequence[Any]) -> bytes:
    """One row's column fingerprints (2 bytes a column)."""
    marks = (crc_hqx(value_text(v).encode(), 0) for v in values)
    return bytes(_pack(len(values))(*marks))


def differing_columns(
    columns: Sequence[str], sealed: bytes | None, values: Sequence[Any]
) -> tuple[str, ...]:
    """The columns whose value no longer matches the sealed fingerprints."""
    if sealed is None or len(sealed) != FINGERPRINT_BYTES * len(columns):
        return ()
    now = fingerprints_of(values)
    step = FINGERPRINT_BYTES
    return tuple(
        name
        for n, name in enumerate(columns)
        if sealed[n * step : (n + 1) * step] != now[n * step : (n + 1) * step]
    )


class BatchDigest:
    """SHA-256 over a batch's seals in record id order.

    Kept as four running hashes, so that a load's seals go in by a few calls rather
    than one a seal: the record ids (8 bytes each), each seal's shape (its layout and
    the lengths of its row hash and fingerprints), the row hashes, the fingerprints.
    The digest covers the four and the number of seals.
    """

    _SHAPE = struct.Struct(">iHH")

    def __init__(self) -> None:
        self._ids, self._shapes, self._hashes, self._prints = (hashlib.sha256() for _ in range(4))
        self.rows = 0

    def add(
        self, record_id: int, layout_id: int, digest: bytes | None, prints: bytes | None
    ) -> None:
        digest, prints = digest or b"", prints or b""
        self._ids.update(record_id.to_bytes(8, "big", signed=True))
        self._shapes.update(self._SHAPE.pack(layout_id, len(digest), len(prints)))
        self._hashes.update(digest)
        self._prints.update(prints)
        self.rows += 1

    def add_columns(
        self, layout_id: int, ids: Sequence[int], hashes: Sequence[bytes], prints: Sequence[bytes]
    ) -> None:
        """`add` the seals of one layout, given column by column."""
        if not ids:
            return
        sizes = (len(hashes[0]), len(prints[0]))
        if set(map(len, hashes)) != {sizes[0]} or set(map(len, prints)) != {sizes[1]}:
            for seal in zip(ids, hashes, prints, strict=True):
                self.add(seal[0], layout_id, *seal[1:])
            return
        numbers = array("q", ids)
        if sys.byteorder == "little":
            numbers.byteswap()  # big-endian, as `add` writes them
        self._ids.update(numbers.tobytes())
        self._shapes.update(self._SHAPE.pack(layout_id, *sizes) * len(ids))
        self._hashes.update(b"".join(hashes))
        self._prints.update(b"".join(prints))
        self.rows += len(ids)

    def hexdigest(self) -> str:
        whole = hashlib.sha256(f"{SEAL_FORMAT} batch\n{self.rows}\n".encode())
        for part in (self._ids, self._shapes, self._hashes, self._prints):
            whole.update(part.digest())
        return whole.hexdigest()


def batch_detail(record_ids: Iterable[int], digest: BatchDigest) -> dict[str, Any]:
    """What a batch's audit entry records (its ``after``): how many rows, which, the digest."""
    ids = list(record_ids)
    return {
        "rows": digest.rows,
        "first_id": min(ids, default=None),
        "last_id": max(ids, default=None),
        "digest": digest.hexdigest(),
    }
