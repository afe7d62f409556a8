"""The registration rules alone: each problem named, all of them listed at once."""

from __future__ import annotations

from datetime import date

import pytest

from desk_app.domain.errors import ValidationError, ValidationProblems
from desk_app.domain.registration_rules import (
    check_record,
    clean_party,
    essentials,
    holder_problems,
    implied_owner,
    masked_birth,
    record_problems,
)

TODAY = date(2026, 12, 7)
#: What FINRA 4512 asks of a person who owns or runs an account.
ESSENTIAL = {
    "address": "1 Main St, New York NY 10001",
    "date_of_birth": "1960-03-04",
    "tax_id": "123-45-6789",
    "occupation": "Teacher",
    "employer": "Lakeview Schools",
}
FIRM = {"kind": "entity", "address": "9 Wall St, New York NY 10005", "tax_id": "12-3456789"}


def who(role: str, name: str, **more: object) -> dict[str, object]:
    """A person with every essential, as ``role``."""
    return {"role": role, "name": name, **ESSENTIAL, **more}


#: Each registration with parties that meet the rules, and the ones whose essentials count.
COMPLETE: dict[str, list[dict[str, object]]] = {
    "individual": [who("owner", "Ann")],
    "ira": [who("owner", "Ann")],
    "tod": [who("owner", "Ann"), {"role": "beneficiary", "name": "Bo", "share_percent": "100"}],
    "joint-jtwros": [who("owner", "Ann"), who("joint-owner", "Bo")],
    "joint-tic": [who("owner", "Ann"), who("owner", "Bo")],
    "joint-community": [who("owner", "Ann"), who("joint-owner", "Bo")],
    "ugma": [who("custodian", "Ann"), {"role": "minor", "name": "Ed",
                                       "date_of_birth": "2019-01-15"}],
    "utma": [who("custodian", "Ann"), {"role": "minor", "name": "Ed",
                                       "date_of_birth": "2019-01-15"}],
    "trust": [who("trustee", "Ann"), {"role": "owner", "name": "Lee Trust", **FIRM}],
    "estate": [{"role": "executor", "name": "Ann"}],
    "corporate": [{"role": "owner", "name": "Lee Holdings LLC", **FIRM}],
}  # fmt: skip


def test_problems_are_all_listed_with_their_fields() -> None:
    parties = [
        {"role": "custodian", "name": "Ann"},
        {"role": "minor", "name": "", "date_of_birth": "2005-12-06"},
        {"role": "owner", "name": "Cy", "share_percent": "10"},
    ]
    found = {(p.field, p.reason) for p in record_problems("utma", parties, TODAY)}
    assert ("parties[2].name", "is required (up to 200 characters)") in found
    assert ("parties[3].share_percent", "only a beneficiary has a share") in found
    assert ("parties[2].date_of_birth", "the minor is 21: of age under UTMA (21)") in found
    ugma = record_problems("ugma", parties[:2], TODAY)
    assert ("parties[2].date_of_birth", "the minor is 21: of age under UGMA (18)") in {
        (p.field, p.reason) for p in ugma
    }


def test_shares_add_to_100_primary_and_contingent_apart() -> None:
    owner = who("owner", "Ann")
    heirs = [{"role": "beneficiary", "name": n, "share_percent": s} for n, s in
             (("Bo", "33.3333"), ("Cy", "33.3333"), ("Di", "33.3334"))]  # fmt: skip
    assert record_problems("tod", [owner, *heirs], TODAY) == []
    late = {"role": "beneficiary", "name": "Ed", "share_percent": "99", "contingent": True}
    [problem] = record_problems("tod", [owner, *heirs, late], TODAY)
    assert (
        str(problem)
        == "parties.share_percent: the contingent beneficiaries' shares add to 99%, not 100%"
    )
    assert (
        clean_party({"role": "beneficiary", "name": "x", "share_percent": "100"}, 0, TODAY)[
            "share_percent"
        ]
        == "100"
    )


def test_the_holder_owns_an_individual_account_and_birth_dates_show_their_year() -> None:
    [owner] = implied_owner({"registration_type": "individual", "name": "Ann", "tax_id": None})
    assert (owner["role"], owner["kind"]) == ("owner", "person")
    assert implied_owner({"registration_type": "trust", "name": "T"}) == []
    assert implied_owner({"registration_type": "corporate", "name": "X"})[0]["kind"] == "entity"
    assert masked_birth("1984-03-05") == "1984-**-**"


@pytest.mark.parametrize("registration", sorted(COMPLETE))
def test_each_registration_needs_the_essentials_of_whoever_runs_it(registration: str) -> None:
    """Complete, nothing is wrong; with each responsible party's essentials emptied, each
    missing field is named for that party, every one at once."""
    parties = COMPLETE[registration]
    assert record_problems(registration, parties, TODAY) == []
    bare = [{k: v for k, v in p.items() if k in ("role", "name", "kind", "share_percent")}
            | ({"date_of_birth": p["date_of_birth"]} if p["role"] == "minor" else {})
            for p in parties]  # fmt: skip
    found = {p.field: p.reason for p in record_problems(registration, bare, TODAY)}
    expected = set()
    for i, party in enumerate(parties, 1):
        if party["role"] not in ("owner", "joint-owner", "custodian", "trustee"):
            continue
        keys = ("tax_id", "address") if party.get("kind") == "entity" else tuple(ESSENTIAL)
        expected |= {f"parties[{i}].{k}" for k in keys}
    assert set(found) == expected
    for field, reason in found.items():
        index = int(field[len("parties[")]) - 1
        assert reason.endswith(("(FINRA 4512)", "homemaker)"))
        assert str(parties[index]["name"]) in reason  # the party by name and role


@pytest.mark.parametrize("occupation", ["Retired", "unemployed", "Student", "HOMEMAKER"])
def test_no_employer_when_retired_unemployed_a_student_or_a_homemaker(occupation: str) -> None:
    owner = who("owner", "Ann", occupation=occupation, employer=None)
    assert essentials(owner, 0) == []
    working = who("owner", "Ann", occupation="Engineer", employer="")
    [problem] = essentials(working, 0)
    assert problem.field == "parties[1].employer"
    assert problem.reason.startswith("Owner Ann needs an employer (FINRA 4512)")


def test_beneficiaries_minors_and_trusted_contacts_need_no_essentials() -> None:
    for role in ("beneficiary", "minor", "trusted-contact", "power-of-attorney", "executor"):
        assert essentials({"role": role, "name": "X"}, 0) == []


def test_an_entity_needs_its_ein_and_address_not_a_birth_date_or_job() -> None:
    firm = {"role": "owner", "kind": "entity", "name": "Lee Holdings LLC"}
    assert {p.field for p in essentials(firm, 0)} == {"parties[1].tax_id", "parties[1].address"}
    problems = record_problems("corporate", [{**firm, "tax_id": "123-45-6789"}], TODAY)
    assert any(p.field == "parties[1].tax_id" and "EIN" in p.reason for p in problems)


def test_an_estate_is_the_accounts_own_ein_and_address() -> None:
    found = {p.field: p.reason for p in holder_problems("estate", {})}
    assert found == {"tax_id": "an estate account needs the estate's own EIN (FINRA 4512)",
                     "mailing_address": "an estate needs its address (FINRA 4512)"}  # fmt: skip
    ssn = holder_problems("estate", {"tax_id": "123-45-6789", "mailing_address": "1 Main St"})
    assert [p.field for p in ssn] == ["tax_id"] and "EIN" in ssn[0].reason
    assert holder_problems("estate", {"tax_id": "**-***6789", "mailing_address": "x"}) == []
    # A trust under its grantor's SSN is not an entity; one with its own EIN is.
    assert holder_problems("trust", {"tax_id": "123-45-6789"}) == []
    assert [p.field for p in holder_problems("trust", {"tax_id": "12-3456789"})] == [
        "mailing_address"
    ]
    assert holder_problems("individual", {}) == []


def test_every_problem_at_once_one_line_each() -> None:
    """Owner without essentials, a bad birth date and shares short: all refused together."""
    parties = [{"role": "owner", "name": "Ann", "date_of_birth": "2999-01-01"},
               {"role": "beneficiary", "name": "Bo", "share_percent": "40"}]  # fmt: skip
    with pytest.raises(ValidationProblems) as refused:
        check_record("tod", parties, TODAY)
    lines = str(refused.value).splitlines()
    assert lines == [str(p) for p in refused.value.problems]
    assert lines == [
        "parties[1].date_of_birth: is in the future",
        "parties[1].address: Owner Ann needs an address (residence) (FINRA 4512)",
        "parties[1].tax_id: Owner Ann needs a tax id (SSN or ITIN) (FINRA 4512)",
        "parties[1].occupation: Owner Ann needs an occupation (FINRA 4512)",
        "parties[1].employer: Owner Ann needs an employer (FINRA 4512) (or an occupation of "
        "retired, unemployed, student or homemaker)",
        "parties.share_percent: the primary beneficiaries' shares add to 40%, not 100%",
    ]
    assert isinstance(refused.value, ValidationError)
    assert refused.value.field == "parties[1].date_of_birth"  # the first, for one-field callers


def test_an_individual_opened_without_parties_lacks_what_the_account_cannot_say() -> None:
    """The holder as owner has a name, tax id and address; not a birth date or a job."""
    owner = implied_owner({"registration_type": "individual", "name": "Ada Lovelace",
                           "tax_id": "123-45-6789", "mailing_address": "1 Main St"})  # fmt: skip
    found = [p.field for p in record_problems("individual", owner, TODAY)]
    assert found == ["parties[1].date_of_birth", "parties[1].occupation", "parties[1].employer"]
    firm = implied_owner({"registration_type": "corporate", "name": "Lee LLC",
                          "tax_id": "12-3456789", "mailing_address": "9 Wall St"})  # fmt: skip
    assert record_problems("corporate", firm, TODAY) == []
