"""Re-login checks for the idle lock, against the real OS and real databases."""

from __future__ import annotations

import sys

import pytest

from desk_app.services.supervision.os_login import (
    WorkspaceReLogin,
    database_checks_passwords,
    os_username,
    verify_os_password,
)
from desk_app.services.workspace import Workspace


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PAM is Linux's")
def test_a_wrong_os_password_is_refused() -> None:
    assert verify_os_password(os_username(), "certainly-not-the-password-42") is False


def test_an_empty_or_nul_password_is_refused_without_asking() -> None:
    assert verify_os_password(os_username(), "") is False
    assert verify_os_password(os_username(), "a\x00b") is False


def test_the_app_password_unlocks_when_set(workspace: Workspace) -> None:
    relogin = WorkspaceReLogin(workspace)
    assert relogin.who.startswith("tester") and "admin" in relogin.who
    workspace.users.set_password("tester", "correct horse battery")
    method = relogin.method()
    assert "Desk password" in method.hint
    assert method.check("correct horse battery") is True
    assert method.check("wrong horse battery") is False


def test_without_an_app_password_the_computer_login_is_asked(workspace: Workspace) -> None:
    """SQLite: the OS login. PostgreSQL with trust auth (the test server): the same,
    since a server that lets anyone in cannot vouch for the password."""
    if workspace.is_shared:
        assert database_checks_passwords(workspace.url) is False
    method = WorkspaceReLogin(workspace).method()
    assert "log in to this computer" in method.hint
    assert os_username() in method.hint
