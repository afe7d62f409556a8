"""A trade as read from a file: the row, the problems found, and the check of each value.

Shared by the trade file readers (CSV, FIX). A reader never raises for bad content:
it collects every problem so a clerk fixes the file in one go. Each ``parse_*``
check takes the field name and the value with blanks stripped, and returns the
value or raises `ValidationError` naming the field, the reason and the value;
`problem_from` turns that into a `RowProblem`. The checks are cached, since a file
repeats its dates, instruments and currencies on every row.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from desk_app.domain.codes import InstrumentType, Side
from desk_app.domain.errors import ValidationError
from desk_app.domain.identifiers import cusip_to_isin, validate_isin
from desk_app.domain.money import (
    INT64_MAX,
    MONEY_SCALE,
    PRICE_SCALE,
    QUANTITY_SCALE,
    to_scaled_int,
)

#: Longest value quoted in a problem; a whole garbled line helps nobody.
_SHOWN_MAX = 40
_CACHE = 8192


def shown_value(value: str) -> str:
    """``value`` as a problem quotes it: control characters escaped, cut short."""
    text = value if value.isprintable() else value.encode("unicode_escape").decode("ascii")
    if len(text) > _SHOWN_MAX:
        text = text[: _SHOWN_MAX - 1] + "…"
    return text


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One thing wrong with one line of a file, said so a clerk can fix it."""

    file: str
    line: int
    field: str
    reason: str
    value: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


def problems_csv(problems: Iterable[RowProblem]) -> str:
    """Every problem as CSV (file, line, field, reason, value), to send back with the file.

    A file full of errors has hundreds of thousands; a screen or a terminal shows the
    first ones, and this holds them all, sortable by field in any spreadsheet.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("file", "line", "field", "reason", "value"))
    writer.writerows((p.file, p.line, p.field, p.reason, p.value or "") for p in problems)
    return out.getvalue()


def problem_from(file: str, line: int, error: ValidationError) -> RowProblem:
    """The problem a failed check makes; the value is quoted in the reason, short and escaped."""
    if error.value is None:
        return RowProblem(file, line, error.field, error.reason)
    shown = shown_value(str(error.value))
    return RowProblem(file, line, error.field, f"{error.reason} ('{shown}')", shown)


@dataclass(frozen=True, slots=True)
class TradeRow:
    """One trade as read from a file, every value checked, not yet stored."""

    line: int
    external_id: str
    trade_date: datetime.date
    account: str
    side: Side
    isin: str
    quantity: Decimal
    price: Decimal
    currency: str
    counterparty: str
    commission: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    settle_date: datetime.date | None = None
    trade_time: datetime.time | None = None
    instrument_type: InstrumentType | None = None
    #: Why the price is 0 or below ("" if the file gives none): see `price_reason`.
    price_reason: str = ""


@dataclass(frozen=True, slots=True)
class RefusedRow:
    """What a refused line names, read as far as it could be: the books are still asked.

    A clerk then learns in one go that a line's ISIN is misspelt *and* its account
    unknown; a value that could not be read is None (its problem is already listed).
    """

    line: int
    account: str | None = None
    isin: str | None = None
    counterparty: str | None = None
    trade_date: datetime.date | None = None
    instrument_type: InstrumentType | None = None


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", re.ASCII)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_GROUPED_DIGITS = re.compile(r"\d[\s'_’]\d")
_SIDES = {
    "buy": Side.BUY,
    "b": Side.BUY,
    "sell": Side.SELL,
    "s": Side.SELL,
    "sell short": Side.SELL_SHORT,
    "sellshort": Side.SELL_SHORT,
    "ss": Side.SELL_SHORT,
    "short": Side.SELL_SHORT,
}
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0", ""})
_INSTRUMENT_TYPES = ", ".join(kind.value for kind in InstrumentType)


def parse_text(field: str, raw: str) -> str:
    """A required one-line text: an external id, an account number, a counterparty code."""
    if not raw:
        raise ValidationError(field, "is required")
    if not raw.isprintable():
        raise ValidationError(field, "contains a line break or control character", raw)
    return raw


#: The longest external id (a file's trade id, a FIX ExecID) the blotter keeps.
EXTERNAL_ID_MAX = 64


def parse_external_id(field: str, raw: str) -> str:
    """A trade's id in the file or venue that sent it: required, one line, 64 at most."""
    text = parse_text(field, raw)
    if len(text) > EXTERNAL_ID_MAX:
        raise ValidationError(field, f"is longer than {EXTERNAL_ID_MAX} characters", raw)
    return text


@functools.lru_cache(maxsize=_CACHE)
def parse_iso_date(field: str, raw: str) -> datetime.date:
    """A date written YYYY-MM-DD, and no other way."""
    if not raw:
        raise ValidationError(field, "is required")
    if not _DATE.fullmatch(raw):
        raise ValidationError(field, "is not a date written YYYY-MM-DD", raw)
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(field, "is not a real date", raw) from None


@functools.lru_cache(maxsize=_CACHE)
def parse_time_of_day(field: str, raw: str) -> datetime.time:
    """A time written HH:MM or HH:MM:SS."""
    if len(raw) == 8 and raw[2] == ":" == raw[5] and raw.isascii():  # HH:MM:SS, mostly
        hour, minute, second = raw[:2], raw[3:5], raw[6:]
        if hour.isdigit() and minute.isdigit() and second.isdigit():
            try:
                return datetime.time(int(hour), int(minute), int(second))
            except ValueError:
                raise ValidationError(field, "is not a real time of day", raw) from None
    match = _TIME.fullmatch(raw)
    if not match:
        raise ValidationError(field, "is not a time written HH:MM or HH:MM:SS", raw)
    hour, minute, second = match.groups()
    try:
        return datetime.time(int(hour), int(minute), int(second or 0))
    except ValueError:
        raise ValidationError(field, "is not a real time of day", raw) from None


def _is_plain_number(raw: str) -> bool:
    """``_PLAIN_NUMBER.fullmatch(raw)``, without the regular expression for the usual numbers.

    ASCII digits with at most one ``.``, a sign allowed: what ``Decimal`` reads the
    same in every locale (no exponent, no ``_``, no NaN, no blanks).
    """
    if not raw.isascii():
        return False
    whole, dot, fraction = raw.partition(".")
    if whole.isdigit() and (not fraction or fraction.isdigit()):
        return True  # the usual "189.25", "100", "1."
    return _PLAIN_NUMBER.fullmatch(raw) is not None  # signs, ".5", and what is refused


#: Digits a scaled value may have and always fit in the 64-bit integer it is stored as.
_SAFE_DIGITS = len(str(INT64_MAX)) - 1


def _fits(plain: str, scale: int) -> bool:
    """Whether a plain number (see `_is_plain_number`) is stored exactly, told by its digits:
    no more than ``scale`` decimals, and too few digits to pass the largest storable
    value. Most numbers of a file are told so without `to_scaled_int`, which decides
    the rest (and says why one does not fit)."""
    whole, _dot, fraction = plain.lstrip("+-").partition(".")
    return len(fraction) <= scale and len(whole) + scale <= _SAFE_DIGITS


def parse_amount(
    field: str, raw: str, scale: int, *, zero_allowed: bool, negative_allowed: bool = False
) -> Decimal:
    """An exact number with at most ``scale`` decimal places, not negative unless allowed.

    Only ``.`` is a decimal point and thousands separators are refused: ``1,500`` is
    1500 to one clerk and 1.5 to another, so the file must say which.
    """
    if not raw:
        raise ValidationError(field, "is required")
    if not _is_plain_number(raw):
        if "," in raw or _GROUPED_DIGITS.search(raw):
            reason = (
                "has a thousands separator or decimal comma: write digits only, "
                "with '.' as the decimal point"
            )
        else:
            reason = "is not a number (write digits, with '.' as the decimal point)"
        raise ValidationError(field, reason, raw)
    value = Decimal(raw)  # what parse_decimal gives for a plain number, checked above
    if value.is_zero():
        if not zero_allowed:
            raise ValidationError(field, "must be greater than 0", raw)
        value = Decimal(0)  # -0 and 0.00 are 0
    elif value.is_signed() and not negative_allowed:
        raise ValidationError(field, "must not be negative", raw)
    if _fits(raw, scale):
        return value
    try:
        to_scaled_int(value, scale)
    except ValueError:
        exponent = value.normalize().as_tuple().exponent
        assert isinstance(exponent, int)
        if -exponent > scale:
            raise ValidationError(field, f"has more than {scale} decimal places", raw) from None
        raise ValidationError(field, "is too large", raw) from None
    return value


@functools.lru_cache(maxsize=_CACHE)
def parse_quantity(field: str, raw: str) -> Decimal:
    """A quantity (shares, or face amount for bonds): greater than 0."""
    return parse_amount(field, raw, QUANTITY_SCALE, zero_allowed=False)


@functools.lru_cache(maxsize=_CACHE)
def parse_price(field: str, raw: str) -> Decimal:
    """A price, 0 and below included (-0 reads as 0).

    Whether the instrument may trade there is known only once it is looked up:
    `desk_app.domain.trade_ticket.price_reason` decides, for every channel alike.
    """
    return parse_amount(field, raw, PRICE_SCALE, zero_allowed=True, negative_allowed=True)


#: The longest reason kept beside a value (the trade table's reason columns).
REASON_MAX = 200


def parse_reason(field: str, raw: str) -> str:
    """A reason given beside a value (``price_reason``): one line, 200 characters at most."""
    if not raw.isprintable():
        raise ValidationError(field, "contains a line break or control character", raw)
    text = " ".join(raw.split())
    if len(text) > REASON_MAX:
        raise ValidationError(field, f"is longer than {REASON_MAX} characters", raw)
    return text


@functools.lru_cache(maxsize=_CACHE)
def parse_charge(field: str, raw: str) -> Decimal:
    """A commission or fee: 0 or more; empty means 0."""
    return parse_amount(field, raw, MONEY_SCALE, zero_allowed=True) if raw else Decimal(0)


def _refusals_remembered(check: Callable[[str, str], str]) -> Callable[[str, str], str]:
    """``check`` cached, its refusals too (each raised afresh): a file that repeats a
    misspelt ISIN on 300,000 lines has its check digits computed once, not twice a line."""

    @functools.lru_cache(maxsize=_CACHE)
    def outcome(field: str, raw: str) -> tuple[str | None, ValidationError | None]:
        try:
            return check(field, raw), None
        except ValidationError as error:
            return None, error

    @functools.wraps(check)
    def checked(field: str, raw: str) -> str:
        value, error = outcome(field, raw)
        if error is not None:
            raise ValidationError(error.field, error.reason, error.value)
        assert value is not None
        return value

    return checked


@_refusals_remembered
def parse_isin(field: str, raw: str) -> str:
    """An ISIN with a right check digit, in compact form."""
    return validate_isin(raw, field)


@_refusals_remembered
def parse_cusip_as_isin(field: str, raw: str) -> str:
    """A CUSIP with a right check digit, as the US ISIN that wraps it."""
    if not raw:
        raise ValidationError(field, "is required")
    try:
        return cusip_to_isin(raw)
    except ValidationError as error:
        raise ValidationError(field, error.reason, error.value) from None


@functools.cache
def _currency_codes() -> frozenset[str]:
    import pycountry  # its data loads in a moment: only when a currency is first read

    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


@functools.lru_cache(maxsize=_CACHE)
def parse_currency(field: str, raw: str) -> str:
    """An ISO 4217 currency code (pycountry's list), upper-cased."""
    if not raw:
        raise ValidationError(field, "is required")
    code = raw.upper()
    if code not in _currency_codes():
        raise ValidationError(field, "is not an ISO 4217 currency code", raw)
    return code


@functools.lru_cache(maxsize=_CACHE)
def parse_side(field: str, raw: str) -> Side:
    """Buy, sell or sell short (also B, S, SS, sell_short), any case."""
    if not raw:
        raise ValidationError(field, "is required")
    side = _SIDES.get(" ".join(raw.lower().replace("_", " ").replace("-", " ").split()))
    if side is None:
        raise ValidationError(field, "is not buy, sell or sell short", raw)
    return side


def parse_yes_no(field: str, raw: str) -> bool:
    """Yes/true/1 or no/false/0; empty means no."""
    word = raw.lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValidationError(field, "is not yes or no", raw)


@functools.lru_cache(maxsize=_CACHE)
def parse_instrument_type(field: str, raw: str) -> InstrumentType:
    """An instrument type by its value (``corporate-bond``; ``_`` or a space for ``-``)."""
    try:
        return InstrumentType(raw.lower().replace("_", "-").replace(" ", "-"))
    except ValueError:
        raise ValidationError(field, f"is not one of {_INSTRUMENT_TYPES}", raw) from None
