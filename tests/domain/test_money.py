"""Exact decimals: scaled storage form, parsing and display."""

from __future__ import annotations

from decimal import Decimal

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
