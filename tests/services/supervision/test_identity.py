"""Signing in: the first user is admin, unknown and deactivated users are refused, passwords,
and a database login that is a person cannot act as anyone else."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from desk_app.db import models as m
from desk_app.domain.codes import Role
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import NotPermitted
from desk_app.domain.supervision import Registration
from desk_app.services.actor import PasswordRequired, Proof, database_login
from desk_app.services.workspace import Workspace, open_workspace
from tests.conftest import pg_login_url
from tests.services.conftest import STAFF_PASSWORD

S24_TEST = Registration("S24", date(2020, 1, 1))

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
    if workspace.is_shared:  # the login is the admin: it cannot be anyone else
        with pytest.raises(NotPermitted, match="you cannot act as bob"):
            open_workspace(workspace.url, "bob")
    else:
        with pytest.raises(NotPermitted) as refused:
            open_workspace(workspace.url, "bob")
        assert "bob is not a Desk user" in str(refused.value)
        assert "desk-app user add bob --role clerk" in str(refused.value)
    assert [u.username for u in workspace.users.users()] == ["tester"]


def test_the_first_user_is_recorded_as_the_login_that_opened_the_database(
    workspace: Workspace,
) -> None:
    login = database_login(workspace.engine)
    [user] = workspace.users.users()
    assert (user.db_login or user.username) == login
    assert workspace.user.proof is (Proof.DATABASE_LOGIN if workspace.is_shared
                                    else Proof.COMPUTER_LOGIN)  # fmt: skip


def test_sign_in_ignores_case_and_reopens_as_the_same_user(workspace: Workspace) -> None:
    with open_workspace(workspace.url, "TESTER") as again:
        assert again.user.username == "tester"
        assert again.user.roles == {Role.ADMIN}


def test_deactivated_user_is_refused(desk: Desk) -> None:
    desk.admin.users.update("sam", desk.admin.users.get("sam").version, active=False)
    with pytest.raises(NotPermitted, match="sam is deactivated"):
        desk.open("sam")


def test_app_password_is_required_and_checked(desk: Desk) -> None:
    """A Desk password, where a user has one, is asked for on either engine."""
    desk.grant(desk.admin.users.set_password("carl", "correct horse battery"))
    url = desk.url_of("carl")
    with pytest.raises(PasswordRequired) as missing:
        open_workspace(url, "carl")
    assert (missing.value.username, missing.value.wrong) == ("carl", False)
    with pytest.raises(PasswordRequired) as wrong:
        open_workspace(url, "carl", password="incorrect horse")
    assert (wrong.value.username, wrong.value.wrong) == ("carl", True)
    assert "not right" in str(wrong.value)
    with open_workspace(url, "carl", password="correct horse battery") as ws:
        assert ws.user.username == "carl" and ws.user.has_password
        assert ws.user.credentialed


def test_a_name_is_not_an_identity_on_a_local_file(sqlite_url: str) -> None:
    """Acting as anyone but the computer's login needs their password; without one, nobody can."""
    with open_workspace(sqlite_url, "tester") as admin:
        admin.users.add("nopass", {Role.SUPERVISOR})
        admin.users.add("withpass", {Role.CLERK}, password="a long enough one")
    with pytest.raises(NotPermitted, match="nopass has no Desk password"):
        open_workspace(sqlite_url, "nopass")
    with pytest.raises(PasswordRequired):
        open_workspace(sqlite_url, "withpass")
    with open_workspace(sqlite_url, "withpass", password="a long enough one") as ws:
        assert ws.user.proof is Proof.PASSWORD and ws.user.credentialed
    with open_workspace(sqlite_url, "tester") as ws:  # the computer's own login
        assert ws.user.proof is Proof.COMPUTER_LOGIN and not ws.user.credentialed


def test_a_login_that_is_no_user_is_refused_on_postgresql(pg_url: str) -> None:
    """On PostgreSQL the login decides who you are; an unmapped login is nobody."""
    with open_workspace(pg_url, "tester") as admin:
        admin.users.add("sue", {Role.SUPERVISOR}, registrations=[S24_TEST])
    _, stranger = pg_login_url(pg_url, "stranger")
    for name in ("sue", "tester", "stranger"):
        with pytest.raises(NotPermitted, match="which is no Desk user's login"):
            open_workspace(stranger, name)


def test_database_login_is_session_user_on_postgresql(desk: Desk) -> None:
    login = database_login(desk.admin.engine)
    assert desk.admin.user.db_login == login
    if desk.engine_name == "postgresql":
        with desk.admin.engine.connect() as conn:
            assert login == conn.execute(text("SELECT session_user")).scalar_one()


def test_a_login_that_is_a_person_cannot_act_as_someone_else(desk: Desk) -> None:
    """On PostgreSQL the session user; on a local file the OS login: both are this person."""
    url = desk.url_of("carl")
    login = desk.ws["carl"].user.db_login if desk.shared else database_login(desk.admin.engine)
    if desk.shared:
        with pytest.raises(NotPermitted, match="who is the Desk user carl; you cannot act as sue"):
            open_workspace(url, "sue")
        with pytest.raises(NotPermitted, match="you cannot act as sue"):
            open_workspace(url, "sue", password=STAFF_PASSWORD)
        with open_workspace(url, login) as ws:  # the login's own name means its person
            assert ws.user.username == "carl"
    else:  # the computer login is tester; acting as sue needs sue's own password
        with pytest.raises(PasswordRequired):
            open_workspace(url, "sue")
        with pytest.raises(PasswordRequired):
            open_workspace(url, "sue", password="not sue's")
        with open_workspace(url, login) as ws:
            assert ws.user.username == "tester"


def test_an_open_window_loses_rights_taken_away_meanwhile(desk: Desk) -> None:
    """Rights are checked against the user as stored now, not as they were at sign-in."""
    users = desk.admin.users
    desk.add_user("pia", {Role.SUPERVISOR}, [S24_TEST])  # somebody keeps approving grants
    sue, sam, carl = desk.ws["sue"], desk.ws["sam"], desk.ws["carl"]
    number = desk.account()
    request = carl.accounts.request_status(number, "closed", "margin")
    lapsed = Registration("S24", date(2020, 1, 1), market_today() - timedelta(days=1))
    users.update("sue", users.get("sue").version, registrations=[lapsed])
    with pytest.raises(NotPermitted, match="no principal registration in force"):
        sue.approvals.approve(request)
    users.update("sam", users.get("sam").version, roles={Role.CLERK})
    with pytest.raises(NotPermitted, match="needs the supervisor role"):
        sam.approvals.approve(request)
    with pytest.raises(NotPermitted):
        sam.approvals.reject(request, "x")
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
    desk.grant(
        desk.admin.users.update(
            "sue", desk.admin.users.get("sue").version, db_login="sue_pg"
        ).request_id
    )
    if desk.shared:
        with pytest.raises(NotPermitted, match="is the Desk user tester; you cannot act as sue"):
            open_workspace(desk.url, "sue")
    else:  # not this computer's login: sue proves it with her password, as before
        with pytest.raises(PasswordRequired):
            open_workspace(desk.url, "sue")
    assert desk.open("sam").user.username == "sam"  # users without a login are unaffected
