"""Reading a clerk's CSV file: encoding, separator, header and rows, every problem named.

Shared by every CSV Desk reads (trades, certificates). A reader never raises for
what a file contains: it collects every problem with its file, line and field, so a
clerk fixes the file in one go; storing all or nothing is the caller's business.

- Columns go by header name (case-insensitive, blanks around names ignored); an
  unknown column is a problem (a typo would otherwise drop data), and so is a
  missing or repeated one.
- UTF-8 with or without a BOM; UTF-16 and other bytes are refused with the offset.
- The separator is ``,`` or ``;``, whichever the header line has outside quotes; a
  header with both or neither is refused.
- Blank lines (also lines of bare separators, as spreadsheets export them) are
  skipped; a row with another number of values than the header is one problem.
- Line numbers are the physical lines an editor shows; a quoted value spanning
  lines belongs to the line it starts on.
- A file with a header and no rows is a problem: every result holds rows or problems.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Mapping
from pathlib import Path

from desk_app.domain.errors import ValidationError
from desk_app.domain.trade_rows import RowProblem, problem_from, shown_value

_BOM = b"\xef\xbb\xbf"
_SEPARATORS = (",", ";")
FILE = "file"
HEADER = "header"


class CsvTableReader:
    """One reading of one file; subclasses say which columns exist and read the rows."""

    #: Every column a file may have, and those it must have.
    known: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    #: A required column that another may stand in for (``isin`` → ``cusip``).
    alternatives: Mapping[str, str] = {}
    #: What the rows are, for "has no ... rows below the header".
    row_noun = "data"

    def __init__(self, file_name: str) -> None:
        self.file = file_name
        self.problems: list[RowProblem] = []
        self.columns: dict[str, int] = {}
        self.names: list[str] = []  # by position; "" for a column that is not read
        self.width = 0

    # -- what subclasses provide -------------------------------------------------------

    def read_row(self, line: int, fields: list[str]) -> None:
        raise NotImplementedError

    def has_rows(self) -> bool:
        raise NotImplementedError

    def header_read(self) -> None:
        """Called once the header is read (problems with it, if any, are reported)."""

    # -- the reading ---------------------------------------------------------------

    def report(self, line: int, field: str, reason: str, value: str | None = None) -> None:
        self.problems.append(RowProblem(self.file, line, field, reason, value))

    def report_error(self, line: int, error: ValidationError) -> None:
        self.problems.append(problem_from(self.file, line, error))

    def read_content(self, content: bytes) -> None:
        text = self._decode(content)
        if text is not None:
            self._read_text(text)

    def values(self, line: int, fields: list[str]) -> dict[str, str] | None:
        """The row's values by column name, stripped; None (reported) if it has too few or many."""
        if len(fields) != self.width:
            self.report(
                line,
                "row",
                f"has {len(fields)} values but the header has {self.width} columns "
                "(quote a value that contains the separator)",
            )
            return None
        return dict(zip(self.names, map(str.strip, fields), strict=True))

    def _decode(self, content: bytes) -> str | None:
        kind = binary_kind(content)
        if kind is not None:
            self.report(1, FILE, kind)
            return None
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.report(1, FILE, "is UTF-16 text; save it as CSV UTF-8")
            return None
        start = len(_BOM) if content.startswith(_BOM) else 0
        try:
            return content[start:].decode("utf-8")
        except UnicodeDecodeError as error:
            offset = start + error.start
            self.report(*not_utf8(content, offset))
            return None

    def _read_text(self, text: str) -> None:
        separator = self._sniff_separator(text)
        if separator is None:
            return
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        header_seen = False
        last_line = 0
        while True:
            line = last_line + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                self.report(line, FILE, f"cannot be read as CSV from this line on: {error}")
                break
            last_line = reader.line_num
            if not fields or not (fields[0].strip() or "".join(fields).strip()):
                continue  # blank, or bare separators
            if header_seen:
                self.read_row(line, fields)
            else:
                self._read_header(line, fields)
                header_seen = True
        if not header_seen:
            self.report(1, FILE, "is empty: no header line")
        elif not self.has_rows() and not self.problems:
            self.report(1, FILE, f"has no {self.row_noun} rows below the header")

    def _sniff_separator(self, text: str) -> str | None:
        """``,`` or ``;``: whichever the first non-blank line has outside quotes."""
        number, header = _first_line(text)
        if not header:
            self.report(1, FILE, "is empty: no header line")
            return None
        unquoted = re.sub(r'"[^"]*"', "", header)
        found = [separator for separator in _SEPARATORS if separator in unquoted]
        if len(found) == 1:
            return found[0]
        if found:
            self.report(number, HEADER, "mixes ',' and ';': separate columns with one of them")
        elif "\t" in unquoted:
            self.report(number, HEADER, "is tab-separated: save the file as CSV (',' or ';')")
        else:
            self.report(number, HEADER, "has no ',' or ';' between column names")
        return None

    def _read_header(self, line: int, fields: list[str]) -> None:
        self.width = len(fields)
        for position, raw in enumerate(fields, 1):
            name = raw.strip().lower()
            if not name:
                self.report(line, HEADER, f"column {position} has no name")
            elif name in self.columns:
                first = self.columns[name] + 1
                self.report(
                    line, HEADER, f"column '{name}' appears twice (columns {first} and {position})"
                )
            elif name in self.known:
                self.columns[name] = position - 1
                self.names.append(name)
                continue
            else:
                close = difflib.get_close_matches(name, self.known, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                shown = shown_value(raw.strip())
                self.report(line, HEADER, f"unknown column '{shown}'{hint}", shown)
            self.names.append("")
        for name in self.required:
            other = self.alternatives.get(name)
            if other is not None and other in self.columns:
                continue
            if name not in self.columns:
                alternative = f" (or '{other}')" if other else ""
                self.report(line, HEADER, f"missing required column '{name}'{alternative}")
        self.header_read()


#: What a file that is no text at all is, by its first bytes, and what to do with it.
_SAVE_AS_CSV = "open it in Excel and save it as CSV UTF-8 (File > Save As), then import that"
_BINARY_KINDS = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     f"is an Excel 97-2003 workbook (.xls), not CSV: {_SAVE_AS_CSV}"),
    (b"%PDF-", "is a PDF document, not CSV: ask for the trades as a CSV file"),
    (b"\x1f\x8b", "is a gzip archive, not CSV: unpack it and import the file inside"),
)  # fmt: skip


def path_problem(path: Path) -> str | None:
    """Why ``path`` names no file to import ("is a folder…", "no such file"), or None."""
    if path.is_dir():
        return "is a folder, not a file: choose the file in it"
    if not path.exists():
        return "no such file"
    if not path.is_file():
        return "is not a regular file (a device or a pipe): choose a saved file"
    return None


def binary_kind(content: bytes) -> str | None:
    """What a file that is no text is (an Excel workbook, an archive…) and what to do; or None.

    Told by content, not by name: a workbook renamed ``.csv`` is still a workbook.
    Desk does not read workbooks itself: their numbers are binary floating point
    and their dates are formatted numbers, so the clerk's CSV says what they saw.
    """
    if content.startswith(b"PK\x03\x04"):
        if b"xl/workbook" in content:  # a name in the archive's directory
            return f"is an Excel workbook (.xlsx), not CSV: {_SAVE_AS_CSV}"
        if b"opendocument.spreadsheet" in content[:4096]:
            return (
                "is an OpenDocument spreadsheet (.ods), not CSV: save it as CSV UTF-8 "
                "(File > Save As), then import that"
            )
        return "is a ZIP archive, not CSV: unpack it and import the file inside"
    for magic, reason in _BINARY_KINDS:
        if content.startswith(magic):
            return reason
    return None


def not_utf8(content: bytes, offset: int) -> tuple[int, str, str]:
    """The line, field and reason for a byte that is not UTF-8, said once, where it is.

    A lone byte of 0x80 or more is mostly Windows-1252 (Excel's "CSV" on Windows), so
    the character it would be there is named too, to help find it.
    """
    line = content.count(b"\n", 0, offset) + 1
    column = offset - (content.rfind(b"\n", 0, offset) + 1) + 1
    byte = content[offset]
    guess = bytes([byte]).decode("cp1252", errors="replace")
    named = f" ('{guess}' in Windows-1252)" if guess.isprintable() and guess != "\ufffd" else ""
    reason = (
        f"is not UTF-8 text: byte 0x{byte:02X}{named} at byte {column} of this line; "
        "save the file as CSV UTF-8 (in Excel: File > Save As, CSV UTF-8)"
    )
    return line, FILE, reason


def _first_line(text: str) -> tuple[int, str]:
    """The number and text of the first line with more than blanks and separators."""
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        if line.strip(" \t\r\n,;"):
            return number, line
    return 0, ""
