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
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            self.report(1, FILE, "is UTF-16 text; save it as CSV UTF-8")
            return None
        start = len(_BOM) if content.startswith(_BOM) else 0
        try:
            return content[start:].decode("utf-8")
        except UnicodeDecodeError as error:
            offset = start + error.start
            line = content.count(b"\n", 0, offset) + 1
            self.report(
                1,
                FILE,
                f"is not UTF-8 text: byte 0x{content[offset]:02X} at byte offset {offset} "
                f"(line {line}); save it as CSV UTF-8",
            )
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


def _first_line(text: str) -> tuple[int, str]:
    """The number and text of the first line with more than blanks and separators."""
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        if line.strip(" \t\r\n,;"):
            return number, line
    return 0, ""
