"""Users, four-eyes approvals and the audit trail from the command line, on both engines."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from desk_app.cli import main
from desk_app.domain.codes import Role
from desk_app.domain.permissions import Action
from tests.conftest import cli_as, new_user_credentials

Capsys = pytest.CaptureFixture[str]


def run(capsys: Capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse usage errors
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def rows(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


def last_line(out: str) -> str:
    return out.strip().splitlines()[-1]


def created(result: tuple[int, str, str]) -> str:
    """The id a successful command printed last (the failure's message otherwise)."""
    code, out, err = result
    assert code == 0, err
    return last_line(out)


def desk(capsys: Capsys, db_url: str, user: str | None = None):  # type: ignore[no-untyped-def]
    """``desk-app --db URL [--user NAME] ...`` as a function."""

    def call(*argv: str) -> tuple[int, str, str]:
        who = cli_as(db_url, user) if user else ("--db", db_url)
        return run(capsys, *who, *argv)

    return call


def staff(capsys: Capsys, db_url: str) -> None:
    """The OS login opens first (so is admin), then adds a clerk and a principal."""
    admin = desk(capsys, db_url)
    assert admin("user", "add", "anna", "--role", "clerk", "--name", "Anna Clerk",
                 *new_user_credentials(db_url, "anna"))[0] == 0  # fmt: skip
    code, out, err = admin(
        "user", "add", "sam", "--role", "supervisor", "--role", "clerk",
        "--registration", "S24:2015-01-01", *new_user_credentials(db_url, "sam"),
    )  # fmt: skip
    assert code == 0, err
    assert last_line(out) == "sam"


#: FINRA 4512's essentials of a person who owns an account, as ``--party`` settings.
ESSENTIALS = ("dob=1960-03-04;address=1 Main St, New York NY 10001;occupation=Teacher;"
              "employer=Lakeview Schools")  # fmt: skip
ACCOUNT = (
    "accounts", "open", "NYC-10001", "--name", "Ann Lee", "--registration", "Individual",
    "--rep", "Rebecca Castillo", "--tax-id", "123-45-6789", "--state", "ny",
    "--party", f"owner:Ann Lee;tax-id=123-45-6789;{ESSENTIALS}", "--reason", "new client",
)  # fmt: skip


def test_user_add_list_and_roles(capsys: Capsys, db_url: str) -> None:
    admin = desk(capsys, db_url)
    code, out, _ = admin("user", "add", "anna", "--role", "clerk,compliance", "--name", "Anna C",
                         *new_user_credentials(db_url, "anna"))  # fmt: skip
    assert (code, last_line(out)) == (0, "anna")
    code, out, _ = admin(
        "user", "add", "sam", "--role", "supervisor", "--registration", "s24:2015-01-01",
        "--registration", "S7:2010-01-01:2014-12-31", "--db-login", "sam_pg",
    )  # fmt: skip
    assert (code, last_line(out)) == (0, "sam")

    code, out, _ = admin("user", "list", "--format", "csv")
    users = {row["username"]: row for row in rows(out)}
    assert code == 0
    assert list(rows(out)[0])[0] == "username"
    assert set(users) >= {"anna", "sam"}
    assert users["anna"]["roles"] == "clerk,compliance"
    assert users["anna"]["full_name"] == "Anna C"
    assert users["sam"]["db_login"] == "sam_pg"
    assert users["sam"]["has_password"] == "no"
    assert users["sam"]["registrations"] == "S7 2010-01-01..2014-12-31; S24 2015-01-01.."
    first = [name for name, row in users.items() if row["roles"] == "admin"]
    assert len(first) == 1  # whoever opened the new database first

    code, _, err = admin("user", "add", "bob", "--role", "boss")
    assert code == 2
    assert "'boss' is not a role" in err
    code, _, err = admin("user", "add", "bob", "--role", "clerk", "--registration", "S1234")
    assert code == 2
    assert "unknown series" in err
    assert admin("user", "add", "bob")[0] == 2  # --role is required
    code, _, err = admin("user", "add", "ANNA", "--role", "clerk")
    assert code == 1
    assert err.strip() == "username: is already a user ('anna')"
    code, _, err = desk(capsys, db_url, "anna")("user", "add", "carl", "--role", "clerk")
    assert code == 1
    assert "needs the admin role" in err

    code, out, _ = admin("user", "roles", "--format", "csv")
    matrix = rows(out)
    assert code == 0
    assert list(matrix[0]) == ["action", *(r.value for r in Role), "description", "supervised"]
    assert [row["action"] for row in matrix] == [a.value for a in Action]
    manage = next(row for row in matrix if row["action"] == "user.manage")
    assert (manage["admin"], manage["clerk"]) == ("yes", "no")


def test_user_update_and_deactivate(capsys: Capsys, db_url: str) -> None:
    staff(capsys, db_url)
    admin = desk(capsys, db_url)
    update = ("user", "update", "anna", "--role", "clerk,compliance", "--name", "A. C.")
    code, out, err = admin(*update)
    assert code == 0 and "another principal" in err  # compliance is power: a grant
    assert rows(admin("user", "list", "--format", "csv")[1])[0]["full_name"] == "A. C."
    code, _, err = desk(capsys, db_url, "sam")("approvals", "approve", last_line(out))
    assert code == 0, err
    assert rows(admin("user", "list", "--format", "csv")[1])[0]["roles"] == "clerk,compliance"
    assert admin("user", "update", "anna", "--active", "no")[0] == 0
    code, _, err = desk(capsys, db_url, "anna")("accounts", "list")
    assert code == 1
    assert err.strip() == "anna is deactivated on this database; ask an admin."
    assert admin("user", "update", "anna", "--active", "maybe")[0] == 2
    assert admin("user", "update", "anna")[0] == 1  # nothing to change


def test_unknown_user_is_refused_with_the_way_in(capsys: Capsys, db_url: str) -> None:
    staff(capsys, db_url)
    code, out, err = desk(capsys, db_url, "mallory")("approvals", "list")
    assert (code, out) == (1, "")
    if db_url.startswith("postgresql"):  # the login is someone: it cannot be anyone else
        assert "you cannot act as mallory" in err
        return
    assert err.strip().splitlines() == [
        "mallory is not a Desk user on this database. An admin can add you: "
        "desk-app user add mallory --role clerk"
    ]


def test_app_password_from_the_environment(
    capsys: Capsys, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    admin = desk(capsys, db_url)
    monkeypatch.delenv("DESK_PASSWORD")
    monkeypatch.setenv("DESK_NEW_PASSWORD", "correct horse battery")
    login = new_user_credentials(db_url, "pat")[:2] if db_url.startswith("postgresql") else ()
    code, out, _ = admin("user", "add", "pat", "--role", "compliance", "--password-prompt", *login)
    assert (code, last_line(out)) == (0, "pat")
    monkeypatch.delenv("DESK_NEW_PASSWORD")
    listed = {row["username"]: row for row in rows(admin("user", "list", "--format", "csv")[1])}
    assert listed["pat"]["has_password"] == "yes"

    pat = desk(capsys, db_url, "pat")
    code, _, err = pat("audit", "verify")  # stdin is not a terminal under pytest
    assert code == 1
    assert "pat has a Desk password: set DESK_PASSWORD" in err
    monkeypatch.setenv("DESK_PASSWORD", "wrong horse battery")
    code, _, err = pat("audit", "verify")
    assert (code, err.strip()) == (1, "That password is not right for pat.")
    monkeypatch.setenv("DESK_PASSWORD", "correct horse battery")
    code, out, _ = pat("audit", "verify")
    assert code == 0
    assert out.startswith("audit trail intact:")

    monkeypatch.delenv("DESK_PASSWORD")
    monkeypatch.setenv("DESK_NEW_PASSWORD", "short")
    code, _, err = admin("user", "password", "pat")
    assert (code, err.strip()) == (1, "password: must be at least 10 characters")
    assert admin("user", "password", "pat", "--clear")[0] == 0
    code, _, err = pat("audit", "verify")
    if db_url.startswith("postgresql"):  # their own login still proves who they are
        assert code == 0
    else:  # nothing proves it any more: pat is not this computer's login
        assert (code, "pat has no Desk password" in err) == (1, True)


def test_clerk_request_and_supervisor_approval(capsys: Capsys, db_url: str) -> None:
    staff(capsys, db_url)
    anna, sam = desk(capsys, db_url, "anna"), desk(capsys, db_url, "sam")

    code, out, err = anna(*ACCOUNT)
    assert code == 0, err
    request = last_line(out)
    assert request.isdigit()
    code, _, err = anna(*ACCOUNT)
    assert code == 1
    assert f"request {request} by anna already asks to open account" in err

    code, _, err = anna("approvals", "approve", request)
    assert code == 1
    assert "needs the supervisor role" in err
    code, out, _ = anna("approvals", "list", "--format", "csv")
    queue = rows(out)
    assert list(queue[0])[:2] == ["id", "status"]
    assert [(row["id"], row["status"], row["maker"]) for row in queue] == [
        (request, "pending", "anna")
    ]
    code, out, _ = sam("approvals", "show", request)
    assert code == 0
    assert "Open account" in out
    assert "***-**-6789" in out
    assert "123-45-6789" not in out

    code, out, err = sam("approvals", "approve", request, "--comment", "KYC on file")
    assert (code, last_line(out)) == (0, request), err
    code, out, _ = anna("accounts", "show", "NYC-10001")
    assert code == 0
    assert "Ann Lee" in out
    assert "Individual" in out  # typed "Individual", stored as the code "individual"
    assert "***-**-6789" in out
    code, out, _ = sam("approvals", "list", "--status", "approved", "--format", "csv")
    decided = rows(out)[0]
    assert (decided["decided_by"], decided["decision_note"]) == ("sam", "KYC on file")
    code, _, err = sam("approvals", "approve", request)
    assert code == 1  # already decided
    assert "approved" in err

    code, out, _ = anna("accounts", "show", "NYC-10001", "--reveal-tax-id")
    assert "123-45-6789" in out
    code, out, _ = anna("audit", "history", "--account", "NYC-10001", "--format", "csv")
    history = rows(out)
    assert list(history[0])[0] == "seq"
    assert {(r["action"], r["app_user"], r["approval_id"]) for r in history} >= {
        ("account.open", "sam", request),
        ("account.reveal_tax_id", "anna", ""),
    }
    assert "123-45-6789" not in out  # the trail is shown masked, like everywhere


def test_self_approval_rejection_and_withdrawal(capsys: Capsys, db_url: str) -> None:
    staff(capsys, db_url)
    anna, sam = desk(capsys, db_url, "anna"), desk(capsys, db_url, "sam")
    own = created(sam(*ACCOUNT))
    code, _, err = sam("approvals", "approve", own)
    assert code == 1
    assert err.strip() == f"request {own}: sam made this request; another supervisor must decide it"
    code, out, _ = sam("approvals", "show", own)
    assert "You may not decide it: sam made this request" in out
    code, _, err = sam("approvals", "reject", own)
    assert code == 2
    assert "--reason" in err
    assert sam("approvals", "reject", own, "--reason", "   ")[0] == 2
    assert sam("approvals", "withdraw", own)[0] == 0

    code, _, err = anna(
        "accounts", "open", "BOS-20003", "--name", "Bo Smith", "--registration", "Joint",
        "--rep", "Anita Raman", "--reason", "new",
    )  # fmt: skip
    assert code == 2
    assert "invalid choice: 'Joint'" in err and "joint-tic" in err
    code, out, _ = anna(
        "accounts", "open", "BOS-20002", "--name", "Bo Smith", "--registration", "JOINT-TIC",
        "--rep", "Anita Raman", "--reason", "new",
        "--party", f"owner:Bo Smith;tax-id=212-34-5678;{ESSENTIALS}",
        "--party", f"joint-owner:Al Smith;tax-id=123-45-6789;{ESSENTIALS};occupation=Retired",
    )  # fmt: skip
    request = last_line(out)
    code, _, err = anna("approvals", "withdraw", own)
    assert code == 1
    assert "only they can withdraw it" in err
    code, out, _ = sam("approvals", "reject", request, "--reason", "no W-9 on file")
    assert (code, last_line(out)) == (0, request)
    code, out, _ = anna("approvals", "list", "--status", "all", "--format", "csv")
    mine = {row["id"]: row for row in rows(out)}
    assert set(mine) == {request}  # a clerk sees only their own requests
    assert (mine[request]["status"], mine[request]["decision_note"]) == (
        "rejected", "no W-9 on file",
    )  # fmt: skip
    code, out, _ = sam("approvals", "list", "--status", "all", "--format", "csv")
    assert {row["status"] for row in rows(out)} == {"withdrawn", "rejected"}
    assert sam("approvals", "list", "--status", "nonsense")[0] == 2
    code, _, err = sam("approvals", "approve", "999")
    assert (code, err.strip()) == (1, "request 999: no such approval request")


def test_amend_close_and_a_stale_approval(capsys: Capsys, db_url: str) -> None:
    staff(capsys, db_url)
    anna, sam = desk(capsys, db_url, "anna"), desk(capsys, db_url, "sam")
    created(sam("approvals", "approve", created(anna(*ACCOUNT))))
    amend = created(
        anna("accounts", "amend", "nyc-10001", "--name", "Ann B. Lee", "--reason", "married")
    )
    restrict = created(anna("accounts", "close", "NYC-10001", "--reason", "client left"))
    assert anna("accounts", "amend", "NYC-10001", "--reason", "nothing")[0] == 2
    code, _, err = anna("accounts", "amend", "NYC-10001", "--state", "NYC", "--reason", "x")
    assert (code, err.strip()) == (1, "residence_state: must be a two-letter state code ('NYC')")
    assert sam("approvals", "approve", restrict)[0] == 0
    code, out, _ = sam("approvals", "show", amend)
    assert "STALE" in out
    code, _, err = sam("approvals", "approve", amend)
    assert code == 1
    assert "changed after the request was made" in err
    code, out, _ = anna("accounts", "show", "NYC-10001")
    assert "Closed" in out
    assert "Ann Lee" in out  # the stale amendment changed nothing


TAMPER = {
    "modify": (
        "UPDATE audit_log SET app_user = 'someone' WHERE seq = 3",
        "audit entry 3: was changed after it was recorded",
    ),
    "delete": (
        "DELETE FROM audit_log WHERE seq = 3",
        "audit entry 3: missing (found entry 4 where entry 3 belongs)",
    ),
}


def _tamper_sqlite(db_url: str, statement: str) -> None:
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        triggers = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        ).fetchall()
        assert triggers  # the append-only guard exists
        for (name,) in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute(statement)
    finally:
        conn.close()


def _tamper_postgresql(db_url: str, statement: str) -> None:
    engine = create_engine(db_url)  # the test server's superuser may switch triggers off
    try:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            conn.execute(text(statement))
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
    finally:
        engine.dispose()


@pytest.mark.parametrize("tamper", sorted(TAMPER))
def test_audit_verify_then_tamper(capsys: Capsys, db_url: str, tamper: str) -> None:
    staff(capsys, db_url)
    anna, sam = desk(capsys, db_url, "anna"), desk(capsys, db_url, "sam")
    created(sam("approvals", "approve", created(anna(*ACCOUNT))))
    admin = desk(capsys, db_url)
    code, out, err = admin("audit", "verify")
    assert code == 0, err
    summary = out.strip()
    assert summary.startswith("audit trail intact: ")
    entries = int(summary.split(": ")[1].split()[0])
    assert entries >= 5
    assert f"head {entries} " in summary
    code, _, err = anna("audit", "verify")
    assert code == 1
    assert "needs the compliance or admin role" in err

    statement, expected = TAMPER[tamper]
    if db_url.startswith("sqlite"):
        _tamper_sqlite(db_url, statement)
    else:
        _tamper_postgresql(db_url, statement)
    code, out, err = admin("audit", "verify")
    assert (code, out) == (1, "")
    assert err.strip().splitlines() == [expected]


def test_audit_history_of_any_record(capsys: Capsys, db_url: str) -> None:
    staff(capsys, db_url)
    admin = desk(capsys, db_url)
    code, out, _ = admin("audit", "history", "--table", "users", "--id", "2")
    assert code == 0
    assert "user.grant_before_principal: create" in out  # no principal yet: applied at once
    assert "full_name: ∅ → Anna Clerk" in out
    assert admin("audit", "history", "--table", "users")[0] == 2
    assert admin("audit", "history")[0] == 2
    code, _, err = admin("audit", "history", "--account", "XX-0000")
    assert (code, err.strip()) == (1, "account XX-0000: no such account")


def test_demo_admits_whoever_runs_it(
    capsys: Capsys, monkeypatch: pytest.MonkeyPatch, demo_template: Path, tmp_path: Path
) -> None:
    from desk_app.services import database as urls

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # a private demo file
    urls.demo_sqlite_path().parent.mkdir(parents=True)
    shutil.copyfile(demo_template, urls.demo_sqlite_path())
    visitor = ("--demo", "--user", "visitor")
    code, out, err = run(capsys, *visitor, "user", "list", "--format", "csv")
    assert code == 0, err
    assert "its admin kfischer added you with the roles admin, clerk, supervisor" in err
    row = next(row for row in rows(out) if row["username"] == "visitor")
    assert (row["roles"], row["registrations"]) == ("admin,clerk,supervisor", "S24 2020-01-01..")
    code, _, err = run(capsys, *visitor, "approvals", "list")
    assert code == 0
    assert "added you" not in err  # once only
    code, out, err = run(capsys, *visitor, "audit", "history", "--table", "users", "--id", "10")
    assert "user.grant: create, approval request" in out  # kfischer asked, mobrien approved
    assert "mobrien" in out


def test_password_prompt_at_a_terminal(
    capsys: Capsys, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    """At a terminal the password is asked for (not echoed) instead of refused."""
    import os
    import pty
    import subprocess
    import sys

    monkeypatch.setenv("DESK_NEW_PASSWORD", "correct horse battery")
    add = ("user", "add", "pat", "--role", "compliance", "--password-prompt")
    assert desk(capsys, sqlite_url)(*add)[0] == 0
    monkeypatch.delenv("DESK_NEW_PASSWORD")
    monkeypatch.delenv("DESK_PASSWORD", raising=False)
    env = dict(os.environ)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "desk_app", *cli_as(sqlite_url, "pat"), "audit", "verify"],
        stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        start_new_session=True,  # no controlling terminal: getpass reads the pty on stdin
    )  # fmt: skip
    try:
        assert process.stderr is not None
        prompt = b""
        while b"Desk password for pat: " not in prompt:
            chunk = os.read(process.stderr.fileno(), 1024)
            assert chunk, prompt
            prompt += chunk
        os.write(leader, b"correct horse battery\n")
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
        os.close(follower)
        os.close(leader)
    assert process.returncode == 0, err
    assert out.decode().startswith("audit trail intact:")
    assert b"correct horse" not in out + err  # the password never reaches the output


def test_an_individual_without_its_owner_is_refused_naming_each_missing_field(
    capsys: Capsys, db_url: str
) -> None:
    """No ``--party``: the holder is the owner, and FINRA 4512's essentials are missing."""
    staff(capsys, db_url)
    anna = desk(capsys, db_url, "anna")
    without = [a for a in ACCOUNT if not a.startswith("owner:") and a != "--party"]
    code, out, err = anna(*without, "--country", "usa")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "residence_country: must be a two-letter country code ('usa')",
        "parties[1].address: Owner Ann Lee needs an address (residence) (FINRA 4512)",
        "parties[1].date_of_birth: Owner Ann Lee needs a date of birth (FINRA 4512)",
        "parties[1].occupation: Owner Ann Lee needs an occupation (FINRA 4512)",
        "parties[1].employer: Owner Ann Lee needs an employer (FINRA 4512) (or an occupation "
        "of retired, unemployed, student or homemaker)",
    ]
    code, out, _ = anna("approvals", "list", "--format", "csv")
    assert rows(out) == []  # a refused command changed nothing
