"""Estate cases read the account's parties, on both engines: who died, who takes what, whose
W-9 the case needs, the retitle and its executor, the small-estate affidavit.

AAPL's mean on 2026-03-06 is 100 (see test_estates): 100 shares are worth 10,000 at death.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.db import tax_id_vault
from desk_app.domain.codes import PartyKind, PartyRole
from desk_app.domain.errors import ValidationError
from desk_app.domain.estate_rules import EstatePath
from tests.services.conftest import Desk
from tests.services.estates.test_estates import AAPL, BOUGHT, estates, give

__all__ = ["estates"]
D = Decimal
DIED = date(2026, 3, 6)
R = PartyRole


#: What FINRA 4512 asks of an owner, as a party row holds it (the tax id in the vault).
HELD: dict[str, object] = {
    "address": "1 Main St, New York NY 10001",
    "date_of_birth": date(1950, 3, 4),
    "tax_id": "212-34-5678",
    "occupation": "Retired",
}


def with_parties(
    desk: Desk, number: str, *parties: tuple[PartyRole, str, dict[str, object]]
) -> None:
    """Set-up: the account's parties, as an approved party change leaves them."""
    with desk.admin.uow.write("test.setup") as session:
        holder = session.scalars(select(m.Account).where(m.Account.account_number == number)).one()
        start = len(session.scalars(select(m.AccountParty.id).where(
            m.AccountParty.account_id == holder.id)).all())  # fmt: skip
        for n, (role, name, given) in enumerate(parties, start + 1):
            extra = dict(given)
            if "tax_id" in extra:  # kept in the vault, as the services keep it
                extra["tax_id_ref"], extra["tax_id_masked"] = tax_id_vault.keep(
                    session, str(extra.pop("tax_id"))
                )
            session.add(m.AccountParty(
                account_id=holder.id, position=n, role=role, kind=PartyKind.PERSON, name=name,
                added_on=date(2020, 1, 2), **extra,
            ))  # fmt: skip


def _kinds(desk: Desk, case_id: int) -> dict[str, str]:
    return {d.kind: d.label for d in desk.ws["carl"].estates.case(case_id).documents}


def test_a_tod_account_goes_to_its_beneficiaries_and_a_predeceased_share_follows(
    estates: Desk,
) -> None:
    carl, sue = estates.ws["carl"], estates.ws["sue"]
    number = estates.account("NYC-JOHN", name="John Roe", registration_type="tod")
    estates.account("NYC-ANN", name="Ann Lee")
    give(estates, number, lots=(BOUGHT,))
    with_parties(estates, number, (R.OWNER, "John Roe", {}),
                 (R.BENEFICIARY, "Ann Lee", {"share_percent": D(50)}),
                 (R.BENEFICIARY, "Bo Lee", {"share_percent": D(30)}),
                 (R.BENEFICIARY, "Cy Lee", {"share_percent": D(20)}),
                 (R.BENEFICIARY, "Dee Kim", {"share_percent": D(100),
                                             "contingent": True}))  # fmt: skip
    case_id = carl.estates.open_case(number, DIED)
    view = carl.estates.case(case_id)
    assert view.decedent == "John Roe"
    w9 = [label for kind, label in _kinds(estates, case_id).items() if kind.startswith("w9-")]
    assert w9 == ["W-9 of Ann Lee (primary beneficiary)", "W-9 of Bo Lee (primary beneficiary)",
                  "W-9 of Cy Lee (primary beneficiary)"]  # fmt: skip
    assert [(o.name, o.percent, o.account) for o in view.new_owners] == [
        ("Ann Lee", D("50.00"), "NYC-ANN"), ("Bo Lee", D("30.00"), None),
        ("Cy Lee", D("20.00"), None),
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="after the holder's"):
        carl.estates.beneficiary_deceased(case_id, "Bo Lee", date(2026, 3, 7))
    with pytest.raises(ValidationError, match="is not a party"):
        carl.estates.beneficiary_deceased(case_id, "Zed", date(2025, 1, 1))
    # Bo died first, not per stirpes: his 30% goes 50:20 to Ann and Cy (71.43%, 28.57%).
    after = carl.estates.beneficiary_deceased(case_id, "bo lee", date(2025, 4, 2))
    assert after.predeceased == ("Bo Lee died 2025-04-02",)
    assert [(o.name, o.percent) for o in carl.estates.case(case_id).new_owners] == [
        ("Ann Lee", D("71.43")), ("Cy Lee", D("28.57"))
    ]  # fmt: skip
    assert "W-9 of Bo Lee (primary beneficiary)" not in _kinds(estates, case_id).values()
    for kind in _kinds(estates, case_id):
        carl.estates.receive(case_id, kind, verified=True)
    cy = estates.account()
    asked = carl.estates.request_reregistration(
        case_id, [("NYC-ANN", D("71.43")), (cy, D("28.57"))]
    )
    sue.approvals.approve(asked)
    # 100 shares: 71.43 and 28.57 whole, the one left over to the larger remainder (Cy's .57).
    transfers = carl.transfers
    assert (transfers.available_position("NYC-ANN", AAPL),
            transfers.available_position(cy, AAPL)) == (71, 29)  # fmt: skip


def test_per_stirpes_waits_for_the_executor_and_the_contingent_takes_when_none_survive(
    estates: Desk,
) -> None:
    carl = estates.ws["carl"]
    number = estates.account(registration_type="tod")
    with_parties(estates, number, (R.OWNER, "Max Roe", {}),
                 (R.BENEFICIARY, "Ann Lee", {"share_percent": D(60), "per_stirpes": True}),
                 (R.BENEFICIARY, "Bo Lee", {"share_percent": D(40)}),
                 (R.BENEFICIARY, "Dee Kim", {"contingent": True}))  # fmt: skip
    case_id = carl.estates.open_case(number, DIED)
    carl.estates.beneficiary_deceased(case_id, "Ann Lee", date(2024, 1, 5))
    carl.estates.beneficiary_deceased(case_id, "Bo Lee", date(2024, 2, 5))
    shown = carl.estates.case(case_id)
    assert [(o.name, o.percent, o.decided) for o in shown.new_owners] == [
        ("Dee Kim", D("40.00"), True),
        ("Descendants of Ann Lee (per stirpes)", D("60.00"), False),
    ]  # fmt: skip
    assert shown.decisions == ["Descendants of Ann Lee (per stirpes): 60.00% "
                               "(per stirpes: the executor names who takes it)"]  # fmt: skip
    w9 = [label for kind, label in _kinds(estates, case_id).items() if kind.startswith("w9-")]
    assert w9 == ["W-9 of Dee Kim (contingent beneficiary)"]


def test_a_joint_account_passes_to_the_survivor_named_and_non_spouses_state_the_basis(
    estates: Desk,
) -> None:
    carl, sue = estates.ws["carl"], estates.ws["sue"]
    number = estates.account(registration_type="joint-jtwros")
    give(estates, number, lots=(BOUGHT,))
    with_parties(estates, number, (R.OWNER, "Al Roe", {}), (R.JOINT_OWNER, "Bea Roe", {}))
    with pytest.raises(ValidationError, match=r"not an owner of the account \(Al Roe, Bea Roe\)"):
        carl.estates.open_case(number, DIED, decedent="Cy Roe")
    case_id = carl.estates.open_case(number, DIED, decedent="Bea Roe", spouses=False)
    view = carl.estates.case(case_id)
    assert (view.decedent, view.spouses) == ("Bea Roe", False)
    assert [(o.name, o.percent, o.why) for o in view.new_owners] == [
        ("Al Roe", D("100.00"), "surviving joint owner")
    ]
    assert _kinds(estates, case_id)[f"w9-p{_party_id(estates, 'Al Roe')}"] == (
        "W-9 of Al Roe (surviving joint owner)"
    )
    assert "w9-new-owners" not in _kinds(estates, case_id)
    for kind in _kinds(estates, case_id):
        carl.estates.receive(case_id, kind, verified=True)
    survivor = estates.account()
    asked = carl.estates.request_reregistration(case_id, [(survivor, None)])
    basis = {f.field: f.proposed for f in sue.approvals.detail(asked).fields}["basis"]
    assert basis.startswith("the joint owners are not spouses (IRC 2040(a)): the whole value "
                            "is included")  # fmt: skip


def _party_id(desk: Desk, name: str) -> int:
    with desk.admin.uow.read() as session:
        return session.scalars(select(m.AccountParty.id).where(m.AccountParty.name == name)).one()


def test_the_case_waits_for_the_executor_and_the_w9_line_follows(estates: Desk) -> None:
    carl = estates.ws["carl"]
    number = estates.account(name="Jane Doe")
    with_parties(estates, number, (R.OWNER, "Jane Doe", {}))
    case_id = carl.estates.open_case(number, DIED)
    view = carl.estates.case(case_id)
    assert view.retitle_request_id is None and view.executor_state == "waiting for the executor"
    assert _kinds(estates, case_id)["estate-ein-w9"] == (
        "The estate's own EIN and W-9 (no executor on record yet)"
    )
    assert [(o.name, o.why) for o in view.new_owners] == [
        ("Estate of Jane Doe", "for the estate: its executor (not yet on record)")
    ]
    # A party change names Carl Doe: the case reads it at once, without a step of its own.
    with_parties(estates, number, (R.EXECUTOR, "Carl Doe", {}))
    kinds = _kinds(estates, case_id)
    assert kinds["estate-ein-w9"] == "The estate's own EIN and W-9, signed by its executor Carl Doe"
    assert "w9-new-owners" not in kinds
    carl.estates.receive(case_id, "death-certificate")
    assert "w9-new-owners" not in _kinds(estates, case_id)


def test_a_small_estate_goes_by_affidavit_without_letters(estates: Desk) -> None:
    carl = estates.ws["carl"]
    small = estates.account(name="Lou Hart", residence_state="NY")
    give(estates, small, lots=(BOUGHT,), cash=D("39999.99"))  # 10,000 + 39,999.99 < 50,000
    view = carl.estates.case(carl.estates.open_case(small, DIED))
    assert view.small_estate == (
        "possible: the value at death (49,999.99) does not exceed NY's limit "
        "(50,000.00, N.Y. SCPA 1301)"
    )
    carl.estates.receive(view.id, "death-certificate")
    with pytest.raises(ValidationError, match="has estate case"):
        carl.estates.open_case(small, DIED, small_estate=True)
    big = estates.account(name="Max Hart", residence_state="NY")
    give(estates, big, lots=(BOUGHT,), cash=D("40000.01"))  # 50,000.01: over the limit
    with pytest.raises(
        ValidationError, match=r"\(50,000\.01\) exceeds NY's limit \(50,000\.00, N.Y. SCPA 1301\)"
    ):
        carl.estates.open_case(big, DIED, small_estate=True)
    florida = estates.account(residence_state="FL")
    give(estates, florida, cash=D(10))
    with pytest.raises(ValidationError, match=r"state \(FL\) has no small-estate limit"):
        carl.estates.open_case(florida, DIED, small_estate=True)
    appointed = estates.account(residence_state="NY")
    give(estates, appointed, cash=D(10))
    with_parties(estates, appointed, (R.OWNER, "Ed Hart", {}), (R.EXECUTOR, "Fay Hart", {}))
    with pytest.raises(ValidationError, match="an executor is appointed"):
        carl.estates.open_case(appointed, DIED, small_estate=True)
    lone = estates.account(name="Ned Hart", residence_state="NY")
    give(estates, lone, lots=(BOUGHT,))
    case = carl.estates.case(carl.estates.open_case(lone, DIED, small_estate=True))
    assert case.path is EstatePath.SMALL_ESTATE and case.retitle_request_id is None
    kinds = [d.kind for d in case.documents]
    assert "small-estate-affidavit" in kinds
    assert "letters" not in kinds and "estate-ein-w9" not in kinds
