"""The audit hash chain: any change, removal, insertion or reordering names the first bad entry.

The trail is modelled as the database holds it: rows keyed by their unique ``seq``
and read back in ``seq`` order, plus the separately kept head (last seq and hash).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain.audit_chain import (
    GENESIS,
    ChainProblem,
    ChainReport,
    EntryContent,
    canonical_json,
    chain,
    entry_hash,
    timestamp_text,
    verify,
)
from desk_app.domain.codes import AccountStatus

Row = tuple[Any, ...]
Table = dict[int, Row]  # seq -> (*fields, prev_hash, entry_hash)
FIELD_COUNT = len(EntryContent.__dataclass_fields__)


def _content(seq: int) -> EntryContent:
    change = ("create", "update", "delete", "event")[seq % 4]
    return EntryContent(
        seq=seq,
        recorded_at=timestamp_text(
            datetime(2025, 10, 14, 13, 0, tzinfo=UTC) + timedelta(seconds=seq)
        ),
        app_user=("jmorales", "mobrien")[seq % 2],
        db_login="desk_jmorales",
        action="account.amend",
        change=change,
        table_name="accounts",
        record_id=str(seq % 7 + 1),
        before=None if change == "create" else canonical_json({"name": f"Old {seq}", "version": 1}),
        after=None if change == "delete" else canonical_json({"name": f"New {seq}", "version": 2}),
        approval_id=seq if seq % 3 == 0 else None,
    )


def _trail(n: int) -> tuple[Table, tuple[int, str] | None]:
    """``n`` well-linked rows and their head (None when nothing was ever recorded)."""
    linked = chain(GENESIS, [_content(seq) for seq in range(1, n + 1)])
    table = {entry.seq: (*entry.fields(), prev, digest) for entry, prev, digest in linked}
    return table, ((n, linked[-1][2]) if linked else None)


def _verify(table: Table, head: tuple[int, str] | None) -> ChainReport:
    return verify([table[seq] for seq in sorted(table)], head)


def _problem(table: Table, head: tuple[int, str] | None) -> ChainProblem:
    report = _verify(table, head)
    assert report.problem is not None and not report.intact
    return report.problem


def _with(row: Row, index: int, value: object) -> Row:
    return (*row[:index], value, *row[index + 1 :])


def _forged(seq: int, prev: str) -> Row:
    """A well-formed entry an attacker computed, linked to ``prev``."""
    entry = replace(_content(seq), app_user="intruder", after=canonical_json({"name": "Forged"}))
    return (*entry.fields(), prev, entry_hash(prev, entry.fields()))


# -- untouched ------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 25])
def test_an_untouched_trail_is_intact(n: int) -> None:
    table, head = _trail(n)
    report = _verify(table, head)
    assert report == ChainReport(n, n, head[1] if head else GENESIS, None) and report.intact


def test_chain_continues_from_the_previous_hash() -> None:
    whole = chain(GENESIS, [_content(s) for s in range(1, 6)])
    first, rest = whole[:2], chain(whole[1][2], [_content(s) for s in range(3, 6)])
    assert first + rest == whole
    assert all(prev == before[2] for (_, prev, _), before in zip(whole[1:], whole, strict=False))


# -- each kind of tampering ------------------------------------------------------------------


@pytest.mark.parametrize("index", range(FIELD_COUNT + 2))
def test_changing_any_field_of_an_entry_names_it(index: int) -> None:
    table, head = _trail(10)
    original = table[4][index]
    changed: object = (
        999 if isinstance(original, int) else 7 if original is None else f"{original}x"
    )
    table[4] = _with(table[4], index, changed)
    if index == 0:  # a changed seq moves the row: entry 4 is now missing
        table[999] = table.pop(4)
    problem = _problem(table, head)
    assert problem.seq == 4
    expected = {0: "missing (found entry 5 where entry 4 belongs)",
                FIELD_COUNT: "does not follow the entry before it"}  # fmt: skip
    assert problem.reason == expected.get(index, "was changed after it was recorded")
    assert str(problem).startswith("audit entry 4: ")


def test_deleting_a_middle_entry_names_it() -> None:
    table, head = _trail(10)
    del table[6]
    assert _problem(table, head) == ChainProblem(6, "missing (found entry 7 where entry 6 belongs)")


def test_deleting_the_first_entry_names_it() -> None:
    table, head = _trail(3)
    del table[1]
    assert _problem(table, head).seq == 1


def test_deleting_the_tail_is_caught_by_the_head() -> None:
    table, head = _trail(10)
    del table[10], table[9]
    assert _problem(table, head) == ChainProblem(
        9, "missing: the trail ends at 8 but the chain head records 10 entries"
    )
    table, head = _trail(2)
    table.clear()
    assert _problem(table, head).seq == 1


def test_inserting_an_entry_is_caught() -> None:
    # a forged entry in the middle, the later ones renumbered to make room
    table, head = _trail(6)
    shifted = {seq + 1: _with(row, 0, seq + 1) for seq, row in table.items() if seq >= 3}
    table = {seq: row for seq, row in table.items() if seq < 3} | shifted
    table[3] = _forged(3, table[2][-1])
    assert _problem(table, head) == ChainProblem(4, "does not follow the entry before it")
    # a forged entry after the last one, however well linked
    table, head = _trail(6)
    table[7] = _forged(7, table[6][-1])
    assert _problem(table, head) == ChainProblem(7, "does not match the recorded chain head")


def test_swapping_two_entries_names_the_first() -> None:
    table, head = _trail(10)
    table[3], table[8] = _with(table[8], 0, 3), _with(table[3], 0, 8)
    assert _problem(table, head) == ChainProblem(3, "does not follow the entry before it")
    # rows that come back in the wrong order (the seq left as recorded)
    table, head = _trail(10)
    rows = [table[seq] for seq in sorted(table)]
    rows[2], rows[7] = rows[7], rows[2]
    report = verify(rows, head)
    assert report.problem == ChainProblem(3, "missing (found entry 8 where entry 3 belongs)")


def test_rewriting_the_rest_of_the_chain_is_caught_by_the_head() -> None:
    table, head = _trail(8)
    contents = [EntryContent(*table[seq][:FIELD_COUNT]) for seq in sorted(table)]
    contents[4] = replace(contents[4], after=canonical_json({"name": "Rewritten"}))
    rewritten = chain(GENESIS, contents)
    table = {e.seq: (*e.fields(), prev, digest) for e, prev, digest in rewritten}
    assert _problem(table, head) == ChainProblem(8, "does not match the recorded chain head")


def test_a_trail_without_a_head_is_not_intact() -> None:
    table, _ = _trail(3)
    assert _problem(table, None).seq == 3
    assert verify([], None).intact


# -- any single tampering of any chain -------------------------------------------------------

TAMPERINGS = ("modify", "renumber", "delete", "insert", "append", "swap", "rewrite")


@given(st.integers(1, 30), st.sampled_from(TAMPERINGS), st.data())
def test_any_single_tampering_names_the_first_bad_entry(
    n: int, kind: str, data: st.DataObject
) -> None:
    table, head = _trail(n)
    k = data.draw(st.integers(1, n), label="entry")
    if kind == "modify":
        index = data.draw(st.integers(1, FIELD_COUNT + 1), label="field")
        table[k] = _with(table[k], index, f"{table[k][index]}!")
        expected = k
    elif kind == "renumber":
        new_seq = data.draw(st.integers(n + 1, n + 50) | st.integers(-5, 0), label="seq")
        table[new_seq] = _with(table.pop(k), 0, new_seq)
        expected = min(k, new_seq)
    elif kind == "delete":
        del table[k]
        expected = k
    elif kind == "insert":
        later = {seq + 1: _with(row, 0, seq + 1) for seq, row in table.items() if seq >= k}
        table = {seq: row for seq, row in table.items() if seq < k} | later
        table[k] = _forged(k, table[k - 1][-1] if k > 1 else GENESIS)
        expected = k + 1
    elif kind == "append":
        table[n + 1] = _forged(n + 1, table[n][-1])
        expected = n + 1
    elif kind == "swap":
        other = data.draw(st.integers(1, n).filter(lambda j: j != k), label="other")
        first, second = sorted((k, other))
        table[first], table[second] = (
            _with(table[second], 0, first),
            _with(table[first], 0, second),
        )
        expected = first
    else:  # "rewrite": change an entry and re-hash everything after it; only the head knows
        contents = [EntryContent(*table[seq][:FIELD_COUNT]) for seq in sorted(table)]
        contents[k - 1] = replace(contents[k - 1], app_user="intruder")
        table = {e.seq: (*e.fields(), p, h) for e, p, h in chain(GENESIS, contents)}
        expected = n
    assert _problem(table, head).seq == expected


# -- what is hashed ----------------------------------------------------------------------------


def test_every_field_and_the_previous_hash_change_the_hash() -> None:
    entry = _content(6)
    digest = entry_hash(GENESIS, entry.fields())
    assert len(digest) == 64 and digest != entry_hash("1" * 64, entry.fields())
    for index, value in enumerate(entry.fields()):
        changed = _with(entry.fields(), index, "x" if value is None else f"{value}x")
        assert entry_hash(GENESIS, changed) != digest
    # None and the text "null" are different values
    assert entry_hash(GENESIS, (None,)) != entry_hash(GENESIS, ("null",))


def test_canonical_json_is_one_text_per_value() -> None:
    value = {
        "b": Decimal("1.10"), "a": date(2025, 10, 14), "c": AccountStatus.RESTRICTED,
        "d": datetime(2025, 10, 14, 9, 30, tzinfo=timezone(timedelta(hours=-4))),
        "e": frozenset({"y", "x"}), "f": "Zürich", "g": None, "h": [1, 2],
    }  # fmt: skip
    assert canonical_json(value) == (
        '{"a":"2025-10-14","b":"1.10","c":"restricted","d":"2025-10-14T13:30:00.000000Z",'
        '"e":["x","y"],"f":"Zürich","g":null,"h":[1,2]}'
    )
    assert canonical_json(dict(reversed(list(value.items())))) == canonical_json(value)
    with pytest.raises(TypeError, match="cannot record bytes"):
        canonical_json({"x": b"raw"})


def test_timestamps_are_utc_and_fixed_width() -> None:
    assert timestamp_text(datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=UTC)) == (
        "2025-01-02T03:04:05.000006Z"
    )
    with pytest.raises(ValueError, match="naive datetime"):
        timestamp_text(datetime(2025, 1, 2))
