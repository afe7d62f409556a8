"""Start the window: the controller that opens databases for it, and the Qt application.

The window paints first, with empty tabs; only then is the database opened (connect,
migrate, fill demo data) on a worker thread, through the `DatabaseOpener` that
`desk_app.app` injects, and handed to the window. That keeps SQLAlchemy, Alembic and
friends out of the first-paint path (see `tests/ui/test_startup_imports.py`), so the
dialogs that are only needed later are imported inside functions.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QThreadPool, Signal
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from desk_app import APP_NAME, ORG_NAME, __version__
from desk_app.domain.db_address import DatabaseAddress, InvalidAddress, redact
from desk_app.domain.errors import DeskError, NotPermitted
from desk_app.ui.main_window import MainWindow
from desk_app.ui.opening import (
    DatabaseMissing,
    DatabaseOpener,
    Opened,
    OpenRequest,
    PasswordNeeded,
    SignInNeeded,
)
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.table_tab import OPENING_TEXT
from desk_app.ui.workers import run_in_background, run_with_progress_dialog

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QMessageBox, QProgressDialog

    from desk_app.ui.dialogs.connect_dialog import ConnectDialog
    from desk_app.ui.dialogs.database_error_dialog import DatabaseErrorDialog
    from desk_app.ui.dialogs.error_dialog import ErrorReporter
    from desk_app.ui.dialogs.first_user_dialog import FirstUserDialog
    from desk_app.ui.dialogs.sign_in_dialog import AccessRefusedDialog, SignInDialog
    from desk_app.ui.dialogs.welcome_dialog import WelcomeDialog
    from desk_app.ui.first_run import WelcomeFlow
    from desk_app.ui.idle_lock import IdleLock
    from desk_app.ui.opening import OpenedWorkspace
    from desk_app.ui.security_menu import SecurityMenu

_MODULE_START = time.perf_counter()
NOTHING_CREATED = "No new database was created."
log = logging.getLogger(__name__)


def seconds_since_process_start() -> float:
    """Wall time since the process started (from /proc when available)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _MODULE_START


def load_app_icon() -> QIcon:
    """The application icon, shipped as package data."""
    from importlib.resources import as_file, files

    with as_file(files("desk_app") / "resources" / "icons" / "desk.svg") as path:
        return QIcon(str(path))


# -- the controller (GUI side) ----------------------------------------------------------


class DeskController(QObject):
    """Opens databases for the window, off the GUI thread, and shows what went wrong."""

    #: A workspace is open and shown in the window.
    workspace_opened = Signal(object)
    #: Opening failed; the message is what the database error dialog shows.
    open_failed = Signal(str)

    def __init__(
        self,
        window: MainWindow,
        settings: DeskSettings,
        actor: str,
        *,
        opener: DatabaseOpener,
        demo: bool = False,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.opener = opener
        self.settings = settings
        self.actor = actor
        self.demo = demo
        self.workspace: OpenedWorkspace | None = None
        self.database_error_dialog: DatabaseErrorDialog | None = None
        self.connect_dialog: ConnectDialog | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.sign_in_dialog: SignInDialog | None = None
        self.access_dialog: AccessRefusedDialog | None = None
        self.create_question: QMessageBox | None = None
        self.welcome: WelcomeFlow | None = None
        self.first_user_dialog: FirstUserDialog | None = None
        self.idle_lock: IdleLock | None = None
        self.security_menu: SecurityMenu | None = None
        self._request: OpenRequest | None = None
        self._errors: ErrorReporter | None = None
        self._last_failed_url: str | None = None
        self._opening = False
        window.database_change_requested.connect(self._on_database_chosen)
        window.shared_database_requested.connect(self.show_connect_dialog)
        window.new_database_requested.connect(self._on_new_database)
        window.settings_saved.connect(self._apply_settings)

    @property
    def errors(self) -> ErrorReporter:
        """Maps errors to dialogs; `run_gui` installs it as ``sys.excepthook``."""
        if self._errors is None:
            from desk_app.ui.dialogs.error_dialog import ErrorReporter

            self._errors = ErrorReporter(self.window)
        return self._errors

    def start(self, explicit_url: str | None) -> None:
        """``--db``/``DESK_DB_URL``, else the database last chosen here, else the default.

        ``--demo`` always uses the separate demo file: a ``DESK_DB_URL`` left in the
        environment must never point the demo (and its sample data) at a real database.
        """
        if self.demo:
            if explicit_url:
                log.info("--demo opens the demo database, not %s", redact(explicit_url))
            self.open(OpenRequest(None, self.actor, demo=True))
            return
        url = explicit_url or self.settings.last_database_url()
        if url is None:
            self._welcome_if_first_run()
            return
        self.open(OpenRequest(url, self.actor))

    # -- the first run ------------------------------------------------------------------------
    def _welcome_if_first_run(self) -> None:
        """Nothing chosen: the default file if it is there, else the welcome (a worker looks)."""
        self.window.show_busy(OPENING_TEXT)
        run_in_background(self.opener.first_run_file, self._first_run_checked, self._on_open_failed)

    def _first_run_checked(self, default_file: str | None) -> None:
        if default_file is None:
            self.open(OpenRequest(None, self.actor))
        else:
            self.show_welcome(default_file)

    def show_welcome(self, default_file: str) -> WelcomeDialog:
        """The first run's three choices (see `desk_app.ui.first_run`)."""
        from desk_app.ui.first_run import WelcomeFlow

        self.window.statusBar().clearMessage()
        if self.workspace is None:
            self.window.clear_workspace("Welcome to Desk: choose where to work")
        if self.welcome is None:
            self.welcome = WelcomeFlow(self, default_file)
        return self.welcome.show()

    def open(self, request: OpenRequest) -> None:
        """Open ``request`` on a worker; one at a time, so results cannot cross."""
        if self._opening:
            self.window.show_busy("Still opening the previous database…")
            return
        self._opening = True
        self._request = request
        self._last_failed_url = request.url
        if self.workspace is None:
            self.window.clear_workspace(OPENING_TEXT)
        self.window.show_busy(OPENING_TEXT)
        run_in_background(lambda: self.opener.open(request), self._on_opened, self._on_open_failed)

    def shutdown(self) -> None:
        """Let running database work finish (never cut a migration short), then close."""
        QThreadPool.globalInstance().waitForDone()
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None

    # -- results -----------------------------------------------------------------------------
    def _on_opened(self, opened: Opened) -> None:
        if opened.needs_demo_data:
            self._fill_demo(opened)
        else:
            self._show(opened)

    def _show(self, opened: Opened) -> None:
        self._opening = False
        previous, self.workspace = self.workspace, opened.workspace
        self.window.statusBar().clearMessage()
        self.window.set_workspace(opened.workspace)
        if previous is not None:
            previous.close()
        self.settings.add_recent_url(opened.workspace.url)
        if opened.request.remember:
            self.settings.set_last_database_url(opened.workspace.url)
        self._secure(opened.workspace)
        if not self.demo:  # sample data needs no daily copy
            self.window.backup_actions.start_daily()  # off the GUI thread; due once a day
        if opened.note:
            self.window.statusBar().showMessage(opened.note, 30_000)
        self.workspace_opened.emit(opened.workspace)

    def _secure(self, workspace: OpenedWorkspace) -> None:
        """The Security menu and the idle lock follow the signed-in user."""
        from desk_app.ui.idle_lock import IdleLock
        from desk_app.ui.security_menu import SecurityMenu

        if self.idle_lock is None:
            self.idle_lock = IdleLock(self.window, self.settings.idle_lock_minutes())
            self.security_menu = SecurityMenu(self.window, self.settings, self.idle_lock)
        assert self.security_menu is not None
        self.idle_lock.set_unlocker(self.opener.unlocker(workspace))
        self.security_menu.set_workspace(workspace)

    def _apply_settings(self) -> None:
        """File → Settings… saved: the idle lock takes its new time at once."""
        if self.idle_lock is not None:
            self.idle_lock.set_idle_minutes(self.settings.idle_lock_minutes())

    def _on_open_failed(self, exc: Exception) -> None:
        self._opening = False
        self.window.statusBar().clearMessage()
        if isinstance(exc, PasswordNeeded):
            note = exc.message
            if not exc.keyring_available:
                note += "\nNo system keyring is available: the password will not be remembered."
            self.show_connect_dialog(exc.url, note=note, keyring=exc.keyring_available)
            return
        if isinstance(exc, SignInNeeded) and self._request is not None:
            self.show_sign_in(exc.username, wrong=exc.wrong)
            return
        if isinstance(exc, NotPermitted):
            self.show_access_refused(exc.message)
            return
        if isinstance(exc, DatabaseMissing) and self._request is not None:
            self.ask_to_create(exc, self._request)
            return
        if isinstance(exc, InvalidAddress):
            message = f"The database address is not valid: {exc.message}"
        elif isinstance(exc, DeskError):
            message = exc.message
        else:
            log.error("opening the database failed", exc_info=exc)
            message = f"Unexpected error while opening the database: {exc}"
        if self.workspace is None:
            self.window.clear_workspace("No database open")
        self.show_database_error(message)
        self.open_failed.emit(message)

    # -- a file that does not exist ----------------------------------------------------------
    def ask_to_create(self, missing: DatabaseMissing, request: OpenRequest) -> QMessageBox:
        """A named file that is not there: create it only if the user says so."""
        from PySide6.QtWidgets import QMessageBox

        if self.workspace is None:
            self.window.clear_workspace("No database open")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Create a new database?",
            f"There is no database at {missing.path}.",
            QMessageBox.StandardButton.NoButton,
            self.window,
        )
        box.setInformativeText(
            "Create a new, empty Desk database there? You will be its first user and "
            "its admin. If the path is mistyped, choose Cancel."
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        create = box.addButton("Create", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def refused() -> None:
            self.show_database_error(missing.message)
            self.open_failed.emit(missing.message)

        def answered() -> None:
            if box.clickedButton() is create:
                self.ask_first_user(replace(request, create=True), missing.path, refused)
            else:
                refused()

        box.finished.connect(answered)
        if self.create_question is not None:
            self.create_question.deleteLater()
        self.create_question = box
        box.open()
        return box

    def _on_new_database(self, url: str) -> None:
        """File → New database…: the user named a new file on purpose; who are they?"""
        request = OpenRequest(url, self.actor, remember=True, create=True)
        path = DatabaseAddress.parse(url).database
        self.ask_first_user(request, path, lambda: self.window.show_busy(NOTHING_CREATED))

    def ask_first_user(
        self, request: OpenRequest, path: str, cancelled: Callable[[], None]
    ) -> FirstUserDialog:
        """A new file: who creates it (its first user), then create and open it."""
        from desk_app.ui.dialogs.first_user_dialog import FirstUserDialog

        dialog = FirstUserDialog(path, self.actor, self.window)
        dialog.chosen.connect(lambda first: self.open(replace(request, first_user=first)))
        dialog.rejected.connect(cancelled)
        if self.first_user_dialog is not None:
            self.first_user_dialog.deleteLater()
        self.first_user_dialog = dialog
        dialog.open()
        return dialog

    # -- signing in --------------------------------------------------------------------------
    def show_sign_in(self, username: str, *, wrong: bool = False) -> SignInDialog:
        """The user has a Desk password: ask for it, then open again with it."""
        from desk_app.ui.dialogs.sign_in_dialog import SignInDialog

        request = self._request
        assert request is not None
        where = self.opener.describe(request.url) if request.url else "this database"
        if self.workspace is None:
            self.window.clear_workspace(f"Signing in as {username}…")
        dialog = SignInDialog(username, where, self.window, wrong=wrong)
        dialog.accepted.connect(
            lambda: self.open(replace(request, app_password=dialog.entered_password()))
        )
        dialog.rejected.connect(lambda: self._sign_in_cancelled(username))
        if self.sign_in_dialog is not None:
            self.sign_in_dialog.deleteLater()
        self.sign_in_dialog = dialog
        dialog.open()
        return dialog

    def _sign_in_cancelled(self, username: str) -> None:
        message = f"Not signed in: {username} cancelled the sign-in. Open a database to try again."
        if self.workspace is None:
            self.window.clear_workspace(message)
        self.window.statusBar().showMessage(message)
        self.open_failed.emit(message)

    def show_access_refused(self, message: str) -> AccessRefusedDialog:
        """An unknown or deactivated user: say so, and how an admin adds them."""
        from desk_app.ui.dialogs.sign_in_dialog import AccessRefusedDialog

        if self.workspace is None:
            self.window.clear_workspace("Not signed in")
        dialog = AccessRefusedDialog(message, self.window)
        dialog.open_file_requested.connect(self._choose_file_after_refusal)
        if self.access_dialog is not None:
            self.access_dialog.deleteLater()
        self.access_dialog = dialog
        dialog.open()
        self.open_failed.emit(message)
        return dialog

    def _choose_file_after_refusal(self) -> None:
        self.window.choose_database_file()

    def show_database_error(self, message: str) -> DatabaseErrorDialog:
        """Why it failed, with Retry / Open another / Connect / Quit (opened, not exec'd)."""
        from desk_app.ui.dialogs.database_error_dialog import DatabaseErrorDialog

        dialog = DatabaseErrorDialog(message, self.window)
        dialog.retry_requested.connect(self._retry_after_error)
        dialog.open_file_requested.connect(self._choose_file_after_error)
        dialog.shared_database_requested.connect(self._connect_after_error)
        dialog.quit_requested.connect(self.window.close)
        if self.database_error_dialog is not None:
            self.database_error_dialog.deleteLater()
        self.database_error_dialog = dialog
        dialog.open()
        return dialog

    def _retry_after_error(self) -> None:
        """The same request again: the server may be back, the file unlocked."""
        if self._request is not None:
            self.open(self._request)

    def _connect_after_error(self) -> None:
        self.show_connect_dialog()

    def _choose_file_after_error(self) -> None:
        message = (
            self.database_error_dialog.message_label.text() if self.database_error_dialog else ""
        )
        if not self.window.choose_database_file() and self.workspace is None:
            self.show_database_error(message)  # still nothing open: offer the choices again

    # -- choosing another database ------------------------------------------------------------
    def _on_database_chosen(self, url: str) -> None:
        self.open(OpenRequest(url, self.actor, remember=True))

    def show_connect_dialog(
        self,
        initial_url: str | None = None,
        *,
        note: str = "",
        keyring: bool | None = None,
        verify: bool = False,
    ) -> ConnectDialog:
        """File → Connect to shared database…; prefilled with the last PostgreSQL URL.

        ``verify`` (the welcome): Connect tests the connection and closes only if it works.
        """
        from desk_app.ui.dialogs.connect_dialog import ConnectDialog

        if initial_url is None:
            candidates = [self._last_failed_url, *self.settings.recent_urls()]
            initial_url = next((u for u in candidates if u and u.startswith("postgresql")), None)
        dialog = ConnectDialog(
            self.opener.check_shared, self.window, initial_url=initial_url, note=note,
            verify=verify,
        )  # fmt: skip
        dialog.accepted.connect(self._on_connect_accepted)
        if self.connect_dialog is not None:
            self.connect_dialog.deleteLater()
        self.connect_dialog = dialog
        if keyring is None:
            run_in_background(
                self.opener.keyring_available, dialog.set_keyring_available, log.warning
            )
        else:
            dialog.set_keyring_available(keyring)
        dialog.open()
        return dialog

    def _on_connect_accepted(self) -> None:
        if self.connect_dialog is None:
            return
        choice = self.connect_dialog.choice()
        self.open(OpenRequest(
            choice.url, self.actor, remember=True, password=choice.password or None,
            store_password=choice.remember,
        ))  # fmt: skip

    # -- demo data -------------------------------------------------------------------------------
    def _fill_demo(self, opened: Opened) -> None:
        def failed(exc: Exception) -> None:
            self._show(opened)  # open, if partly filled: say why, keep working
            self.errors.show_error(exc)

        self.progress_dialog = run_with_progress_dialog(
            lambda progress: self.opener.fill_demo(opened, progress),
            self._show,
            failed,
            parent=self.window,
            title="Desk demo",
            label="Filling the demo database with sample data…",
        )


# -- entry points ----------------------------------------------------------------------------


def desk_application() -> QApplication:
    """The Qt application, made once, with fractional scaling as the desktop asks."""
    app = QApplication.instance()
    if app is None:
        # Only possible before the application exists.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    return app


def run_gui(
    url: str | None,
    actor: str,
    opener: DatabaseOpener,
    *,
    demo: bool = False,
    exit_after_paint: bool = False,
) -> int:
    """Show the main window, then open the database through ``opener``; the exit status."""
    app = desk_application()
    app.setOrganizationName(ORG_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    settings = DeskSettings(QSettings())
    window = MainWindow(settings, actor)
    controller = DeskController(window, settings, actor, opener=opener, demo=demo)
    if exit_after_paint:

        def report() -> None:
            print(f"painted {seconds_since_process_start():.4f}", flush=True)
            window.hide()  # not close(): a benchmark run must not save its window layout
            app.quit()

        window.first_painted.connect(report)
    else:

        def after_paint() -> None:
            # Nothing here is needed to paint: the error dialogs, the SVG icon plugin.
            controller.errors.install()
            app.setWindowIcon(load_app_icon())
            controller.start(url)

        window.first_painted.connect(after_paint)
    app.aboutToQuit.connect(controller.shutdown)
    window.show()
    try:
        return app.exec()
    finally:
        if controller._errors is not None:
            controller._errors.uninstall()


def screenshot_application() -> QApplication:
    """``desk-app screenshot``: the application, with its icon, for an offscreen window."""
    app = desk_application()
    app.setWindowIcon(load_app_icon())
    return app
