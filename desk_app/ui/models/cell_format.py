"""How a table cell reads and lines up: raw values of a `Column` as the text a clerk sees.

Kept apart from the paged model so that dialogs and panes showing single values (an
age with its exact time behind it, an amount) format them exactly as the tables do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt

from desk_app.domain.listing import Column, ColumnKind
from desk_app.domain.money import canonical, format_amount, format_quantity

_NUMERIC = {ColumnKind.INT, ColumnKind.MONEY, ColumnKind.QUANTITY, ColumnKind.PRICE}
#: Numbers line up on the right so that their digits do; everything else on the left.
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def format_age(value: datetime, now: datetime | None = None) -> str:
    """How long ago ``value`` was, in its largest whole unit: "35 min", "5 h", "3 d"."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # Desk stores UTC
    seconds = ((now or datetime.now(UTC)) - aware).total_seconds()
    if seconds < 60:  # also a clock a little ahead of the server's
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 24 else f"{hours // 24} d"


def exact_time(value: datetime) -> str:
    """A moment in local time and in UTC (the tooltip behind an age)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    local = aware.astimezone()
    return (
        f"{local:%Y-%m-%d %H:%M:%S} local time ({local.tzname()})\n"
        f"{aware.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    )


def format_value(column: Column, value: Any, now: datetime | None = None) -> str:
    """The text a clerk sees for a raw value of ``column`` (``now`` for ages)."""
    if value is None:
        return ""
    kind = column.kind
    if kind is ColumnKind.AGE and isinstance(value, datetime):
        return format_age(value, now)
    if kind is ColumnKind.MONEY:
        return format_amount(value)
    if kind is ColumnKind.QUANTITY:
        return format_quantity(value)
    if kind is ColumnKind.PRICE:
        return format_amount(canonical(value)) if isinstance(value, Decimal) else str(value)
    if kind is ColumnKind.DATETIME and isinstance(value, datetime):
        local = value.astimezone() if value.tzinfo else value
        return local.strftime("%Y-%m-%d %H:%M %Z").rstrip()
    if kind is ColumnKind.DATE and isinstance(value, date):
        return value.isoformat()
    if kind is ColumnKind.STATUS:
        shown = column.display_code(value)
        # A lower-case code without a label ("open", "sell_short") still reads as words;
        # upper-case codes ("LACK", ISO reason codes) are what clerks know them by.
        return shown.replace("_", " ").capitalize() if shown.islower() else shown
    if kind is ColumnKind.BOOL:
        return "Yes" if value else ""
    return str(value)


def is_numeric(column: Column) -> bool:
    """Whether ``column`` holds numbers (right-aligned, summed)."""
    return column.kind in _NUMERIC


def alignment(column: Column) -> Qt.AlignmentFlag:
    """Where the cells and the header of ``column`` sit."""
    return RIGHT if is_numeric(column) else LEFT
