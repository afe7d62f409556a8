"""Row hashes, fingerprints and the walk that compares rows with their seals, without a database."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk_app.domain.record_seals import (
    BatchDigest,
    ColumnMemo,
    differing_columns,
    fingerprints_of,
    layout_prefix,
    layout_text,
    row_hash,
    row_text,
    seal_columns,
    seal_rows,
    value_text,
)
from desk_app.domain.seal_check import (
    ADDED,
    CHANGED,
    GONE,
    SEAL,
    Findings,
    LatestSeal,
    Layout,
    RecordProblem,
    SealWalk,
    check_batches,
    compare_rows,
)

COLUMNS = ("id", "name", "price", "tax_id")
PREFIX = layout_prefix("accounts", layout_text("accounts", COLUMNS))
LAYOUT = Layout(1, "accounts", COLUMNS)

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.dates(),
    st.datetimes(timezones=st.just(timezone(timedelta(hours=-5)))),
)


@given(st.lists(st.lists(values, min_size=3, max_size=3), min_size=1, max_size=20))
def test_sealing_column_by_column_gives_each_rows_own_hash_and_fingerprints(
    rows: list[list[Any]],
) -> None:
    columns = [list(column) for column in zip(*rows, strict=True)]
    for n, column in enumerate(columns):  # a column of one type, as the database gives it
        kind = type(next((v for v in column if v is not None), None))
        columns[n] = [v if v is None or type(v) is kind else None for v in column]
    rows = [list(row) for row in zip(*columns, strict=True)]
    sealed = seal_rows(PREFIX, rows)
    assert sealed == [(row_hash(PREFIX, row), fingerprints_of(row)) for row in rows]
    for row in rows:
        assert row_text(row) == "[" + ",".join(value_text(v) for v in row) + "]"


#: Values that are equal but written differently (or alike but of another type): a
#: column of repeating values must still give each its own text.
NEW_YORK = timezone(timedelta(hours=-5))
LOOKALIKES: list[list[Any]] = [
    [0, 1, -1, 2**63 - 1, True, False],
    [0.0, -0.0, 1.0, 1, 1.5, float("inf")],
    [Decimal(0), Decimal("-0"), Decimal("0.00"), Decimal("1"), Decimal("1.000000"),
     Decimal("-12.50"), Decimal("1E+3"), Decimal("0.0000001"), Decimal("NaN")],
    ["", "a", 'quote"d', "back\\slash", "tab\there", "line\nbreak", "\x00\x1f\x7f",
     "ünïcødé €", "\u2028"],
    [date(2025, 5, 1), date(1999, 12, 31)],
    [datetime(2025, 5, 1, 14, 30, tzinfo=UTC),
     datetime(2025, 5, 1, 9, 30, tzinfo=NEW_YORK),  # the same instant
     datetime(2025, 5, 1, 14, 30), datetime(2025, 5, 1, 14, 30, 0, 1, tzinfo=UTC)],
]  # fmt: skip


#: On a machine others keep busy, drawing rows and a run are slow, not the seals.
_BUSY_MACHINE = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@_BUSY_MACHINE
@given(st.data())
def test_a_column_of_repeating_values_seals_each_value_as_itself(data: st.DataObject) -> None:
    columns = []
    for pool in LOOKALIKES:
        for kind in {type(v) for v in pool}:  # one type a column, NULLs among them
            same = [v for v in pool if type(v) is kind] + [None]
            columns.append(data.draw(st.lists(st.sampled_from(same), min_size=150, max_size=150)))
    columns.append([Decimal(0)] * 149 + [Decimal("-0")])  # a -0 after many 0s
    rows = [list(row) for row in zip(*columns, strict=True)]
    prefix = layout_prefix("t", layout_text("t", [f"c{n:02d}" for n in range(len(columns))]))
    assert seal_rows(prefix, rows) == [
        (row_hash(prefix, row), fingerprints_of(row)) for row in rows
    ]


@_BUSY_MACHINE
@given(st.data())
def test_values_remembered_from_part_to_part_seal_each_value_as_itself(
    data: st.DataObject,
) -> None:
    """A load sealed a part at a time, remembering each column's values between parts:
    parts whose column changes type, turns out not to repeat, or is all NULL."""
    pools = [pool for pool in LOOKALIKES if len({type(v) for v in pool}) == 1]
    widths = st.integers(min_value=1, max_value=120)
    parts = data.draw(st.lists(st.tuples(widths, st.sampled_from(pools)), min_size=1,
                               max_size=6))  # fmt: skip
    rows: list[list[Any]] = []
    for size, pool in parts:
        fresh = [
            [n * 7919, f"value {n}", None][data.draw(st.integers(min_value=0, max_value=2))]
            for n in range(size)
        ]  # values that do not repeat, or NULLs
        same = data.draw(st.lists(st.sampled_from([*pool, None]), min_size=size, max_size=size))
        rows += [[a, b, n] for n, a, b in zip(range(len(rows), len(rows) + size), same, fresh,
                                               strict=True)]  # fmt: skip
    memos = [ColumnMemo() for _ in range(3)]
    prefix = layout_prefix("t", "a,b,id")
    sealed: list[tuple[bytes, bytes]] = []
    for start in range(0, len(rows), 50):
        hashes, prints = seal_columns(prefix, rows[start : start + 50], memos)
        sealed += zip(hashes, prints, strict=True)
    assert sealed == [(row_hash(prefix, row), fingerprints_of(row)) for row in rows]


def test_a_row_hash_covers_the_layout_and_every_value() -> None:
    row = (7, "Jane Q. Public", 2102500, "123-45-6789")
    digest = row_hash(PREFIX, row)
    assert len(digest) == 32
    assert row_hash(PREFIX, (7, "Jane Q. Public", 21025000, "123-45-6789")) != digest
    other = layout_prefix("trades", layout_text("trades", COLUMNS))
    assert row_hash(other, row) != digest
    assert json.loads(row_text(row)) == list(row)


def test_driver_values_have_one_text_each() -> None:
    eastern = timezone(timedelta(hours=-5))
    same = datetime(2025, 3, 3, 9, 30, tzinfo=eastern)
    assert value_text(same) == value_text(same.astimezone(UTC)) == '"2025-03-03 14:30:00+00:00"'
    assert value_text(Decimal("210.2500")) == value_text(Decimal("210.25")) == '"210.25"'
    assert value_text(Decimal("100.000")) == '"100"'
    assert value_text(date(2025, 1, 2)) == '"2025-01-02"'
    assert value_text(True) == "true" and value_text(None) == "null"
    assert value_text('say "hi"\n') == '"say \\"hi\\"\\n"'
    with pytest.raises(TypeError):
        value_text(object())


def test_layouts_list_their_columns_sorted() -> None:
    assert layout_text("accounts", ("a", "b")) == "a,b"
    with pytest.raises(ValueError, match="sorted"):
        layout_text("accounts", ("b", "a"))


def test_fingerprints_name_the_columns_that_changed() -> None:
    sealed = fingerprints_of((7, "Jane", 2102500, "123-45-6789"))
    assert len(sealed) == 2 * len(COLUMNS)
    now = (7, "Jane", 21025000, "987-65-4321")
    assert differing_columns(COLUMNS, sealed, now) == ("price", "tax_id")
    assert differing_columns(COLUMNS, None, now) == ()
    assert differing_columns(COLUMNS, sealed[:4], now) == ()  # not this layout's


def test_a_batch_digest_follows_every_seal_and_their_order() -> None:
    def digest(*seals: tuple[int, bytes]) -> str:
        batch = BatchDigest()
        for rid, h in seals:
            batch.add(rid, 1, h, b"\x00\x01")
        return batch.hexdigest()

    a, b = (1, b"a" * 32), (2, b"b" * 32)
    assert digest(a, b) != digest(b, a) != digest(a) != digest()
    assert digest(a, b) == digest(a, b)


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-(2**63), max_value=2**63 - 1),
            st.one_of(st.none(), st.binary(min_size=32, max_size=32), st.binary(max_size=3)),
            st.one_of(st.none(), st.binary(max_size=6)),
        ),
        max_size=12,
    ),
    st.integers(min_value=1, max_value=5),
)
def test_a_batch_digest_of_a_load_is_the_digest_of_its_seals_one_by_one(
    seals: list[tuple[int, bytes | None, bytes | None]], layout: int
) -> None:
    one_by_one, load = BatchDigest(), BatchDigest()
    for rid, digest, prints in seals:
        one_by_one.add(rid, layout, digest, prints)
    ids = [rid for rid, _, _ in seals]
    load.add_columns(layout, ids, [d or b"" for _, d, _ in seals], [p or b"" for _, _, p in seals])
    assert (load.rows, load.hexdigest()) == (one_by_one.rows, one_by_one.hexdigest())
    uniform = BatchDigest()  # a load's seals: each row hash 32 bytes, fingerprints alike
    uniform.add_columns(layout, ids, [bytes([n % 256]) * 32 for n in range(len(ids))],
                        [b"\x00\x07"] * len(ids))  # fmt: skip
    expected = BatchDigest()
    for n, rid in enumerate(ids):
        expected.add(rid, layout, bytes([n % 256]) * 32, b"\x00\x07")
    assert uniform.hexdigest() == expected.hexdigest()


def test_a_batch_digest_tells_which_seal_held_which_bytes() -> None:
    def digest(*seals: tuple[bytes | None, bytes | None]) -> str:
        batch = BatchDigest()
        for n, (row_hash_, prints) in enumerate(seals):
            batch.add(n, 1, row_hash_, prints)
        return batch.hexdigest()

    h = b"h" * 32
    assert digest((h, b"\x00\x01"), (None, b"")) != digest((None, b""), (h, b"\x00\x01"))
    assert digest((h, b"\x00\x01\x00\x02"), (h, b"")) != digest((h, b"\x00\x01"), (h, b"\x00\x02"))


# -- the walk ---------------------------------------------------------------------------------


def _seal(rid: int, seq: int, row: tuple[Any, ...] | None) -> LatestSeal:
    if row is None:
        return LatestSeal(rid, seq, 1, None, None)
    return LatestSeal(rid, seq, 1, row_hash(PREFIX, row), fingerprints_of(row))


def _compare(
    seals: list[LatestSeal], rows: list[tuple[Any, ...]], layouts: dict[int, Layout] | None = None,
    columns: tuple[str, ...] = COLUMNS,
) -> list[tuple[int | None, str, tuple[str, ...]]]:  # fmt: skip
    findings = Findings()
    seen = compare_rows(
        "accounts", columns, layouts=layouts or {1: LAYOUT}, seals=seals, rows=rows,
        findings=findings,
    )  # fmt: skip
    assert seen == len(rows)
    return [(p.record_id, p.kind, p.columns) for p in findings.listed]


def test_rows_as_sealed_pass_and_each_difference_is_named() -> None:
    rows = [(1, "A", 100, "1"), (2, "B", 200, "2"), (4, "D", 400, "4"), (6, "F", 600, "6")]
    seals = [
        _seal(1, 10, rows[0]),
        _seal(2, 11, (2, "B", 20, "2")),  # the price was changed since
        _seal(3, 12, (3, "C", 300, "3")),  # deleted behind Desk's back
        _seal(5, 13, None),  # deleted through Desk: nothing to find
        _seal(6, 14, None),  # deleted through Desk, yet here again
        _seal(7, 15, (7, "G", 700, "7")),  # gone, after the last row
    ]
    assert _compare(seals, rows) == [
        (2, CHANGED, ("price",)),
        (3, GONE, ()),
        (4, ADDED, ()),
        (6, ADDED, ()),
        (7, GONE, ()),
    ]
    assert _compare(seals[:1], rows[:1]) == []


def test_a_seal_of_fewer_columns_checks_those_and_a_lost_column_is_named() -> None:
    wider = (*COLUMNS, "zone")  # a column added since the seal: empty until Desk writes it
    row = (1, "A", 100, "1", None)
    assert _compare([_seal(1, 10, row[:4])], [row], columns=wider) == []
    filled = (*row[:4], "EST")  # a value there came from outside Desk, and is named
    assert _compare([_seal(1, 10, row[:4])], [filled], columns=wider) == [(1, CHANGED, ("zone",))]
    narrower = Layout(1, "accounts", (*COLUMNS[:3], "gone_column"))
    assert _compare([_seal(1, 10, row[:4])], [row[:4]], {1: narrower}) == [
        (1, CHANGED, ("gone_column",))
    ]


def test_seals_are_held_to_the_entries_that_made_them() -> None:
    findings, batches = Findings(), dict[int, BatchDigest]()
    walk = SealWalk("accounts", findings, batches)
    good = row_hash(PREFIX, (1, "A", 100, "1"))
    rows = [
        (1, 10, 1, good, b"", "create", "accounts", "1", good.hex()),
        (1, 11, 1, b"x" * 32, b"", "update", "accounts", "1", good.hex()),  # altered seal
        (2, 12, 1, good, b"", "create", "accounts", "9", good.hex()),  # another record's
        (3, 13, 1, None, None, None, None, None, None),  # no such entry
        (4, 14, 1, good, b"", "delete", "accounts", "4", None),  # a deletion with a hash
        (5, 15, 1, good, b"\x00\x01", "seal", "accounts", "5..6", None),  # a bulk seal
    ]
    latest = list(walk.latest(rows))
    assert [(s.record_id, s.seq, s.row_hash) for s in latest] == [
        (1, 11, good),  # held to its entry's hash, which the chain vouches for
        (4, 14, None),
        (5, 15, good),
    ]
    assert [(p.record_id, p.kind) for p in findings.listed] == [(1, SEAL), (2, SEAL), (3, SEAL),
                                                                 (4, SEAL)]  # fmt: skip
    assert (walk.seals, walk.entries_matched) == (6, 1)
    expected = BatchDigest()
    expected.add(5, 1, good, b"\x00\x01")
    check_batches([(15, "accounts", json.dumps({"rows": 1, "digest": expected.hexdigest()}))],
                  batches, findings)  # fmt: skip
    assert findings.total == 4
    check_batches([(16, "accounts", json.dumps({"rows": 2, "digest": "0" * 64}))], batches,
                  findings)  # fmt: skip
    assert findings.listed[-1].detail.startswith("the seals of the 2 rows sealed by audit entry 16")


def test_findings_beyond_the_listing_are_counted() -> None:
    findings = Findings()
    for n in range(1500):
        findings.add(RecordProblem("trades", n, CHANGED, "changed"))
    assert (len(findings.listed), findings.total) == (1000, 1500)
