"""Account changes through approval, and their history rebuilt from the audit trail."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import text

from desk_app.db import models as m
from desk_app.domain.errors import DeskError, IllegalTransition, NotPermitted, ValidationError
from desk_app.domain.history import FieldDiff
from desk_app.domain.rule_changes import RuleKind
from desk_app.domain.states import ApprovalStatus
from desk_app.services import audit
from desk_app.services.accounts.maintenance import AccountService, new_york_today
from tests.clients import owner

if TYPE_CHECKING:
    from tests.services.conftest import Desk


def approve(desk: Desk, request_id: int) -> None:
    desk.ws["sue"].approvals.approve(request_id, "checked")


def test_history_has_every_version_exactly(desk: Desk) -> None:
    """Each past version rebuilt from the trail equals the snapshot taken at the time."""
    carl = desk.ws["carl"].accounts
    number = desk.next_number()
    opening = {"name": "Ada Lovelace", "registration_type": "individual",
               "registered_rep": "RR01", "tax_id": "123-45-6789"}  # fmt: skip
    approve(desk, carl.request_open(number, opening, "new client", [owner("Ada Lovelace")]))
    snapshots: list[dict[str, Any] | None] = [None, desk.account_row(number)]
    steps = [
        lambda: carl.request_amend(number, {"name": "Ada King"}, "married"),
        lambda: carl.request_amend(number, {"registered_rep": "RR07"}, "new rep"),
        lambda: carl.request_amend(number, {"tax_id": "987-65-4321", "residence_state": "ca"}, "r"),
        lambda: carl.request_status(number, "closed", "client left"),
        lambda: carl.request_status(number, "open", "client back"),
    ]
    for step in steps:
        approve(desk, step())
        snapshots.append(desk.account_row(number))
    assert desk.ws["cora"].accounts.reveal_tax_id(number) == "987-65-4321"
    snapshots.append(snapshots[-1])  # an event changes nothing

    with_parties = desk.ws["carl"].history.account_history(number.lower())
    assert with_parties.title == f"Account {number}"
    assert [c.change for c in with_parties.changes][:2] == ["create", "create"]  # its owner
    history = desk.ws["carl"].history.history("accounts", desk.account_row(number)["id"])
    assert [c.change for c in history.changes] == ["create"] + ["update"] * 5 + ["event"]
    # The trail holds the tax id only masked, with its vault reference: nothing to unmask.
    assert list(history.versions) == snapshots
    assert not any("123-45-6789" in str(s) or "987-65-4321" in str(s) for s in snapshots)
    assert all(c.approval_id is not None for c in history.changes[:-1])
    assert history.changes[0].app_user == "sue"
    assert history.versions[-1] == desk.account_row(number)
    closed, reopened = snapshots[5], snapshots[6]
    assert closed is not None and closed["closed_on"] == new_york_today().isoformat()
    assert reopened is not None and reopened["closed_on"] is None

    renamed = history.diff(1)
    assert FieldDiff("name", "Ada Lovelace", "Ada King") in renamed
    assert {d.field for d in renamed} == {"name", "version"}  # updated_at is quiet
    both = {d.field: (d.old, d.new) for d in history.diff(3)}
    assert both["tax_id_masked"] == ("***-**-6789", "***-**-4321")
    assert None not in both["tax_id_ref"]  # a new value in the vault, under a new reference
    assert both["residence_state"] == (None, "CA")
    created = {d.field for d in history.diff(0)}
    assert {"account_number", "name", "tax_id_masked", "tax_id_ref", "status"} <= created


def test_reveal_tax_id_is_an_audited_event(desk: Desk) -> None:
    number = desk.account(tax_id="123-45-6789")
    assert desk.ws["carl"].accounts.record(number).values["tax_id"] == "***-**-6789"
    seq = desk.audit_count()
    assert desk.ws["carl"].accounts.reveal_tax_id(number) == "123-45-6789"
    [entry] = desk.audit_entries(seq)
    assert (entry.app_user, entry.action, entry.change, entry.table_name) == (
        "carl", "account.reveal_tax_id", "event", "accounts",
    )  # fmt: skip
    assert json.loads(entry.after or "") == {"revealed": "tax_id"}
    history = desk.ws["sue"].history.account_history(number)
    last = history.changes[-1]
    assert (last.change, last.app_user, last.after) == ("event", "carl", {"revealed": "tax_id"})
    assert history.versions[-1] == history.versions[-2]


def test_revealing_needs_the_permission_and_leaves_no_entry(desk: Desk) -> None:
    number = desk.account()
    seq = desk.audit_count()
    for who in ("tester", "adam"):  # admins manage users, not client data
        with pytest.raises(NotPermitted):
            desk.ws[who].accounts.reveal_tax_id(number)
    assert desk.audit_count() == seq


def test_unknown_account(desk: Desk) -> None:
    with pytest.raises(DeskError, match="no such account"):
        desk.ws["carl"].accounts.request_amend("NYC-9999", {"name": "X"}, "r")
    with pytest.raises(DeskError, match="no such account"):
        desk.ws["carl"].history.account_history("NYC-9999")


def test_open_validates_and_refuses_an_existing_number(desk: Desk) -> None:
    carl = desk.ws["carl"].accounts
    number = desk.account()
    fields = {"name": "X", "registration_type": "ira", "registered_rep": "RR01"}
    with pytest.raises(ValidationError, match="already an account"):
        carl.request_open(number, fields, "r")
    with pytest.raises(ValidationError, match="account_number"):
        carl.request_open("bad", fields, "r")
    with pytest.raises(ValidationError, match="registered_rep"):
        carl.request_open(desk.next_number(), {"name": "X", "registration_type": "ira"}, "r")
    with pytest.raises(ValidationError, match="status"):
        carl.request_amend(number, {"status": "closed"}, "r")  # not amendable: use a request
    assert desk.admin.approvals.requests(status=ApprovalStatus.PENDING).count() == 0


def test_status_request_follows_the_state_machine(desk: Desk) -> None:
    number = desk.account()
    with pytest.raises(IllegalTransition):
        desk.ws["carl"].accounts.request_status(number, "open", "r")


def test_approved_open_refused_if_the_number_was_taken_meanwhile(desk: Desk) -> None:
    number = desk.next_number()
    request_id = desk.ws["carl"].accounts.request_open(
        number, {"name": "X", "registration_type": "ira", "registered_rep": "RR01"}, "r",
        [owner("X")],
    )  # fmt: skip
    desk.account(number)
    with pytest.raises(DeskError, match="opened meanwhile"):
        approve(desk, request_id)
    assert desk.account_row(number)["name"] == f"Client {number}"


def test_history_of_a_deleted_record(desk: Desk) -> None:
    sue, sam = desk.ws["sue"], desk.ws["sam"]
    day = {"calendar_code": "US", "day": "2030-01-02"}
    for state, why in (("closed", "storm"), ("open", "storm passed")):
        values = {**day, "settlement_day": state, "reason": why}
        sam.approvals.approve(sue.rules.request(RuleKind.OVERRIDE, values, why))
    [created] = [e for e in desk.audit_entries() if e.table_name == "calendar_overrides"][:1]
    record_id = created.record_id
    with sue.uow.read() as session:
        row = session.get(m.CalendarOverride, int(record_id))
        assert row is not None
        latest = audit.snapshot(row)
    sam.approvals.approve(sue.rules.request_removal(day, "not needed"))
    history = sue.history.history("calendar_overrides", record_id)
    assert [c.change for c in history.changes] == ["create", "update", "delete"]
    assert history.versions[0] is None and history.versions[-1] is None
    assert history.versions[2] == latest
    assert history.versions[1] == history.changes[0].after
    with pytest.raises(DeskError, match="no such kind of record"):
        sue.history.history("nonsense", 1)


def test_history_notices_a_change_made_outside_desk(desk: Desk) -> None:
    """Past versions come from the trail alone; a row edited behind Desk's back shows."""
    number = desk.account(residence_state="NY")
    history = desk.ws["carl"].history.account_history(number)
    assert history.changed_outside is False
    with desk.admin.engine.begin() as conn:  # someone with the database, not through Desk
        conn.execute(
            text("UPDATE accounts SET residence_state = 'TX' WHERE account_number = :n"),
            {"n": number},
        )
    history = desk.ws["carl"].history.account_history(number)
    assert history.changed_outside is True
    assert all(v is None or v["residence_state"] == "NY" for v in history.versions)


def test_an_account_opens_and_closes_on_new_yorks_business_date(desk: Desk) -> None:
    """At 21:30 in New York UTC is a day ahead: the account still opens that day, so a
    trade dated today in New York is not before the account was opened."""
    sue = desk.ws["sue"]
    monday = date(2026, 12, 7)
    AccountService(sue.uow, sue.approvals, today=lambda: monday)  # the approver's clock
    number = desk.next_number()
    fields = {"name": "Ada Lovelace", "registration_type": "individual", "registered_rep": "R"}
    approve(desk, desk.ws["carl"].accounts.request_open(
        number, fields, "new client", [owner("Ada Lovelace")]
    ))  # fmt: skip
    row = desk.account_row(number)
    assert row is not None and row["opened_on"] == "2026-12-07"
    approve(desk, desk.ws["carl"].accounts.request_status(number, "closed", "client left"))
    row = desk.account_row(number)
    assert row is not None and row["closed_on"] == "2026-12-07"
