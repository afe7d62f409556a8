"""The basis and limit rules of an estate on both engines: a non-spouse survivor's shown
contribution (IRC 2040(a)), the small-estate limits by statute and date, a weekend death
valued by trading days, new lots' costs to the cent.

AAPL's mean on Friday 2026-03-06 is 100 and on Monday 2026-03-09 106 (see test_estates).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from desk_app.domain.errors import ValidationError
from tests.services.conftest import Desk
from tests.services.estates.test_estate_parties import R, with_parties
from tests.services.estates.test_estates import BOUGHT, _holdings, _verify_all, estates, give

__all__ = ["estates"]
D = Decimal
DIED = date(2026, 3, 6)


def _joint(desk: Desk, *, spouses: bool, registration: str = "joint-jtwros") -> tuple[int, str]:
    """A joint account of Al and Bea Roe holding BOUGHT; Bea died; its case verified."""
    number = desk.account(registration_type=registration)
    give(desk, number, lots=(BOUGHT,))
    with_parties(desk, number, (R.OWNER, "Al Roe", {}), (R.JOINT_OWNER, "Bea Roe", {}))
    case_id = desk.ws["carl"].estates.open_case(number, DIED, decedent="Bea Roe", spouses=spouses)
    _verify_all(desk, case_id)
    return case_id, desk.account()


def test_a_non_spouse_survivor_s_shown_contribution_keeps_its_basis(estates: Desk) -> None:
    """70% steps up at 100 a share (7,000); the survivor's 30% keeps its cost (1,200)."""
    carl, sue = estates.ws["carl"], estates.ws["sue"]
    case_id, survivor = _joint(estates, spouses=False)
    asked = carl.estates.request_reregistration(
        case_id, [(survivor, None)], survivor_contribution=D(30),
        evidence="Al's bank statements 2015: paid 30% of the purchase",
    )  # fmt: skip
    fields = {f.field: f.proposed for f in sue.approvals.detail(asked).fields}
    assert fields["survivor_contribution"] == "30%"
    assert fields["evidence"] == "Al's bank statements 2015: paid 30% of the purchase"
    assert "less the survivor's shown contribution of 30%" in fields["basis"]
    assert "70% of each lot steps up" in fields["basis"]
    terms = json.loads(estates.request(asked).proposal)["terms"]
    assert terms["survivor_contribution"]["share"] == "3/10"
    sue.approvals.approve(asked)
    assert _holdings(estates, survivor) == [
        (D(30), D("1200.00"), BOUGHT.acquired, False),
        (D(70), D("7000.00"), DIED, True),
    ]


def test_a_non_spouse_survivor_who_shows_nothing_takes_all_of_it_stepped_up(
    estates: Desk,
) -> None:
    carl, sue = estates.ws["carl"], estates.ws["sue"]
    case_id, survivor = _joint(estates, spouses=False)
    asked = carl.estates.request_reregistration(case_id, [(survivor, None)])
    fields = {f.field: f.proposed for f in sue.approvals.detail(asked).fields}
    assert fields["survivor_contribution"] == "none shown"
    assert "the whole value is included" in fields["basis"]
    sue.approvals.approve(asked)
    assert _holdings(estates, survivor) == [(D(100), D("10000.00"), DIED, True)]


def test_a_contribution_is_refused_without_evidence_out_of_range_or_for_spouses(
    estates: Desk,
) -> None:
    carl = estates.ws["carl"]
    case_id, survivor = _joint(estates, spouses=False)
    with pytest.raises(ValidationError, match="survivor contribution: evidence: say what shows"):
        carl.estates.request_reregistration(case_id, [(survivor, None)],
                                            survivor_contribution=D(40))  # fmt: skip
    with pytest.raises(ValidationError, match=r"must be from 0 to 100 \(120%\)"):
        carl.estates.request_reregistration(case_id, [(survivor, None)],
                                            survivor_contribution=D(120), evidence="x")  # fmt: skip
    with pytest.raises(ValidationError, match="give the percentage the evidence shows"):
        carl.estates.request_reregistration(case_id, [(survivor, None)], evidence="statements")
    spouses_case, heir = _joint(estates, spouses=True)
    with pytest.raises(ValidationError, match="only joint owners who are not spouses"):
        carl.estates.request_reregistration(spouses_case, [(heir, None)],
                                            survivor_contribution=D(30), evidence="x")  # fmt: skip


def test_spouses_keep_the_half_rule(estates: Desk) -> None:
    carl, sue = estates.ws["carl"], estates.ws["sue"]
    case_id, survivor = _joint(estates, spouses=True)
    sue.approvals.approve(carl.estates.request_reregistration(case_id, [(survivor, None)]))
    assert _holdings(estates, survivor) == [
        (D(50), D("2000.00"), BOUGHT.acquired, False),
        (D(50), D("5000.00"), DIED, True),
    ]


def test_a_value_equal_to_the_limit_qualifies_and_the_statute_is_shown(estates: Desk) -> None:
    carl = estates.ws["carl"]
    exact = estates.account(residence_state="NY")
    give(estates, exact, lots=(BOUGHT,), cash=D(40000))  # 10,000 + 40,000 = the limit
    view = carl.estates.case(carl.estates.open_case(exact, DIED))
    assert view.small_estate == ("possible: the value at death (50,000.00) does not exceed NY's "
                                 "limit (50,000.00, N.Y. SCPA 1301)")  # fmt: skip
    texas = estates.account(residence_state="TX")
    give(estates, texas, cash=D(75000))
    case = carl.estates.case(carl.estates.open_case(texas, DIED, small_estate=True))
    assert case.small_estate == "by TX's Tex. Est. Code 205.001"
    washington = estates.account(residence_state="WA")
    give(estates, washington, cash=D("100000.01"))
    with pytest.raises(
        ValidationError, match=r"exceeds WA's limit \(100,000\.00, RCW 11\.62\.010\)"
    ):
        carl.estates.open_case(washington, DIED, small_estate=True)


def test_california_s_limit_is_the_one_in_force_on_the_date_of_death(estates: Desk) -> None:
    """184,500 for a death before 1 April 2025, 208,850 from that day (Prob. Code 13100)."""
    carl = estates.ws["carl"]
    before = estates.account(residence_state="CA")
    give(estates, before, cash=D(190000))
    with pytest.raises(ValidationError, match=r"exceeds CA's limit \(184,500\.00, Cal\. Prob\. "
                       r"Code 13100, for a death from 2022-04-01\)"):  # fmt: skip
        carl.estates.open_case(before, date(2025, 3, 31), small_estate=True)
    case = carl.estates.case(carl.estates.open_case(before, date(2025, 4, 1), small_estate=True))
    assert case.small_estate == "by CA's Cal. Prob. Code 13100, for a death from 2025-04-01"
    at = estates.account(residence_state="CA")
    give(estates, at, cash=D(208850))
    view = carl.estates.case(carl.estates.open_case(at, date(2025, 4, 2)))
    assert view.small_estate == (
        "possible: the value at death (208,850.00) does not exceed CA's limit "
        "(208,850.00, Cal. Prob. Code 13100, for a death from 2025-04-01)"
    )
    early = estates.account(residence_state="CA")
    give(estates, early, cash=D(1000))
    with pytest.raises(ValidationError, match="CA has no small-estate limit on file for a death "
                       "on 2022-03-31"):  # fmt: skip
        carl.estates.open_case(early, date(2022, 3, 31), small_estate=True)


@pytest.mark.parametrize(
    ("died", "per_share"),
    [
        # 26 CFR 20.2031-2(b)(1)'s own case: Monday the 9th (mean 106) 2 trading days before,
        # Monday the 16th (mean 120) 3 after: (3×106 + 2×120)/5.
        (date(2026, 3, 11), D("111.6")),
        (date(2026, 3, 8), D(103)),  # a Sunday: Friday (100) and Monday (106) equally
    ],
)
def test_a_day_without_sales_is_weighted_by_trading_days(
    estates: Desk, died: date, per_share: Decimal
) -> None:
    carl, sue = estates.ws["carl"], estates.ws["sue"]
    number, heir = estates.account(), estates.account()
    give(estates, number, lots=(BOUGHT,))
    case_id = carl.estates.open_case(number, died)
    _verify_all(estates, case_id)
    asked = carl.estates.request_reregistration(case_id, [(heir, None)])
    moves = {f.field: f.proposed for f in sue.approvals.detail(asked).fields}["moves"]
    assert f"valued {per_share} a share on {died.isoformat()}" in moves
    sue.approvals.approve(asked)
    assert _holdings(estates, heir) == [(D(100), per_share * 100, died, True)]


def test_new_lots_costs_are_to_the_cent_and_add_up_to_the_basis(estates: Desk) -> None:
    """Mean 10.005 on Friday 2026-03-20: 100 shares are worth 1,000.50; three heirs take 34,
    33 and 33: 340.17, 330.17 (330.165 rounded) and the rest, 330.16."""
    from sqlalchemy import select

    from desk_app.db import models as m
    from tests.services.estates.test_estates import AAPL

    carl, sue = estates.ws["carl"], estates.ws["sue"]
    with estates.admin.uow.write("test.setup") as session:
        aapl = session.scalars(select(m.Instrument).where(m.Instrument.isin == AAPL)).one()
        session.add(m.InstrumentPrice(
            instrument_id=aapl.id, price_date=date(2026, 3, 20), price=D("10.01"),
            currency="USD", high=D("10.01"), low=D("10.00"), source="test", loaded_by="tester",
        ))  # fmt: skip
    number = estates.account()
    heirs = [estates.account() for _ in range(3)]
    give(estates, number, lots=(BOUGHT,))
    case_id = carl.estates.open_case(number, date(2026, 3, 20))
    _verify_all(estates, case_id)
    sue.approvals.approve(carl.estates.request_reregistration(case_id, [(h, None) for h in heirs]))
    costs = [[cost for _, cost, _, _ in _holdings(estates, h)] for h in heirs]
    assert costs == [[D("340.17")], [D("330.17")], [D("330.16")]]
    assert sum(c for [c] in costs) == D("1000.50")
