"""Put a checked backup in place of a local database, keeping the file it replaces.

The order matters: the restorer's rights are read from the database, the backup is
copied beside it and checked there (a Desk database, not newer than this Desk, its
audit trail and records intact), nobody may have the database open, the copy is
migrated if older and the restore recorded in its own trail, and only then does the
database file move aside (renamed with the time, never deleted) for the copy to take
its name. Until that last rename nothing of the database has changed.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from desk_app.db.engine import DatabaseUnavailable, create_desk_engine, session_factory
from desk_app.db.migrate import upgrade
from desk_app.domain.db_address import DatabaseAddress
from desk_app.domain.errors import NotPermitted
from desk_app.domain.permissions import READ_ONLY_REFUSAL, Action
from desk_app.domain.progress import Progress, no_progress
from desk_app.private_files import SQLITE_COMPANIONS
from desk_app.services import audit
from desk_app.services.actor import Actor, sign_in
from desk_app.services.backup.checking import BackupCheck, NotRestorable, check_staged, stage
from desk_app.services.backup.copying import temporary_beside
from desk_app.services.unit_of_work import UnitOfWork

RESTORE = "database.restore"
TABLE, RECORD = "database", "restore"
_RESTORING = "Restoring the database from a backup"


@dataclass(frozen=True)
class RestoreReport:
    """The backup now in force, and where the file it replaced was kept (None: there was none)."""

    check: BackupCheck
    database: Path
    kept: Path | None


def check_backup(candidate: Path, progress: Progress = no_progress) -> BackupCheck:
    """Check ``candidate`` as a restore would, on a private copy; raise `NotRestorable`."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="desk-restore-check-") as folder:
        staging = Path(folder) / "candidate.db"
        stage(candidate, staging)
        return check_staged(candidate, staging, progress)


def restore_database(
    target: Path,
    candidate: Path,
    actor: Actor | str,
    *,
    password: str | None = None,
    progress: Progress = no_progress,
) -> RestoreReport:
    """Replace the local database ``target`` by the backup ``candidate`` (an admin's act).

    ``actor`` was proven when they signed in to ``target``; their rights are read again
    from it now. With no database at ``target`` there is no one to be an admin of: the
    named user (a ``str``) signs in to the backup instead, by its own identity rules
    (``password`` if they have one there), and must be its admin.
    """
    target = target.absolute()
    if target.exists():
        if isinstance(actor, str):
            raise NotPermitted(
                f"{target} exists: restoring over it takes an admin signed in to it."
            )
        actor = _admin_of(target, actor)
    staging = temporary_beside(target, "restoring")
    _remove(staging)
    try:
        stage(candidate, staging)
        check = check_staged(candidate, staging, progress)
        if target.exists():
            refuse_if_open(target)
        progress(1, 1, "Recording the restore in the backup's audit trail…")
        _finish(staging, candidate, target, actor, password)
        kept = _swap(target, staging)
    except BaseException:
        _remove(staging)
        raise
    return RestoreReport(check, target, kept)


def _admin_of(target: Path, actor: Actor) -> Actor:
    """``actor`` as ``target`` has them now; refused unless an admin of it."""
    engine = create_desk_engine(DatabaseAddress.sqlite_file(target).url)
    try:
        uow = UnitOfWork(session_factory(engine), actor)
        with uow.read() as session:
            current = uow.current_actor(session)
    except DatabaseUnavailable as exc:
        raise NotRestorable(
            f"{target} cannot be opened ({exc}). Move it aside first, then restore into "
            "its place: an admin of the backup may restore where there is no database."
        ) from None
    finally:
        engine.dispose()
    refused = current.refusal(Action.USER_MANAGE)
    if refused is not None and refused != READ_ONLY_REFUSAL:
        raise NotPermitted(refused.replace(Action.USER_MANAGE.label, _RESTORING, 1))
    return current


def refuse_if_open(target: Path) -> None:
    """Refuse while any other connection (another window, a command) has ``target`` open.

    An exclusive lock is granted only when no other connection holds the file or its
    write-ahead log; closing this probe, the last connection, folds the log into the
    file and removes the -wal and -shm files, so the file is whole on its own.
    """
    probe = sqlite3.connect(target, timeout=0, isolation_level=None)
    try:
        probe.execute("PRAGMA locking_mode = EXCLUSIVE")
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise NotRestorable(
                f"{target} is open elsewhere (another Desk window or command on this or "
                "another computer): close it there first. Nothing was changed."
            ) from None
        raise NotRestorable(f"{target} cannot be locked ({exc}). Nothing was changed.") from None
    finally:
        probe.close()


def _finish(
    staging: Path, candidate: Path, target: Path, actor: Actor | str, password: str | None
) -> None:
    """Migrate the staged copy if older, and record the restore in its trail."""
    engine = create_desk_engine(DatabaseAddress.sqlite_file(staging).url)
    try:
        upgrade(engine)
        sessions = session_factory(engine)
        audit.install(sessions)
        if isinstance(actor, str):  # no database to be an admin of: be one of the backup's
            actor = sign_in(sessions, engine, actor, password)
            refused = actor.refusal(Action.USER_MANAGE)
            if refused is not None:
                raise NotPermitted(refused.replace(Action.USER_MANAGE.label, _RESTORING, 1))
        with sessions.begin() as session:
            session.info[audit.CONTEXT_KEY] = audit.AuditContext(
                actor.username, actor.db_login, RESTORE
            )
            audit.record_event(
                session,
                TABLE,
                RECORD,
                {"from": str(candidate.absolute()), "into": str(target)},
            )
    finally:
        engine.dispose()
    # One self-contained file again, its log folded in, before it takes the database's name.
    conn = sqlite3.connect(staging)
    try:
        conn.execute("PRAGMA journal_mode = DELETE").fetchone()
    finally:
        conn.close()


def kept_name(target: Path, now: datetime) -> Path:
    """Where the replaced database goes: beside it, named with the (UTC) time."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return target.with_name(f"{target.stem}.replaced-{stamp}{target.suffix}")


def _swap(target: Path, staging: Path) -> Path | None:
    """The staged copy takes ``target``'s name; the old file (and any log) is kept aside."""
    if not target.exists():
        os.replace(staging, target)
        return None
    refuse_if_open(target)  # again, just before: someone may have opened it meanwhile
    kept = kept_name(target, datetime.now(UTC))
    os.replace(target, kept)
    try:
        for suffix in SQLITE_COMPANIONS:  # none after a clean close; kept with it if any
            side = target.with_name(target.name + suffix)
            if side.exists():
                os.replace(side, kept.with_name(kept.name + suffix))
        os.replace(staging, target)
    except BaseException:
        os.replace(kept, target)
        raise
    return kept


def _remove(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + s) for s in SQLITE_COMPANIONS)):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
