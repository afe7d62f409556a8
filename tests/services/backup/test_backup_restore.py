"""Backup while another process writes, then restore: checked before anything is replaced."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.errors import NotPermitted
from desk_app.services import firm
from desk_app.services.actor import Actor
from desk_app.services.backup import backups
from desk_app.services.backup.restoring import RESTORE
from desk_app.services.workspace import open_workspace
from tests.services.conftest import Desk

ROOT = Path(__file__).resolve().parents[3]


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _wait_for(path: Path, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Until ``path`` exists (the other process made it), or the process ended without it."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the writer ended ({proc.returncode}) before {path.name}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {path.name} after {timeout} s")
        try:  # block on the process, not a sleep: it ends or the slice passes
            proc.wait(0.01)
        except subprocess.TimeoutExpired:
            pass


@pytest.fixture
def admin(sqlite_url: str) -> Actor:
    """The database's admin, signed in once and gone again: a restore needs it closed."""
    with open_workspace(sqlite_url, "tester") as ws:
        firm.set_firm_name(ws.uow, "Before the writer")
        return ws.user


def _firm_events(url: str) -> int:
    with open_workspace(url, "tester", migrate=False) as ws, ws.uow.read() as session:
        a = m.AuditEntry
        return len(session.scalars(select(a.seq).where(a.action == firm.SET_FIRM)).all())


def test_a_backup_taken_while_another_process_writes_opens_verifies_and_restores(
    admin: Actor, sqlite_url: str, tmp_path: Path
) -> None:
    signals = tmp_path / "signals"
    signals.mkdir()
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.services.backup.writer", sqlite_url, str(signals)],
        cwd=ROOT,
    )
    try:
        _wait_for(signals / "ready", writer)
        out = tmp_path / "copies" / "desk-backup.db"
        out.parent.mkdir()
        report = backups.backup_database(sqlite_url, out)
        (signals / "stop").touch()
        _wait_for(signals / "done", writer)
    finally:
        (signals / "stop").touch()
        writer.wait(60)
    assert writer.returncode == 0
    written = int((signals / "done").read_text())
    assert report.path == out and out.exists()
    assert [p.name for p in out.parent.iterdir()] == ["desk-backup.db"]  # no partial file
    copy_url = f"sqlite:///{out}"
    copied = _firm_events(copy_url)
    # A snapshot taken mid-stream: at least what was written before it, at most all of it.
    assert 1 + 20 <= copied <= 1 + written
    with open_workspace(copy_url, "tester", migrate=False) as ws:
        assert ws.history.verify().problem is None
        assert ws.history.verify_records().intact

    before = _digest(_path(sqlite_url))
    result = backups.restore(sqlite_url, out, admin)
    assert result.kept is not None and _digest(result.kept) == before
    assert result.check.audit_entries == report.audit_entries
    assert _firm_events(sqlite_url) == copied  # the database is the backup again
    with open_workspace(sqlite_url, "tester", migrate=False) as ws:
        assert ws.history.verify().problem is None
        with ws.uow.read() as session:
            a = m.AuditEntry
            who, after = session.execute(
                select(a.app_user, a.after).where(a.action == RESTORE)
            ).one()
    assert who == "tester"
    assert json.loads(after)["from"] == str(out)


def test_restore_refuses_while_another_process_has_the_database_open(
    admin: Actor, sqlite_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "b.db"
    backups.backup_database(sqlite_url, out)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('select count(*) from users').fetchone(); print('open', flush=True); "
         "sys.stdin.readline()", str(_path(sqlite_url))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        before = _digest(_path(sqlite_url))
        with pytest.raises(backups.NotRestorable, match="is open elsewhere"):
            backups.restore(sqlite_url, out, admin)
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(30)
        assert holder.stdout is not None
        holder.stdout.close()
    assert _digest(_path(sqlite_url)) == before
    assert not list(tmp_path.glob("desk.replaced-*"))


def _refused(url: str, admin: Actor, candidate: Path, match: str) -> None:
    target = _path(url)
    before = _digest(target)
    with pytest.raises(backups.NotRestorable, match=match):
        backups.restore(url, candidate, admin)
    assert _digest(target) == before
    left = [*target.parent.glob("desk.replaced-*"), *target.parent.glob(".desk.db.*")]
    assert left == []  # no kept file, no staging copy


def test_restore_refuses_what_is_not_a_desk_database(
    admin: Actor, sqlite_url: str, tmp_path: Path
) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("account,quantity\n")
    _refused(sqlite_url, admin, text_file, "not an SQLite file")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    _refused(sqlite_url, admin, other, r"not a Desk database \(no alembic_version")
    _refused(sqlite_url, admin, tmp_path / "missing.db", "no such file")


def test_restore_refuses_a_backup_whose_trail_or_records_were_edited(
    admin: Actor, sqlite_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "b.db"
    backups.backup_database(sqlite_url, out)
    entry = tmp_path / "entry-edited.db"
    entry.write_bytes(out.read_bytes())
    with sqlite3.connect(entry) as conn:  # as someone with the file would: triggers first
        for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute("UPDATE audit_log SET app_user = 'mallory' WHERE seq = 1")
    _refused(sqlite_url, admin, entry, "its audit trail does not verify")
    row = tmp_path / "row-edited.db"
    row.write_bytes(out.read_bytes())
    with sqlite3.connect(row) as conn:
        conn.execute(
            "UPDATE users SET full_name = 'Mallory' WHERE id = (SELECT min(id) FROM users)"
        )
    _refused(sqlite_url, admin, row, "differ from their audited state")


def test_a_clerk_may_not_restore_and_a_backup_of_a_shared_database_says_pg_dump(
    sqlite_url: str, tmp_path: Path
) -> None:
    desk = Desk(sqlite_url)
    out = tmp_path / "b.db"
    try:
        backups.backup_database(sqlite_url, out)
        clerks = {name: desk.ws[name].user for name in ("carl", "sue", "cora")}
    finally:
        desk.close()
    before = _digest(_path(sqlite_url))
    for actor in clerks.values():
        with pytest.raises(NotPermitted, match="Restoring the database from a backup"):
            backups.restore(sqlite_url, out, actor)
        assert _digest(_path(sqlite_url)) == before
    with pytest.raises(backups.BackupFailed, match="pg_dump -Fc"):
        backups.backup_database("postgresql+psycopg://desk@db.example/desk", tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists()


def test_a_backup_from_an_older_desk_is_migrated_as_it_is_checked_and_restored(
    admin: Actor, sqlite_url: str, tmp_path: Path
) -> None:
    from alembic import command
    from sqlalchemy import create_engine

    from desk_app.db.migrate import _config, head_revision

    older = tmp_path / "older.db"  # this database as the Desk before the last one left it
    backups.backup_database(sqlite_url, older)
    engine = create_engine(f"sqlite:///{older}")
    try:
        with engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0016")
    finally:
        engine.dispose()
    before = _digest(older)
    check = backups.check_backup(older)
    assert check.revision == "0016" and check.migrates
    assert "older than this Desk's" in check.lines()[1]
    assert _digest(older) == before  # checked on a copy: the backup itself is untouched
    report = backups.restore(sqlite_url, older, admin)
    assert report.kept is not None
    with open_workspace(sqlite_url, "tester", migrate=False) as ws:
        assert ws.history.verify().problem is None
        with ws.uow.read() as session:
            rev = (
                session.connection()
                .exec_driver_sql("SELECT version_num FROM alembic_version")
                .scalar()
            )
    assert rev == head_revision()
