"""New York's clock and the desk's in the status bar; the desk settings' defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QSettings

from desk_app.ui.settings import DeskSettings, default_backup_folder, system_zone
from desk_app.ui.status_clock import clock_text

AT = datetime(2026, 12, 7, 15, 41, tzinfo=UTC)


def test_the_clock_shows_new_york_and_the_desks_zone() -> None:
    assert clock_text(AT, "Europe/London") == "New York 10:41 EST · London 15:41 GMT"
    assert clock_text(AT, "America/Los_Angeles") == "New York 10:41 EST · Los Angeles 07:41 PST"
    assert clock_text(AT, "America/New_York") == "New York 10:41 EST"
    assert clock_text(AT, "UTC") == "New York 10:41 EST · UTC 15:41"
    assert clock_text(AT, "Not/A_Zone") == "New York 10:41 EST · UTC 15:41"  # never a crash


def test_desk_settings_default_clamp_and_follow_the_computer(tmp_path: Path) -> None:
    settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert settings.backup_folder() == default_backup_folder()
    assert default_backup_folder().parts[-2:] == ("Desk", "backups")
    assert settings.backup_keep_days() == 14
    settings.set_backup_keep_days(0)
    assert settings.backup_keep_days() == 1
    settings.set_backup_folder(tmp_path / "elsewhere")
    assert settings.backup_folder() == tmp_path / "elsewhere"
    settings.set_backup_folder(None)
    assert settings.backup_folder() == default_backup_folder()
    assert settings.local_zone() == system_zone()
    settings.set_local_zone("Asia/Tokyo")
    assert settings.local_zone() == "Asia/Tokyo"
    settings.set_local_zone(system_zone())
    assert not settings.store.contains("clock/local_zone")  # follows the computer again
    assert (settings.default_courier(), settings.default_sender()) == ("", "")
