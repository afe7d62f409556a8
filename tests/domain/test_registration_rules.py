"""The registration rules alone: each problem named, all of them listed at once."""

from __future__ import annotations

from datetime import date

from desk_app.domain.registration_rules import (
    clean_party,
    implied_owner,
    masked_birth,
    record_problems,
)

TODAY = date(2026, 12, 7)


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
    owner = {"role": "owner", "name": "Ann"}
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
