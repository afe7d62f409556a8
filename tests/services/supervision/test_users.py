"""Managing users (admins only), and every service write refused without its permission."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import pytest

from desk_app.domain.codes import Role
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import NotPermitted, StaleRecord, ValidationError
from desk_app.domain.rule_changes import RuleKind
from desk_app.domain.states import ApprovalStatus
from desk_app.domain.supervision import Registration
from desk_app.services.supervision.users import parse_registration, parse_roles
from desk_app.services.workspace import Workspace
from tests.services.conftest import STAFF_PASSWORD

if TYPE_CHECKING:
    from tests.services.conftest import Desk

S24 = Registration("S24", date(2020, 1, 1))


def test_admin_adds_a_user_with_roles_and_registrations(desk: Desk) -> None:
    change = desk.admin.users.add(
        "  pat ", {Role.CLERK, Role.SUPERVISOR}, full_name=" Pat Doe ",
        registrations=[S24, Registration("S7", date(2019, 5, 1), date(2024, 1, 1))],
        password=STAFF_PASSWORD,
    )  # fmt: skip
    assert change.view is None and change.request_id is not None  # a grant: not yet a user
    assert "pat" not in {u.username for u in desk.admin.users.users()}
    assert desk.grant(change.request_id) == "sue"
    view = desk.admin.users.get("pat")
    assert (view.username, view.full_name, view.role_text, view.active) == (
        "pat", "Pat Doe", "clerk, supervisor", True,
    )  # fmt: skip
    assert view.registration_text == "S7 (to 2024-01-01), S24"
    assert desk.admin.users.get("PAT") == view
    pat = desk.open("Pat")
    assert pat.user.username == "pat"
    assert pat.user.registrations == view.registrations


@pytest.mark.parametrize(
    ("name", "error"),
    [("x", "username"), ("1abc", "username"), ("a b", "username"), ("CARL", "already a user")],
)
def test_add_refuses_bad_or_taken_names(desk: Desk, name: str, error: str) -> None:
    seq = desk.audit_count()
    with pytest.raises(ValidationError, match=error):
        desk.admin.users.add(name, {Role.CLERK})
    assert desk.audit_count() == seq


def test_add_refuses_no_role_short_password_and_a_taken_login(desk: Desk) -> None:
    users = desk.admin.users
    with pytest.raises(ValidationError, match="role"):
        users.add("norole", set())
    with pytest.raises(ValidationError, match="password"):
        users.add("shortpw", {Role.CLERK}, password="short")
    desk.grant(users.add("withlogin", {Role.CLERK}, db_login="jdoe").request_id)
    with pytest.raises(ValidationError, match="withlogin's login"):
        users.add("other", {Role.CLERK}, db_login="jdoe")
    names = {u.username for u in users.users()}
    assert not names & {"norole", "shortpw", "other"}


def test_who_may_see_the_user_list(desk: Desk) -> None:
    for who in ("tester", "sue", "cora"):
        assert "carl" in {u.username for u in desk.ws[who].users.users()}
    with pytest.raises(NotPermitted):
        desk.ws["carl"].users.users()


def test_update_is_checked_against_the_version_seen(desk: Desk) -> None:
    view = desk.admin.users.get("carl")
    changed = desk.admin.users.update("carl", view.version, full_name="Carl Clerk").view
    assert changed is not None and changed.version == view.version + 1
    with pytest.raises(StaleRecord, match="changed by someone else"):
        desk.ws["adam"].users.update("carl", view.version, roles={Role.SUPERVISOR})
    assert desk.admin.users.get("carl").roles == {Role.CLERK}


def test_the_last_active_admin_stays(desk: Desk) -> None:
    users, adam = desk.admin.users, desk.ws["adam"].users
    with pytest.raises(NotPermitted, match="cannot deactivate yourself"):
        users.update("tester", users.get("tester").version, active=False)
    desk.grant(  # a new role is a grant: adam files it, a principal approves
        adam.update(
            "tester", adam.get("tester").version, roles={Role.ADMIN, Role.COMPLIANCE}
        ).request_id
    )
    users.update("adam", users.get("adam").version, active=False)
    with pytest.raises(NotPermitted, match="last active admin"):
        users.update("tester", users.get("tester").version, roles={Role.COMPLIANCE})
    assert users.get("tester").roles == {Role.ADMIN, Role.COMPLIANCE}
    back = users.update("adam", users.get("adam").version, active=True)  # an admin again: a grant
    assert back.request_id is not None and not users.get("adam").active
    desk.grant(back.request_id)
    users.update("tester", users.get("tester").version, roles={Role.COMPLIANCE})  # dropping one
    with pytest.raises(NotPermitted, match="cannot deactivate yourself"):
        adam.update("adam", adam.get("adam").version, active=False)


def test_nobody_grants_themselves_a_role_or_a_registration(desk: Desk) -> None:
    """Separation of duties: an admin cannot make themselves a supervisor who approves."""
    adam = desk.ws["adam"].users
    principal = [Registration("S24", date(2020, 1, 1))]
    with pytest.raises(NotPermitted, match="another admin must give you a new role"):
        adam.update("adam", adam.get("adam").version, roles={Role.ADMIN, Role.SUPERVISOR})
    with pytest.raises(NotPermitted, match="your own registrations"):
        adam.update("adam", adam.get("adam").version, registrations=principal)
    assert adam.get("adam").roles == {Role.ADMIN}
    users = desk.admin.users  # another admin may ask; a principal approves
    change = users.update("adam", users.get("adam").version, roles={Role.ADMIN, Role.SUPERVISOR},
                          registrations=principal)  # fmt: skip
    assert adam.get("adam").roles == {Role.ADMIN}
    desk.grant(change.request_id)
    assert adam.get("adam").roles == {Role.ADMIN, Role.SUPERVISOR}


def test_deactivated_user_cannot_sign_in(desk: Desk) -> None:
    desk.admin.users.update("carl", desk.admin.users.get("carl").version, active=False)
    with pytest.raises(NotPermitted, match="deactivated"):
        desk.open("carl")


def test_registrations_are_replaced_audited_and_version_the_user(desk: Desk) -> None:
    users = desk.admin.users
    lapse = Registration("S24", date(2020, 1, 1), date(2024, 6, 30))
    s9 = Registration("S9", date(2024, 7, 1))
    seq, version = desk.audit_count(), users.get("sue").version
    change = users.update("sue", version, registrations=[s9, lapse])  # S9 is new: a grant
    assert users.get("sue").version == version
    assert desk.grant(change.request_id) == "sam"  # never sue herself
    view = users.get("sue")
    assert view.registrations == (lapse, s9)
    assert view.version == version + 1
    first = {
        (e.change, e.table_name, e.action) for e in desk.audit_entries(seq)
        if e.table_name in ("users", "user_registrations")
    }  # fmt: skip
    assert first == {
        ("update", "user_registrations", "user.grant"), ("create", "user_registrations",
        "user.grant"), ("update", "users", "user.grant"),
    }  # fmt: skip
    with pytest.raises(StaleRecord):
        users.update("sue", version, registrations=[S24])
    seq = desk.audit_count()
    view = users.update("sue", view.version, registrations=[s9]).view  # ending one: direct
    assert view is not None and view.registrations == (s9,)
    entries = desk.audit_entries(seq)
    assert {(e.change, e.table_name) for e in entries} == {
        ("delete", "user_registrations"), ("update", "users"),
    }  # fmt: skip
    [gone] = [e for e in entries if e.change == "delete"]
    assert json.loads(gone.before or "")["effective_to"] == "2024-06-30"
    seq = desk.audit_count()
    users.update("sue", view.version, registrations=[s9])  # no change: no entry
    assert desk.audit_count() == seq
    assert desk.admin.history.verify().intact
    desk.open("sue").approvals.approve(_request(desk))  # S9 is a principal's too
    users.update("sue", users.get("sue").version, registrations=[lapse])  # lapsed: no power
    with pytest.raises(NotPermitted, match="no principal registration"):
        desk.open("sue").approvals.approve(_request(desk))
    users.update("sue", users.get("sue").version, registrations=[])
    assert desk.open("sue").user.registrations == ()


def _request(desk: Desk) -> int:
    return desk.ws["carl"].accounts.request_status(desk.account(), "closed", "r")


def test_app_passwords(desk: Desk) -> None:
    users = desk.admin.users
    desk.grant(users.set_password("carl", "carl's long password"))
    carl = desk.open("carl", password="carl's long password")
    assert carl.user.has_password
    assert carl.users.check_password("carl's long password")
    assert not carl.users.check_password("nope")
    with pytest.raises(NotPermitted, match="current password"):
        carl.users.set_password("carl", "another long one", current="wrong")
    carl.users.set_password("carl", "another long one", current="carl's long password")
    with pytest.raises(NotPermitted):
        carl.users.set_password("sue", "sue's new password")
    with pytest.raises(ValidationError, match="password"):
        users.set_password("carl", "short")
    desk.grant(users.set_password("carl", None))
    if desk.shared:  # their database login still proves who they are
        assert not desk.open("carl").user.has_password
    else:  # nothing is left to prove it: carl is not this computer's login
        with pytest.raises(NotPermitted, match="carl has no Desk password"):
            desk.open("carl")
    entries = [
        e for e in desk.audit_entries()
        if e.table_name == "users" and "password_hash" in json.loads(e.after or "{}")
    ]  # fmt: skip
    assert [e.action for e in entries[-3:]] == ["user.grant", "user.set_password", "user.grant"]
    for entry in desk.audit_entries():  # neither a user's hash nor a granted one's
        assert "argon2" not in (entry.after or "") + (entry.before or "")


def test_parse_roles_and_registrations() -> None:
    assert parse_roles([" Clerk", "SUPERVISOR"]) == {Role.CLERK, Role.SUPERVISOR}
    with pytest.raises(ValidationError, match="role"):
        parse_roles(["boss"])
    with pytest.raises(ValidationError):
        parse_roles([])
    assert parse_registration("s24:2019-03-01") == Registration("S24", date(2019, 3, 1))
    assert parse_registration("Series 9:2019-03-01:2020-01-01") == Registration(
        "S9", date(2019, 3, 1), date(2020, 1, 1)
    )
    assert parse_registration("S7").effective_from == market_today()
    for bad in ("S1234", "S24:2019-13-01", "S24:2020-01-01:2019-01-01"):
        with pytest.raises(ValidationError):
            parse_registration(bad)


# -- every service write checks its permission ---------------------------------------------

WRITES: dict[str, tuple[tuple[str, ...], Callable[[Workspace, Desk], object]]] = {
    "rules request": (
        ("tester", "adam"),
        lambda ws, d: ws.rules.request(
            RuleKind.FAIL_RULE, {"code": "REGSHO-LONG", "days": "2"}, "x"
        ),
    ),
    "user add": (("carl", "sue", "cora"), lambda ws, d: ws.users.add("newbie", {Role.CLERK})),
    "user update": (
        ("carl", "sue", "cora"),
        lambda ws, d: ws.users.update("carl", 1, roles={Role.ADMIN}),
    ),
    "other's password": (
        ("carl", "sue", "cora"), lambda ws, d: ws.users.set_password("sam", "a long password")
    ),
    "audit verify": (("carl", "sue"), lambda ws, d: ws.history.verify()),
    "reveal tax id": (("tester", "adam"), lambda ws, d: ws.accounts.reveal_tax_id(d.account())),
    "request amend": (
        ("tester", "cora"),
        lambda ws, d: ws.accounts.request_amend(d.account(), {"name": "X"}, "r"),
    ),
    "approve": (
        ("carl", "cora", "tester"),
        lambda ws, d: ws.approvals.approve(
            d.ws["carl"].accounts.request_status(d.account(), "closed", "r")
        ),
    ),
}  # fmt: skip


@pytest.mark.parametrize("what", WRITES)
def test_writes_without_permission_are_refused_and_store_nothing(desk: Desk, what: str) -> None:
    users_before = desk.admin.users.users()
    rules_before = desk.admin.rules.rows(RuleKind.FAIL_RULE)
    refused, write = WRITES[what]
    for who in refused:
        seq = desk.audit_count()
        with pytest.raises(NotPermitted):
            write(desk.ws[who], desk)
        made = [e.action for e in desk.audit_entries(seq)]
        assert set(made) <= {"test.setup", "approval.request"}, (what, who)
    assert desk.admin.users.users() == users_before
    assert desk.admin.rules.rows(RuleKind.FAIL_RULE) == rules_before
    pending = desk.admin.approvals.requests  # admin lacks view-all: sees own (none pending)
    assert pending(status=ApprovalStatus.PENDING).count() == 0


def test_a_clerk_reads_their_own_user_record_only(desk: Desk) -> None:
    carl = desk.ws["carl"]
    assert carl.users.get("CARL").username == "carl"
    with pytest.raises(NotPermitted, match="user list"):
        carl.users.get("sue")
    assert desk.ws["cora"].users.get("sue").username == "sue"  # compliance sees users
