"""Databases Desk must refuse clearly and leave untouched."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from desk_app.db.engine import DatabaseUnavailable, check_connection, create_desk_engine
from desk_app.db.migrate import SchemaTooNew, upgrade
from desk_app.services.workspace import open_workspace


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corrupt_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    path.write_bytes(b"this is not a database, it is a spreadsheet export\n" * 20)
    before = _digest(path)
    with pytest.raises(DatabaseUnavailable, match="not a Desk database"):
        open_workspace(f"sqlite:///{path}", "tester")
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk.db"]


def test_damaged_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    open_workspace(f"sqlite:///{path}", "tester").close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # keep the header, wreck the first page
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseUnavailable, match="damaged"):
        open_workspace(f"sqlite:///{path}", "tester")


def test_foreign_sqlite_database_is_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total TEXT)")
    with pytest.raises(DatabaseUnavailable, match="not created by Desk"):
        open_workspace(f"sqlite:///{path}", "tester")
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == {"invoices"}


def test_newer_schema_is_refused_on_both_engines(db_url: str) -> None:
    open_workspace(db_url, "tester").close()
    engine = create_desk_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(SchemaTooNew, match="newer version of Desk"):
        upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "9999_from_the_future"
        )
    engine.dispose()


def test_locked_file_gives_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    url = f"sqlite:///{path}"
    open_workspace(url, "tester").close()
    with sqlite3.connect(path, isolation_level=None) as holder:
        holder.execute("PRAGMA journal_mode=DELETE")
        holder.execute("BEGIN EXCLUSIVE")
        engine = create_desk_engine(url, busy_timeout_ms=100)
        with pytest.raises(DatabaseUnavailable, match="locked by another program"):
            check_connection(engine)
        engine.dispose()
        holder.execute("ROLLBACK")


def test_unreachable_server_gives_a_clear_message() -> None:
    with pytest.raises(DatabaseUnavailable, match="Cannot reach the database server"):
        open_workspace("postgresql+psycopg://nobody@127.0.0.1:1/none", "tester")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="is a folder"):
        open_workspace(f"sqlite:///{tmp_path}", "tester")


def _run_without_write_access(
    command: list[str], path: Path, tmp_path: Path
) -> tuple[subprocess.CompletedProcess[str], str, list[str]]:
    """Run ``command`` as someone who may read ``path`` and its folder but write neither
    (root is made an ordinary user for it); then the file's digest and the folder's files.
    The folder (``path.parent``, inside a temporary top folder) is removed afterwards."""
    folder = path.parent
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.fail("setpriv (util-linux) is needed to drop root for this test")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    folder.chmod(0o555)
    path.chmod(0o444)
    env = dict(os.environ, HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
    try:
        result = subprocess.run(
            command, check=False, capture_output=True, text=True, env=env, timeout=60
        )
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
        digest_after = _digest(path)
        left = sorted(p.name for p in folder.iterdir())
        shutil.rmtree(folder.parent)
    return result, digest_after, left


READ_ONLY_PROBE = """
import sys
from desk_app.db.engine import DatabaseUnavailable
from desk_app.services.workspace import open_workspace
try:
    open_workspace(sys.argv[1], "tester")
except DatabaseUnavailable as exc:
    print(exc.message)
    raise SystemExit(1)
raise SystemExit(0)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_read_only_file_gives_a_clear_message(tmp_path: Path) -> None:
    """A file the user may read but not write (root is made an ordinary user for this)."""
    top = Path(tempfile.mkdtemp(prefix="desk-ro-"))  # world-traversable, unlike tmp_path
    top.chmod(0o755)
    folder = top / "ro"
    folder.mkdir()
    path = folder / "desk.db"
    with sqlite3.connect(path) as conn:  # an old-schema-less but valid, empty database
        conn.execute("PRAGMA user_version = 0")
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    before = _digest(path)
    command = [sys.executable, "-c", READ_ONLY_PROBE, f"sqlite:///{path}"]
    result, digest_after, _left = _run_without_write_access(command, path, tmp_path)
    assert result.returncode == 1, result.stderr
    assert "read-only" in result.stdout, result.stdout + result.stderr
    assert digest_after == before


READ_ONLY_OPENER = """
import sys
from desk_app.db.engine import DatabaseUnavailable
from desk_app.services.workspace import open_workspace
with open_workspace(sys.argv[1], "tester", password=sys.argv[2]) as ws:
    print(ws.read_only, ws.user.read_only, ws.blotter.trades().count())
    try:
        ws.presets.save("blotter", "mine", "{}")
    except DatabaseUnavailable as exc:
        print(exc.message)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_file_this_user_cannot_write_opens_read_only_and_leaves_no_trace(
    tmp_path: Path,
) -> None:
    """Opened (not refused), every change refused plainly, no -wal/-shm file made."""
    top = Path(tempfile.mkdtemp(prefix="desk-ro-"))
    top.chmod(0o755)
    folder = top / "ro"
    folder.mkdir()
    path = folder / "desk.db"
    with open_workspace(f"sqlite:///{path}", "tester") as ws:  # proven by a password there
        ws.users.set_password("tester", "correct horse battery")
    before = _digest(path)
    command = [sys.executable, "-c", READ_ONLY_OPENER, f"sqlite:///{path}", "correct horse battery"]
    result, digest_after, left = _run_without_write_access(command, path, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "True True 0",
        f"The database is open read-only (Local file {path}): nothing was changed. To change "
        "it, open it again without read-only, with write access to the file and its folder.",
    ]
    assert digest_after == before
    assert left == ["desk.db"]


def test_concurrent_first_start_migrates_once(tmp_path: Path) -> None:
    """Two workstations opening a new shared file at once: one migrates, both work."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    errors: list[BaseException] = []

    def start() -> None:
        try:
            open_workspace(url, "tester").close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_folder_names_with_url_characters(tmp_path: Path) -> None:
    from desk_app.services.database import sqlite_url

    folder = tmp_path / "Ops 100% ? review"
    url = sqlite_url(folder / "desk.db")
    open_workspace(url, "tester").close()
    assert (folder / "desk.db").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]


def test_opening_the_file_again_keeps_this_desks_hold_on_it(tmp_path: Path) -> None:
    """A second workspace on a file this process holds must not drop its locks: with
    them gone, another desk's last close would delete the write-ahead log under it."""
    path = tmp_path / "desk.db"
    first = open_workspace(f"sqlite:///{path}", "tester")
    try:
        with first.engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM users")).scalar()
        second = open_workspace(f"sqlite:///{path}", "tester")  # checks the file again
        second.close()
        other = subprocess.run(
            [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
             "c.execute('CREATE TABLE scratch (x)'); c.commit(); c.close()", str(path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert other.returncode == 0, other.stderr
        assert path.with_name("desk.db-wal").exists()  # the other desk knew it was not alone
        with first.engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM sqlite_master")).scalars().all()
        assert "scratch" in names
    finally:
        first.close()
