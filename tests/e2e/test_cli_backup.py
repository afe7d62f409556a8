"""``db backup``, ``db restore`` and ``db firm-address`` as scripts use them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli import run


def test_backup_check_restore_and_the_firm_address(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    db = ("--db", sqlite_url)
    code, out, err = run(capsys, *db, "db", "firm-address", "55 Water Street", "New York, NY")
    assert (code, out) == (0, "55 Water Street\nNew York, NY\n"), err
    out_file = tmp_path / "copy.db"
    code, out, err = run(capsys, *db, "db", "backup", "--out", str(out_file))
    assert code == 0, err
    assert out.strip().splitlines()[-1] == str(out_file)
    assert err.startswith("backup checked: ") and "schema " in err
    code, out, _ = run(capsys, *db, "db", "firm-address", "--clear")
    assert (code, out) == (0, "not set: an admin sets it with desk-app db firm-address LINE...\n")

    code, out, err = run(capsys, *db, "db", "restore", "--check", str(out_file))
    assert code == 0, err
    assert out.splitlines()[0] == f"{out_file}: a Desk database"
    assert "audit trail intact" in out and "records intact" in out

    code, out, err = run(capsys, *db, "db", "restore", str(out_file))
    assert code == 0, err
    kept = next(Path(line.rsplit(" ", 1)[1]) for line in err.splitlines() if "kept as" in line)
    assert kept.exists() and kept.name.startswith("desk.replaced-")
    assert out.strip() == sqlite_url.removeprefix("sqlite:///")
    code, out, _ = run(capsys, *db, "db", "firm-address")
    assert out == "55 Water Street\nNew York, NY\n"  # the backup's, again
    code, out, err = run(capsys, *db, "audit", "verify")
    assert code == 0, err

    # Into a place with no database: an admin of the backup restores it there.
    fresh = tmp_path / "elsewhere" / "desk.db"
    fresh.parent.mkdir()
    code, out, err = run(capsys, "--db", f"sqlite:///{fresh}", "db", "restore", str(out_file))
    assert code == 0, err
    assert fresh.exists() and "kept as" not in err

    code, out, err = run(capsys, *db, "db", "restore", str(tmp_path / "nothing.db"))
    assert (code, out) == (1, "")
    assert err.strip().endswith("nothing.db: no such file. Nothing was changed.")
    code, _, err = run(capsys, *db, "db", "firm-address", "a", "b", "c", "d", "e")
    assert code == 1 and "at most 4 lines (it has 5)" in err


def test_a_shared_database_is_backed_up_with_pg_dump(
    capsys: pytest.CaptureFixture[str], pg_url: str, tmp_path: Path
) -> None:
    code, out, err = run(capsys, "--db", pg_url, "db", "backup", "--out", str(tmp_path / "x.db"))
    assert (code, out) == (1, "")
    assert "is a shared PostgreSQL database" in err and "pg_dump -Fc" in err
    code, out, err = run(capsys, "--db", pg_url, "db", "restore", str(tmp_path / "x.db"))
    assert (code, out) == (1, "") and "Nothing was restored" in err
    assert not (tmp_path / "x.db").exists()
