"""Exact decimal amounts and quantities: parsing, scale checks, and display."""

from __future__ import annotations

import decimal
from decimal import Decimal

from desk_app.domain.errors import ValidationError

#: Fractional digits kept exactly, by kind of number. Stored values are integers
#: scaled by 10**scale, so they must fit a signed 64-bit integer.
MONEY_SCALE = 4  # up to ±922,337,203,685,477.5807
QUANTITY_SCALE = 6  # up to ±9,223,372,036,854.775807
PRICE_SCALE = 8  # up to ±92,233,720,368.54775807
INT64_MAX = 2**63 - 1

#: Wide enough that no stored value is ever rounded by arithmetic on it.
EXACT = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation])


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


def from_scaled_int(scaled: int, scale: int) -> Decimal:
    """Inverse of `to_scaled_int`, in canonical form (no trailing zeros)."""
    sign = 1 if scaled < 0 else 0
    digits = tuple(int(c) for c in str(abs(scaled)))
    return canonical(Decimal((sign, digits, -scale)))


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
