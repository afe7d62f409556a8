"""A record's history: field diffs, and every past version rebuilt from the audit entries."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain.history import FieldDiff, RecordChange, diff, reconstruct

V1 = {"name": "Jane Q. Public", "registered_rep": "RR01", "status": "open", "tax_id": None,
      "version": 1, "updated_at": "2025-10-01T14:00:00.000000Z"}  # fmt: skip


def _change(
    seq: int, change: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> RecordChange:
    return RecordChange(
        seq=seq,
        recorded_at=f"2025-10-{seq:02d}T14:00:00.000000Z",
        app_user="jmorales",
        db_login="desk_jmorales",
        action="account.amend",
        change=change,
        before=before,
        after=after,
        approval_id=None,
    )


CREATE = _change(1, "create", None, V1)
RENAME = _change(
    2, "update",
    {"name": "Jane Q. Public", "version": 1, "updated_at": V1["updated_at"]},
    {"name": "Jane Public", "version": 2, "updated_at": "2025-10-02T14:00:00.000000Z"},
)  # fmt: skip
RESTRICT = _change(
    3, "update", {"status": "open", "version": 2}, {"status": "restricted", "version": 3}
)
REVEAL = _change(4, "event", None, {"revealed": "tax_id"})
V2 = {**V1, "name": "Jane Public", "version": 2, "updated_at": "2025-10-02T14:00:00.000000Z"}
V3 = {**V2, "status": "restricted", "version": 3}
DELETE = _change(5, "delete", V3, None)


def test_an_update_shows_only_what_changed() -> None:
    assert diff(RENAME) == [
        FieldDiff("name", "Jane Q. Public", "Jane Public"),
        FieldDiff("version", 1, 2),
    ]  # updated_at is bookkeeping, not shown


def test_a_create_lists_what_it_set_and_a_delete_what_was_lost() -> None:
    created = diff(CREATE)
    assert [d.field for d in created] == ["name", "registered_rep", "status", "version"]
    assert all(d.old is None for d in created)
    deleted = diff(DELETE)
    assert [d.field for d in deleted] == ["name", "registered_rep", "status", "version"]
    assert all(d.new is None for d in deleted)
    assert FieldDiff("status", "restricted", None) in deleted


def test_an_event_shows_what_it_says() -> None:
    assert diff(REVEAL) == [FieldDiff("revealed", None, "tax_id")]
    assert diff(_change(9, "update", {"version": 3}, {"version": 3})) == []


def test_reconstruct_a_whole_life() -> None:
    changes = [CREATE, RENAME, RESTRICT, REVEAL, DELETE]
    assert reconstruct(None, changes) == [None, V1, V2, V3, V3, None]
    # the entries may come in any order: seq decides
    assert reconstruct(None, list(reversed(changes))) == [None, V1, V2, V3, V3, None]
    assert reconstruct(V3, changes[:4]) == [None, V1, V2, V3, V3]


def test_a_record_older_than_its_first_entry() -> None:
    """Demo and imported rows were bulk loaded: the trail starts with their first update."""
    states = reconstruct(V3, [RENAME, RESTRICT])
    assert states == [V1, V2, V3]
    assert reconstruct(V3, []) == [V3]


def test_reconstruct_does_not_touch_its_input() -> None:
    current = dict(V3)
    states = reconstruct(current, [RENAME, RESTRICT])
    assert states[-1] is not current and current == V3
    states[0]["name"] = "changed"  # type: ignore[index]
    assert states[1] is not None and states[1]["name"] == "Jane Public"


def test_a_deleted_and_recreated_record() -> None:
    again = {**V1, "name": "Jane Public-Smith", "version": 1}
    changes = [CREATE, replace(DELETE, before=V1), _change(6, "create", None, again)]
    assert reconstruct(again, changes) == [None, V1, None, again]


FIELDS = ("name", "registered_rep", "status", "residence_state")
values = st.one_of(st.none(), st.text(max_size=6), st.integers(-3, 3))


@given(
    st.fixed_dictionaries({name: values for name in FIELDS}),
    st.lists(st.dictionaries(st.sampled_from(FIELDS), values, min_size=1), max_size=12),
    st.booleans(),
)
def test_rebuilding_backwards_gives_every_version(
    first: dict[str, Any], edits: list[dict[str, Any]], audited_create: bool
) -> None:
    """Apply random updates forwards, recording them as the trail does; undo them all."""
    record, versions, changes = {**first, "version": 1}, [], []
    if audited_create:
        changes.append(_change(1, "create", None, dict(record)))
        versions.append(None)
    versions.append(dict(record))
    for n, edit in enumerate(edits, start=2):
        changed = {k: v for k, v in edit.items() if record[k] != v}
        if not changed:
            continue
        before = {k: record[k] for k in changed} | {"version": record["version"]}
        record.update(changed, version=record["version"] + 1)
        after = {**changed, "version": record["version"]}
        changes.append(_change(n, "update", before, after))
        versions.append(dict(record))
        assert {d.field for d in diff(changes[-1])} == {*changed, "version"}
    assert reconstruct(record, changes) == versions
