"""What the settings dialog and the backup actions read from a workspace, as Protocols.

A real `Workspace`'s ``firm`` and ``backups`` services satisfy these by shape; the
window never imports the services (or SQLAlchemy) to use them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from desk_app.domain.progress import Progress


class FirmView(Protocol):
    """The firm's letterhead: read by anyone, changed by an admin (audited)."""

    def letterhead(self) -> tuple[str, str]: ...
    def set_name(self, name: str) -> str: ...
    def set_address(self, address: str) -> str: ...


class CopyReportView(Protocol):
    @property
    def path(self) -> Path: ...
    @property
    def size(self) -> int: ...
    @property
    def audit_entries(self) -> int: ...


class BackupCheckView(Protocol):
    @property
    def path(self) -> Path: ...
    @property
    def migrates(self) -> bool: ...
    def lines(self) -> list[str]: ...


class RestoreReportView(Protocol):
    @property
    def check(self) -> BackupCheckView: ...
    @property
    def database(self) -> Path: ...
    @property
    def kept(self) -> Path | None: ...


class DailyResultView(Protocol):
    @property
    def path(self) -> Path: ...
    @property
    def taken(self) -> CopyReportView | None: ...
    @property
    def pruned(self) -> tuple[Path, ...]: ...


class BackupsView(Protocol):
    """Backups of the open database (a local file; a shared one uses pg_dump)."""

    @property
    def local(self) -> bool: ...
    def back_up(self, out: Path) -> CopyReportView: ...
    def check(self, candidate: Path, progress: Progress = ...) -> BackupCheckView: ...
    def restore(self, candidate: Path, progress: Progress = ...) -> RestoreReportView: ...
    def daily(self, folder: Path, keep_days: int, today: date) -> DailyResultView | None: ...
