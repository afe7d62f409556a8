"""Estate rules by hand: value at death, alternate date, basis by ownership, the split."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain import estate_rules as rules
from desk_app.domain.errors import ValidationError
from desk_app.domain.estate_rules import DocumentStatus, EstatePath, Requirement
from desk_app.domain.estate_valuation import (
    DayRange,
    alternate_valuation_date,
    fair_market_value,
    trading_days_apart,
)
from desk_app.domain.lots import Lot

D = Decimal
FRI, MON = date(2026, 3, 6), date(2026, 3, 9)
WEEK = [DayRange(FRI, D(102), D(98)), DayRange(MON, D(108), D(104))]  # means 100 and 106


def test_a_trading_day_is_the_mean_of_its_high_and_low() -> None:
    found = fair_market_value(FRI, WEEK)
    assert found is not None and found.per_share == D(100) and found.after is None


@pytest.mark.parametrize("died", [date(2026, 3, 7), date(2026, 3, 8)])  # Saturday, Sunday
def test_a_weekend_takes_friday_and_monday_equally(died: date) -> None:
    """No trading day between the weekend and either side: 1 trading day each, (100 + 106)/2."""
    found = fair_market_value(died, WEEK)
    assert found is not None and found.per_share == D(103)
    assert "had no trade" in found.explained and "weighted by trading days" in found.explained


def test_the_regulation_s_own_example() -> None:
    """20.2031-2(b)(1): sales 2 trading days before and 3 after, means 10 and 15: weights 3/5
    and 2/5, (3×10 + 2×15)/5 = 12. Wednesday 2026-03-11 without sales; Monday the 9th and
    Monday the 16th with."""
    days = [DayRange(date(2026, 3, 9), D(11), D(9)), DayRange(date(2026, 3, 16), D(16), D(14))]
    assert trading_days_apart(date(2026, 3, 9), date(2026, 3, 11)) == 2
    assert trading_days_apart(date(2026, 3, 11), date(2026, 3, 16)) == 3
    found = fair_market_value(date(2026, 3, 11), days)
    assert found is not None and found.per_share == D(12)


def test_an_exchange_holiday_is_not_a_trading_day() -> None:
    """Good Friday 2026-04-03 (the NYSE closed): Thursday and Monday, one trading day each."""
    days = [DayRange(date(2026, 4, 2), D(11), D(9)), DayRange(date(2026, 4, 6), D(16), D(14))]
    found = fair_market_value(date(2026, 4, 3), days)
    assert found is not None and found.per_share == D("12.5")
    # From Tuesday 3-31 over Good Friday to Monday 4-6: Wed and Thu between, 3 trading days.
    assert trading_days_apart(date(2026, 3, 31), date(2026, 4, 6)) == 3


def test_no_price_on_one_side_values_nothing() -> None:
    assert fair_market_value(date(2026, 3, 10), WEEK) is None
    assert fair_market_value(date(2026, 6, 1), WEEK) is None  # too far from any price


@pytest.mark.parametrize(
    ("died", "alternate"),
    [(date(2026, 3, 16), date(2026, 9, 16)), (date(2026, 8, 31), date(2027, 2, 28)),
     (date(2026, 12, 31), date(2027, 6, 30)), (date(2027, 8, 29), date(2028, 2, 29))],
)  # fmt: skip
def test_the_alternate_valuation_date_is_six_months_on(died: date, alternate: date) -> None:
    assert alternate_valuation_date(died) == alternate


LOT = Lot(date(2015, 6, 1), D(100), D("4000.00"), 7)
DIED = date(2026, 3, 7)


def test_a_sole_holder_s_lot_steps_up_in_full_and_is_inherited() -> None:
    (lot,) = rules.stepped_up(LOT, D(102), rules.stepped_fraction("individual"), DIED)
    assert (lot.acquired, lot.quantity, lot.cost, lot.inherited) == (DIED, D(100), D(10200), True)
    assert lot.long_term(date(2026, 3, 8))  # a day later: long-term all the same


def test_spouses_jtwros_step_up_only_the_decedent_s_half() -> None:
    kept, stepped = rules.stepped_up(LOT, D(102), rules.stepped_fraction("joint-jtwros"), DIED)
    assert (kept.acquired, kept.quantity, kept.cost, kept.inherited) == (
        LOT.acquired, D(50), D(2000), False
    )  # fmt: skip
    assert (stepped.acquired, stepped.quantity, stepped.cost, stepped.inherited) == (
        DIED, D(50), D(5100), True
    )  # fmt: skip


def test_community_property_steps_up_both_halves_and_an_ira_none() -> None:
    (both,) = rules.stepped_up(LOT, D(102), rules.stepped_fraction("joint-community"), DIED)
    assert both.cost == D(10200)
    assert rules.stepped_up(LOT, D(102), rules.stepped_fraction("ira"), DIED) == [LOT]
    (tic_kept, tic_share) = rules.stepped_up(LOT, D(102), rules.stepped_fraction("joint-tic"), DIED)
    assert (tic_kept.cost, tic_share.cost) == (D(2000), D(5100))


def test_the_path_follows_the_registration() -> None:
    assert rules.path_of("individual") is EstatePath.EXECUTOR
    assert rules.path_of("joint-jtwros") is EstatePath.SURVIVOR
    assert rules.path_of("tod") is EstatePath.BENEFICIARY
    assert rules.path_of("trust") is EstatePath.SUCCESSOR_TRUSTEE
    assert rules.retitled("individual") and not rules.retitled("joint-jtwros")
    with pytest.raises(ValidationError, match="no natural holder"):
        rules.path_of("corporate")


def test_a_lot_s_json_says_inherited_only_when_it_is() -> None:
    assert "inherited" not in LOT.to_json()
    assert (
        Lot.from_json({"acquired": "2015-06-01", "quantity": "1", "cost": "2"}).inherited is False
    )
    inherited = Lot(DIED, D(1), D(2), None, True)
    assert Lot.from_json(inherited.to_json()) == inherited
    assert not LOT.long_term(date(2016, 6, 1)) and LOT.long_term(date(2016, 6, 2))


@pytest.mark.parametrize(
    ("quantity", "shares", "split"),
    [
        (D(100), [Fraction(1, 3)] * 3, [34, 33, 33]),
        (D(7), [Fraction(1, 2)] * 2, [4, 3]),  # a tie goes to the first listed
        (D(101), [Fraction(3, 5), Fraction(2, 5)], [61, 40]),  # 60.6 and 40.4
        (D(10), [Fraction(15, 100), Fraction(85, 100)], [2, 8]),  # 1.5 and 8.5: tie
        (D(3), [Fraction(1, 10), Fraction(9, 10)], [0, 3]),  # 0.3 and 2.7
        (D("100.5"), [Fraction(1, 2)] * 2, [D("50.5"), 50]),  # the held fraction to the first
    ],
)
def test_whole_shares_by_largest_remainder(
    quantity: Decimal, shares: list[Fraction], split: list[Decimal]
) -> None:
    assert rules.whole_shares(quantity, shares) == [D(s) for s in split]


def test_cash_splits_to_the_cent_the_odd_cents_to_the_first() -> None:
    thirds = [Fraction(1, 3)] * 3
    assert rules.cash_split(D("100.01"), thirds, D("0.01")) == [D("33.35"), D("33.33"), D("33.33")]
    assert rules.cash_split(D(1000), [Fraction(1, 2)] * 2, D(1)) == [D(500), D(500)]


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ([], "at least one account"),
        ([("A", D(60)), ("B", D(30))], "add to 90%, not 100%"),
        ([("A", D(60)), ("B", None)], "every account a percentage, or none"),
        ([("A", D(100)), ("A", D(0))], "named twice"),
        ([("A", D(100)), ("B", D(0))], "above 0%"),
    ],
)
def test_targets_that_do_not_add_up_are_refused(
    given: list[tuple[str, Decimal | None]], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        rules.targets(given)


def test_targets_without_percentages_share_equally() -> None:
    assert [t.share for t in rules.targets([("A", None), ("B", None), ("C", None)])] == [
        Fraction(1, 3)
    ] * 3


def test_requirements_by_path_state_and_certificates() -> None:
    waiver = Requirement("waiver", "Waiver", frozenset(), None, frozenset({"NJ", "PA"}))
    letters = Requirement("letters", "Letters", frozenset({"executor"}), 60)
    originals = Requirement("certificates", "Originals", frozenset(), needs_certificates=True)
    assert waiver.applies(EstatePath.SURVIVOR, "nj", False)
    assert not waiver.applies(EstatePath.SURVIVOR, "NY", False)
    assert letters.applies(EstatePath.EXECUTOR, "NY", False)
    assert not letters.applies(EstatePath.BENEFICIARY, "NY", False)
    assert originals.applies(EstatePath.EXECUTOR, None, True)
    assert not originals.applies(EstatePath.EXECUTOR, None, False)
    assert letters.expires_on(date(2026, 10, 1)) == date(2026, 11, 30)


def test_a_copy_past_its_window_has_expired() -> None:
    ends = date(2026, 11, 30)
    status = rules.document_status
    assert status(DocumentStatus.VERIFIED, ends, ends) is DocumentStatus.VERIFIED
    assert status(DocumentStatus.VERIFIED, ends, date(2026, 12, 1)) is DocumentStatus.EXPIRED
    assert status(DocumentStatus.REQUIRED, ends, date(2026, 12, 1)) is DocumentStatus.REQUIRED
    lines = [
        ("Letters", DocumentStatus.EXPIRED),
        ("W-9", DocumentStatus.REQUIRED),
        ("Death certificate", DocumentStatus.VERIFIED),
        ("EIN", DocumentStatus.RECEIVED),
    ]
    assert rules.wanted(lines) == ["Letters (expired: a recent copy)", "W-9"]
    assert rules.not_ready(lines) == ["Letters (expired)", "W-9 (required)", "EIN (received)"]


@given(
    whole=st.integers(min_value=0, max_value=10**9),
    fraction=st.sampled_from(["0", "0.5", "0.123456"]),
    weights=st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=7),
)
def test_a_split_creates_and_loses_nothing(whole: int, fraction: str, weights: list[int]) -> None:
    """Whole shares add up to the position, each within one share of its exact part, only
    the first gets the fraction held; cash adds up to the cent."""
    quantity = D(whole) + D(fraction)
    shares = [Fraction(w, sum(weights)) for w in weights]
    parts = rules.whole_shares(quantity, shares)
    assert sum(parts) == quantity
    for n, (part, share) in enumerate(zip(parts, shares, strict=True)):
        whole_part = part - (quantity - whole if n == 0 else 0)
        assert whole_part == int(whole_part) and whole_part >= 0
        assert abs(Fraction(int(whole_part)) - whole * share) < 1
    cash = D(whole).scaleb(-2)
    money = rules.cash_split(cash, shares, D("0.01"))
    assert sum(money) == cash and all(p >= 0 for p in money)


def test_a_lot_shared_between_heirs_is_cut_to_the_cent_the_last_taking_the_rest() -> None:
    lot = Lot(date(2026, 3, 6), D(3), D("100.00"), inherited=True)
    parts = rules.lots_for([lot], [D(1), D(1), D(1)])
    assert [[p.cost for p in taken] for taken in parts] == [
        [D("33.33")],
        [D("33.33")],
        [D("33.34")],
    ]
    assert sum((p.cost for taken in parts for p in taken), D(0)) == lot.cost
    # The value at death is rounded to the cent as the lot is made: 10.005 × 3 = 30.015.
    (stepped,) = rules.stepped_up(Lot(date(2015, 6, 1), D(3), D(9)), D("10.005"), Fraction(1),
                                  date(2026, 3, 6))  # fmt: skip
    assert stepped.cost == D("30.02")
