"""A record's history from its audit entries: field-by-field diffs and past versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Values = Mapping[str, Any]

#: Bookkeeping columns a reader does not need in a diff.
QUIET_FIELDS = frozenset({"updated_at"})


@dataclass(frozen=True)
class RecordChange:
    """One audited change to one record (values as recorded: JSON-ready text and numbers)."""

    seq: int
    recorded_at: str
    app_user: str
    db_login: str
    action: str
    change: str  # create, update, delete or event
    before: Values | None
    after: Values | None
    approval_id: int | None = None


@dataclass(frozen=True)
class FieldDiff:
    field: str
    old: Any
    new: Any


def diff(change: RecordChange) -> list[FieldDiff]:
    """What a change did, field by field (a create lists every field it set)."""
    before, after = change.before or {}, change.after or {}
    names = sorted((set(before) | set(after)) - QUIET_FIELDS)
    return [
        FieldDiff(name, before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    ]


def reconstruct(
    current: Values | None, changes: Sequence[RecordChange]
) -> list[dict[str, Any] | None]:
    """The record as it stood before the first change and after each one, oldest first.

    A record whose creation is in the trail is rebuilt forwards from it, from the
    trail alone, so a change made outside Desk cannot leak into past versions (compare
    the last version with ``current`` to see one). A record older than its first
    audited change is rebuilt backwards from ``current``, undoing each change.
    Events (such as revealing a tax id) leave the record as it was.
    """
    ordered = sorted(changes, key=lambda c: c.seq)
    if ordered and ordered[0].change == "create":
        return _forwards(ordered)
    state: dict[str, Any] | None = dict(current) if current is not None else None
    states: list[dict[str, Any] | None] = [state]
    for change in reversed(ordered):
        state = _undo(state, change)
        states.append(state)
    states.reverse()
    return states


def _forwards(ordered: Sequence[RecordChange]) -> list[dict[str, Any] | None]:
    state: dict[str, Any] | None = None
    states: list[dict[str, Any] | None] = [None]
    for change in ordered:
        if change.change == "create":
            state = dict(change.after or {})
        elif change.change == "delete":
            state = None
        elif change.change == "update":
            state = {**(state or {}), **(change.after or {})}
        states.append(None if state is None else dict(state))
    return states


def _undo(state: dict[str, Any] | None, change: RecordChange) -> dict[str, Any] | None:
    if change.change == "create":
        return None
    if change.change == "delete":
        return dict(change.before or {})
    if change.change == "update":
        restored = dict(state or {})
        restored.update(change.before or {})
        return restored
    return None if state is None else dict(state)
