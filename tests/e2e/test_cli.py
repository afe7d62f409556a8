"""The command-line contract of CLI.md, on both engines."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from desk_app import __version__
from desk_app.cli import main
from desk_app.db.migrate import head_revision
from tests.conftest import cli_as
from tests.services.conftest import Desk


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse usage errors and --version
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert (code, out.strip()) == (0, f"desk-app {__version__}")


def test_entry_point_is_installed() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desk_app", "--help"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "settle" not in result.stderr
    for command in (
        "db", "demo-data", "screenshot", "calendar", "accounts", "certificates",
        "user", "approvals", "audit",
    ):  # fmt: skip
        assert command in result.stdout


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "no-such-command")[0] == 2
    assert run(capsys, "calendar", "settle-date")[0] == 2  # --trade-date missing
    code, _, err = run(capsys, "calendar", "settle-date", "--trade-date", "2025-02-30")
    assert code == 2
    assert "not a date" in err


def test_db_upgrade_prints_the_revision(
    capsys: pytest.CaptureFixture[str], empty_db_url: str
) -> None:
    db_url = empty_db_url
    code, out, err = run(capsys, "--db", db_url, "db", "upgrade")
    assert code == 0
    assert out.strip() == head_revision()
    assert "upgraded to" in err
    code, out, err = run(capsys, "--db", db_url, "db", "upgrade")
    assert (code, out.strip()) == (0, head_revision())
    assert "already at" in err


def test_unusable_database_is_rejected_with_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("shopping list\n")
    code, out, err = run(capsys, "--db", f"sqlite:///{bad}", "accounts", "list")
    assert code == 1
    assert out == ""
    assert "not a Desk database" in err
    assert bad.read_text() == "shopping list\n"
    code, _, err = run(capsys, "--db", "mysql://x@y/z", "db", "upgrade")
    assert code == 1
    assert "unsupported database" in err


@pytest.mark.parametrize(
    ("trade_date", "kind", "market", "expected"),
    [
        ("2024-05-24", "equity", "US", "2024-05-29"),
        ("2024-05-28", "equity", "US", "2024-05-29"),
        ("2024-10-14", "equity", "US", "2024-10-15"),
        ("2024-11-08", "corporate-bond", "US", "2024-11-12"),
        ("2025-01-08", "equity", "US", "2025-01-09"),
        ("2025-12-31", "equity", "US", "2026-01-02"),
        ("2025-06-02", "commercial-paper", "US", "2025-06-02"),
    ],
)
def test_calendar_settle_date(
    capsys: pytest.CaptureFixture[str],
    sqlite_url: str,
    trade_date: str,
    kind: str,
    market: str,
    expected: str,
) -> None:
    code, out, _ = run(
        capsys, "--db", sqlite_url, "calendar", "settle-date", "--trade-date", trade_date,
        "--type", kind, "--market", market,
    )  # fmt: skip
    assert (code, out.strip()) == (0, expected)


def test_settle_date_explains_the_cycle(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, out, err = run(
        capsys, "--db", db_url, "calendar", "settle-date", "--trade-date", "2024-05-24", "--explain"
    )
    assert (code, out.strip()) == (0, "2024-05-29")
    assert "T+2" in err


def _csv(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


def test_reference_lists_on_an_empty_database(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    for command in ("accounts", "instruments", "counterparties", "certificates"):
        code, out, _ = run(capsys, "--db", db_url, command, "list", "--format", "csv")
        assert code == 0
        assert len(out.splitlines()) == 1  # the header alone
    code, _, err = run(capsys, "--db", db_url, "accounts", "show", "999-99999")
    assert code == 1
    assert "no account numbered '999-99999'" in err


def test_reference_lists_with_demo_data(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, out, _ = run(capsys, "--db", db_url, "demo-data", "--seed", "5", "--trades", "300")
    assert code == 0, out
    code, out, _ = run(capsys, "--db", db_url, "accounts", "list", "--format", "csv")
    accounts = _csv(out)
    assert code == 0
    assert len(accounts) >= 100
    assert list(accounts[0])[0] == "account_number"
    assert all(
        row["tax_id"] in ("", "***-**-" + row["tax_id"][-4:], "**-***" + row["tax_id"][-4:])
        for row in accounts
    )  # noqa: E501
    number = accounts[0]["account_number"]
    code, out, _ = run(capsys, "--db", db_url, "accounts", "show", number)
    assert code == 0
    assert number in out

    code, out, _ = run(capsys, "--db", db_url, "instruments", "list", "--format", "csv")
    instruments = _csv(out)
    assert list(instruments[0])[0] == "isin"
    code, out, _ = run(capsys, "--db", db_url, "counterparties", "list", "--format", "csv")
    assert list(_csv(out)[0])[0] == "code"

    code, out, _ = run(capsys, "--db", db_url, "certificates", "list", "--format", "csv")
    certificates = _csv(out)
    assert list(certificates[0])[0] == "certificate_number"
    code, out, _ = run(
        capsys, "--db", db_url, "certificates", "list", "--status", "lost", "--format", "csv"
    )
    lost = _csv(out)
    assert lost
    assert {row["status"] for row in lost} == {"lost"}
    assert len(lost) < len(certificates)
    for row in certificates:
        assert "," not in row["shares"]
        assert "e" not in row["shares"].lower()

    code, out, err = run(capsys, "--db", db_url, "accounts", "list")
    assert code == 0
    assert "Account" in out.splitlines()[0]
    assert err.strip().endswith("rows")

    code, out, err = run(capsys, "--db", db_url, "demo-data")
    assert code == 1
    assert "already has data" in err


def test_calendar_overrides_change_settlement_dates(
    capsys: pytest.CaptureFixture[str], desk: Desk
) -> None:
    carl, sue = cli_as(desk.url, "carl"), cli_as(desk.url, "sue")
    settle = (*carl, "calendar", "settle-date", "--trade-date", "2026-12-23")
    assert run(capsys, *settle)[1].strip() == "2026-12-24"
    overrides = (*carl, "calendar", "overrides")
    code, out, _ = run(
        capsys, *overrides, "add", "--calendar", "us", "--date", "2026-12-24", "--closed",
        "--why", "Market closed by exchange notice", "--reason", "the exchange's notice",
    )  # fmt: skip
    assert code == 0 and run(capsys, *sue, "approvals", "approve", out.split()[-1])[0] == 0
    assert run(capsys, *settle)[1].strip() == "2026-12-28"
    code, out, _ = run(capsys, *carl, "calendar", "holidays", "--year", "2026", "--format", "csv")
    assert "2026-12-24,Override: Market closed by exchange notice" in out
    assert "2026-10-12,Columbus Day" in out
    code, out, _ = run(capsys, *overrides, "list", "--format", "csv")
    assert out.splitlines()[1].endswith(",US,2026-12-24,closed,Market closed by exchange notice")
    remove = ("remove", "--calendar", "US", "--date", "2026-12-24", "--reason", "reopened")
    code, out, _ = run(capsys, *overrides, *remove)
    assert code == 0 and run(capsys, *sue, "approvals", "approve", out.split()[-1])[0] == 0
    assert run(capsys, *settle)[1].strip() == "2026-12-24"
    code, _, err = run(capsys, *overrides, *remove)
    assert code == 1 and "has no override on that day" in err
    code, _, err = run(
        capsys, *overrides, "add", "--calendar", "XX", "--date", "2026-12-24", "--closed",
        "--why", "x", "--reason", "x",
    )  # fmt: skip
    assert code == 1 and "calendar_code: is not a calendar" in err


def test_demo_option_fills_and_uses_the_separate_demo_database(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    sqlite_url: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DESK_DB_URL", sqlite_url)  # a real database that must stay untouched
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # no demo database yet
    code, out, err = run(capsys, "--demo", "counterparties", "list", "--format", "csv")
    assert code == 0
    assert "Filling the demo database" in err
    assert "its admin kfischer gave you the roles admin, clerk, supervisor" in err
    assert len(out.splitlines()) > 5
    code, out, _ = run(capsys, "counterparties", "list", "--format", "csv")
    assert (code, len(out.splitlines())) == (0, 1)  # DESK_DB_URL's database: header only
    assert run(capsys, "--demo", "--db", sqlite_url, "accounts", "list")[0] == 2


def test_a_mistyped_path_creates_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No folder, no file, no admin: creating a database is asked for, never a side effect."""
    missing = tmp_path / "no" / "such" / "dir" / "x.db"
    code, out, err = run(capsys, "--db", f"sqlite:///{missing}", "accounts", "list")
    assert (code, out) == (1, "")
    assert err.strip().splitlines() == [
        f"{missing}: no such database file. Check the path; to start a new, empty database "
        "there, add --create or run `desk-app --db URL db upgrade`."
    ]
    assert not (tmp_path / "no").exists()
    monkeypatch.setenv("DESK_DB_URL", f"sqlite:///{tmp_path / 'typo.db'}")
    assert run(capsys, "user", "list")[0] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []

    code, out, _ = run(capsys, "--create", "--db", f"sqlite:///{missing}", "accounts", "list")
    assert code == 0 and missing.is_file()
    code, out, _ = run(capsys, "--db", f"sqlite:///{missing}", "accounts", "list")
    assert code == 0  # it exists now: no --create needed


def test_database_trouble_during_a_command_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import sqlite3

    path = tmp_path / "desk.db"
    url = f"sqlite:///{path}"
    assert run(capsys, "--db", url, "db", "upgrade")[0] == 0
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # readers still work; a writer must wait, then give up
    try:
        code, out, err = run(
            capsys, "--db", url, "user", "add", "newbie", "--role", "clerk",
        )  # fmt: skip
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1
    assert err.strip().splitlines() == [
        f"Cannot use the database (Local file {path}): it is locked by another program. "
        "Close that program and try again."
    ]
    code, _, err = run(capsys, "--db", "garbage", "accounts", "list")
    assert code == 1
    assert "not a database URL" in err
    assert "Traceback" not in err
