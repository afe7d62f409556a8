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
