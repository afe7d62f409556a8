"""The trades CSV file of CLI.md ("Input formats") read into checked rows, without a database.

`read_trades_csv` never raises for what a file contains: it reads every row and
collects every problem (a row may have several), so a clerk fixes the file in one
go. Storing all or nothing is the caller's business: store ``rows`` only when
``ok``. Decisions beyond CLI.md, so a clerk's file is never half-understood.
The file's encoding, separator, header and blank lines follow `csv_files`; beyond
that, numbers take ``.`` as the decimal point only, and no thousands separators,
whatever the separator: ``1,500`` is refused rather than guessed as 1500 or 1.5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple, TypeVar

from desk_app.domain.codes import Side
from desk_app.domain.csv_files import CsvTableReader
from desk_app.domain.errors import ValidationError
from desk_app.domain.trade_rows import (
    RefusedRow,
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
    parse_reason,
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
    "price_reason",
)
_KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class CsvResult:
    """Rows that passed every check, and every problem found; store rows only when ``ok``."""

    rows: tuple[TradeRow, ...]
    problems: tuple[RowProblem, ...]
    #: Rows with a problem, as far as they could be read (see `RefusedRow`).
    refused: tuple[RefusedRow, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the file has no problem at all, so all its rows may be stored."""
        return not self.problems


def read_trades_csv(content: bytes, file_name: str) -> CsvResult:
    """Parse and check a trades CSV file; ``file_name`` is what problems are reported against."""
    return _TradesCsvReader(file_name).read(content)


class _TradesCsvReader(CsvTableReader):
    """One reading of one file: the header's columns, the rows, and what is wrong."""

    known = _KNOWN_COLUMNS
    required = REQUIRED_COLUMNS
    alternatives = MappingProxyType({"isin": "cusip"})
    row_noun = "trade"

    def __init__(self, file_name: str) -> None:
        super().__init__(file_name)
        self.rows: list[TradeRow] = []
        self.refused: list[RefusedRow] = []
        self.first_line_of: dict[str, int] = {}
        #: Positions of the columns, for rows read on the fast path (None: never).
        self.fast: _Positions | None = None

    def read(self, content: bytes) -> CsvResult:
        self.read_content(content)
        return CsvResult(tuple(self.rows), tuple(self.problems), tuple(self.refused))

    def has_rows(self) -> bool:
        return bool(self.rows)

    def header_read(self) -> None:
        if not self.problems and "isin" in self.columns:  # every required column, once
            at, absent = self.columns, self.width  # an absent column reads as ""

            def maybe(name: str) -> int:
                return at.get(name, absent)

            self.fast = _Positions(
                at["external_id"], at["trade_date"], at["account"], at["side"], at["isin"],
                at["quantity"], at["price"], at["currency"], at["counterparty"], maybe("cusip"),
                maybe("settle_date"), maybe("trade_time"), maybe("commission"), maybe("fees"),
                maybe("instrument_type"), maybe("short_sale"), maybe("price_reason"),
            )  # fmt: skip

    def read_row(self, line: int, fields: list[str]) -> None:
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
        raw = self.values(line, fields)
        if raw is None:
            return
        failed = len(self.problems)
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
        price_reason = value("price_reason", parse_reason, True)

        if external_id is not None:
            first = self.first_line_of.setdefault(external_id, line)
            if first != line:
                shown = shown_value(external_id)
                self.report(
                    line, "external_id", f"appears again; first on line {first} ('{shown}')", shown
                )
        if settle_date is not None and trade_date is not None and settle_date < trade_date:
            self.report(line, "settle_date", f"is before trade_date {trade_date.isoformat()}")
        if short_sale and side is Side.BUY:
            self.report(line, "short_sale", "is yes but side is buy")
        elif short_sale is False and side is Side.SELL_SHORT and raw.get("short_sale"):
            self.report(line, "short_sale", "is no but side is sell short")
        elif short_sale and side is Side.SELL:
            side = Side.SELL_SHORT

        if len(self.problems) != failed:
            self.refused.append(
                RefusedRow(line, account, isin, counterparty, trade_date, instrument_type)
            )
            return
        if (
            external_id is None
            or trade_date is None
            or account is None
            or side is None
            or isin is None
            or quantity is None
            or price is None
            or currency is None
            or counterparty is None
        ):
            return  # a required column missing (reported with the header)
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
                price_reason=price_reason or "",
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
            self.report(line, "isin", "is required (or cusip)")
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
            self.report(line, "cusip", f"is not the CUSIP inside isin {isin} ('{shown}')", shown)
            return None
        return isin


class _Positions(NamedTuple):
    """Where each known column is in a row; a column not in the file is one past the end."""

    external_id: int
    trade_date: int
    account: int
    side: int
    isin: int
    quantity: int
    price: int
    currency: int
    counterparty: int
    cusip: int
    settle_date: int
    trade_time: int
    commission: int
    fees: int
    instrument_type: int
    short_sale: int
    price_reason: int


def _fast_row(at: _Positions, line: int, fields: list[str]) -> TradeRow | None:
    """A row with nothing wrong, read in one go, or None (or an error) for any doubt.

    The common case of `_TradesCsvReader._read_row_fully`, value for value: the same
    checks (cached), the same result. Anything it does not handle the same way or
    finds wrong sends the row to the full reading, which reports every problem.
    The values are stripped in one go; a column the file lacks reads as the empty
    value at the end (`_Positions`).
    """
    values = [*map(str.strip, fields), ""]
    if values[at.cusip]:
        return None  # the isin and cusip columns together: the full reading decides
    trade_date = parse_iso_date("trade_date", values[at.trade_date])
    side = parse_side("side", values[at.side])
    text = values[at.settle_date]
    settle_date = parse_iso_date("settle_date", text) if text else None
    if settle_date is not None and settle_date < trade_date:
        return None
    text = values[at.short_sale]
    if text:
        short_sale = parse_yes_no("short_sale", text)
        if short_sale:
            if side is Side.BUY:
                return None
            if side is Side.SELL:
                side = Side.SELL_SHORT
        elif side is Side.SELL_SHORT:
            return None
    time_text, kind_text, reason_text = (
        values[at.trade_time],
        values[at.instrument_type],
        values[at.price_reason],
    )
    return TradeRow(
        line,
        parse_external_id("external_id", values[at.external_id]),
        trade_date,
        parse_text("account", values[at.account]),
        side,
        parse_isin("isin", values[at.isin]),
        parse_quantity("quantity", values[at.quantity]),
        parse_price("price", values[at.price]),
        parse_currency("currency", values[at.currency]),
        parse_text("counterparty", values[at.counterparty]),
        parse_charge("commission", values[at.commission]),
        parse_charge("fees", values[at.fees]),
        settle_date,
        parse_time_of_day("trade_time", time_text) if time_text else None,
        parse_instrument_type("instrument_type", kind_text) if kind_text else None,
        parse_reason("price_reason", reason_text) if reason_text else "",
    )
