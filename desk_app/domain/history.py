"""A record's history from its audit entries: field-by-field diffs, past versions, and
how each recorded value reads to a person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import Any

from desk_app.domain.money import canonical, format_amount, format_quantity

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


class FieldKind(StrEnum):
    """How a recorded value reads: the column's type, as the history shows it."""

    TEXT = "text"
    MONEY = "money"
    PRICE = "price"
    QUANTITY = "quantity"
    DATE = "date"
    MOMENT = "moment"
    CODE = "code"
    REFERENCE = "reference"


@dataclass(frozen=True)
class FieldFormat:
    """A field's kind, and the words behind its codes or the record ids it points to."""

    kind: FieldKind = FieldKind.TEXT
    #: CODE: code → label; REFERENCE: record id (as text) → its business key.
    names: Mapping[str, str] = field(default_factory=dict)


#: Fields whose value is in the currency of another field of the same record.
_CURRENCY_FIELDS = ("currency", "base_currency", "settlement_currency")


def value_text(
    fmt: FieldFormat, value: Any, record: Values | None = None, zone: tzinfo | None = None
) -> str:
    """One recorded value as a person reads it (``""`` for nothing).

    Money is grouped with its record's currency (``100,533.40 USD``), a record id is
    its business key (``NYC-10001 Ann Lee``), a code its label, a date ISO and a
    moment in ``zone`` (the computer's own when None) with the zone's name.
    """
    if value is None or value == "":
        return ""
    kind = fmt.kind
    if kind in (FieldKind.MONEY, FieldKind.PRICE, FieldKind.QUANTITY):
        amount = _decimal(value)
        if amount is None:
            return str(value)
        if kind is FieldKind.QUANTITY:
            return format_quantity(amount)
        currency = next((str(record[c]) for c in _CURRENCY_FIELDS if record and record.get(c)), "")
        return f"{format_amount(canonical(amount))} {currency}".rstrip()
    if kind is FieldKind.MOMENT:
        return moment_text(value, zone)
    if kind is FieldKind.DATE:
        return str(value)[:10]
    if kind in (FieldKind.CODE, FieldKind.REFERENCE):
        key = str(value)
        shown = fmt.names.get(key)
        if shown is not None:
            return shown
        return f"#{key} (no longer on file)" if kind is FieldKind.REFERENCE else key
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def moment_text(value: object, zone: tzinfo | None = None, *, seconds: bool = False) -> str:
    """A recorded instant (ISO text or datetime) with its zone: ``2026-12-07 09:41 EST``."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # Desk stores UTC
    local = moment.astimezone(zone)
    return local.strftime(f"%Y-%m-%d %H:%M{':%S' if seconds else ''} %Z")


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None
