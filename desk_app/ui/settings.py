"""Every QSettings key the GUI uses, in one place.

The QSettings object is injected so tests can point it at a temporary INI file and
never touch the developer's real settings. Passwords are never written here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from desk_app.domain.db_address import redact

MAX_RECENT = 8

_GEOMETRY = "window/geometry"
_STATE = "window/state"
_LAST_URL = "database/last_url"
_RECENT = "database/recent_urls"
_IDLE_LOCK = "security/idle_lock_minutes"
_COURIER = "manifests/default_courier"
_SENDER = "manifests/default_sender"
_BACKUP_FOLDER = "backups/folder"
_BACKUP_DAYS = "backups/keep_days"
_LOCAL_ZONE = "clock/local_zone"

DEFAULT_IDLE_LOCK_MINUTES = 15
DEFAULT_BACKUP_DAYS = 14
MAX_BACKUP_DAYS = 3650
IDLE_LOCK_ENV = "DESK_IDLE_LOCK_MINUTES"


@dataclass(frozen=True)
class HeaderLayout:
    """A table header's saved state, valid only for the same columns in the same order."""

    columns: tuple[str, ...]
    state: QByteArray
    sort_key: str
    descending: bool


class DeskSettings:
    """Typed access to the GUI's persistent settings."""

    def __init__(self, store: QSettings) -> None:
        self._store = store

    @property
    def store(self) -> QSettings:
        return self._store

    def sync(self) -> None:
        self._store.sync()

    # -- window -----------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        return self._bytes(_GEOMETRY)

    def window_state(self) -> QByteArray | None:
        return self._bytes(_STATE)

    def set_window_layout(self, geometry: QByteArray, state: QByteArray) -> None:
        self._store.setValue(_GEOMETRY, geometry)
        self._store.setValue(_STATE, state)

    # -- table headers ------------------------------------------------------------
    def header_layout(self, tab_key: str) -> HeaderLayout | None:
        state = self._bytes(f"tables/{tab_key}/header")
        raw = self._store.value(f"tables/{tab_key}/layout", "")
        if state is None or not isinstance(raw, str) or not raw:
            return None
        try:
            meta = json.loads(raw)
            return HeaderLayout(
                tuple(str(c) for c in meta["columns"]),
                state,
                str(meta["sort_key"]),
                bool(meta["descending"]),
            )
        except (ValueError, KeyError, TypeError):
            return None

    def set_header_layout(self, tab_key: str, layout: HeaderLayout) -> None:
        meta = {
            "columns": list(layout.columns),
            "sort_key": layout.sort_key,
            "descending": layout.descending,
        }
        self._store.setValue(f"tables/{tab_key}/header", layout.state)
        self._store.setValue(f"tables/{tab_key}/layout", json.dumps(meta))

    def clear_header_layout(self, tab_key: str) -> None:
        self._store.remove(f"tables/{tab_key}")

    # -- databases ------------------------------------------------------------------
    def last_database_url(self) -> str | None:
        value = self._store.value(_LAST_URL, "")
        return value if isinstance(value, str) and value else None

    def set_last_database_url(self, url: str) -> None:
        self._store.setValue(_LAST_URL, redact(url))

    def recent_urls(self) -> list[str]:
        raw = self._store.value(_RECENT, "")
        try:
            values = json.loads(raw) if isinstance(raw, str) and raw else []
        except ValueError:
            return []
        return [v for v in values if isinstance(v, str)][:MAX_RECENT]

    def add_recent_url(self, url: str) -> None:
        """Put ``url`` first in the recent list (without its password), at most 8."""
        clean = redact(url)
        urls: Sequence[str] = [clean, *(u for u in self.recent_urls() if u != clean)]
        self._store.setValue(_RECENT, json.dumps(list(urls[:MAX_RECENT])))

    # -- security ---------------------------------------------------------------------
    def idle_lock_minutes(self) -> float:
        """Minutes without input before the window locks; 0 = never.

        ``DESK_IDLE_LOCK_MINUTES`` (fractions allowed) overrides the stored value, for
        tests and scripted demos.
        """
        for raw in (os.environ.get(IDLE_LOCK_ENV), self._store.value(_IDLE_LOCK)):
            if raw is None or raw == "":
                continue
            try:
                value = float(str(raw))
            except ValueError:
                continue
            if value >= 0:
                return value
        return DEFAULT_IDLE_LOCK_MINUTES

    def set_idle_lock_minutes(self, minutes: int) -> None:
        self._store.setValue(_IDLE_LOCK, max(0, int(minutes)))

    # -- manifests ---------------------------------------------------------------------
    def default_courier(self) -> str:
        """The courier a new manifest starts with ("" : the dialog's first)."""
        return self._text(_COURIER)

    def set_default_courier(self, courier: str) -> None:
        self._store.setValue(_COURIER, courier.strip())

    def default_sender(self) -> str:
        """The sender a new manifest starts with ("" : the last manifest's)."""
        return self._text(_SENDER)

    def set_default_sender(self, sender: str) -> None:
        self._store.setValue(_SENDER, sender.strip())

    # -- backups ------------------------------------------------------------------------
    def backup_folder(self) -> Path:
        """Where the daily backups of the local database go (default: the data folder's)."""
        chosen = self._text(_BACKUP_FOLDER)
        return Path(chosen) if chosen else default_backup_folder()

    def set_backup_folder(self, folder: Path | None) -> None:
        """None (or the default itself) follows the default wherever it is."""
        if folder is None or folder == default_backup_folder():
            self._store.remove(_BACKUP_FOLDER)
        else:
            self._store.setValue(_BACKUP_FOLDER, str(folder))

    def backup_keep_days(self) -> int:
        """How many days of daily backups to keep (today's included)."""
        try:
            days = int(str(self._store.value(_BACKUP_DAYS, DEFAULT_BACKUP_DAYS)))
        except ValueError:
            return DEFAULT_BACKUP_DAYS
        return min(max(days, 1), MAX_BACKUP_DAYS)

    def set_backup_keep_days(self, days: int) -> None:
        self._store.setValue(_BACKUP_DAYS, min(max(int(days), 1), MAX_BACKUP_DAYS))

    # -- clock --------------------------------------------------------------------------
    def local_zone(self) -> str:
        """The zone shown beside New York's in the status bar (default: the computer's)."""
        return self._text(_LOCAL_ZONE) or system_zone()

    def set_local_zone(self, zone: str) -> None:
        if zone == system_zone():
            self._store.remove(_LOCAL_ZONE)  # follow the computer if it moves
        else:
            self._store.setValue(_LOCAL_ZONE, zone)

    def _text(self, key: str) -> str:
        value = self._store.value(key, "")
        return value if isinstance(value, str) else ""

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._store.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, bytes) and value:
            return QByteArray(value)
        return None


def default_backup_folder() -> Path:
    """``backups`` in the user's data folder, beside the local database (platformdirs)."""
    from platformdirs import user_data_path

    from desk_app import APP_NAME

    return user_data_path(APP_NAME, appauthor=False) / "backups"


def system_zone() -> str:
    """The computer's time zone as a zoneinfo name ("UTC" when it cannot be told).

    ``TZ``, else what ``/etc/localtime`` links to (Linux, macOS). Windows names its
    zones otherwise: there the desk picks one in File → Settings….
    """
    from zoneinfo import available_timezones

    named = os.environ.get("TZ", "").lstrip(":")
    if not named:
        try:
            target = os.path.realpath("/etc/localtime")
        except OSError:
            target = ""
        named = target.partition("zoneinfo/")[2]
    if named and named in available_timezones():
        return "UTC" if named in ("Etc/UTC", "Etc/Universal", "Zulu") else named
    return "UTC"
