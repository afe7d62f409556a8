"""Write a list (the blotter under its current filter and sort) to CSV or XLSX.

Rows stream a page at a time (`iter_rows`), so a million trades never sit in memory.
The file is written beside its destination under a temporary name and moved into
place only when complete: a cancel or an error leaves no partial file behind and
an existing file untouched.

CSV is for scripts: UTF-8, a header row of column keys, ids first, codes as stored,
ISO dates and exact decimals without thousands separators. XLSX is for people:
column titles in bold with the header row frozen, numbers as numbers (exact, with
number formats), dates as dates.

Neither carries a live formula (OWASP's CSV injection): a text value (never a number)
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written in
CSV with a leading apostrophe, which a spreadsheet opening the file shows as text and
a script can strip; in XLSX it is stored as a text cell, exactly as it reads. An
external id such as ``=cmd|' /C calc'!A0`` from a counterparty's file so stays text.
"""

from __future__ import annotations

import contextlib
import csv
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from desk_app.domain.errors import ValidationError
from desk_app.domain.listing import Column, ColumnKind, PageSource, Row, SortSpec, iter_rows
from desk_app.domain.money import canonical
from desk_app.domain.progress import CancelToken, Progress, no_progress

FORMATS = ("csv", "xlsx")
PAGE = 2000
#: Rows between progress reports and cancel checks.
REPORT_EVERY = 500
#: A worksheet holds 1,048,576 rows, the header included.
XLSX_MAX_ROWS = 1_048_575
K = ColumnKind

_NUMBER_FORMATS = {
    K.MONEY: "#,##0.00",
    K.QUANTITY: "#,##0.######",
    K.PRICE: "#,##0.00######",
    K.INT: "0",
}


def format_of(path: Path) -> str:
    """``csv`` or ``xlsx``, from the file's extension."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValidationError("--out", "name a .csv or .xlsx file", str(path))
    return suffix


def export_rows(
    source: PageSource,
    out: Path,
    *,
    sort: SortSpec | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> int:
    """Write every row of ``source`` in ``sort`` order to ``out``; return how many."""
    kind = format_of(out)
    total = source.count()
    columns = list(source.columns)
    if kind == "xlsx" and total > XLSX_MAX_ROWS:
        raise ValidationError(
            "--out", f"{total:,} rows do not fit in one worksheet; narrow the filter or use CSV"
        )
    progress(0, total, f"Exporting {total:,} rows…")
    written = 0

    def rows() -> Iterable[Row]:
        nonlocal written
        for row in iter_rows(source, sort, page=PAGE):
            yield row
            written += 1
            if written % REPORT_EVERY == 0:
                if cancel is not None:
                    cancel.check("The export")
                progress(written, total, f"{written:,} of {total:,} rows")

    writer = _write_csv if kind == "csv" else _write_xlsx
    temp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        writer(temp, columns, rows())
        if cancel is not None:
            cancel.check("The export")
        temp.replace(out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    progress(written, total, f"{written:,} rows written")
    return written


#: What a spreadsheet reads as the start of a formula in a cell it opens.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """``text``, with an apostrophe before it when a spreadsheet would read a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# -- CSV -----------------------------------------------------------------------------------
def csv_value(value: Any) -> str:
    """A raw value as a script reads it: codes, ISO dates, exact decimals."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return format(canonical(value), "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralised(value)
    return str(value)


def _write_csv(path: Path, columns: Sequence[Column], rows: Iterable[Row]) -> None:
    width = len(columns)
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([c.key for c in columns])
        for row in rows:
            out.writerow([csv_value(v) for v in row[:width]])


# -- XLSX ----------------------------------------------------------------------------------
def _write_xlsx(path: Path, columns: Sequence[Column], rows: Iterable[Row]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Trades")
    sheet.freeze_panes = "A2"
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _width(column)
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = bold
        if column.kind in _NUMBER_FORMATS:
            cell.alignment = Alignment(horizontal="right")
        header.append(cell)
    sheet.append(header)
    cells: list[Callable[[Any], Any]] = [_cell_maker(sheet, c, WriteOnlyCell) for c in columns]
    width = len(columns)
    try:
        for row in rows:
            sheet.append([make(v) for make, v in zip(cells, row[:width], strict=True)])
    except BaseException:
        _discard(sheet)
        raise
    book.save(path)


def _discard(sheet: Any) -> None:
    """Close a half-written sheet and remove openpyxl's temporary file for it."""
    with contextlib.suppress(Exception):
        sheet.close()
    writer = getattr(sheet, "_writer", None)
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.cleanup()


def _cell_maker(sheet: Any, column: Column, cell_type: Any) -> Callable[[Any], Any]:
    number_format = _NUMBER_FORMATS.get(column.kind)
    if column.kind is K.DATE:
        number_format = "yyyy-mm-dd"
    elif column.kind in (K.DATETIME, K.AGE):
        number_format = "yyyy-mm-dd hh:mm:ss"

    def make(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Enum):
            value = column.display_code(value.value)
        elif isinstance(value, datetime):
            value = value.replace(tzinfo=None)  # Excel has no zones; Desk keeps UTC
        elif isinstance(value, Decimal):
            value = canonical(value)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            text = cell_type(sheet, value=value)
            text.data_type = "s"  # a text cell as it reads, never a formula
            return text
        if number_format is None:
            return value
        cell = cell_type(sheet, value=value)
        cell.number_format = number_format
        return cell

    return make


def _width(column: Column) -> float:
    if column.kind in (K.DATE, K.MONEY):
        return 14
    if column.key == "description":
        return 36
    return max(10, min(24, len(column.title) + 4))
