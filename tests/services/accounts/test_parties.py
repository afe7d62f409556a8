"""The client record: every registration opens with its parties, changes are supervised."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, NotPermitted, ValidationError, ValidationProblems
from tests.clients import firm, owner

if TYPE_CHECKING:
    from tests.services.conftest import Desk

ADULT = "1970-05-17"
CHILD = date(market_today().year - 8, 1, 15).isoformat()


def person(role: str, name: str, **more: Any) -> dict[str, Any]:
    """A person with FINRA 4512's essentials (what an owner, custodian or trustee needs)."""
    return owner(name, role, **{"date_of_birth": ADULT, **more})


def entity(role: str, name: str, **more: Any) -> dict[str, Any]:
    return {"role": role, "kind": "entity", "name": name, **more}


#: Each registration with the parties it needs, and what a missing one is refused for.
NEEDS: dict[str, tuple[list[dict[str, Any]], str]] = {
    "individual": ([person("owner", "Ann Lee", tax_id="123-45-6789")], "exactly one owner"),
    "joint-jtwros": (
        [person("owner", "Ann Lee"), person("joint-owner", "Bo Lee")],
        "two or more owners",
    ),
    "joint-tic": ([person("owner", "Ann Lee"), person("owner", "Cy Moe")], "two or more owners"),
    "joint-community": (
        [person("owner", "Ann Lee"), person("joint-owner", "Bo Lee")],
        "two or more owners",
    ),
    "tod": (
        [person("beneficiary", "Di Lee", share_percent="100"), person("owner", "Ann Lee")],
        "at least one beneficiary",
    ),
    "ugma": (
        [person("custodian", "Ann Lee"), person("minor", "Ed Lee", date_of_birth=CHILD)],
        "exactly one custodian",
    ),
    "utma": (
        [person("minor", "Ed Lee", date_of_birth=CHILD), person("custodian", "Ann Lee")],
        "exactly one minor",
    ),
    "trust": ([person("trustee", "Ann Lee")], "at least one trustee"),
    "estate": ([person("executor", "Ann Lee")], "an executor"),
    "corporate": ([firm("Lee Holdings LLC")], "entity"),
    "ira": ([person("owner", "Ann Lee")], "exactly one owner"),
}


def fields(registration: str, name: str = "Lee") -> dict[str, Any]:
    return {"name": name, "registration_type": registration, "registered_rep": "RR01",
            "account_type": "margin", "investment_objective": "growth",
            "risk_tolerance": "moderate", "time_horizon": "long", "liquid_net_worth": "250000",
            "annual_income": "120000.50", "tax_status": "taxable",
            "mailing_address": "1 Main St\nNew York NY 10001",
            **({"tax_id": "12-3456789"} if registration == "estate" else {})}  # fmt: skip


@pytest.mark.parametrize("registration", sorted(NEEDS))
def test_each_registration_opens_with_its_parties_and_not_without(
    desk: Desk, registration: str
) -> None:
    parties, missing = NEEDS[registration]
    carl = desk.ws["carl"].accounts
    needed_first = "parties[" if registration == "utma" else "parties:"
    with pytest.raises(ValidationError, match=missing) as refused:
        carl.request_open(desk.next_number(), fields(registration), "new", parties[1:])
    assert str(refused.value).startswith(needed_first) or "parties" in refused.value.field
    number = desk.next_number()
    request_id = carl.request_open(number, fields(registration), "new client", parties)
    desk.ws["sue"].approvals.approve(request_id, "checked")
    with desk.admin.uow.read() as session:
        account = session.scalars(select(m.Account).where(m.Account.account_number == number)).one()
        assert account.accepted_by == "sue"  # the approver, never typed
        assert account.annual_income == Decimal("120000.50")
        assert account.account_type is not None and account.account_type.value == "margin"
    shown = carl.parties(number)
    assert [(p.role, p.name) for p in shown] == [(p["role"], p["name"]) for p in parties]
    assert all("*" in str(p.values["date_of_birth"] or "*") for p in shown)


def test_refusals_name_the_field(desk: Desk) -> None:
    carl = desk.ws["carl"].accounts
    tod = [person("owner", "Ann Lee"), person("beneficiary", "Di", share_percent="60"),
           person("beneficiary", "Flo", share_percent="30")]  # fmt: skip
    with pytest.raises(ValidationError, match="primary beneficiaries' shares add to 90%"):
        carl.request_open(desk.next_number(), fields("tod"), "r", tod)
    tod[2]["share_percent"] = "40"
    tod.append(person("beneficiary", "Gus", share_percent="50", contingent=True))
    with pytest.raises(ValidationError, match="contingent beneficiaries' shares add to 50%"):
        carl.request_open(desk.next_number(), fields("tod"), "r", tod)
    old_minor = [person("custodian", "Ann"), person("minor", "Ed", date_of_birth="1990-01-01")]
    with pytest.raises(ValidationError, match=r"parties\[2\].date_of_birth: the minor is"):
        carl.request_open(desk.next_number(), fields("utma"), "r", old_minor)
    future = [person("owner", "Ann", date_of_birth="2999-01-01")]
    with pytest.raises(ValidationError, match=r"parties\[1\].date_of_birth: is in the future"):
        carl.request_open(desk.next_number(), fields("individual"), "r", future)
    bad_ssn = [person("owner", "Ann", tax_id="000-12-3456")]
    with pytest.raises(ValidationError, match=r"parties\[1\].tax_id"):
        carl.request_open(desk.next_number(), fields("individual"), "r", bad_ssn)
    with pytest.raises(ValidationError, match="owner of an individual account is a person"):
        carl.request_open(desk.next_number(), fields("individual"), "r", [entity("owner", "X")])
    with pytest.raises(ValidationError, match="risk_tolerance"):
        carl.request_open(desk.next_number(), {**fields("ira"), "risk_tolerance": "wild"}, "r")


def test_an_individual_without_parties_is_refused_naming_each_missing_field(
    desk: Desk,
) -> None:
    """The holder as owner lacks what an account's fields cannot say (FINRA 4512)."""
    carl = desk.ws["carl"].accounts
    opening = {"name": "Ada Lovelace", "registration_type": "individual",
               "registered_rep": "RR01", "tax_id": "123-45-6789"}  # fmt: skip
    with pytest.raises(ValidationProblems) as refused:
        carl.request_open(desk.next_number(), opening, "new client")
    assert [p.field for p in refused.value.problems] == [
        "parties[1].address", "parties[1].date_of_birth", "parties[1].occupation",
        "parties[1].employer",
    ]  # fmt: skip
    assert all("Owner Ada Lovelace needs" in p.reason for p in refused.value.problems)
    # The corporation's own name, EIN and address make its owner.
    number = desk.next_number()
    company = {**fields("corporate", "Lee Holdings LLC"), "tax_id": "12-3456789"}
    desk.ws["sue"].approvals.approve(carl.request_open(number, company, "new client"))
    [holder] = carl.parties(number)
    assert (holder.role, holder.kind, holder.values["tax_id"]) == ("owner", "entity",
                                                                   "**-***6789")  # fmt: skip
    with pytest.raises(ValidationError, match="two or more owners"):
        carl.request_open(desk.next_number(), {**opening, "registration_type": "joint-tic"}, "r")


def test_every_problem_of_an_opening_is_named_at_once(desk: Desk) -> None:
    """Account fields, parties and the registration's needs: one line each, together."""
    bad = {**fields("estate"), "tax_id": "123-45-6789", "risk_tolerance": "wild",
           "base_currency": "dollars"}  # fmt: skip
    parties = [{"role": "executor", "name": "Ann Lee"},
               {"role": "trustee", "name": "Bo Lee", "occupation": "Retired"}]  # fmt: skip
    with pytest.raises(ValidationProblems) as refused:
        desk.ws["carl"].accounts.request_open("bad", bad, "r", parties)
    fields_named = [p.field for p in refused.value.problems]
    assert fields_named == [
        "account_number", "risk_tolerance", "base_currency", "parties[2].address",
        "parties[2].date_of_birth", "parties[2].tax_id", "tax_id",
    ]  # fmt: skip
    assert len(str(refused.value).splitlines()) == len(fields_named)
    assert "parties[2].date_of_birth: Trustee Bo Lee needs a date of birth" in str(refused.value)


def _open(desk: Desk, registration: str = "individual") -> str:
    number = desk.next_number()
    parties = NEEDS[registration][0]
    request_id = desk.ws["carl"].accounts.request_open(number, fields(registration), "new", parties)
    desk.ws["sue"].approvals.approve(request_id)
    return number


def test_party_changes_are_supervised_and_kept(desk: Desk) -> None:
    number = _open(desk)
    carl = desk.ws["carl"].accounts
    [owner] = carl.parties(number)
    joint = person("joint-owner", "Bo Lee", tax_id="987-65-4321", occupation="Nurse")
    mine = [{**owner.values}, joint]
    with pytest.raises(ValidationError, match="exactly one owner"):
        carl.request_amend(number, {}, "married", mine)  # still individual
    request_id = carl.request_amend(number, {"registration_type": "joint-jtwros"}, "married", mine)
    with pytest.raises(NotPermitted):
        desk.ws["carl"].approvals.approve(request_id)
    detail = desk.ws["sam"].approvals.detail(request_id)
    shown = {f.field: f.proposed for f in detail.fields}
    assert shown["registration_type"] == "joint-jtwros"
    assert shown["party 2"].startswith("Joint owner · person · Bo Lee")
    assert "987-65-4321" not in json.dumps(shown) and "***-**-4321" in shown["party 2"]
    assert not any(f.changed_since_request for f in detail.fields)
    desk.ws["sam"].approvals.approve(request_id)
    assert [p.name for p in carl.parties(number)] == ["Ann Lee", "Bo Lee"]
    assert carl.reveal_party_tax_id(number, carl.parties(number)[1].id) == "987-65-4321"

    # Removing a party ends it; the row and its history stay.
    ann, bo = carl.parties(number)
    request_id = carl.request_amend(
        number, {"registration_type": "individual"}, "divorce", [dict(ann.values)]
    )
    assert desk.ws["sue"].approvals.detail(request_id).fields[0].proposed == "(removed)"
    desk.ws["sue"].approvals.approve(request_id)
    assert [p.name for p in carl.parties(number)] == ["Ann Lee"]
    with desk.admin.uow.read() as session:
        ended = session.get(m.AccountParty, bo.id)
        assert ended is not None and ended.ended_on is not None

    history = desk.ws["carl"].history.account_history(number)
    assert len(history.versions) == len(history.changes) + 1
    diffs = {(d.field, d.old, d.new) for i in range(len(history.changes)) for d in history.diff(i)}
    assert ("Bo Lee (Joint owner) · occupation", None, "Nurse") in diffs
    assert ("Bo Lee (Joint owner) · ended_on", None, market_today().isoformat()) in {
        (f, o, n[:10] if isinstance(n, str) else n) for f, o, n in diffs
    } or any(f == "Bo Lee (Joint owner) · ended_on" and o is None for f, o, _ in diffs)
    assert ("Bo Lee (Joint owner) · date_of_birth", None, "1970-**-**") in diffs
    assert ("registration_type", "joint-jtwros", "individual") in diffs


def test_a_stale_party_change_is_refused(desk: Desk) -> None:
    number = _open(desk, "tod")
    carl = desk.ws["carl"].accounts
    owner, heir = carl.parties(number)
    renamed = [dict(owner.values), {**heir.values, "name": "Di Lee-Moe"}]
    first = carl.request_amend(number, {}, "name change", renamed)
    desk.ws["sue"].approvals.reject(first, "wrong form")
    second = carl.request_amend(number, {}, "name change", renamed)
    desk.ws["sue"].approvals.approve(second)
    again = carl.request_amend(
        number, {}, "share", [dict(owner.values), {**heir.values, "name": "Di Moe"}]
    )
    with desk.admin.uow.write("test.setup") as session:  # changed outside the request
        row = session.get(m.AccountParty, heir.id)
        assert row is not None
        row.occupation = "Pilot"
    with pytest.raises(DeskError, match="parties changed after the request"):
        desk.ws["sue"].approvals.approve(again)


def test_a_reorder_is_a_change_the_approver_sees_and_history_keeps(desk: Desk) -> None:
    """Putting the joint owner first is supervised, named in the request, and kept."""
    number = _open(desk, "joint-jtwros")
    carl = desk.ws["carl"].accounts
    ann, bo = carl.parties(number)
    request_id = carl.request_amend(number, {}, "first named", [dict(bo.values), dict(ann.values)])
    detail = desk.ws["sue"].approvals.detail(request_id)
    assert detail.summary == (f"Amend {number}: parties — joint owner Bo Lee, owner Ann Lee")
    shown = {f.field: (f.current, f.proposed) for f in detail.fields}
    assert shown["party 1"][1].endswith("· moved from party 2")
    assert shown["party 2"][1].endswith("· moved from party 1")
    desk.ws["sue"].approvals.approve(request_id)
    assert [p.name for p in carl.parties(number)] == ["Bo Lee", "Ann Lee"]
    history = desk.ws["carl"].history.account_history(number)
    diffs = {(d.field, d.old, d.new) for i in range(len(history.changes)) for d in history.diff(i)}
    assert ("Bo Lee (Joint owner) · order", 2, 1) in diffs
    assert ("Ann Lee (Owner) · order", 1, 2) in diffs


def test_an_opening_names_each_party_in_its_summary(desk: Desk) -> None:
    parties = NEEDS["tod"][0]
    request_id = desk.ws["carl"].accounts.request_open(
        desk.next_number(), fields("tod", "Ann Lee TOD"), "new client", parties
    )
    summary = desk.ws["sue"].approvals.detail(request_id).summary
    assert summary.endswith("(Ann Lee TOD) — beneficiary Di Lee, owner Ann Lee")
