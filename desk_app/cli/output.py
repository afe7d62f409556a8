"""Printing lists for people (aligned table) and for scripts (CSV, exact values)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TextIO

from desk_app.domain.listing import Column, ColumnKind, Row
from desk_app.domain.money import canonical, format_amount, format_quantity


def csv_value(column: Column, value: object) -> str:
    """Exact and unformatted: ISO dates, plain decimals, codes as stored."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(canonical(value), "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def human_value(column: Column, value: object) -> str:
    if value is None:
        return ""
    if column.kind is ColumnKind.MONEY and isinstance(value, Decimal):
        return format_amount(value)
    if column.kind is ColumnKind.QUANTITY and isinstance(value, Decimal):
        return format_quantity(value)
    if column.kind is ColumnKind.STATUS:
        return column.display_code(value)
    if column.kind is ColumnKind.AGE and isinstance(value, datetime):
        return age_text(value)
    if column.kind is ColumnKind.DATETIME and isinstance(value, datetime):
        return when_text(value)
    return csv_value(column, value)


def when_text(value: datetime) -> str:
    """A moment for a person: UTC, to the minute."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def age_text(then: datetime, now: datetime | None = None) -> str:
    """How long ago, in the largest whole unit: "just now", "5 min", "3 h", "2 d"."""
    now = now or datetime.now(UTC)
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return "just now"


NUMERIC = {ColumnKind.MONEY, ColumnKind.QUANTITY, ColumnKind.PRICE, ColumnKind.INT}


def print_rows(
    columns: Sequence[Column], rows: Iterable[Row], fmt: str, out: TextIO | None = None
) -> int:
    """Write rows (the trailing id dropped) as CSV or an aligned table; return the count."""
    out = out or sys.stdout
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.key for c in columns])
        count = 0
        for row in rows:
            writer.writerow([csv_value(c, v) for c, v in zip(columns, row, strict=False)])
            count += 1
        return count
    table = [[human_value(c, v) for c, v in zip(columns, row, strict=False)] for row in rows]
    headers = [c.title for c in columns]
    widths = [max([len(h)] + [len(r[i]) for r in table]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(w) if col.kind in NUMERIC else cell.ljust(w)
            for cell, w, col in zip(cells, widths, columns, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out.write(line(headers) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for cells in table:
        out.write(line(cells) + "\n")
    return len(table)
