"""Granting power is itself supervised: no single person, admin included, makes and checks.

The attack of the supervision review: an admin adds a clerk and a supervisor they
control and approves one's request as the other, or resets a supervisor's password
and acts as them. Each is played here through Desk's services, its command line and,
on PostgreSQL, the admin's own login in a SQL client.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from desk_app.cli import main
from desk_app.db import models as m
from desk_app.domain.codes import Role
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import NotPermitted
from desk_app.domain.power import PASSWORD_CLEARED, PASSWORD_SET
from desk_app.domain.states import ApprovalStatus
from desk_app.domain.supervision import Registration
from desk_app.services.actor import PasswordRequired
from desk_app.services.supervision.user_rows import BEFORE_PRINCIPAL, FIRST_PRINCIPAL
from desk_app.services.workspace import open_workspace
from tests.conftest import STAFF_PASSWORD, cli_as, pg_login_url
from tests.security.conftest import refused, sql_as

if TYPE_CHECKING:
    from tests.services.conftest import Desk

S24 = Registration("S24", date(2020, 1, 1))
NEW_PASSWORD = "a brand new password"


def _pending(desk: Desk, request_id: int | None) -> m.ApprovalRequest:
    assert request_id is not None
    row = desk.request(request_id)
    assert row.status is ApprovalStatus.PENDING and row.action == "user.grant"
    return row


def _names(desk: Desk) -> set[str]:
    return {u.username for u in desk.admin.users.users()}


# -- the services, on both engines -----------------------------------------------------------


def test_an_admin_cannot_make_a_puppet_approver(desk: Desk) -> None:
    """adam adds a clerk and a supervisor he controls: the supervisor is only a request."""
    adam = desk.ws["adam"]
    clerk = adam.users.add("puppetclerk", {Role.CLERK}).view  # no power: added at once
    assert clerk is not None
    sup = adam.users.add("puppetsup", {Role.SUPERVISOR}, registrations=[S24],
                         password=STAFF_PASSWORD)  # fmt: skip
    assert sup.view is None
    row = _pending(desk, sup.request_id)
    assert "puppetsup" not in _names(desk)
    assert row.password_hash and row.password_hash.startswith("$argon2")
    assert "argon2" not in row.proposal and STAFF_PASSWORD not in row.proposal
    for admin in ("adam", "tester"):  # neither maker nor any admin decides it
        with pytest.raises(NotPermitted):
            desk.ws[admin].approvals.approve(row.id, "mine")
    with pytest.raises(NotPermitted):
        open_workspace(desk.url, "puppetsup", password=STAFF_PASSWORD)
    assert _pending(desk, row.id)
    detail = desk.ws["sue"].approvals.detail(row.id)
    proposed = {f.field: f.proposed for f in detail.fields}
    assert proposed["roles"] == "supervisor" and proposed["password"] == PASSWORD_SET
    assert proposed["registrations"] == "S24 from 2020-01-01"
    desk.ws["sue"].approvals.reject(row.id, "who is this?")
    assert "puppetsup" not in _names(desk)


def test_a_grant_is_decided_by_neither_its_maker_nor_its_subject(desk: Desk) -> None:
    """adam, an admin who is also a principal, can approve neither his own grant nor one to him."""
    users = desk.admin.users
    desk.grant(users.update("adam", users.get("adam").version, roles={Role.ADMIN, Role.SUPERVISOR},
                            registrations=[S24]).request_id)  # fmt: skip
    adam = desk.open("adam")
    assert adam.users.get("adam").roles == {Role.ADMIN, Role.SUPERVISOR}
    own = adam.users.add("helper", {Role.SUPERVISOR}, registrations=[S24]).request_id
    with pytest.raises(NotPermitted, match="adam made this request"):
        adam.approvals.approve(_pending(desk, own).id)
    more = {Role.ADMIN, Role.SUPERVISOR, Role.COMPLIANCE}
    to_him = users.update("adam", users.get("adam").version, roles=more).request_id
    assert adam.approvals.detail(_pending(desk, to_him).id).decision_refusal is not None
    with pytest.raises(NotPermitted, match="nobody approves their own power"):
        adam.approvals.approve(to_him)
    with pytest.raises(NotPermitted):
        adam.users.update("adam", adam.users.get("adam").version,
                          roles={Role.ADMIN, Role.SUPERVISOR, Role.COMPLIANCE})  # fmt: skip
    assert desk.grant(to_him) == "sue"
    assert Role.COMPLIANCE in users.get("adam").roles


def test_an_admin_resetting_a_supervisors_password_is_a_request(desk: Desk) -> None:
    """Setting or clearing sue's password: filed, never decided by sue, applied when sam agrees."""
    users = desk.admin.users
    request = users.set_password("sue", NEW_PASSWORD)
    row = _pending(desk, request)
    assert NEW_PASSWORD not in row.proposal
    with pytest.raises(NotPermitted, match="nobody approves their own power"):
        desk.ws["sue"].approvals.approve(row.id)
    with pytest.raises(NotPermitted):  # its maker, and no principal
        desk.admin.approvals.approve(row.id, credential=STAFF_PASSWORD)
    if not desk.shared:  # the old password still proves sue; the new one does not yet
        with pytest.raises(PasswordRequired):
            open_workspace(desk.url, "sue", password=NEW_PASSWORD)
    assert desk.grant(row.id) == "sam"
    if not desk.shared:
        with open_workspace(desk.url, "sue", password=NEW_PASSWORD) as sue:
            assert sue.user.username == "sue"
    cleared = users.set_password("sue", None)
    detail = desk.ws["sam"].approvals.detail(_pending(desk, cleared).id)
    assert {f.field: f.proposed for f in detail.fields}["password"] == PASSWORD_CLEARED
    desk.grant(cleared)
    assert not users.get("sue").has_password


def test_compliance_decides_grants_and_a_grant_applies(desk: Desk) -> None:
    """A grant approved through Desk applies in full; a compliance principal may approve it."""
    users = desk.admin.users
    desk.grant(users.update("cora", users.get("cora").version, registrations=[S24]).request_id)
    filed = users.add("newsup", {Role.SUPERVISOR}, registrations=[S24], password=STAFF_PASSWORD,
                      reason="new desk head")  # fmt: skip
    assert _pending(desk, filed.request_id).reason == "new desk head"
    desk.ws["cora"].approvals.approve(filed.request_id, "checked her U4")
    newsup = desk.open("newsup")
    assert newsup.user.roles == {Role.SUPERVISOR} and newsup.user.registrations == (S24,)
    request = desk.ws["carl"].accounts.request_status(desk.account(), "closed", "hold")
    newsup.approvals.approve(request, "ok")
    with pytest.raises(NotPermitted, match="needs the supervisor role"):  # grants only
        desk.ws["cora"].approvals.approve(
            desk.ws["carl"].accounts.request_status(desk.account(), "closed", "hold")
        )


def test_the_last_principal_stays(desk: Desk) -> None:
    """Nobody removes, deactivates or lapses the last person who can approve grants."""
    users = desk.admin.users
    users.update("sam", users.get("sam").version, active=False)
    with pytest.raises(NotPermitted, match="last person who can approve grants"):
        users.update("sue", users.get("sue").version, active=False)
    with pytest.raises(NotPermitted, match="last person who can approve grants"):
        users.update("sue", users.get("sue").version, roles={Role.CLERK})
    ended = Registration("S24", S24.effective_from, market_today() - timedelta(days=1))
    with pytest.raises(NotPermitted, match="last person who can approve grants"):
        users.update("sue", users.get("sue").version, registrations=[ended])
    assert users.get("sue").active and users.get("sue").roles == {Role.SUPERVISOR}
    back = users.update("sam", users.get("sam").version, active=True)  # power again: a grant
    assert not users.get("sam").active
    desk.grant(back.request_id)
    users.update("sue", users.get("sue").version, registrations=[ended])  # now she may lapse


def test_the_first_principal_is_recorded_once(db_url: str) -> None:
    """Before any principal, grants apply at once; the first principal closes that for good."""
    with open_workspace(db_url, "tester") as admin:
        shared = admin.is_shared

        def login(name: str) -> dict[str, str]:
            if shared:
                return {"db_login": pg_login_url(db_url, name)[0]}
            return {"password": STAFF_PASSWORD}

        clerk = admin.users.add("carl", {Role.CLERK}, **login("carl"))
        assert clerk.applied_as == BEFORE_PRINCIPAL and clerk.request_id is None
        first = admin.users.add("sue", {Role.SUPERVISOR}, registrations=[S24], **login("sue"))
        assert first.applied_as == FIRST_PRINCIPAL and first.view is not None
        second = admin.users.add("sam", {Role.SUPERVISOR}, registrations=[S24], **login("sam"))
        assert second.request_id is not None and second.view is None
        with admin.uow.read() as session:
            marker = session.get(m.FirstPrincipal, 1)
            assert marker is not None and (marker.username, marker.recorded_by) == ("sue", "tester")
            actions = set(session.scalars(select(m.AuditEntry.action)))
        assert {FIRST_PRINCIPAL, BEFORE_PRINCIPAL} <= actions
        # Every principal lapses behind Desk's back (the owner's SQL): still no shortcut.
        with admin.engine.begin() as conn:
            conn.execute(text("UPDATE user_registrations SET effective_to = '2021-01-01'"))
            conn.execute(text("UPDATE users SET active = false WHERE username = 'sue'"))
        third = admin.users.add("pam", {Role.SUPERVISOR}, registrations=[S24], **login("pam"))
        assert third.request_id is not None and third.applied_as is None
        for statement in ("DELETE FROM first_principal", "UPDATE first_principal SET id = 2"):
            with pytest.raises(DBAPIError), admin.engine.begin() as conn:
                conn.execute(text(statement))


# -- the command line ------------------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("staff_password")
def test_the_puppet_attack_through_the_cli(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    adam, tester = cli_as(desk.url, "adam"), cli_as(desk.url, "tester")
    login = ("--db-login", pg_login_url(desk.url, "puppetsup")[0]) if desk.shared else ()
    code, out, err = _cli(capsys, *adam, "user", "add", "puppetsup", "--role", "supervisor",
                          "--registration", "S24:2020-01-01", "--password-prompt",
                          *login)  # fmt: skip
    assert code == 0, err
    request = out.strip().splitlines()[-1]
    assert f"request {request}" in err and "another principal" in err
    assert "puppetsup" not in _names(desk)
    for who in (adam, tester):
        code, _, err = _cli(capsys, *who, "approvals", "approve", request)
        assert code == 1 and err
    code, out, err = _cli(capsys, *tester, "user", "password", "sue")
    assert code == 0, err
    reset = out.strip().splitlines()[-1]
    code, _, err = _cli(capsys, *cli_as(desk.url, "sue"), "approvals", "approve", reset)
    assert code == 1 and "nobody approves their own power" in err
    code, _, err = _cli(capsys, *cli_as(desk.url, "sam"), "approvals", "approve", reset)
    assert code == 0, err
    assert desk.request(int(reset)).status is ApprovalStatus.APPROVED


def test_a_user_who_cannot_sign_in_is_pointed_to_a_password(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(capsys, "--db", sqlite_url, "user", "add", "jdoe",
                          "--role", "clerk")  # fmt: skip
    assert code == 0 and out.strip().splitlines()[-1] == "jdoe"
    assert "--password-prompt" in err and "cannot sign in" in err


# -- PostgreSQL: the admin's own login in a SQL client ---------------------------------------


def test_the_database_refuses_each_statement_of_the_attack(pg_desk: Desk) -> None:
    """adam is in desk_admin: he may add and change users, but give power to nobody."""
    ids = {u: pg_desk.admin.users.get(u) for u in ("carl", "sue", "sam")}
    assert ids
    with sql_as(pg_desk, "adam") as conn:
        user = "(username, full_name, roles, active, created_at, version, updated_at"
        reason = refused(conn, f"INSERT INTO users {user}) VALUES ('puppetsup', 'P', "
                                "'supervisor', true, now(), 1, now())")  # fmt: skip
        assert "needs a user.grant request" in reason
        refused(conn, f"INSERT INTO users {user}, password_hash) VALUES ('puppetclerk', 'P', "
                       "'clerk', true, now(), 1, now(), 'x')")  # fmt: skip
        refused(conn, "UPDATE users SET roles = 'clerk,supervisor' WHERE username = 'carl'")
        carl = conn.execute(text("SELECT id FROM users WHERE username = 'carl'")).scalar_one()
        reason = refused(
            conn,
            "INSERT INTO user_registrations (user_id, series, effective_from, version, "
            "updated_at) VALUES (:i, 'S24', '2020-01-01', 1, now())",
            i=carl,
        )
        assert "registration" in reason
        refused(conn, "UPDATE users SET password_hash = 'x' WHERE username = 'sue'")
        refused(conn, "UPDATE users SET db_login = 'somebody' WHERE username = 'sue'")
        refused(conn, "UPDATE users SET db_login = NULL WHERE username = 'sue'")
        refused(conn, "UPDATE users SET username = 'sue2' WHERE username = 'sue'")
        conn.execute(text("UPDATE users SET active = false WHERE username = 'sam'"))  # may
        refused(conn, "UPDATE users SET active = true WHERE username = 'sam'")
        refused(conn, "DELETE FROM first_principal")
        refused(conn, "UPDATE first_principal SET username = 'adam'")
    assert pg_desk.admin.users.get("carl").roles == {Role.CLERK}
    assert not pg_desk.admin.users.get("sam").active


def test_the_database_applies_only_what_was_approved(pg_desk: Desk) -> None:
    """A principal deciding in SQL may write exactly the approved grant, and no more."""
    request = pg_desk.admin.users.set_password("carl", NEW_PASSWORD)
    assert request is not None
    decide = ("UPDATE approval_requests SET status = 'approved', decided_by = :who, "
              "decided_at = now() WHERE id = :i")  # fmt: skip
    with sql_as(pg_desk, "carl") as conn:  # the subject's own login
        reason = refused(conn, decide, who="carl", i=request)
        assert "not a supervisor" in reason or "never decided by them" in reason
    engine = create_engine(pg_desk.url_of("sam"))
    try:
        with engine.connect() as conn:
            tx = conn.begin()
            conn.execute(text(decide), {"who": "sam", "i": request})
            reason = refused(conn, "UPDATE users SET roles = 'admin,clerk' WHERE username = 'carl'")
            assert f"not what request {request} approved" in reason
            tx.rollback()
            with conn.begin():  # decided and applied exactly: accepted
                conn.execute(text(decide), {"who": "sam", "i": request})
                conn.execute(
                    text(
                        "UPDATE users SET password_hash = (SELECT password_hash FROM "
                        "approval_requests WHERE id = :i) WHERE username = 'carl'"
                    ),
                    {"i": request},
                )
            tx = conn.begin()  # a later transaction holds no approval
            reason = refused(conn, "UPDATE users SET password_hash = 'x' WHERE username = 'carl'")
            assert "may not change the user carl" in reason
            tx.rollback()
    finally:
        engine.dispose()
    assert pg_desk.admin.users.get("carl").has_password
    assert pg_desk.request(request).decided_by == "sam"


def test_a_grant_is_never_decided_through_its_subjects_login(pg_desk: Desk) -> None:
    users = pg_desk.admin.users
    request = users.update("sue", users.get("sue").version, registrations=[
        S24, Registration("S9", date(2021, 1, 1))]).request_id  # fmt: skip
    with sql_as(pg_desk, "sue") as conn:
        reason = refused(
            conn,
            "UPDATE approval_requests SET status = 'approved', decided_by = 'sue', "
            "decided_at = now() WHERE id = :i",
            i=request,
        )
    assert "never decided by them" in reason
    assert _pending(pg_desk, request)


def test_a_database_with_principals_but_no_record_records_its_earliest(desk: Desk) -> None:
    """As a database upgraded with principals in it: the next change to a user records one."""
    with desk.admin.engine.begin() as conn:  # the owner, behind Desk's back
        if desk.shared:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER first_principal_no_delete"))
        conn.execute(text("DELETE FROM first_principal"))
    carl = desk.ws["carl"]  # an ordinary change: their own password, through their own login
    current = STAFF_PASSWORD if carl.user.has_password else None
    carl.users.set_password("carl", NEW_PASSWORD, current=current)
    with desk.admin.uow.read() as session:
        marker = session.get(m.FirstPrincipal, 1)
        assert marker is not None and (marker.username, marker.recorded_by) == ("sue", "carl")
    filed = desk.admin.users.add("late", {Role.SUPERVISOR}, registrations=[S24])
    assert filed.request_id is not None  # never a shortcut
