"""Signing in: the first user is admin, unknown and deactivated users are refused, passwords,
and a database login that is a person cannot act as anyone else."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from desk_app.db import models as m
from desk_app.domain.codes import Role
from desk_app.domain.errors import NotPermitted
from desk_app.domain.supervision import Registration
from desk_app.services.actor import PasswordRequired, database_login
from desk_app.services.workspace import Workspace, open_workspace

if TYPE_CHECKING:
    from tests.services.conftest import Desk


def test_first_user_on_a_new_database_becomes_admin(workspace: Workspace) -> None:
    assert workspace.user.username == "tester"
    assert workspace.user.roles == {Role.ADMIN}
    [user] = workspace.users.users()
    assert (user.username, user.roles, user.active) == ("tester", {Role.ADMIN}, True)
    with workspace.uow.read() as session:
        entry = session.get(m.AuditEntry, 1)
        assert entry is not None
        assert (entry.action, entry.change, entry.table_name, entry.app_user) == (
            "user.bootstrap_admin", "create", "users", "tester",
        )  # fmt: skip
    assert workspace.history.verify().intact


def test_the_second_name_is_not_made_admin(workspace: Workspace) -> None:
    with pytest.raises(NotPermitted) as refused:
        open_workspace(workspace.url, "bob")
    assert "bob is not a Desk user" in str(refused.value)
    assert "desk-app user add bob --role clerk" in str(refused.value)
    assert [u.username for u in workspace.users.users()] == ["tester"]


def test_sign_in_ignores_case_and_reopens_as_the_same_user(workspace: Workspace) -> None:
    with open_workspace(workspace.url, "TESTER") as again:
        assert again.user.username == "tester"
        assert again.user.roles == {Role.ADMIN}


def test_deactivated_user_is_refused(desk: Desk) -> None:
    desk.admin.users.update("sam", desk.admin.users.get("sam").version, active=False)
    with pytest.raises(NotPermitted, match="sam is deactivated"):
        open_workspace(desk.url, "sam")


def test_app_password_is_required_and_checked(desk: Desk) -> None:
    desk.admin.users.set_password("carl", "correct horse battery")
    with pytest.raises(PasswordRequired) as missing:
        open_workspace(desk.url, "carl")
    assert (missing.value.username, missing.value.wrong) == ("carl", False)
    with pytest.raises(PasswordRequired) as wrong:
        open_workspace(desk.url, "carl", password="incorrect horse")
    assert (wrong.value.username, wrong.value.wrong) == ("carl", True)
    assert "not right" in str(wrong.value)
    with open_workspace(desk.url, "carl", password="correct horse battery") as ws:
        assert ws.user.username == "carl" and ws.user.has_password


def test_database_login_is_session_user_on_postgresql(desk: Desk) -> None:
    login = database_login(desk.admin.engine)
    assert desk.admin.user.db_login == login
    if desk.engine_name == "postgresql":
        with desk.admin.engine.connect() as conn:
            assert login == conn.execute(text("SELECT session_user")).scalar_one()


def test_a_login_that_is_a_person_cannot_act_as_someone_else(desk: Desk) -> None:
    """On PostgreSQL the session user; on a local file the OS login: both are this person."""
    login = database_login(desk.admin.engine)
    desk.admin.users.add("me", {Role.CLERK}, db_login=login)
    with pytest.raises(NotPermitted, match="you cannot act as carl"):
        open_workspace(desk.url, "carl")
    with pytest.raises(NotPermitted, match="is the Desk user me"):
        open_workspace(desk.url, "tester")
    with open_workspace(desk.url, "me") as ws:
        assert (ws.user.username, ws.user.db_login) == ("me", login)
    with open_workspace(desk.url, login) as ws:  # the login's own name means its person
        assert ws.user.username == "me"
    desk.admin.users.update("me", desk.admin.users.get("me").version, db_login="")
    with open_workspace(desk.url, "carl") as ws:
        assert ws.user.username == "carl"


def test_an_open_window_loses_rights_taken_away_meanwhile(desk: Desk) -> None:
    """Rights are checked against the user as stored now, not as they were at sign-in."""
    users = desk.admin.users
    sue, sam, carl = desk.ws["sue"], desk.ws["sam"], desk.ws["carl"]
    number = desk.account()
    request = carl.accounts.request_status(number, "restricted", "margin")
    lapsed = Registration("S24", date(2020, 1, 1), date.today() - timedelta(days=1))
    users.update("sue", users.get("sue").version, registrations=[lapsed])
    with pytest.raises(NotPermitted, match="no principal registration in force"):
        sue.approvals.approve(request)
    users.update("sam", users.get("sam").version, roles={Role.CLERK})
    with pytest.raises(NotPermitted, match="needs the supervisor role"):
        sam.approvals.approve(request)
    with pytest.raises(NotPermitted):
        sam.calendar.set_override("US", date(2030, 1, 2), False, "x")
    users.update("carl", users.get("carl").version, active=False)
    seq = desk.audit_count()
    with pytest.raises(NotPermitted, match="no longer an active Desk user"):
        carl.approvals.withdraw(request)
    with pytest.raises(NotPermitted, match="no longer an active Desk user"):
        carl.accounts.reveal_tax_id(number)
    assert desk.audit_count() == seq
    assert desk.request(request).status.value == "pending"


def test_a_user_with_a_login_signs_in_only_through_it(desk: Desk) -> None:
    """Otherwise anyone connected to the database could claim a supervisor's name."""
    desk.admin.users.update("sue", desk.admin.users.get("sue").version, db_login="sue_pg")
    login = database_login(desk.admin.engine)
    with pytest.raises(NotPermitted, match=f"through the database login sue_pg; .* as {login}"):
        open_workspace(desk.url, "sue")
    assert desk.open("sam").user.username == "sam"  # users without a login are unaffected
