"""Exact decimal amounts and quantities: parsing, scale checks, rounding, and display."""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from desk_app.domain.errors import ValidationError

#: Fractional digits kept exactly, by kind of number. Stored values are integers
#: scaled by 10**scale, so they must fit a signed 64-bit integer.
MONEY_SCALE = 4  # up to ±922,337,203,685,477.5807
QUANTITY_SCALE = 6  # up to ±9,223,372,036,854.775807
PRICE_SCALE = 8  # up to ±92,233,720,368.54775807
INT64_MAX = 2**63 - 1

#: Wide enough that no stored value is ever rounded by arithmetic on it.
EXACT = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation])

#: Decimal places of the minor unit (ISO 4217) of the currencies Desk settles in.
MINOR_UNITS: Mapping[str, int] = MappingProxyType({
    "USD": 2, "CAD": 2, "MXN": 2, "BRL": 2, "EUR": 2, "GBP": 2, "CHF": 2, "SEK": 2, "NOK": 2,
    "DKK": 2, "PLN": 2, "CZK": 2, "HUF": 2, "ZAR": 2, "AUD": 2, "NZD": 2, "HKD": 2, "SGD": 2,
    "CNY": 2, "INR": 2, "ILS": 2, "JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3, "OMR": 3,
})  # fmt: skip


def parse_decimal(text: str, field: str) -> Decimal:
    """Parse user or file input; thousands separators allowed, floats never involved."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        raise ValidationError(field, "is empty")
    try:
        value = Decimal(cleaned)
    except decimal.InvalidOperation:
        raise ValidationError(field, "is not a number", text) from None
    if not value.is_finite():
        raise ValidationError(field, "is not a finite number", text)
    return value


def to_scaled_int(value: Decimal, scale: int) -> int:
    """``value`` × 10**scale as an exact integer; refuses anything that would round."""
    if type(value) is Decimal and value.is_finite() and 0 <= scale and -40 < value.adjusted() < 40:
        # Bulk loads' fast path: an exact fraction, in integers, of a value of a sane size.
        numerator, denominator = value.as_integer_ratio()
        factor: int = 10**scale
        scaled, rest = divmod(numerator * factor, denominator)
        if not rest and -INT64_MAX <= scaled <= INT64_MAX:
            return scaled
    return _checked_scaled_int(value, scale)  # says why not


def _checked_scaled_int(value: Decimal, scale: int) -> int:
    if not isinstance(value, Decimal):
        raise TypeError(f"expected Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{value} is not finite")
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    magnitude = int("".join(map(str, digits)) or "0")
    shift = exponent + scale
    if shift >= 0:
        scaled = magnitude * 10**shift
    else:
        scaled, remainder = divmod(magnitude, 10**-shift)
        if remainder:
            raise ValueError(f"{value} has more than {scale} decimal places")
    if scaled > INT64_MAX:
        limit = from_scaled_int(INT64_MAX, scale)
        raise ValueError(f"{value} is beyond the largest storable value {limit}")
    return int(-scaled if sign else scaled)


_MINOR_UNIT = {currency: Decimal(1).scaleb(-places) for currency, places in MINOR_UNITS.items()}


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency`` that can be paid: 0.01 for cents, 1 for yen."""
    try:
        return _MINOR_UNIT[currency]
    except KeyError:
        raise ValidationError("currency", "is not a currency Desk settles in", currency) from None


def round_money(amount: Decimal, currency: str, rounding: str = decimal.ROUND_HALF_EVEN) -> Decimal:
    """``amount`` in whole minor units of ``currency`` (cents, or yen), for paying it.

    Rounds half to even by default (banker's rounding: 0.125 -> 0.12, 0.135 ->
    0.14), so that over a book of trades the halves do not all drift one way. A
    charge whose schedule says "rounded up to the next cent" passes ROUND_CEILING.
    Amounts already in whole minor units come back equal.
    """
    if not isinstance(amount, Decimal):
        raise TypeError(f"expected Decimal, got {type(amount).__name__}")
    return amount.quantize(minor_unit(currency), rounding=rounding, context=EXACT)


def from_scaled_int(scaled: int, scale: int) -> Decimal:
    """Inverse of `to_scaled_int`, in canonical form (no trailing zeros).

    Integer arithmetic only: every amount a page of a list shows comes through here.
    """
    unit = 10**scale
    if scaled % unit == 0:
        return Decimal(scaled // unit)
    while scaled % 10 == 0:
        scaled //= 10
        scale -= 1
    return Decimal(scaled).scaleb(-scale, EXACT)


def canonical(value: Decimal) -> Decimal:
    """Drop trailing fractional zeros without switching integers to exponent form."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1), context=EXACT)
    return value.normalize(context=EXACT)


def format_amount(value: Decimal | None, places: int = 2, grouping: bool = True) -> str:
    """Display form: at least ``places`` decimals, more if the value has them."""
    if value is None:
        return ""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    shown = max(places, -exponent)
    return f"{value:{',' if grouping else ''}.{shown}f}"


def format_quantity(value: Decimal | None, grouping: bool = True) -> str:
    """Whole shares without decimals; fractional quantities as they are."""
    if value is None:
        return ""
    return format_amount(canonical(value), 0, grouping)
