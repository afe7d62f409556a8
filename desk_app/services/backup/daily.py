"""The automatic daily backup of the local database, kept for a number of days.

One file a business day, named for it (``desk-2026-12-07.db``): the first start of the
day takes it, later starts find it there. Pruning goes by the date in the name, not
the file's time, so copying the folder elsewhere keeps the same ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from desk_app.private_files import private_folder
from desk_app.services.backup.copying import BackupFailed, CopyReport, copy_database

DEFAULT_KEEP_DAYS = 14


@dataclass(frozen=True)
class DailyResult:
    """Today's backup (None: it was there already) and the old ones removed."""

    path: Path
    taken: CopyReport | None
    pruned: tuple[Path, ...] = field(default=())


def daily_name(source: Path, day: date) -> str:
    return f"{source.stem}-{day.isoformat()}{source.suffix or '.db'}"


def _dated(source: Path) -> re.Pattern[str]:
    suffix = re.escape(source.suffix or ".db")
    return re.compile(rf"^{re.escape(source.stem)}-(\d{{4}}-\d{{2}}-\d{{2}}){suffix}$")


def take_daily(source: Path, folder: Path, keep_days: int, today: date, head: str) -> DailyResult:
    """Today's backup of ``source`` in ``folder`` if there is none yet; prune the old ones."""
    if keep_days < 1:
        raise BackupFailed("Keep daily backups for at least 1 day.")
    try:
        private_folder(folder)
    except OSError as exc:
        raise BackupFailed(f"Cannot create the backup folder {folder}: {exc.strerror}.") from None
    path = folder / daily_name(source, today)
    taken = None if path.exists() else copy_database(source, path, head)
    return DailyResult(path, taken, prune(source, folder, keep_days, today))


def prune(source: Path, folder: Path, keep_days: int, today: date) -> tuple[Path, ...]:
    """Remove the daily backups of ``source`` dated ``keep_days`` days or more before today.

    Only files named as daily backups of this database are touched: a backup saved
    by hand in the same folder, or another database's, stays.
    """
    oldest_kept = today - timedelta(days=keep_days - 1)
    pattern = _dated(source)
    removed = []
    for candidate in sorted(folder.iterdir()):
        found = pattern.match(candidate.name)
        if found is None or not candidate.is_file():
            continue
        try:
            day = date.fromisoformat(found.group(1))
        except ValueError:
            continue
        if day < oldest_kept:
            candidate.unlink()
            removed.append(candidate)
    return tuple(removed)
