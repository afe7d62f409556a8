"""Trade arithmetic: worked examples, and properties over exact decimals."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain.codes import InstrumentType, Side
from desk_app.domain.money import round_money
from desk_app.domain.trade_math import gross_amount, net_amount, principal

D = Decimal
IT = InstrumentType


@pytest.mark.parametrize(
    ("kind", "quantity", "price", "multiplier", "gross"),
    [
        (IT.EQUITY, D(100), D("210.25"), D(1), D("21025")),
        (IT.EQUITY, D("0.000001"), D("0.00000001"), D(1), D("1E-14")),  # never rounded
        (IT.CORPORATE_BOND, D(25000), D("99.375"), D(1), D("24843.75")),
        (IT.MUNICIPAL_BOND, D(5000), D("108.125"), D(1), D("5406.25")),
        (IT.TREASURY, D(10000), D("99.171875"), D(1), D("9917.1875")),  # 99-05+ in 32nds
        (IT.COMMERCIAL_PAPER, D(1000000), D("99.12345"), D(1), D("991234.5")),
        (IT.OPTION, D(5), D("8.40"), D(100), D("4200")),
        (IT.OPTION, D(3), D("0.05"), D(10), D("1.5")),  # a mini option
    ],
)
def test_gross_amount_examples(
    kind: InstrumentType, quantity: Decimal, price: Decimal, multiplier: Decimal, gross: Decimal
) -> None:
    assert gross_amount(kind, quantity, price, multiplier) == gross


def test_quoted_in_percent_of_par() -> None:
    per_hundred = {t for t in InstrumentType if t.quoted_in_percent_of_par}
    assert per_hundred == {IT.CORPORATE_BOND, IT.MUNICIPAL_BOND, IT.TREASURY, IT.COMMERCIAL_PAPER}


def test_net_amount_examples() -> None:
    gross, commission, fees = D("1000.00"), D("5.00"), D("0.50")
    assert net_amount(Side.BUY, gross, commission, fees) == D("1005.50")
    assert net_amount(Side.SELL, gross, commission, fees) == D("994.50")
    assert net_amount(Side.SELL_SHORT, gross, commission, fees) == D("994.50")


def test_principal_is_rounded_half_to_even() -> None:
    assert principal(IT.TREASURY, D(10000), D("99.171875"), "USD") == D("9917.19")
    assert principal(IT.TREASURY, D(1000), D("100.0625"), "USD") == D("1000.62")  # .625
    assert principal(IT.TREASURY, D(1000), D("100.0375"), "USD") == D("1000.38")  # .375
    assert principal(IT.EQUITY, D(3), D("333.5"), "JPY") == D("1000")  # 1000.5 yen
    assert principal(IT.OPTION, D(2), D("1.05"), "USD", D(100)) == D("210.00")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError, match="price must be a Decimal, not float"):
        gross_amount(IT.EQUITY, D(100), 210.25)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="fees must be a Decimal, not float"):
        net_amount(Side.BUY, D(1), D(0), 0.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        round_money(0.125, "USD")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="multiplier must be positive"):
        gross_amount(IT.OPTION, D(1), D(1), D(0))


def _decimals(places: int, limit: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=-limit, max_value=limit, places=places, allow_nan=False)


quantities = _decimals(6, 10**12)
prices = _decimals(8, 10**9)
money = _decimals(4, 10**12)
charges = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False)
multipliers = st.decimals(min_value=D("0.0001"), max_value=1000, places=4, allow_nan=False)


@given(st.sampled_from(list(Side)), money, charges, charges)
def test_net_minus_gross_is_the_charges(
    side: Side, gross: Decimal, commission: Decimal, fees: Decimal
) -> None:
    net = net_amount(side, gross, commission, fees)
    assert isinstance(net, Decimal)
    assert net - gross == (-1 if side.delivers else 1) * (commission + fees)
    assert net_amount(Side.BUY, gross, commission, fees) >= net_amount(
        Side.SELL, gross, commission, fees
    )


@given(st.sampled_from(list(InstrumentType)), quantities, prices, multipliers)
def test_gross_is_the_exact_product(
    kind: InstrumentType, quantity: Decimal, price: Decimal, multiplier: Decimal
) -> None:
    gross = gross_amount(kind, quantity, price, multiplier)
    assert isinstance(gross, Decimal)
    per = 100 if kind.quoted_in_percent_of_par else 1
    assert Fraction(gross) == Fraction(quantity) * Fraction(price) * Fraction(multiplier) / per
