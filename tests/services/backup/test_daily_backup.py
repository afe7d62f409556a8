"""The automatic daily backup: one file a business day, the oldest pruned by their date."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from desk_app.services.backup import backups
from desk_app.services.backup.copying import BackupFailed
from desk_app.services.backup.daily import daily_name
from desk_app.services.workspace import open_workspace

TODAY = date(2026, 12, 7)


def test_the_first_start_of_a_day_takes_it_later_starts_find_it_and_old_ones_go(
    sqlite_url: str, tmp_path: Path
) -> None:
    open_workspace(sqlite_url, "tester").close()
    source = Path(sqlite_url.removeprefix("sqlite:///"))
    folder = tmp_path / "backups" / "daily"  # made on first use
    for age in (1, 2, 3, 4, 10):  # earlier days' backups, by their names
        folder.mkdir(parents=True, exist_ok=True)
        (folder / daily_name(source, TODAY - timedelta(days=age))).write_bytes(b"old")
    kept_by_hand = folder / "desk-before-year-end.db"
    kept_by_hand.write_bytes(b"mine")
    other_database = folder / f"other-{(TODAY - timedelta(days=30)).isoformat()}.db"
    other_database.write_bytes(b"theirs")

    first = backups.daily_backup(sqlite_url, folder, 3, TODAY)
    assert first is not None and first.taken is not None
    assert first.path == folder / "desk-2026-12-07.db" and first.taken.audit_entries > 0
    assert sorted(p.name for p in first.pruned) == [
        "desk-2026-11-27.db", "desk-2026-12-03.db", "desk-2026-12-04.db",
    ]  # fmt: skip
    assert sorted(p.name for p in folder.iterdir()) == [
        "desk-2026-12-05.db", "desk-2026-12-06.db", "desk-2026-12-07.db",
        "desk-before-year-end.db", "other-2026-11-07.db",
    ]  # fmt: skip

    again = backups.daily_backup(sqlite_url, folder, 3, TODAY)
    assert again is not None and again.taken is None and again.pruned == ()
    backups.check_backup(first.path)  # a real, restorable backup

    tomorrow = backups.daily_backup(sqlite_url, folder, 1, TODAY + timedelta(days=1))
    assert tomorrow is not None and tomorrow.taken is not None
    assert sorted(p.name for p in folder.glob("desk-2026-*.db")) == ["desk-2026-12-08.db"]


def test_no_daily_backup_of_a_shared_or_read_only_database_and_at_least_a_day_kept(
    sqlite_url: str, tmp_path: Path
) -> None:
    pg = "postgresql+psycopg://desk@db.example/desk"
    assert backups.daily_backup(pg, tmp_path, 3, TODAY) is None
    assert backups.daily_backup(sqlite_url + "?mode=ro", tmp_path, 3, TODAY) is None
    with pytest.raises(BackupFailed, match="at least 1 day"):
        backups.daily_backup(sqlite_url, tmp_path, 0, TODAY)
