"""Start the GUI: the one place that wires the window to the database layer.

The window paints first, with empty tabs; only then is the database opened (connect,
migrate, fill demo data) on a worker thread and handed to the window. That keeps
SQLAlchemy, Alembic and friends out of the first-paint path (see
`tests/ui/test_startup_imports.py`), so database modules, and the dialogs that are
only needed later, are imported inside functions.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QThreadPool, Signal
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from desk_app import APP_NAME, ORG_NAME, __version__
from desk_app.domain.errors import DeskError
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings, redact_url
from desk_app.ui.tabs.table_tab import OPENING_TEXT
from desk_app.ui.workers import Progress, run_in_background, run_with_progress_dialog

if TYPE_CHECKING:
    from PySide6.QtWidgets import QProgressDialog

    from desk_app.services.workspace import Workspace
    from desk_app.ui.dialogs.connect_dialog import ConnectDialog
    from desk_app.ui.dialogs.database_error_dialog import DatabaseErrorDialog
    from desk_app.ui.dialogs.error_dialog import ErrorReporter

_MODULE_START = time.perf_counter()
log = logging.getLogger(__name__)

KEYRING_SERVICE = "Desk"
DEMO_SEED = 1
DEMO_TRADES = 30_000


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


# -- opening a database (worker side) ---------------------------------------------------


class PasswordNeeded(DeskError):
    """The server asks for a password and none was given or stored."""

    def __init__(self, url: str, message: str, keyring_available: bool) -> None:
        super().__init__(message)
        self.url = url
        self.keyring_available = keyring_available


class KeyringUnavailable(Exception):
    """No usable system keyring (no backend, or it refused)."""


@dataclass(frozen=True)
class OpenRequest:
    url: str | None  # None: the default local file (or the demo file)
    actor: str
    demo: bool = False
    remember: bool = False  # make it the database opened at the next start
    password: str | None = None
    store_password: bool = False


@dataclass(frozen=True)
class Opened:
    workspace: Workspace
    request: OpenRequest
    needs_demo_data: bool


def keyring_entry(url: str) -> str:
    """The keyring user name for a PostgreSQL URL: ``user@host:port/db``."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    host = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    return f"{parsed.username or ''}@{host}/{parsed.database}"


def _with_password(url: str, password: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(password=password).render_as_string(hide_password=False)


def keyring_password(url: str) -> str | None:
    """The stored password for ``url``, None if there is none; `KeyringUnavailable`."""
    import keyring  # slow to import and may talk to D-Bus: only ever on a worker
    import keyring.errors

    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_entry(url))
    except (RuntimeError, keyring.errors.KeyringError) as exc:  # NoKeyringError is both
        raise KeyringUnavailable(str(exc)) from exc


def store_password(url: str, password: str) -> None:
    """Keep the password in the system keyring (never in the settings); best effort."""
    import keyring
    import keyring.errors

    try:
        keyring.set_password(KEYRING_SERVICE, keyring_entry(url), password)
    except (RuntimeError, keyring.errors.KeyringError):
        log.warning("could not store the password in the keyring", exc_info=True)


def keyring_available() -> bool:
    """Whether "Remember password" can work on this machine."""
    import keyring
    from keyring.backends import fail

    try:
        return not isinstance(keyring.get_keyring(), fail.Keyring)
    except Exception:  # a broken backend means: do not offer to remember
        log.warning("no usable keyring", exc_info=True)
        return False


def open_database(request: OpenRequest) -> Opened:
    """Resolve, connect, migrate (runs on a worker). Raises `DeskError` or `ValueError`."""
    from desk_app.db import urls
    from desk_app.db.engine import DatabaseUnavailable
    from desk_app.services.workspace import open_workspace

    default = urls.demo_sqlite_path() if request.demo else urls.default_sqlite_path()
    url = request.url or urls.sqlite_url(default)
    urls.parse(url)  # a clear ValueError for a malformed URL
    is_postgres = url.startswith("postgresql")
    if request.password is not None:
        ws = open_workspace(_with_password(url, request.password), request.actor)
        if request.store_password and is_postgres:
            store_password(url, request.password)
    else:
        try:
            ws = open_workspace(url, request.actor)
        except DatabaseUnavailable as exc:
            # Try without first (trust auth, .pgpass); the keyring only when asked for one.
            if not is_postgres or "password" not in exc.message.lower():
                raise
            ws = _open_with_stored_password(url, request.actor, exc.message)
    try:
        needs_demo = request.demo and ws.blotter.trades().count() == 0
    except BaseException:
        ws.close()  # do not leave its connections behind
        raise
    return Opened(ws, request, needs_demo)


def _open_with_stored_password(url: str, actor: str, why: str) -> Workspace:
    from desk_app.db.engine import DatabaseUnavailable
    from desk_app.services.workspace import open_workspace

    try:
        stored = keyring_password(url)
    except KeyringUnavailable:
        raise PasswordNeeded(url, why, keyring_available=False) from None
    if stored is None:
        raise PasswordNeeded(url, why, keyring_available=True)
    try:
        return open_workspace(_with_password(url, stored), actor)
    except DatabaseUnavailable as exc:
        if "password" not in exc.message.lower():
            raise
        raise PasswordNeeded(url, exc.message, keyring_available=True) from None


def check_shared_connection(url: str, password: str) -> str:
    """The connect dialog's check: the server version, or `DatabaseUnavailable`."""
    from desk_app.db.engine import check_connection, create_desk_engine

    engine = create_desk_engine(_with_password(url, password) if password else url)
    try:
        return check_connection(engine)
    finally:
        engine.dispose()


def fill_demo_data(workspace: Workspace, progress: Progress) -> object:
    """``--demo`` on an empty database: the sample data set (runs on a worker)."""
    from desk_app.services.demo_data import generate_demo_data

    return generate_demo_data(
        workspace.sessions, seed=DEMO_SEED, trades=DEMO_TRADES, progress=progress
    )


# -- the controller (GUI side) ----------------------------------------------------------


class DeskController(QObject):
    """Opens databases for the window, off the GUI thread, and shows what went wrong."""

    #: A workspace is open and shown in the window.
    workspace_opened = Signal(object)
    #: Opening failed; the message is what the database error dialog shows.
    open_failed = Signal(str)

    def __init__(
        self, window: MainWindow, settings: DeskSettings, actor: str, *, demo: bool = False
    ) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.actor = actor
        self.demo = demo
        self.workspace: Workspace | None = None
        self.database_error_dialog: DatabaseErrorDialog | None = None
        self.connect_dialog: ConnectDialog | None = None
        self.progress_dialog: QProgressDialog | None = None
        self._errors: ErrorReporter | None = None
        self._last_failed_url: str | None = None
        self._opening = False
        window.database_change_requested.connect(self._on_database_chosen)
        window.shared_database_requested.connect(self.show_connect_dialog)

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
                log.info("--demo opens the demo database, not %s", redact_url(explicit_url))
            self.open(OpenRequest(None, self.actor, demo=True))
            return
        url = explicit_url or self.settings.last_database_url()
        self.open(OpenRequest(url, self.actor))

    def open(self, request: OpenRequest) -> None:
        """Open ``request`` on a worker; one at a time, so results cannot cross."""
        if self._opening:
            self.window.show_busy("Still opening the previous database…")
            return
        self._opening = True
        self._last_failed_url = request.url
        if self.workspace is None:
            self.window.clear_workspace(OPENING_TEXT)
        self.window.show_busy(OPENING_TEXT)
        run_in_background(lambda: open_database(request), self._on_opened, self._on_open_failed)

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
        self.workspace_opened.emit(opened.workspace)

    def _on_open_failed(self, exc: Exception) -> None:
        self._opening = False
        self.window.statusBar().clearMessage()
        if isinstance(exc, PasswordNeeded):
            note = exc.message
            if not exc.keyring_available:
                note += "\nNo system keyring is available: the password will not be remembered."
            self.show_connect_dialog(exc.url, note=note, keyring=exc.keyring_available)
            return
        if isinstance(exc, DeskError):
            message = exc.message
        elif isinstance(exc, ValueError):
            message = f"The database address is not valid: {exc}"
        else:
            log.error("opening the database failed", exc_info=exc)
            message = f"Unexpected error while opening the database: {exc}"
        if self.workspace is None:
            self.window.clear_workspace("No database open")
        self.show_database_error(message)
        self.open_failed.emit(message)

    def show_database_error(self, message: str) -> DatabaseErrorDialog:
        """Why it failed, with Open another / Connect / Quit (opened, not exec'd)."""
        from desk_app.ui.dialogs.database_error_dialog import DatabaseErrorDialog

        dialog = DatabaseErrorDialog(message, self.window)
        dialog.open_file_requested.connect(self._choose_file_after_error)
        dialog.shared_database_requested.connect(self._connect_after_error)
        dialog.quit_requested.connect(self.window.close)
        if self.database_error_dialog is not None:
            self.database_error_dialog.deleteLater()
        self.database_error_dialog = dialog
        dialog.open()
        return dialog

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
        self, initial_url: str | None = None, *, note: str = "", keyring: bool | None = None
    ) -> ConnectDialog:
        """File → Connect to shared database…; prefilled with the last PostgreSQL URL."""
        from desk_app.ui.dialogs.connect_dialog import ConnectDialog

        if initial_url is None:
            candidates = [self._last_failed_url, *self.settings.recent_urls()]
            initial_url = next((u for u in candidates if u and u.startswith("postgresql")), None)
        dialog = ConnectDialog(
            check_shared_connection, self.window, initial_url=initial_url, note=note
        )
        dialog.accepted.connect(self._on_connect_accepted)
        if self.connect_dialog is not None:
            self.connect_dialog.deleteLater()
        self.connect_dialog = dialog
        if keyring is None:
            run_in_background(keyring_available, dialog.set_keyring_available, log.warning)
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
        ws = opened.workspace

        def failed(exc: Exception) -> None:
            self._show(opened)  # open, if partly filled: say why, keep working
            self.errors.show_error(exc)

        self.progress_dialog = run_with_progress_dialog(
            lambda progress: fill_demo_data(ws, progress),
            lambda _summary: self._show(opened),
            failed,
            parent=self.window,
            title="Desk demo",
            label="Filling the demo database with sample data…",
        )


# -- entry points ----------------------------------------------------------------------------


def run_gui(
    url: str | None, actor: str, *, demo: bool = False, exit_after_paint: bool = False
) -> int:
    """Show the main window, then open the database; returns the exit status."""
    app = QApplication.instance()
    if app is None:
        # Fractional scaling (125 %, 150 %) as the desktop asks; only before the app exists.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    settings = DeskSettings(QSettings())
    window = MainWindow(settings, actor)
    controller = DeskController(window, settings, actor, demo=demo)
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


def save_screenshots_of(url: str, actor: str, out_dir: Path) -> list[Path]:
    """``desk-app screenshot``: the window over ``url`` with each tab, as PNGs in ``out_dir``."""
    from desk_app.services.workspace import open_workspace
    from desk_app.ui.screenshot import render_screenshots

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setWindowIcon(load_app_icon())
    workspace = open_workspace(url, actor)
    try:
        return render_screenshots(workspace, out_dir)
    finally:
        workspace.close()
