"""A consistent copy of a live SQLite database, checked before anyone is told it is good.

SQLite's online backup API reads the source in one read transaction: in WAL mode the
other desks go on writing meanwhile and the copy is the database as of one instant.
It is written under a temporary name beside the destination and renamed only once it
has passed its checks, so a half-written file never carries the name asked for.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desk_app.db.engine import DatabaseUnavailable, check_connection, create_desk_engine
from desk_app.db.migrate import check_schema
from desk_app.db.models import AuditEntry
from desk_app.domain.db_address import DatabaseAddress
from desk_app.domain.errors import DeskError
from desk_app.private_files import private_database

#: The copy is a single self-contained file: no write-ahead log beside it.
_COPY_JOURNAL = "DELETE"
AUDIT_TABLE = AuditEntry.__tablename__
#: How long the copy waits for a writer's lock before giving up (ms).
BUSY_TIMEOUT_MS = 30_000


class BackupFailed(DeskError):
    """The copy could not be made or did not pass its checks; nothing was left behind."""


@dataclass(frozen=True)
class CopyReport:
    """What was written: where, how big, at which schema revision, how much audit trail."""

    path: Path
    size: int
    revision: str
    audit_entries: int


def temporary_beside(path: Path, why: str) -> Path:
    """A name in ``path``'s folder (so the final rename stays on one file system)."""
    return path.with_name(f".{path.name}.{why}-{os.getpid()}")


def copy_database(source: Path, destination: Path, head: str) -> CopyReport:
    """Copy ``source`` to ``destination`` and check the copy; raise `BackupFailed` if not good.

    ``head`` is the schema revision the copy must be at (the one this Desk writes).
    """
    source, destination = source.resolve(), destination.absolute()
    if not source.is_file():
        raise BackupFailed(f"{source}: there is no database file to back up.")
    if destination.exists() and destination.resolve() == source:
        raise BackupFailed(f"{destination} is the database itself: choose another file.")
    if destination.is_dir():
        raise BackupFailed(f"{destination} is a folder: name the backup file to write.")
    if not destination.parent.is_dir():
        raise BackupFailed(f"{destination.parent}: no such folder.")
    partial = temporary_beside(destination, "partial")
    _remove_quietly(partial)
    try:
        snapshot(source, partial)
        report = check_copy(partial, head)
        os.replace(partial, destination)
    except BaseException:
        _remove_quietly(partial)
        raise
    return CopyReport(destination, report.size, report.revision, report.audit_entries)


def snapshot(source: Path, target: Path) -> None:
    """The whole of ``source`` as of one instant, into the new file ``target``."""
    try:
        src = sqlite3.connect(
            f"{source.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as exc:
        raise BackupFailed(f"Cannot read {source}: {exc}.") from None
    try:
        private_database(target)  # the copy holds what the database holds: owner only
        dst = sqlite3.connect(target)
        try:
            # pages=-1: one step, one read transaction. Copied step by step, a write by
            # another desk would restart the copy, and a busy desk could starve it.
            src.backup(dst, pages=-1)
            dst.execute(f"PRAGMA journal_mode = {_COPY_JOURNAL}").fetchone()
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupFailed(f"Cannot copy {source}: {exc}. No backup was written.") from None
    except OSError as exc:
        raise BackupFailed(f"Cannot write {target.parent}: {exc.strerror}.") from None
    finally:
        src.close()


@dataclass(frozen=True)
class CopyCheck:
    size: int
    revision: str
    audit_entries: int


def check_copy(path: Path, head: str) -> CopyCheck:
    """SQLite's own integrity check, and the schema a Desk of this version opens."""
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            problems = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupFailed(
                    f"The copy failed SQLite's integrity check ({'; '.join(problems[:3])}). "
                    "No backup was written: the database itself may be damaged."
                )
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            entries = conn.execute(f"SELECT count(*) FROM {AUDIT_TABLE}").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupFailed(
            f"The copy cannot be read back ({exc}). No backup was written."
        ) from None
    revision = str(row[0]) if row else ""
    if revision != head:
        raise BackupFailed(
            f"The copy is at schema {revision or 'none'}, not {head}: open the database "
            "with this Desk (it migrates it) and back it up again."
        )
    _opens(path)
    return CopyCheck(path.stat().st_size, revision, int(entries))


def _opens(path: Path) -> None:
    """The copy opens as Desk opens a database (read-only: nothing written beside it)."""
    engine = create_desk_engine(DatabaseAddress.sqlite_file(path).url + "?mode=ro")
    try:
        check_connection(engine)
        check_schema(engine)
    except DatabaseUnavailable as exc:
        raise BackupFailed(f"The copy does not open in Desk ({exc.message}).") from None
    finally:
        engine.dispose()


def _remove_quietly(path: Path) -> None:
    for leftover in (path, *sidecars(path)):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass


def sidecars(path: Path) -> tuple[Path, Path, Path]:
    """SQLite's files beside a database: write-ahead log, its index, rollback journal."""
    return (
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
        path.with_name(path.name + "-journal"),
    )
