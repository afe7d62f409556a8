"""Backups as use cases: what the command line and the window call.

A backup is a copy of a local SQLite file. A shared PostgreSQL database is backed up
by its server's own tools (``pg_dump``), which see every desk's transactions; Desk
says so rather than copy a server's data table by table.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from desk_app.db.migrate import head_revision
from desk_app.domain.db_address import DatabaseAddress
from desk_app.domain.progress import Progress, no_progress
from desk_app.services.actor import Actor
from desk_app.services.backup.checking import BackupCheck, NotRestorable
from desk_app.services.backup.copying import BackupFailed, CopyReport, copy_database
from desk_app.services.backup.daily import DEFAULT_KEEP_DAYS, DailyResult, take_daily
from desk_app.services.backup.restoring import RestoreReport, check_backup, restore_database

SHARED_BACKUP = (
    "{where} is a shared PostgreSQL database: back it up with the server's own tools, "
    "e.g. pg_dump -Fc -f desk.dump {database} (and pg_restore to restore it); see the "
    "README's Backups section."
)


def local_file(url: str, doing: str) -> Path:
    """The local file ``url`` names; a shared database is refused with the way to do it."""
    address = DatabaseAddress.parse(url)
    if not address.is_local:
        raise BackupFailed(
            f"{doing}: " + SHARED_BACKUP.format(where=address.shown(), database=address.database)
        )
    return Path(address.database)


def backup_database(url: str, out: Path) -> CopyReport:
    """A checked copy of the database at ``url`` written to ``out`` (local files only)."""
    return copy_database(local_file(url, "No backup was written"), out, head_revision())


def daily_backup(url: str, folder: Path, keep_days: int, today: date) -> DailyResult | None:
    """Today's automatic backup of a local database, pruned to ``keep_days``; None if shared."""
    address = DatabaseAddress.parse(url)
    if not address.is_local or ("mode", "ro") in address.query:
        return None
    return take_daily(Path(address.database), folder, keep_days, today, head_revision())


def restore(
    url: str,
    candidate: Path,
    actor: Actor | str,
    *,
    password: str | None = None,
    progress: Progress = no_progress,
) -> RestoreReport:
    """Replace the local database at ``url`` by the checked backup ``candidate``."""
    target = local_file(url, "Nothing was restored")
    return restore_database(target, candidate, actor, password=password, progress=progress)


__all__ = [
    "DEFAULT_KEEP_DAYS",
    "BackupCheck",
    "BackupFailed",
    "BackupService",
    "CopyReport",
    "DailyResult",
    "NotRestorable",
    "RestoreReport",
    "backup_database",
    "check_backup",
    "daily_backup",
    "local_file",
    "restore",
]


class BackupService:
    """Backups of one workspace's database, as its signed-in user."""

    def __init__(self, url: str, actor: Actor) -> None:
        self._url = url
        self._actor = actor

    @property
    def local(self) -> bool:
        """A local file (a shared database is backed up with the server's tools)."""
        return DatabaseAddress.parse(self._url).is_local

    def back_up(self, out: Path) -> CopyReport:
        return backup_database(self._url, out)

    def check(self, candidate: Path, progress: Progress = no_progress) -> BackupCheck:
        return check_backup(candidate, progress)

    def restore(self, candidate: Path, progress: Progress = no_progress) -> RestoreReport:
        """Restore ``candidate`` in place of this database (close the workspace first)."""
        return restore(self._url, candidate, self._actor, progress=progress)

    def daily(self, folder: Path, keep_days: int, today: date) -> DailyResult | None:
        return daily_backup(self._url, folder, keep_days, today)
