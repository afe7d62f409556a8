"""The insider: a clerk (or an admin) with their own database login and a SQL client.

Each test plays one attack of the supervision review, with the attacker's own
credentials, and checks it is refused where the engine can refuse it. On
PostgreSQL the attacker connects as their own login, exactly as a SQL client
would; on a local file the attacker is the computer login running Desk.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from desk_app.domain.codes import Role
from desk_app.domain.errors import NotPermitted
from desk_app.domain.states import ApprovalStatus
from desk_app.domain.supervision import Registration
from desk_app.services.actor import CredentialRequired, PasswordRequired
from desk_app.services.supervision.os_login import OsLoginUnavailable
from desk_app.services.workspace import open_workspace
from tests.conftest import pg_login_url
from tests.security.conftest import refused, sql_as
from tests.services.conftest import STAFF_PASSWORD

if TYPE_CHECKING:
    from tests.services.conftest import Desk


def _request(desk: Desk, maker: str = "carl") -> int:
    number = desk.account()
    return int(desk.ws[maker].accounts.request_amend(number, {"name": "Moved"}, "moved"))


# -- PostgreSQL: the database refuses what a desk may not do --------------------------------


def test_a_clerk_cannot_make_themselves_a_supervisor(pg_desk: Desk) -> None:
    with sql_as(pg_desk, "carl") as conn:
        carl_id = conn.execute(text("SELECT id FROM users WHERE username = 'carl'")).scalar_one()
        reason = refused(
            conn, "UPDATE users SET roles = 'clerk,supervisor' WHERE id = :i", i=carl_id
        )
        assert "may change only its own password" in reason
        refused(conn, "UPDATE users SET db_login = NULL WHERE id = :i", i=carl_id)
        refused(conn, "UPDATE users SET active = true, db_login = 'x' WHERE username = 'sue'")
        refused(
            conn,
            "INSERT INTO user_registrations (user_id, series, effective_from, version, updated_at)"
            " VALUES (:i, 'S24', '2020-01-01', 1, now())",
            i=carl_id,
        )
        refused(conn, "DELETE FROM user_registrations")
        refused(conn, "INSERT INTO users (username, full_name, roles, active, created_at, "
                       "version, updated_at) VALUES ('puppet', 'P', 'supervisor', true, now(), "
                       "1, now())")  # fmt: skip
        # Their own password is theirs to change; nobody else's.
        reason = refused(conn, "UPDATE users SET password_hash = NULL WHERE username = 'sue'")
        assert "may not change the user sue" in reason
        conn.execute(text("UPDATE users SET password_hash = NULL WHERE id = :i"), {"i": carl_id})
    assert pg_desk.admin.users.get("carl").roles == {Role.CLERK}
    assert pg_desk.admin.users.get("carl").registrations == ()


def test_a_clerk_cannot_rewrite_or_decide_a_request(pg_desk: Desk) -> None:
    own = _request(pg_desk, "carl")
    with sql_as(pg_desk, "carl") as conn:
        reason = refused(conn, "UPDATE approval_requests SET maker = 'sam' WHERE id = :i", i=own)
        assert "permission denied" in reason  # not even a column the group may write
        for decided_by in ("carl", "sue"):
            reason = refused(
                conn,
                "UPDATE approval_requests SET status = 'approved', decided_by = :d, "
                "decided_at = now() WHERE id = :i",
                d=decided_by,
                i=own,
            )
            assert "maker cannot decide" in reason or "is carl's, not sue's" in reason
        refused(conn, "DELETE FROM approval_requests WHERE id = :i", i=own)
        refused(conn, "TRUNCATE approval_requests")
        # A request filed in a colleague's name, or already decided, is refused too.
        refused(
            conn,
            "INSERT INTO approval_requests (action, target_table, target_key, summary, proposal,"
            " reason, maker, made_at, status, version, updated_at) VALUES ('account.amend', "
            "'accounts', 'accounts:0', 's', '{}', 'r', 'sam', now(), 'pending', 1, now())",
        )
        refused(
            conn,
            "INSERT INTO approval_requests (action, target_table, target_key, summary, proposal,"
            " reason, maker, made_at, status, decided_by, version, updated_at) VALUES "
            "('account.amend', 'accounts', 'accounts:0', 's', '{}', 'r', 'carl', now(), "
            "'approved', 'sue', 1, now())",
        )
    assert pg_desk.request(own).status is ApprovalStatus.PENDING
    assert pg_desk.request(own).maker == "carl"


def test_a_clerk_cannot_decide_a_colleagues_request(pg_desk: Desk) -> None:
    theirs = _request(pg_desk, "sam")
    with sql_as(pg_desk, "carl") as conn:
        reason = refused(
            conn,
            "UPDATE approval_requests SET status = 'approved', decided_by = 'carl', "
            "decided_at = now() WHERE id = :i",
            i=theirs,
        )
        assert "not a supervisor or compliance officer" in reason
    assert pg_desk.request(theirs).status is ApprovalStatus.PENDING


def test_a_supervisor_cannot_decide_their_own_request_in_sql(pg_desk: Desk) -> None:
    own = _request(pg_desk, "sue")
    with sql_as(pg_desk, "sue") as conn:
        reason = refused(
            conn,
            "UPDATE approval_requests SET status = 'approved', decided_by = 'sue', "
            "decided_at = now() WHERE id = :i",
            i=own,
        )
        assert "its maker cannot decide it" in reason
    # Another principal may, through their own login; then it stays decided.
    with sql_as(pg_desk, "sam") as conn:
        conn.execute(
            text(
                "UPDATE approval_requests SET status = 'rejected', decided_by = 'sam', "
                "decided_at = now(), decision_note = 'no' WHERE id = :i"
            ),
            {"i": own},
        )
        row = conn.execute(
            text("SELECT decided_login FROM approval_requests WHERE id = :i"), {"i": own}
        ).scalar_one()
        assert row == pg_desk.ws["sam"].user.db_login  # the database's word, not the app's
        reason = refused(
            conn, "UPDATE approval_requests SET status = 'approved' WHERE id = :i", i=own
        )
        assert "already rejected" in reason


def test_the_audit_trail_is_append_only_and_in_ones_own_name(pg_desk: Desk) -> None:
    pg_desk.account()
    with sql_as(pg_desk, "carl") as conn:
        refused(conn, "UPDATE audit_log SET app_user = 'sue'")
        refused(conn, "DELETE FROM audit_log")
        refused(conn, "TRUNCATE audit_log")
        refused(conn, "UPDATE audit_head SET seq = 1")
        last = conn.execute(text("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC")).first()
        assert last is not None
        reason = refused(
            conn,
            "INSERT INTO audit_log (seq, recorded_at, app_user, db_login, action, change, "
            "table_name, record_id, prev_hash, entry_hash) VALUES (:s, 'x', 'sue', 'sue', 'x', "
            "'event', 'x', '1', :p, 'x')",
            s=last[0] + 1,
            p=last[1],
        )
        assert "recorded as login sue" in reason


def test_the_app_follows_the_login_not_the_name(pg_desk: Desk) -> None:
    """``--user`` names only the login's own user: carl's login cannot sign in as sue."""
    url = pg_desk.url_of("carl")
    with pytest.raises(NotPermitted, match="you cannot act as sue"):
        open_workspace(url, "sue", password=STAFF_PASSWORD)


# -- a local file: identity needs a credential; a typed name is not one ---------------------


def test_a_typed_name_is_not_an_identity_on_a_local_file(desk: Desk) -> None:
    if desk.shared:
        pytest.skip("a local file's rules")
    request = _request(desk, "carl")
    with pytest.raises(PasswordRequired):
        open_workspace(desk.url, "sue")
    with pytest.raises(PasswordRequired):
        open_workspace(desk.url, "sue", password="a guess at it")
    # Blanking a password (a file edit) leaves nobody who can act as sue.
    with desk.admin.engine.begin() as conn:
        conn.execute(text("UPDATE users SET password_hash = NULL WHERE username = 'sue'"))
    with pytest.raises(NotPermitted, match="sue has no Desk password"):
        open_workspace(desk.url, "sue")
    assert desk.request(request).status is ApprovalStatus.PENDING


def test_approving_on_a_local_file_needs_a_credential(desk: Desk) -> None:
    """The computer login alone opens Desk; a decision also needs a typed password."""
    if desk.shared:
        pytest.skip("a local file's rules")
    request = _request(desk, "carl")
    users = desk.ws["adam"].users  # another admin asks to make the computer's user a principal
    principal = [Registration("S24", date(2020, 1, 1))]
    change = users.update("tester", users.get("tester").version,
                          roles={Role.ADMIN, Role.SUPERVISOR}, registrations=principal)  # fmt: skip
    desk.grant(change.request_id)
    tester = desk.open("tester")
    assert not tester.user.credentialed and tester.approvals.needs_credential
    with pytest.raises(CredentialRequired):
        tester.approvals.approve(request, "fine")
    with pytest.raises(CredentialRequired):
        tester.approvals.reject(request, "no")
    with pytest.raises((NotPermitted, OsLoginUnavailable)):  # checked against the computer
        tester.approvals.approve(request, "fine", credential="not the computer's password")
    assert desk.request(request).status is ApprovalStatus.PENDING
    assert tester.approvals.needs_credential


def test_the_cli_will_not_decide_for_a_typed_name(desk: Desk) -> None:
    """``--user sue approvals approve`` with no password: refused, nothing decided."""
    if desk.shared:
        pytest.skip("a local file's rules")
    request = _request(desk, "carl")
    env = {k: v for k, v in os.environ.items() if k not in ("DESK_PASSWORD", "DESK_USER")}
    run = subprocess.run(
        [sys.executable, "-m", "desk_app", "--db", desk.url, "--user", "sue",
         "approvals", "approve", str(request)],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert run.returncode != 0
    assert "sue has a Desk password" in run.stderr
    assert desk.request(request).status is ApprovalStatus.PENDING
    env["DESK_PASSWORD"] = STAFF_PASSWORD
    run = subprocess.run(
        [sys.executable, "-m", "desk_app", "--db", desk.url, "--user", "sue",
         "approvals", "approve", str(request)],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    decided = desk.request(request)
    assert (decided.status, decided.decided_by) == (ApprovalStatus.APPROVED, "sue")


def test_an_admin_without_the_administration_group_is_refused_plainly(pg_desk: Desk) -> None:
    """Desk's admin role is not enough on PostgreSQL: the login must be in desk_admin."""
    login, url = pg_login_url(pg_desk.url, "plainadmin")  # desk_user only
    pg_desk.grant(pg_desk.admin.users.add("plainadmin", {Role.ADMIN}, db_login=login).request_id)
    with open_workspace(url, "plainadmin") as ws:
        with pytest.raises(NotPermitted, match="desk_admin") as refused:
            ws.users.add("puppet", {Role.CLERK})
    assert "may not add the user puppet" in str(refused.value)
    assert "puppet" not in {u.username for u in pg_desk.admin.users.users()}
