"""Reading a prices file: each line checked on its own, every problem named.

Columns (by header name, any case): ``isin, date, price, currency`` and optional
``high, low``. What a line alone can say is checked here (an ISIN's check digit, a
date, a positive price, a high not below the low, a price inside them, the same ISIN
and day twice); what the books know (the instrument, its currency) the service checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from desk_app.domain.csv_files import CsvTableReader
from desk_app.domain.errors import ValidationError
from desk_app.domain.money import PRICE_SCALE
from desk_app.domain.trade_rows import RowProblem, parse_amount, parse_isin, parse_iso_date


@dataclass(frozen=True)
class PriceLine:
    """One checked line: an instrument's price on one day."""

    line: int
    isin: str
    day: date
    price: Decimal
    currency: str
    high: Decimal | None
    low: Decimal | None


def _positive(field: str, raw: str) -> Decimal:
    value = parse_amount(field, raw, PRICE_SCALE, zero_allowed=True, negative_allowed=True)
    if value <= 0:
        raise ValidationError(field, "must be more than 0", raw)
    return value


def _currency(raw: str) -> str:
    if not raw:
        raise ValidationError("currency", "is required")
    code = raw.upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValidationError("currency", "is not a three-letter currency code", raw)
    return code


class PriceFileReader(CsvTableReader):
    known = ("isin", "date", "price", "currency", "high", "low")
    required = ("isin", "date", "price", "currency")
    row_noun = "price"

    def __init__(self, file_name: str, today: date) -> None:
        super().__init__(file_name)
        self.today = today
        self.lines: list[PriceLine] = []
        self.first: dict[tuple[str, date], int] = {}

    def has_rows(self) -> bool:
        return bool(self.lines)

    def read_row(self, line: int, fields: list[str]) -> None:
        raw = self.values(line, fields)
        if raw is None:
            return
        checks: dict[str, Callable[[str], object]] = {
            "isin": lambda v: parse_isin("isin", v.upper()),
            "date": lambda v: parse_iso_date("date", v),
            "price": lambda v: _positive("price", v),
            "currency": _currency,
            "high": lambda v: _positive("high", v) if v else None,
            "low": lambda v: _positive("low", v) if v else None,
        }
        got: dict[str, object] = {}
        failed = False
        for name, check in checks.items():
            try:
                got[name] = check(raw.get(name, ""))
            except ValidationError as error:
                self.report_error(line, error)
                failed = True
        if failed:
            return
        day, price = got["date"], got["price"]
        high, low = got["high"], got["low"]
        assert isinstance(day, date) and isinstance(price, Decimal)
        assert isinstance(high, Decimal | None) and isinstance(low, Decimal | None)
        if day > self.today:
            self.report(
                line,
                "date",
                f"{day} is after today: a price is for a day that has closed",
                str(day),
            )
            return
        if high is not None and low is not None and high < low:
            self.report(line, "high", f"{high} is below the day's low {low}", str(high))
            return
        if (high is not None and price > high) or (low is not None and price < low):
            span = f"{low if low is not None else '…'} to {high if high is not None else '…'}"
            self.report(line, "price", f"{price} is outside the day's low and high ({span})",
                        str(price))  # fmt: skip
            return
        isin = str(got["isin"])
        first = self.first.setdefault((isin, day), line)
        if first != line:
            self.report(line, "date", f"{isin} on {day} appears again; first on line {first}",
                        str(day))  # fmt: skip
            return
        self.lines.append(PriceLine(line, isin, day, price, str(got["currency"]), high, low))


def read_prices(
    content: bytes, file_name: str, today: date
) -> tuple[list[PriceLine], list[RowProblem]]:
    """The file's checked lines and its problems (a line with a problem is not among them)."""
    reader = PriceFileReader(file_name, today)
    reader.read_content(content)
    return reader.lines, reader.problems
