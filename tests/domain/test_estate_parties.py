"""Who takes a deceased holder's account from its parties: each rule on a hand-worked case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from desk_app.domain.errors import ValidationError
from desk_app.domain.estate_parties import (
    Party,
    StateLimit,
    decedent,
    limit_in_force,
    new_owners,
    small_estate_refusal,
    w9_signers,
)
from desk_app.domain.estate_rules import EstatePath, stepped_fraction

D = Decimal
JOINT = [Party(1, "owner", "Al Roe"), Party(2, "joint-owner", "Bea Roe"),
         Party(3, "joint-owner", "Cy Roe")]  # fmt: skip
#: Primaries 50/30/20 (Ann per stirpes), contingents 75/25.
TOD = [
    Party(1, "owner", "John Roe"),
    Party(2, "beneficiary", "Ann Lee", D(50), per_stirpes=True),
    Party(3, "beneficiary", "Bo Lee", D(30)),
    Party(4, "beneficiary", "Cy Lee", D(20)),
    Party(5, "beneficiary", "Dee Kim", D(75), contingent=True),
    Party(6, "beneficiary", "Ed Kim", D(25), contingent=True),
    Party(7, "trusted-contact", "Sam Lee"),
]


def _shares(
    path: EstatePath, parties: list[Party], dead: frozenset[int] = frozenset()
) -> list[tuple[str, Fraction]]:
    died = decedent(parties)
    return [(o.name, o.share) for o in new_owners(path, parties, died, dead)]


def test_the_decedent_is_the_first_owner_unless_the_notice_names_one() -> None:
    assert decedent(JOINT) == JOINT[0]
    assert decedent(JOINT, "bea roe") == JOINT[1]
    assert decedent([Party(9, "beneficiary", "Ann")]) is None
    with pytest.raises(ValidationError, match=r"not an owner of the account \(Al Roe, Bea Roe"):
        decedent(JOINT, "Ann Lee")


def test_joint_owners_survive_in_equal_shares_without_the_decedent() -> None:
    assert _shares(EstatePath.SURVIVOR, JOINT) == [("Bea Roe", Fraction(1, 2)),
                                                   ("Cy Roe", Fraction(1, 2))]  # fmt: skip
    named = new_owners(EstatePath.SURVIVOR, JOINT, decedent(JOINT, "Cy Roe"))
    assert [o.name for o in named] == ["Al Roe", "Bea Roe"]


def test_primary_beneficiaries_take_by_their_shares() -> None:
    owners = new_owners(EstatePath.BENEFICIARY, TOD, decedent(TOD))
    assert [(o.name, o.percent) for o in owners] == [
        ("Ann Lee", D("50.00")), ("Bo Lee", D("30.00")), ("Cy Lee", D("20.00"))
    ]  # fmt: skip
    assert all(o.decided for o in owners)


def test_a_predeceased_primary_without_per_stirpes_goes_to_the_others_pro_rata() -> None:
    """Bo's 30% splits 50:20 between Ann and Cy: Ann 50 + 30×5/7, Cy 20 + 30×2/7."""
    assert _shares(EstatePath.BENEFICIARY, TOD, frozenset({3})) == [
        ("Ann Lee", Fraction(1, 2) + Fraction(3, 10) * Fraction(5, 7)),
        ("Cy Lee", Fraction(1, 5) + Fraction(3, 10) * Fraction(2, 7)),
    ]
    percents = [o.percent for o in new_owners(EstatePath.BENEFICIARY, TOD, TOD[0], {3})]
    assert percents == [D("71.43"), D("28.57")]


def test_a_predeceased_primary_per_stirpes_leaves_a_share_for_the_executor_to_name() -> None:
    owners = new_owners(EstatePath.BENEFICIARY, TOD, TOD[0], {2})
    assert [(o.name, o.share, o.decided) for o in owners] == [
        ("Bo Lee", Fraction(3, 10), True), ("Cy Lee", Fraction(1, 5), True),
        ("Descendants of Ann Lee (per stirpes)", Fraction(1, 2), False),
    ]  # fmt: skip
    assert "executor names" in owners[-1].why


def test_the_contingents_take_when_no_primary_survives() -> None:
    """Bo and Cy (50% between them) are gone and not per stirpes: Dee 75%, Ed 25% of it;
    Ann's half goes per stirpes."""
    assert _shares(EstatePath.BENEFICIARY, TOD, frozenset({2, 3, 4})) == [
        ("Dee Kim", Fraction(1, 2) * Fraction(3, 4)),
        ("Ed Kim", Fraction(1, 2) * Fraction(1, 4)),
        ("Descendants of Ann Lee (per stirpes)", Fraction(1, 2)),
    ]
    nobody = [p for p in TOD if p.id not in (5, 6)]
    assert _shares(EstatePath.BENEFICIARY, nobody, frozenset({2, 3, 4}))[-1] == (
        "The holder's estate", Fraction(1, 2)
    )  # fmt: skip


def test_beneficiaries_without_shares_take_equally() -> None:
    parties = [Party(1, "owner", "X"), Party(2, "beneficiary", "A"), Party(3, "beneficiary", "B")]
    assert _shares(EstatePath.BENEFICIARY, parties) == [("A", Fraction(1, 2)),
                                                        ("B", Fraction(1, 2))]  # fmt: skip


def test_w9_lines_name_each_new_owner() -> None:
    owners = new_owners(EstatePath.BENEFICIARY, TOD, TOD[0], {3})
    assert [label for _, label in w9_signers(EstatePath.BENEFICIARY, TOD, owners, {3})] == [
        "W-9 of Ann Lee (primary beneficiary)", "W-9 of Cy Lee (primary beneficiary)"
    ]  # fmt: skip
    estate = [Party(1, "owner", "Jane Doe"), Party(2, "executor", "Carl Doe")]
    owners = new_owners(EstatePath.EXECUTOR, estate, estate[0], estate_of="Estate of Jane Doe")
    assert [(o.name, o.why) for o in owners] == [("Estate of Jane Doe", "for the estate: Carl Doe")]
    assert w9_signers(EstatePath.EXECUTOR, estate, owners, ()) == [
        (estate[1], "W-9 for the estate, signed by its executor Carl Doe")
    ]
    trust = [Party(1, "trustee", "Old Trustee"), Party(2, "trustee", "New Trustee")]
    assert [label for _, label in w9_signers(EstatePath.SUCCESSOR_TRUSTEE, trust, [], {1})] == [
        "W-9 of the successor trustee New Trustee"
    ]


def test_non_spouse_joint_owners_step_up_the_contribution() -> None:
    assert stepped_fraction("joint-jtwros") == Fraction(1, 2)
    assert stepped_fraction("joint-jtwros", spouses=False) == 1  # 2040(a): all, none shown
    assert stepped_fraction("joint-jtwros", False, Fraction(3, 10)) == Fraction(7, 10)
    assert stepped_fraction("joint-community") == 1
    assert stepped_fraction("joint-community", spouses=False) == 1
    assert stepped_fraction("individual", spouses=False) == 1


def _refusal(
    limits: list[StateLimit], state: str, died: date, value: Decimal | None,
    path: EstatePath = EstatePath.EXECUTOR, executor: bool = False,
) -> str | None:  # fmt: skip
    return small_estate_refusal(path, state, limits, died, value, has_executor=executor)


def test_the_small_estate_affidavit_needs_a_limit_a_value_not_over_it_and_no_executor() -> None:
    limits = [StateLimit("NY", D(50000), "N.Y. SCPA 1301")]
    died = date(2026, 3, 6)
    assert _refusal(limits, "ny", died, D(50000)) is None
    assert "value at death (50,000.01) exceeds NY's limit (50,000.00, N.Y. SCPA 1301)" in (
        _refusal(limits, "NY", died, D("50000.01")) or ""
    )
    assert "executor is appointed" in (_refusal(limits, "NY", died, D(10), executor=True) or "")
    assert "(FL) has no small-estate limit" in (_refusal(limits, "FL", died, D(10)) or "")
    assert "price is missing" in (_refusal(limits, "NY", died, None) or "")
    assert "only an account that would pass by the executor" in (
        _refusal(limits, "NY", died, D(10), EstatePath.SURVIVOR) or ""
    )


def test_the_limit_in_force_on_the_date_of_death_applies() -> None:
    code = "Cal. Prob. Code 13100"
    limits = [StateLimit("CA", D(184500), code, date(2022, 4, 1)),
              StateLimit("CA", D(208850), code, date(2025, 4, 1))]  # fmt: skip
    assert limit_in_force(limits, "ca", date(2025, 3, 31)) == limits[0]
    assert limit_in_force(limits, "CA", date(2025, 4, 1)) == limits[1]
    assert limit_in_force(limits, "CA", date(2022, 3, 31)) is None
    assert "CA has no small-estate limit on file for a death on 2022-03-31" in (
        _refusal(limits, "CA", date(2022, 3, 31), D(1)) or ""
    )
    assert "(184,500.00, Cal. Prob. Code 13100, for a death from 2022-04-01)" in (
        _refusal(limits, "CA", date(2025, 3, 31), D(190000)) or ""
    )
    assert _refusal(limits, "CA", date(2025, 4, 1), D(208850)) is None
