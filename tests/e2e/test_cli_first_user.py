"""``db upgrade --name``: a new database's first user from the command line, like the welcome."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from desk_app.db.migrate import head_revision
from desk_app.domain.codes import Role
from desk_app.services.workspace import open_workspace
from tests.conftest import settle_workers
from tests.e2e.test_cli import run


def test_db_upgrade_makes_you_the_first_user_with_your_roles(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'desk.db'}"
    me = getpass.getuser()
    code, out, err = run(
        capsys, "--db", url, "db", "upgrade", "--name", "Maria Lopez",
        "--role", "clerk,supervisor,admin", "--registration", "S24:2020-01-01",
    )  # fmt: skip
    assert (code, out.strip()) == (0, head_revision()), err
    assert f"first user {me} (admin, clerk, supervisor)" in err
    ws = open_workspace(url, me)
    try:
        assert ws.user.full_name == "Maria Lopez"
        assert ws.user.roles == {Role.CLERK, Role.SUPERVISOR, Role.ADMIN}
        assert [r.series for r in ws.user.registrations] == ["S24"]
        assert ws.history.verify().intact
    finally:
        settle_workers()
        ws.close()
    code, _, err = run(capsys, "--db", url, "db", "upgrade", "--name", "Somebody Else")
    assert code == 1 and "already has users" in err


def test_every_problem_is_said_and_nothing_is_made(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "desk.db"
    code, out, err = run(
        capsys, "--db", f"sqlite:///{path}", "db", "upgrade", "--name", " ", "--role", "clerk"
    )
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "full_name: say who you are (your full name)",
        "role: the first user must be an admin: nobody else could add users",
    ]
    assert not path.exists()
    code, _, err = run(capsys, "--db", f"sqlite:///{path}", "db", "upgrade", "--role", "clerk")
    assert code == 1 and "give --name too" in err


def test_a_shared_database_gets_no_first_user_from_its_upgrade(
    capsys: pytest.CaptureFixture[str], empty_pg_url: str
) -> None:
    code, out, err = run(capsys, "--db", empty_pg_url, "db", "upgrade", "--name", "Dee Bea")
    assert (code, out) == (1, "")
    assert "--name is for a local file" in err
    code, out, err = run(capsys, "--db", empty_pg_url, "db", "upgrade")
    assert (code, out.strip()) == (0, head_revision())
    assert "upgraded to" in err  # the refused command had migrated nothing
