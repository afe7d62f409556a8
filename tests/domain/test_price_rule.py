"""A price of 0 or below: one rule (`price_reason`) for the ticket, the files, the CLI, amends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from desk_app.domain.codes import InstrumentType, Side
from desk_app.domain.errors import ValidationError
from desk_app.domain.trade_ticket import TradeTerms, price_reason

SECURITIES = [kind for kind in InstrumentType if kind is not InstrumentType.FUTURE]


def _terms(price: str, reason: str = "") -> TradeTerms:
    return TradeTerms(
        account="NYC-1001", side=Side.BUY, isin="US0378331005", quantity=Decimal(100),
        price=Decimal(price), currency="USD", trade_date=date(2026, 11, 24),
        trade_time=datetime(2026, 11, 24, 15, 30, tzinfo=UTC), counterparty="GSCO",
        price_reason=reason,
    )  # fmt: skip


def test_only_futures_trade_at_or_below_0() -> None:
    assert [kind for kind in InstrumentType if kind.trades_at_or_below_zero] == [
        InstrumentType.FUTURE
    ]


@pytest.mark.parametrize("kind", SECURITIES)
@pytest.mark.parametrize("price", ["0", "-0", "0.00000000", "-0.00"])
def test_a_security_at_0_is_refused_unless_someone_says_why(
    kind: InstrumentType, price: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        price_reason(_terms(price, "   "), kind)  # blanks are no reason
    assert refused.value.field == "price"
    assert refused.value.reason.startswith("is 0: ")
    assert refused.value.reason.endswith(" trades at 0 only with a price reason saying why")
    reason = price_reason(_terms(price, "  Gift to the   family trust "), kind)
    assert reason == "Gift to the family trust"  # kept on one line, for the auditor


def test_the_refusal_names_the_kind_of_security() -> None:
    with pytest.raises(ValidationError, match="is 0: an equity trades at 0 only with"):
        price_reason(_terms("0"), InstrumentType.EQUITY)
    with pytest.raises(ValidationError, match="is 0: a corporate bond trades at 0 only with"):
        price_reason(_terms("0"), InstrumentType.CORPORATE_BOND)


@pytest.mark.parametrize("kind", SECURITIES)
def test_a_security_below_0_is_refused_even_with_a_reason(kind: InstrumentType) -> None:
    with pytest.raises(ValidationError) as refused:
        price_reason(_terms("-0.01", "Fat finger, really"), kind)
    assert refused.value.field == "price"
    assert refused.value.reason.startswith("is below 0: ")
    assert refused.value.value == "-0.01"


@pytest.mark.parametrize("price", ["-37.63", "0", "-0"])
def test_a_future_trades_at_or_below_0_with_or_without_a_reason(price: str) -> None:
    assert price_reason(_terms(price), InstrumentType.FUTURE) is None
    kept = price_reason(_terms(price, "Storage full at Cushing"), InstrumentType.FUTURE)
    assert kept == "Storage full at Cushing"


@pytest.mark.parametrize("kind", list(InstrumentType))
def test_above_0_no_reason_is_needed_or_kept(kind: InstrumentType) -> None:
    assert price_reason(_terms("0.00000001"), kind) is None
    assert price_reason(_terms("189.25", "left over from an earlier price"), kind) is None
