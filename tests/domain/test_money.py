"""Exact decimals: scaled storage form, parsing and display."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain.errors import ValidationError
from desk_app.domain.money import (
    INT64_MAX,
    MONEY_SCALE,
    PRICE_SCALE,
    QUANTITY_SCALE,
    canonical,
    format_amount,
    format_quantity,
    from_scaled_int,
    parse_decimal,
    round_money,
    to_scaled_int,
)

SCALES = [MONEY_SCALE, QUANTITY_SCALE, PRICE_SCALE]


@given(st.sampled_from(SCALES), st.integers(min_value=-INT64_MAX, max_value=INT64_MAX))
def test_scaled_round_trip(scale: int, scaled: int) -> None:
    value = from_scaled_int(scaled, scale)
    assert to_scaled_int(value, scale) == scaled


@given(
    st.sampled_from(SCALES).flatmap(
        lambda scale: st.tuples(
            st.just(scale),
            st.decimals(min_value=-(10**8), max_value=10**8, places=scale, allow_nan=False),
        )
    )
)
def test_decimals_survive_storage(pair: tuple[int, Decimal]) -> None:
    scale, value = pair
    assert from_scaled_int(to_scaled_int(value, scale), scale) == value


@given(
    st.sampled_from(SCALES),
    st.decimals(allow_nan=False, allow_infinity=False)
    | st.builds(Decimal, st.integers(-(10**22), 10**22)).map(lambda d: d.scaleb(-12)),
)
def test_scaling_is_exact_or_refused(scale: int, value: Decimal) -> None:
    exact = Fraction(value) * 10**scale  # the arithmetic, without Decimal's
    if exact.denominator != 1:
        with pytest.raises(ValueError, match=f"more than {scale} decimal places"):
            to_scaled_int(value, scale)
    elif abs(exact) > INT64_MAX:
        with pytest.raises(ValueError, match="beyond the largest storable value"):
            to_scaled_int(value, scale)
    else:
        assert to_scaled_int(value, scale) == exact


@pytest.mark.parametrize(
    ("value", "scale"),
    [(Decimal("12345678901234.5678"), MONEY_SCALE), (Decimal("0.000001"), QUANTITY_SCALE)],
)
def test_issue_examples(value: Decimal, scale: int) -> None:
    assert str(from_scaled_int(to_scaled_int(value, scale), scale)) == str(value)


def test_refuses_to_round_or_overflow() -> None:
    with pytest.raises(ValueError, match="more than 4 decimal places"):
        to_scaled_int(Decimal("0.00001"), MONEY_SCALE)
    with pytest.raises(ValueError, match="beyond the largest"):
        to_scaled_int(Decimal("922337203685477.5808"), MONEY_SCALE)
    with pytest.raises(TypeError):
        to_scaled_int(0.1, MONEY_SCALE)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not finite"):
        to_scaled_int(Decimal("NaN"), MONEY_SCALE)


def test_trailing_zeros_are_insignificant() -> None:
    assert to_scaled_int(Decimal("1.5000"), 4) == to_scaled_int(Decimal("1.5"), 4) == 15000
    assert str(canonical(Decimal("100.000"))) == "100"
    assert str(canonical(Decimal("1E+2"))) == "100"
    assert str(canonical(Decimal("0.10"))) == "0.1"


def test_parse_and_format() -> None:
    assert parse_decimal(" 1,234.50 ", "price") == Decimal("1234.50")
    with pytest.raises(ValidationError, match="price: is not a number"):
        parse_decimal("12..5", "price")
    with pytest.raises(ValidationError, match="quantity: is empty"):
        parse_decimal("  ", "quantity")
    with pytest.raises(ValidationError, match="not a finite"):
        parse_decimal("Infinity", "price")
    assert format_amount(Decimal("1234567.5")) == "1,234,567.50"
    assert format_amount(Decimal("0.0001")) == "0.0001"
    assert format_amount(Decimal("-3"), grouping=False) == "-3.00"
    assert format_amount(None) == ""
    assert format_quantity(Decimal("1000.000000")) == "1,000"
    assert format_quantity(Decimal("0.5")) == "0.5"


def test_round_money_by_currency() -> None:
    assert round_money(Decimal("0.125"), "USD") == Decimal("0.12")
    assert round_money(Decimal("0.135"), "EUR") == Decimal("0.14")
    assert round_money(Decimal("2.5"), "JPY") == Decimal("2")
    assert round_money(Decimal("3.5"), "JPY") == Decimal("4")
    assert round_money(Decimal("1.0005"), "KWD") == Decimal("1.000")
    assert str(round_money(Decimal("7"), "USD")) == "7.00"
    assert round_money(Decimal("0.0001"), "USD", ROUND_CEILING) == Decimal("0.01")
    with pytest.raises(ValidationError, match="currency: is not a currency Desk settles in"):
        round_money(Decimal(1), "XYZ")


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=10, allow_nan=False),
    st.sampled_from(["USD", "EUR", "JPY", "KWD"]),
)
def test_rounding_moves_less_than_half_a_minor_unit(amount: Decimal, currency: str) -> None:
    rounded = round_money(amount, currency)
    places = {"JPY": 0, "KWD": 3}.get(currency, 2)
    exponent = rounded.as_tuple().exponent
    assert isinstance(exponent, int) and exponent == -places
    assert abs(rounded - amount) <= Decimal(1).scaleb(-places) / 2
    assert round_money(rounded, currency) == rounded
