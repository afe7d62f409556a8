"""File → Back up database… and Restore…, and the automatic daily backup.

Every copy and check runs off the GUI thread. A restore first lets go of the database
(the window stops reading it and it is closed: a restore refuses a file anyone still
has open), then asks the window to open it again, restored or, if refused, as it was.
The daily backup never interrupts: a failure shows in the status bar, not a box.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QStatusBar, QWidget

from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError
from desk_app.domain.permissions import Action
from desk_app.ui.dialogs.trade_ticket_fields import set_tone
from desk_app.ui.ops import Op
from desk_app.ui.settings import DeskSettings
from desk_app.ui.theme import Tone
from desk_app.ui.workers import run_in_background, run_with_progress_dialog

if TYPE_CHECKING:
    from desk_app.ui.backup_views import (
        BackupCheckView,
        CopyReportView,
        DailyResultView,
        RestoreReportView,
    )
    from desk_app.ui.tabs.workspace_view import WorkspaceView

log = logging.getLogger(__name__)

#: How often an open window looks whether a new business day needs its backup.
DAILY_CHECK_MS = 60 * 60 * 1000
BACKUP_FILTER = "Desk databases (*.db);;All files (*)"
PG_DUMP_TEXT = (
    "This is a shared PostgreSQL database: the server is backed up with its own tools, "
    "which see every desk's work, e.g.\n\n    pg_dump -Fc -f desk.dump DATABASE\n\nand "
    "restored with pg_restore (see the user guide's Backups page)."
)
RESTORING = "Restoring the database from a backup"


class BackupHost(Protocol):
    """What the actions need of the window."""

    @property
    def workspace(self) -> WorkspaceView | None: ...
    @property
    def database_change_requested(self) -> SignalInstance: ...
    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name
    def clear_workspace(self, message: str = ...) -> None: ...


class BackupActions(QObject):
    """The File menu's backup and restore actions, and the daily backup's timer."""

    def __init__(self, host: BackupHost, window: QWidget, settings: DeskSettings) -> None:
        super().__init__(window)
        self._host = host
        self._window = window
        self._settings = settings
        self.back_up_action = QAction("&Back up database…", window)
        self.back_up_action.triggered.connect(self.back_up)
        self.restore_action = QAction("Res&tore from backup…", window)
        self.restore_action.triggered.connect(self.restore)
        #: Shown in the status bar while the last daily backup failed.
        self.daily_problem = QLabel("", window)
        self.daily_problem.setObjectName("daily_backup_problem")
        self.daily_problem.setContentsMargins(8, 0, 8, 0)
        set_tone(self.daily_problem, Tone.NEGATIVE)
        self.daily_problem.hide()
        self.last_daily: DailyResultView | None = None
        self.last_copy: CopyReportView | None = None
        self.last_restore: RestoreReportView | None = None
        self.confirm_box: QMessageBox | None = None
        #: The last message shown (a refusal, the pg_dump advice).
        self.notice: QMessageBox | None = None
        self._daily_running = False
        self._timer = QTimer(self)
        self._timer.setInterval(DAILY_CHECK_MS)
        self._timer.timeout.connect(self.run_daily)
        self.update_actions()

    # -- enabled, and why not ---------------------------------------------------------------
    def update_actions(self) -> None:
        ws = self._host.workspace
        if ws is None:
            for action in (self.back_up_action, self.restore_action):
                action.setEnabled(False)
                action.setToolTip("Open a database first")
            return
        self.back_up_action.setEnabled(True)
        self.back_up_action.setToolTip(
            "A checked copy of the database, while everyone works"
            if ws.backups.local
            else "A shared database is backed up with pg_dump: this says how"
        )
        refused = ws.user.refusal(Action.USER_MANAGE)
        if not ws.backups.local:
            refused = "A shared database is restored with pg_restore, by its administrator"
        elif refused is not None:
            refused = refused.replace(Action.USER_MANAGE.label, RESTORING, 1)
        self.restore_action.setEnabled(refused is None)
        self.restore_action.setToolTip(refused or "Replace this database by a checked backup")

    # -- back up ------------------------------------------------------------------------------
    def back_up(self) -> bool:
        """Ask where, then copy and check off the GUI thread; False if nothing started."""
        ws = self._host.workspace
        if ws is None:
            return False
        if not ws.backups.local:
            self._tell("Back up database", PG_DUMP_TEXT, QMessageBox.Icon.Information)
            return False
        suggested = self._settings.backup_folder() / f"desk-{market_today().isoformat()}-copy.db"
        path, _ = QFileDialog.getSaveFileName(
            self._window, "Back up database", str(suggested), BACKUP_FILTER
        )
        if not path:
            return False
        return self.back_up_to(Path(path))

    def back_up_to(self, out: Path) -> bool:
        ws = self._host.workspace
        if ws is None:
            return False
        backups = ws.backups
        self._host.statusBar().showMessage("Backing up the database…")
        return Op(self._window, lambda: backups.back_up(out), done=self._backed_up,
                  refused=self._backup_refused, label="Backing up the database…",
                  busy_key="backup").run()  # fmt: skip

    def _backed_up(self, report: CopyReportView) -> None:
        self.last_copy = report
        self._host.statusBar().showMessage(
            f"Backed up to {report.path} and checked ({report.audit_entries:,} audit "
            f"entries, {report.size / 1_048_576:,.1f} MB)",
            30_000,
        )

    def _backup_refused(self, exc: DeskError) -> None:
        self._host.statusBar().clearMessage()
        self._tell("Back up database", exc.message)

    # -- restore ------------------------------------------------------------------------------
    def restore(self) -> bool:
        """Choose a backup, check it off the GUI thread; the findings ask to confirm."""
        ws = self._host.workspace
        if ws is None or not self.restore_action.isEnabled():
            return False
        path, _ = QFileDialog.getOpenFileName(
            self._window, "Restore from backup", str(self._settings.backup_folder()),
            BACKUP_FILTER,
        )  # fmt: skip
        if not path:
            return False
        return self.check_then_confirm(Path(path))

    def check_then_confirm(self, candidate: Path) -> bool:
        ws = self._host.workspace
        if ws is None:
            return False
        backups = ws.backups
        return Op(self._window, with_progress=lambda p: backups.check(candidate, p),
                  done=self._confirm, refused=self._restore_refused,
                  label="Checking the backup…", busy_key="restore").run()  # fmt: skip

    def _confirm(self, check: BackupCheckView) -> QMessageBox | None:
        ws = self._host.workspace
        if ws is None:
            return None
        box = QMessageBox(self._window)
        box.setObjectName("restore_confirm")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Restore from backup")
        box.setText(f"Restore this backup in place of {ws.address.shown()}?")
        box.setInformativeText(
            "\n".join(check.lines())
            + "\n\nThe database now open is kept beside it (renamed with today's time), "
            "never deleted. Everyone else must close it first. The restore is recorded "
            "in the restored database's audit trail."
        )
        restore = box.addButton("Restore", QMessageBox.ButtonRole.DestructiveRole)
        restore.setObjectName("restore_button")
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(
            lambda button: self._restore(check.path) if button is restore else None
        )
        self.confirm_box = box
        box.open()
        return box

    def _restore(self, candidate: Path) -> None:
        ws = self._host.workspace
        if ws is None:
            return
        url, backups = ws.url, ws.backups
        self._timer.stop()
        self._host.clear_workspace("Restoring the database from a backup…")
        close = getattr(ws, "close", None)
        if callable(close):  # let go of it here: a restore refuses a file still open
            close()

        def reopen() -> None:
            self._host.database_change_requested.emit(url)

        def done(report: RestoreReportView) -> None:
            self.last_restore = report
            kept = f"; the replaced file is kept as {report.kept}" if report.kept else ""
            self._host.statusBar().showMessage(f"Restored from {report.check.path}{kept}", 60_000)
            reopen()

        def failed(exc: Exception) -> None:
            reopen()  # as it was: nothing was replaced
            if not isinstance(exc, DeskError):
                raise exc
            self._restore_refused(exc)

        run_with_progress_dialog(
            lambda p: backups.restore(candidate, p), done, failed, parent=self._window,
            title="Restore from backup", label="Checking and restoring the backup…",
        )  # fmt: skip

    def _restore_refused(self, exc: DeskError) -> None:
        self._tell("Restore from backup", exc.message)

    def _tell(
        self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning
    ) -> QMessageBox:
        """A message box that does not block the window's event loop (`notice` keeps it)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self._window)
        box.setObjectName("backup_notice")
        self.notice = box
        box.open()
        return box

    # -- daily ----------------------------------------------------------------------------------
    def start_daily(self) -> None:
        """Take today's backup now if it is due, then look again every hour."""
        self._timer.start()
        self.run_daily()

    def stop_daily(self) -> None:
        self._timer.stop()

    def run_daily(self) -> bool:
        """Today's backup of a local database off the GUI thread; False if none started."""
        ws = self._host.workspace
        if ws is None or self._daily_running or not ws.backups.local:
            return False
        if getattr(ws, "read_only", False):
            return False
        backups, settings = ws.backups, self._settings
        folder, keep, today = settings.backup_folder(), settings.backup_keep_days(), market_today()
        self._daily_running = True
        run_in_background(lambda: backups.daily(folder, keep, today), self._daily_done,
                          self._daily_failed)  # fmt: skip
        return True

    def _daily_done(self, result: DailyResultView | None) -> None:
        self._daily_running = False
        self.last_daily = result
        self.daily_problem.hide()
        if result is not None and result.taken is not None:
            removed = f"; {len(result.pruned)} older removed" if result.pruned else ""
            self._host.statusBar().showMessage(
                f"Daily backup saved: {result.path}{removed}", 15_000
            )

    def _daily_failed(self, exc: Exception) -> None:
        self._daily_running = False
        message = exc.message if isinstance(exc, DeskError) else str(exc) or type(exc).__name__
        log.warning("the daily backup failed: %s", message, exc_info=not isinstance(exc, DeskError))
        self.daily_problem.setText("Daily backup failed")
        self.daily_problem.setToolTip(
            f"{message}\n\nCheck the folder in File → Settings… → Backups; the next start "
            "(or the next hour) tries again."
        )
        self.daily_problem.show()
