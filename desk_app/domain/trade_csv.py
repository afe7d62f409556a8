"""The trades CSV file of CLI.md ("Input formats") read into checked rows, without a database.

`read_trades_csv` never raises for what a file contains: it reads every row and
collects every problem (a row may have several), so a clerk fixes the file in one
go. Storing all or nothing is the caller's business: store ``rows`` only when
``ok``. Decisions beyond CLI.md, so a clerk's file is never half-understood:

- Columns go by header name (case-insensitive, blanks around names ignored); an
  unknown column is a problem (a typo such as ``quantiy`` would otherwise drop
  data), and so is a missing or repeated one.
- The separator is ``,`` or ``;``, whichever the header line has outside quotes; a
  header with both or neither is refused. Numbers take ``.`` as the decimal point
  only, and no thousands separators, whatever the separator: ``1,500`` is refused
  rather than guessed as 1500 or 1.5.
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
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, TypeVar

from desk_app.domain.codes import Side
from desk_app.domain.errors import ValidationError
from desk_app.domain.trade_rows import (
    RowProblem,
    TradeRow,
    parse_charge,
    parse_currency,
    parse_cusip_as_isin,
    parse_external_id,
    parse_instrument_type,
    parse_isin,
    parse_iso_date,
    parse_price,
    parse_quantity,
    parse_side,
    parse_text,
    parse_time_of_day,
    parse_yes_no,
    problem_from,
    shown_value,
)

#: Columns every file must have; ``isin`` may be given as ``cusip`` instead.
REQUIRED_COLUMNS = (
    "external_id",
    "trade_date",
    "account",
    "side",
    "isin",
    "quantity",
    "price",
    "currency",
    "counterparty",
)
OPTIONAL_COLUMNS = (
    "cusip",
    "settle_date",
    "trade_time",
    "commission",
    "fees",
    "instrument_type",
    "short_sale",
)
_KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_BOM = b"\xef\xbb\xbf"
_SEPARATORS = (",", ";")
_FILE = "file"
_HEADER = "header"

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class CsvResult:
    """Rows that passed every check, and every problem found; store rows only when ``ok``."""

    rows: tuple[TradeRow, ...]
    problems: tuple[RowProblem, ...]

    @property
    def ok(self) -> bool:
        """True when the file has no problem at all, so all its rows may be stored."""
        return not self.problems


def read_trades_csv(content: bytes, file_name: str) -> CsvResult:
    """Parse and check a trades CSV file; ``file_name`` is what problems are reported against."""
    return _TradesCsvReader(file_name).read(content)


class _TradesCsvReader:
    """One reading of one file: the header's columns, the rows, and what is wrong."""

    def __init__(self, file_name: str) -> None:
        self.file = file_name
        self.rows: list[TradeRow] = []
        self.problems: list[RowProblem] = []
        self.columns: dict[str, int] = {}
        self.names: list[str] = []  # by position; "" for a column that is not read
        self.width = 0
        self.first_line_of: dict[str, int] = {}
        #: Positions of the columns, for rows read on the fast path (None: never).
        self.fast: _Positions | None = None

    def read(self, content: bytes) -> CsvResult:
        text = self._decode(content)
        if text is not None:
            self._read_text(text)
        return CsvResult(tuple(self.rows), tuple(self.problems))

    def _report(self, line: int, field: str, reason: str, value: str | None = None) -> None:
        self.problems.append(RowProblem(self.file, line, field, reason, value))

    def _decode(self, content: bytes) -> str | None:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            self._report(1, _FILE, "is UTF-16 text; save it as CSV UTF-8")
            return None
        start = len(_BOM) if content.startswith(_BOM) else 0
        try:
            return content[start:].decode("utf-8")
        except UnicodeDecodeError as error:
            offset = start + error.start
            line = content.count(b"\n", 0, offset) + 1
            self._report(
                1,
                _FILE,
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
                self._report(line, _FILE, f"cannot be read as CSV from this line on: {error}")
                break
            last_line = reader.line_num
            if not fields or not (fields[0].strip() or "".join(fields).strip()):
                continue  # blank, or bare separators
            if header_seen:
                self._read_row(line, fields)
            else:
                self._read_header(line, fields)
                header_seen = True
        if not header_seen:
            self._report(1, _FILE, "is empty: no header line")
        elif not self.rows and not self.problems:
            self._report(1, _FILE, "has no trade rows below the header")

    def _sniff_separator(self, text: str) -> str | None:
        """``,`` or ``;``: whichever the first non-blank line has outside quotes."""
        number, header = _first_line(text)
        if not header:
            self._report(1, _FILE, "is empty: no header line")
            return None
        unquoted = re.sub(r'"[^"]*"', "", header)
        found = [separator for separator in _SEPARATORS if separator in unquoted]
        if len(found) == 1:
            return found[0]
        if found:
            self._report(number, _HEADER, "mixes ',' and ';': separate columns with one of them")
        elif "\t" in unquoted:
            self._report(number, _HEADER, "is tab-separated: save the file as CSV (',' or ';')")
        else:
            self._report(number, _HEADER, "has no ',' or ';' between column names")
        return None

    def _read_header(self, line: int, fields: list[str]) -> None:
        self.width = len(fields)
        for position, raw in enumerate(fields, 1):
            name = raw.strip().lower()
            if not name:
                self._report(line, _HEADER, f"column {position} has no name")
            elif name in self.columns:
                first = self.columns[name] + 1
                self._report(
                    line, _HEADER, f"column '{name}' appears twice (columns {first} and {position})"
                )
            elif name in _KNOWN_COLUMNS:
                self.columns[name] = position - 1
                self.names.append(name)
                continue
            else:
                close = difflib.get_close_matches(name, _KNOWN_COLUMNS, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                shown = shown_value(raw.strip())
                self._report(line, _HEADER, f"unknown column '{shown}'{hint}", shown)
            self.names.append("")
        for name in REQUIRED_COLUMNS:
            if name == "isin" and "cusip" in self.columns:
                continue
            if name not in self.columns:
                alternative = " (or 'cusip')" if name == "isin" else ""
                self._report(line, _HEADER, f"missing required column '{name}'{alternative}")
        if not self.problems:  # every required column is there, once
            at, maybe = self.columns, self.columns.get
            self.fast = _Positions(
                at["external_id"], at["trade_date"], at["account"], at["side"], maybe("isin"),
                at["quantity"], at["price"], at["currency"], at["counterparty"], maybe("cusip"),
                maybe("settle_date"), maybe("trade_time"), maybe("commission"), maybe("fees"),
                maybe("instrument_type"), maybe("short_sale"),
            )  # fmt: skip

    def _read_row(self, line: int, fields: list[str]) -> None:
        if self.fast is not None and len(fields) == self.width:
            try:
                row = _fast_row(self.fast, line, fields)
            except ValidationError:
                row = None  # read it again below, to say every thing wrong with it
            if row is not None:
                first = self.first_line_of.setdefault(row.external_id, line)
                if first == line:
                    self.rows.append(row)
                    return
        self._read_row_fully(line, fields)

    def _read_row_fully(self, line: int, fields: list[str]) -> None:
        """Read a row value by value, reporting every problem it has."""
        if len(fields) != self.width:
            self._report(
                line,
                "row",
                f"has {len(fields)} values but the header has {self.width} columns "
                "(quote a value that contains the separator)",
            )
            return
        failed = len(self.problems)
        raw = dict(zip(self.names, map(str.strip, fields), strict=True))
        problems, file = self.problems, self.file

        def value(name: str, parse: Callable[[str, str], _T], optional: bool = False) -> _T | None:
            text = raw.get(name)
            if text is None or (optional and not text):
                return None  # column absent (reported with the header), or empty and optional
            try:
                return parse(name, text)
            except ValidationError as error:
                problems.append(problem_from(file, line, error))
                return None

        external_id = value("external_id", parse_external_id)
        trade_date = value("trade_date", parse_iso_date)
        account = value("account", parse_text)
        side = value("side", parse_side)
        isin = self._security(line, raw)
        quantity = value("quantity", parse_quantity)
        price = value("price", parse_price)
        commission = value("commission", parse_charge)
        fees = value("fees", parse_charge)
        currency = value("currency", parse_currency)
        counterparty = value("counterparty", parse_text)
        settle_date = value("settle_date", parse_iso_date, True)
        trade_time = value("trade_time", parse_time_of_day, True)
        instrument_type = value("instrument_type", parse_instrument_type, True)
        short_sale = value("short_sale", parse_yes_no)

        if external_id is not None:
            first = self.first_line_of.setdefault(external_id, line)
            if first != line:
                shown = shown_value(external_id)
                self._report(
                    line, "external_id", f"appears again; first on line {first} ('{shown}')", shown
                )
        if settle_date is not None and trade_date is not None and settle_date < trade_date:
            self._report(line, "settle_date", f"is before trade_date {trade_date.isoformat()}")
        if short_sale and side is Side.BUY:
            self._report(line, "short_sale", "is yes but side is buy")
        elif short_sale is False and side is Side.SELL_SHORT and raw.get("short_sale"):
            self._report(line, "short_sale", "is no but side is sell short")
        elif short_sale and side is Side.SELL:
            side = Side.SELL_SHORT

        if (
            len(self.problems) != failed
            or external_id is None
            or trade_date is None
            or account is None
            or side is None
            or isin is None
            or quantity is None
            or price is None
            or currency is None
            or counterparty is None
        ):
            return  # a problem, or a required column missing (reported with the header)
        self.rows.append(
            TradeRow(
                line=line,
                external_id=external_id,
                trade_date=trade_date,
                account=account,
                side=side,
                isin=isin,
                quantity=quantity,
                price=price,
                currency=currency,
                counterparty=counterparty,
                commission=commission if commission is not None else Decimal(0),
                fees=fees if fees is not None else Decimal(0),
                settle_date=settle_date,
                trade_time=trade_time,
                instrument_type=instrument_type,
            )
        )

    def _checked(
        self, line: int, name: str, parse: Callable[[str, str], str], text: str
    ) -> str | None:
        try:
            return parse(name, text)
        except ValidationError as error:
            self.problems.append(problem_from(self.file, line, error))
            return None

    def _security(self, line: int, raw: dict[str, str]) -> str | None:
        """The row's ISIN, from the ``isin`` column or converted from the ``cusip`` one.

        With both columns, either may carry the security; when both do, they must agree.
        """
        isin_raw, cusip_raw = raw.get("isin"), raw.get("cusip")
        if cusip_raw is None:  # no isin column either: reported with the header
            return None if isin_raw is None else self._checked(line, "isin", parse_isin, isin_raw)
        if isin_raw is None:
            return self._checked(line, "cusip", parse_cusip_as_isin, cusip_raw)
        if not isin_raw and not cusip_raw:
            self._report(line, "isin", "is required (or cusip)")
            return None
        if not isin_raw:
            return self._checked(line, "cusip", parse_cusip_as_isin, cusip_raw)
        isin = self._checked(line, "isin", parse_isin, isin_raw)
        if not cusip_raw:
            return isin
        from_cusip = self._checked(line, "cusip", parse_cusip_as_isin, cusip_raw)
        if isin is None or from_cusip is None:
            return None
        if isin != from_cusip:
            shown = shown_value(cusip_raw)
            self._report(line, "cusip", f"is not the CUSIP inside isin {isin} ('{shown}')", shown)
            return None
        return isin


class _Positions(NamedTuple):
    """Where each known column is in a row (None: not in this file)."""

    external_id: int
    trade_date: int
    account: int
    side: int
    isin: int | None
    quantity: int
    price: int
    currency: int
    counterparty: int
    cusip: int | None
    settle_date: int | None
    trade_time: int | None
    commission: int | None
    fees: int | None
    instrument_type: int | None
    short_sale: int | None


def _fast_row(at: _Positions, line: int, fields: list[str]) -> TradeRow | None:
    """A row with nothing wrong, read in one go, or None (or an error) for any doubt.

    The common case of `_TradesCsvReader._read_row_fully`, value for value: the same
    checks (cached), the same result. Anything it does not handle the same way or
    finds wrong sends the row to the full reading, which reports every problem.
    """
    if at.cusip is not None and fields[at.cusip].strip():
        return None  # the isin and cusip columns together: the full reading decides
    if at.isin is None:
        return None
    trade_date = parse_iso_date("trade_date", fields[at.trade_date].strip())
    side = parse_side("side", fields[at.side].strip())
    settle_date = _optional(at.settle_date, fields, "settle_date", parse_iso_date)
    if settle_date is not None and settle_date < trade_date:
        return None
    if at.short_sale is not None:
        short_sale = parse_yes_no("short_sale", fields[at.short_sale].strip())
        if short_sale:
            if side is Side.BUY:
                return None
            if side is Side.SELL:
                side = Side.SELL_SHORT
        elif side is Side.SELL_SHORT and fields[at.short_sale].strip():
            return None
    return TradeRow(
        line=line,
        external_id=parse_external_id("external_id", fields[at.external_id].strip()),
        trade_date=trade_date,
        account=parse_text("account", fields[at.account].strip()),
        side=side,
        isin=parse_isin("isin", fields[at.isin].strip()),
        quantity=parse_quantity("quantity", fields[at.quantity].strip()),
        price=parse_price("price", fields[at.price].strip()),
        currency=parse_currency("currency", fields[at.currency].strip()),
        counterparty=parse_text("counterparty", fields[at.counterparty].strip()),
        commission=Decimal(0)
        if at.commission is None
        else parse_charge("commission", fields[at.commission].strip()),
        fees=Decimal(0) if at.fees is None else parse_charge("fees", fields[at.fees].strip()),
        settle_date=settle_date,
        trade_time=_optional(at.trade_time, fields, "trade_time", parse_time_of_day),
        instrument_type=_optional(
            at.instrument_type, fields, "instrument_type", parse_instrument_type
        ),
    )


def _optional(
    at: int | None, fields: list[str], name: str, parse: Callable[[str, str], _T]
) -> _T | None:
    if at is None:
        return None
    text = fields[at].strip()
    return parse(name, text) if text else None


def _first_line(text: str) -> tuple[int, str]:
    """The number and text of the first line with more than blanks and separators."""
    for number, line in enumerate(io.StringIO(text, newline=""), 1):
        if line.strip(" \t\r\n,;"):
            return number, line
    return 0, ""
