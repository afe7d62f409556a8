"""The main window: a shell that hosts the list tabs, menus and the status bar.

It knows nothing about how a database is opened: it asks (`*_requested` signals),
and `desk_app.ui.launch` answers by handing it a workspace or an error.
"""

from __future__ import annotations

import importlib
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import quote

import shiboken6
from PySide6.QtCore import QEvent, Qt, QThread, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.ui.backup_actions import BackupActions
from desk_app.ui.getting_started import GettingStartedPanel, open_step, step_tab
from desk_app.ui.help_menu import HelpMenu
from desk_app.ui.settings import DeskSettings
from desk_app.ui.status_clock import StatusClock
from desk_app.ui.tabs.blotter_tab import BlotterTab
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.workers import run_in_background

if TYPE_CHECKING:
    from desk_app.ui.dialogs.about_dialog import AboutDialog
    from desk_app.ui.dialogs.rules_dialog import RulesDialog
    from desk_app.ui.dialogs.settings_dialog import SettingsDialog
    from desk_app.ui.dialogs.ssi_dialog import SSIDialog
    from desk_app.ui.tabs.approvals_tab import ApprovalsTab
    from desk_app.ui.tabs.workspace_view import FirstStepsView

log = logging.getLogger(__name__)


def sweep_restrictions(workspace: WorkspaceView) -> None:
    """Let the restrictions whose New York day came act (once a day; a read after that).

    Called as a database opens and with every ping, off the GUI thread; a refusal is
    logged, never shown: whoever lists or settles obligations next sweeps again.
    """
    sweeps = getattr(workspace, "restriction_sweeps", None)
    if sweeps is None:
        return
    try:
        sweeps.ensure()
    except DeskError as refused:
        log.warning("restrictions not swept: %s", refused.message)


def _ignore(_result: object) -> None:
    return None


def _sweep_failed(exc: Exception) -> None:
    log.warning("restrictions not swept: %s", exc)


PING_INTERVAL_MS = 30_000
#: How long leaving a database waits for the work still reading it (then closes anyway).
WORKER_WAIT_MS = 10_000
CLOSED_TEXT = "The database was closed"
UNREADABLE_TEXT = "Cannot read the database: open it again (File → Recent databases)"
READ_ONLY_TIP = (
    "Opened to read only: nothing can be changed (File → Open database… opens it to write)"
)


@dataclass(frozen=True)
class TabSpec:
    """A tab by name: its module is imported, and the tab built, only when needed."""

    key: str
    title: str
    module: str
    class_name: str

    def build(self, settings: DeskSettings, parent: QWidget) -> TableTab:
        cls = getattr(importlib.import_module(self.module), self.class_name)
        tab = cls(settings, parent)
        assert isinstance(tab, TableTab) and (tab.key, tab.title) == (self.key, self.title)
        return tab


#: The tabs in order. Only the first is built before the window first paints; the
#: others follow one by one right after it (or at once, when asked for).
TABS = (
    TabSpec("blotter", "Trade Blotter", "desk_app.ui.tabs.blotter_tab", "BlotterTab"),
    TabSpec("settlements", "Settlements Due", "desk_app.ui.tabs.settlements_tab", "SettlementsTab"),
    TabSpec("fails", "Fails", "desk_app.ui.tabs.fails_tab", "FailsTab"),
    TabSpec("accounts", "Accounts", "desk_app.ui.tabs.accounts_tab", "AccountsTab"),
    TabSpec("estates", "Estates", "desk_app.ui.tabs.estates_tab", "EstatesTab"),
    TabSpec("acats", "ACATS", "desk_app.ui.tabs.acats_tab", "AcatsTab"),
    TabSpec("certificates", "Certificates", "desk_app.ui.tabs.certificates_tab", "CertificatesTab"),
    TabSpec("manifests", "Manifests", "desk_app.ui.tabs.manifests_tab", "ManifestsTab"),
    TabSpec("approvals", "Approvals", "desk_app.ui.tabs.approvals_tab", "ApprovalsTab"),
    TabSpec(
        "counterparties", "Counterparties", "desk_app.ui.tabs.reference_tab", "CounterpartiesTab"
    ),
    TabSpec("instruments", "Instruments", "desk_app.ui.tabs.reference_tab", "InstrumentsTab"),
    TabSpec("prices", "Prices", "desk_app.ui.tabs.prices_tab", "PricesTab"),
)
OFFLINE_RETRY_MS = 5_000
SQLITE_FILTER = "Desk databases (*.db *.sqlite *.sqlite3);;All files (*)"


class MainWindow(QMainWindow):
    """Tabs: Trade Blotter, Settlements Due, Accounts, Certificates, Approvals."""

    #: File → Open or Recent: open the database at this URL (never with a password).
    database_change_requested = Signal(str)
    #: File → New database…: create the SQLite file at this URL and open it.
    new_database_requested = Signal(str)
    #: File → Connect to shared database…: the app shows the connect dialog.
    shared_database_requested = Signal()
    #: The window has painted for the first time: the app may now open the database.
    first_painted = Signal()
    #: File → Settings… saved: whoever applies a setting (the idle lock) reads it again.
    settings_saved = Signal()

    def __init__(
        self, settings: DeskSettings, actor: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.setWindowTitle("Desk")
        self._settings = settings
        self._workspace: WorkspaceView | None = None
        self.ssi_dialog: SSIDialog | None = None
        self.rules_dialog: RulesDialog | None = None
        self._ping_in_flight = False
        self._painted = False
        self.about_dialog: AboutDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        #: The tabs' timers stopped while no database is shown, started again with the next.
        self._suspended: list[QTimer] = []

        self.tab_widget = QTabWidget(self)
        self.tab_widget.setDocumentMode(True)
        #: The tabs built so far, by key (see `TABS`).
        self._built: dict[str, TableTab] = {}
        self._clear_text = OPENING_TEXT
        for spec in TABS:
            self.tab_widget.addTab(QWidget(self.tab_widget), spec.title)
        self._build(TABS[0])
        self.tab_widget.currentChanged.connect(lambda index: self._build(TABS[index]))
        # Queued behind whatever else the first paint starts (opening the database).
        self.first_painted.connect(lambda: QTimer.singleShot(0, self, self._build_the_rest))
        # An empty book's first steps sit above the tabs until it has trades.
        self.getting_started = GettingStartedPanel(settings, self)
        self.getting_started.step_requested.connect(self.open_first_step)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.getting_started)
        column.addWidget(self.tab_widget, 1)
        self.setCentralWidget(central)

        self._database_label = QLabel(OPENING_TEXT, self)
        self._user_label = QLabel(actor, self)
        self._user_label.setToolTip("Who Desk records as acting")
        self._connection_label = QLabel("", self)
        for label in (self._database_label, self._user_label, self._connection_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)
        self.clock = StatusClock(settings.local_zone(), self)
        self.statusBar().addPermanentWidget(self.clock)
        self.backup_actions = BackupActions(self, self, settings)
        self.statusBar().addPermanentWidget(self.backup_actions.daily_problem)
        self._build_menus()

        self._ping_timer = QTimer(self)
        self._ping_timer.setInterval(PING_INTERVAL_MS)
        self._ping_timer.timeout.connect(self.check_connection)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)

        geometry = settings.window_geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        state = settings.window_state()
        if state is not None:
            self.restoreState(state)

    # -- workspace ------------------------------------------------------------------------
    @property
    def workspace(self) -> WorkspaceView | None:
        return self._workspace

    def set_workspace(self, workspace: WorkspaceView) -> None:
        """Show ``workspace`` in every tab and the status bar."""
        if self._workspace is not None and self._workspace is not workspace:
            self.stop_database_work()  # nothing may read the one being left once it closes
        self._workspace = workspace
        for tab in self.built_tabs():
            tab.set_workspace(workspace)
        self._resume_timers()
        before_close = getattr(workspace, "before_close", None)
        if callable(before_close):
            before_close(self._on_closing(workspace))
        shown = workspace.description + (" (read-only)" if self.read_only else "")
        self.setWindowTitle(f"Desk — {shown}")
        self._database_label.setText(shown)
        self._database_label.setToolTip(f"{workspace.server_version}\n{workspace.address.shown()}")
        self._user_label.setText(workspace.actor)
        user = workspace.user
        self._user_label.setToolTip(
            f"Who Desk records as acting: {user.full_name or user.username} ({user.role_text})"
        )
        self._set_connected(True)
        self._ping_timer.start(PING_INTERVAL_MS)
        self.backup_actions.update_actions()
        self.check_first_steps()
        run_in_background(lambda: sweep_restrictions(workspace), _ignore, _sweep_failed)

    def clear_workspace(self, message: str = "No database open") -> None:
        """Empty every tab (before a database opens, after it failed to, or as it closes)."""
        self.stop_database_work()
        self._workspace = None
        self._clear_text = message
        if self.ssi_dialog is not None:  # it lists the database being left
            self.ssi_dialog.close()
        if self.rules_dialog is not None:
            self.rules_dialog.close()
        for tab in self.built_tabs():
            tab.clear(message)
        self.setWindowTitle("Desk")
        self.getting_started.hide()
        self._database_label.setText(message)
        self._database_label.setToolTip("")
        self._connection_label.setText("")
        self.backup_actions.stop_daily()
        self.backup_actions.update_actions()

    def stop_database_work(self) -> None:
        """Stop every timer of every tab and wait for the workers still reading.

        Called before the database shown is left (switched, cleared or closed), so that
        no timer fires and no worker reads it once it is closed; `set_workspace` starts
        the timers again on the next one. One place for every tab, present and future.
        """
        self._ping_timer.stop()
        for timer in self.tab_widget.findChildren(QTimer):
            if timer.isActive():
                timer.stop()
                if timer not in self._suspended:
                    self._suspended.append(timer)
        for tab in self.built_tabs():
            tab.wait_for_readers()
        if not QThreadPool.globalInstance().waitForDone(WORKER_WAIT_MS):
            log.warning("work on the database being left is still running")

    def _resume_timers(self) -> None:
        timers, self._suspended = self._suspended, []
        for timer in timers:
            if shiboken6.isValid(timer) and not timer.isActive():
                timer.start()

    def _on_closing(self, workspace: WorkspaceView) -> Callable[[], None]:
        """What ``workspace`` calls as it closes: stop reading it, if it is still shown."""
        window = weakref.ref(self)

        def closing() -> None:
            me = window()
            if me is None or not shiboken6.isValid(me) or me._workspace is not workspace:
                return
            if QThread.currentThread() is not me.thread():
                log.warning("a database shown in the window was closed off the GUI thread")
                return
            me.clear_workspace(CLOSED_TEXT)

        return closing

    def show_busy(self, message: str) -> None:
        """A transient status line, e.g. "Opening database…" while a worker runs."""
        self.statusBar().showMessage(message)

    # -- tabs -------------------------------------------------------------------------------
    @property
    def tabs(self) -> list[TableTab]:
        """Every tab, in order (built now if it was not yet)."""
        return [self._build(spec) for spec in TABS]

    def built_tabs(self) -> list[TableTab]:
        """The tabs built so far: the others have no timers, workers or layout yet."""
        return [self._built[spec.key] for spec in TABS if spec.key in self._built]

    def current_tab(self) -> TableTab:
        return self._build(TABS[self.tab_widget.currentIndex()])

    @property
    def approvals_tab(self) -> ApprovalsTab:
        from desk_app.ui.tabs.approvals_tab import ApprovalsTab

        tab = self.tab("approvals")
        assert isinstance(tab, ApprovalsTab)
        return tab

    def tab(self, key: str) -> TableTab:
        return self._build(next(spec for spec in TABS if spec.key == key))

    def _build(self, spec: TabSpec) -> TableTab:
        """The tab of ``spec``, built in its place the first time it is needed."""
        built = self._built.get(spec.key)
        if built is not None:
            return built
        tab = spec.build(self._settings, self.tab_widget)
        self._built[spec.key] = tab
        index = TABS.index(spec)
        current = self.tab_widget.currentIndex()
        placeholder = self.tab_widget.widget(index)
        self.tab_widget.blockSignals(True)  # the same tab, now real: no change to announce
        try:
            self.tab_widget.removeTab(index)
            self.tab_widget.insertTab(index, tab, spec.title)
            self.tab_widget.setCurrentIndex(current)
        finally:
            self.tab_widget.blockSignals(False)
        if placeholder is not None:
            placeholder.deleteLater()
        tab.tab_text_changed.connect(lambda text, t=tab: self._set_tab_text(t, text))
        tab.records_changed.connect(lambda t=tab: self._refresh_all_but(t))
        if self._workspace is None:
            tab.clear(self._clear_text)
            return tab
        try:
            tab.set_workspace(self._workspace)
        except Exception:  # built late, the database may be gone meanwhile: say so, go on
            log.warning("the %s tab could not read the database", spec.key, exc_info=True)
            tab.clear(UNREADABLE_TEXT)
        return tab

    def _build_the_rest(self) -> None:
        """After the first paint, the next tab not built yet; then again, until all are."""
        if not shiboken6.isValid(self.tab_widget):
            return  # the window has gone meanwhile
        rest = [spec for spec in TABS if spec.key not in self._built]
        if rest:
            self._build(rest[0])
            if len(rest) > 1:
                QTimer.singleShot(0, self, self._build_the_rest)

    def refresh(self) -> None:
        self.current_tab().refresh()

    def _refresh_all_but(self, changed_by: TableTab) -> None:
        """A write through one tab (a request, a decision): the others read again."""
        for tab in self.built_tabs():
            if tab is not changed_by and tab.workspace is not None:
                tab.refresh()
        if self.getting_started.isVisible():
            self.check_first_steps()

    # -- getting started ----------------------------------------------------------------------
    def check_first_steps(self) -> None:
        """Read which first steps the book has done (off the GUI thread) and show them."""
        workspace = self._workspace
        if workspace is None or self.getting_started.dismissed():
            return
        run_in_background(
            workspace.reference.first_steps,
            lambda steps: self._show_first_steps(workspace, steps),
            lambda _exc: self.getting_started.hide(),  # the tabs say what is wrong
        )

    def _show_first_steps(self, workspace: WorkspaceView, steps: FirstStepsView) -> None:
        if workspace is self._workspace:  # not another database opened meanwhile
            self.getting_started.show_steps(workspace.url, steps, workspace.user)

    def open_first_step(self, key: str) -> object:
        """The dialog of a getting-started step, on its tab (brought forward)."""
        return open_step(self.show_tab(step_tab(key)), key)

    def show_tab(self, key: str, _checked: bool = False) -> TableTab:
        """Bring the tab ``key`` forward (a menu's way to a tab)."""
        tab = self.tab(key)
        self.tab_widget.setCurrentWidget(tab)
        return tab

    def _set_tab_text(self, tab: TableTab, text: str) -> None:
        self.tab_widget.setTabText(self.tab_widget.indexOf(tab), text)

    # -- connection state --------------------------------------------------------------------
    def check_connection(self) -> None:
        """Ping the database off the GUI thread; the status bar shows the answer."""
        workspace = self._workspace
        if workspace is None or self._ping_in_flight:
            return
        self._ping_in_flight = True

        def probe() -> tuple[WorkspaceView, bool, int | None]:
            # The pending count rides along, so requests filed at other desks show up.
            alive = workspace.ping()
            if alive:  # New York's day changed since the last: its restrictions act
                sweep_restrictions(workspace)
            return workspace, alive, workspace.approvals.pending_count() if alive else None

        run_in_background(probe, self._on_pinged, self._on_ping_failed)

    def _on_pinged(self, result: tuple[WorkspaceView, bool, int | None]) -> None:
        self._ping_in_flight = False
        workspace, alive, pending = result
        if workspace is self._workspace:  # not a database we have since left
            self._set_connected(alive)
            if pending is not None:
                self.approvals_tab.set_pending_count(pending)
            if alive and self.getting_started.isVisible():
                self.check_first_steps()  # an opening approved at another desk ticks its step

    def _on_ping_failed(self, _exc: Exception) -> None:
        self._ping_in_flight = False
        self._set_connected(False)

    @property
    def read_only(self) -> bool:
        """The database shown is open to read only: every change is refused, and said so."""
        return bool(getattr(self._workspace, "read_only", False))

    def _set_connected(self, alive: bool) -> None:
        if not alive:
            text = "Offline — retrying"
        else:
            text = "Connected, read-only" if self.read_only else "Connected"
        self._connection_label.setText(text)
        self._connection_label.setToolTip(READ_ONLY_TIP if alive and self.read_only else "")
        if self._workspace is not None:
            self._ping_timer.start(PING_INTERVAL_MS if alive else OFFLINE_RETRY_MS)

    def connection_text(self) -> str:
        return self._connection_label.text()

    def database_text(self) -> str:
        return self._database_label.text()

    # -- menus -------------------------------------------------------------------------------
    def print_current(self) -> object:
        """Print what the current tab prints, if it prints anything."""
        printer = getattr(self.current_tab(), "print_current", None)
        return printer() if printer is not None else None

    def show_movements(self) -> None:
        """The blotter's record of certificates received and delivered (SEC 17a-3)."""
        from desk_app.ui.tabs.certificates_tab import CertificatesTab

        tab = self.tab("certificates")
        assert isinstance(tab, CertificatesTab)
        self.tab_widget.setCurrentWidget(tab)
        tab.show_only("movements")

    def _update_print_action(self, *_args: object) -> None:
        prints = hasattr(self.current_tab(), "print_current")
        self.print_action.setEnabled(prints)
        self.print_action.setToolTip(
            "Print what this tab shows" if prints else "Nothing to print on this tab"
        )

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(
            file_menu, "&Open database…", self.choose_database_file, QKeySequence.StandardKey.Open
        )
        self._action(file_menu, "Open database &read-only…", self.choose_read_only_file)
        self._action(file_menu, "&New database…", self.choose_new_database_file)
        self._action(file_menu, "&Connect to shared database…", self.shared_database_requested)
        self.recent_menu = file_menu.addMenu("&Recent databases")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        blotter = self.tab("blotter")
        assert isinstance(blotter, BlotterTab)
        # The blotter's own action, so that it is enabled and explained the same way;
        # from the menu its shortcut works on every tab, and the blotter comes forward.
        import_action = blotter.trade_actions.actions["import"]
        import_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        import_action.triggered.connect(lambda: self.tab_widget.setCurrentWidget(blotter))
        file_menu.addAction(import_action)
        # What the current tab prints (a manifest, the fails report), through its own action.
        self.print_action = self._action(file_menu, "&Print…", self.print_current)
        self.tab_widget.currentChanged.connect(self._update_print_action)
        self._update_print_action()
        file_menu.addSeparator()
        file_menu.addAction(self.backup_actions.back_up_action)
        file_menu.addAction(self.backup_actions.restore_action)
        settings = self._action(file_menu, "&Settings…", self.show_settings, QKeySequence("Ctrl+,"))
        settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        file_menu.addSeparator()
        quit_action = self._action(file_menu, "&Quit", self.close, QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        view_menu = self.menuBar().addMenu("&View")
        self._action(view_menu, "&Refresh", self.refresh, QKeySequence.StandardKey.Refresh)
        self._action(view_menu, "Reset &column layout", lambda: self.current_tab().reset_layout())
        view_menu.addSeparator()
        for index, spec in enumerate(TABS):  # Ctrl+1 to Ctrl+9: the first nine tabs
            self._action(
                view_menu, spec.title, lambda _=False, i=index: self.tab_widget.setCurrentIndex(i),
                QKeySequence(f"Ctrl+{index + 1}") if index < 9 else None,  # Ctrl+1 to Ctrl+9
            )  # fmt: skip
        self._action(view_menu, "Receipts and &deliveries of certificates", self.show_movements)
        self._action(view_menu, "Next tab", lambda: self._step_tab(1), QKeySequence("Ctrl+PgDown"))
        self._action(
            view_menu, "Previous tab", lambda: self._step_tab(-1), QKeySequence("Ctrl+PgUp")
        )

        reference_menu = self.menuBar().addMenu("&Reference")
        for key, text in (("counterparties", "C&ounterparties"), ("instruments", "&Instruments"),
                          ("prices", "&Prices")):  # fmt: skip
            self._action(reference_menu, text, partial(self.show_tab, key))
        self._action(reference_menu, "&Standing settlement instructions…", self.show_ssis)
        self._action(reference_menu, "Settlement &rules…", self.show_rules)
        self._action(reference_menu, "&Check settlement dates…", self.show_date_check)

        help_menu = self.menuBar().addMenu("&Help")
        #: Help → User guide, and F1 for the current tab's page (or a dialog's).
        self.help = HelpMenu(self, help_menu, lambda: self.current_tab().key)
        help_menu.addSeparator()
        about = self._action(help_menu, "&About Desk", self.show_about)
        about.setMenuRole(QAction.MenuRole.AboutRole)

    def show_ssis(self) -> SSIDialog | None:
        """The standing settlement instructions, and requests to add or change one."""
        if self._workspace is None:
            return None
        from desk_app.ui.dialogs.ssi_dialog import SSIDialog

        if self.ssi_dialog is not None:
            self.ssi_dialog.deleteLater()
        self.ssi_dialog = SSIDialog(self._workspace.ssis, self._workspace.user, self)
        self.ssi_dialog.show()
        return self.ssi_dialog

    def show_rules(self) -> RulesDialog | None:
        """Cycles, calendar overrides, fail rules and aging limits, changed by request."""
        if self._workspace is None:
            return None
        from desk_app.ui.dialogs.rules_dialog import RulesDialog

        if self.rules_dialog is not None:
            self.rules_dialog.deleteLater()
        self.rules_dialog = RulesDialog(self._workspace.rules, self._workspace.user, self)
        self.rules_dialog.check_dates_requested.connect(self.show_date_check)
        self.rules_dialog.show()
        return self.rules_dialog

    def show_date_check(self) -> QWidget | None:
        """Open obligations whose settlement date today's calendar rules would set otherwise."""
        if self._workspace is None:
            return None
        from datetime import UTC, datetime

        from desk_app.domain.cutoffs import CUTOFFS
        from desk_app.ui.dialogs.settle_date_check_dialog import SettleDateCheckDialog

        today = CUTOFFS["US"].today(datetime.now(UTC))
        dialog = SettleDateCheckDialog(
            self._workspace.settle_dates, self._workspace.user, today, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: object,
        shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        action = menu.addAction(text)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work while the menu bar is hidden too
        return action

    def _step_tab(self, step: int) -> None:
        count = self.tab_widget.count()
        self.tab_widget.setCurrentIndex((self.tab_widget.currentIndex() + step) % count)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        current = self._workspace.address.shown() if self._workspace else None
        for url in self._settings.recent_urls():
            action = self.recent_menu.addAction(url)
            action.setCheckable(True)
            action.setChecked(url == current)
            action.triggered.connect(lambda _=False, u=url: self.database_change_requested.emit(u))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("No recent databases").setEnabled(False)

    def choose_database_file(self) -> bool:
        """File → Open database…: pick an SQLite file; False if the user cancelled."""
        path, _ = QFileDialog.getOpenFileName(self, "Open database", "", SQLITE_FILTER)
        if path:
            # '%' and '?' are legal in folder names but mean something in a URL.
            # (Qt's file dialog gives forward slashes on Windows too.)
            self.database_change_requested.emit("sqlite:///" + quote(path, safe="/:"))
        return bool(path)

    def choose_read_only_file(self) -> bool:
        """File → Open database read-only…: look at a file without any chance of changing it."""
        path, _ = QFileDialog.getOpenFileName(self, "Open database read-only", "", SQLITE_FILTER)
        if path:
            self.database_change_requested.emit("sqlite:///" + quote(path, safe="/:") + "?mode=ro")
        return bool(path)

    def choose_new_database_file(self) -> bool:
        """File → New database…: name a new SQLite file; False if the user cancelled."""
        path, _ = QFileDialog.getSaveFileName(self, "New database", "desk.db", SQLITE_FILTER)
        if path:
            self.new_database_requested.emit("sqlite:///" + quote(path, safe="/:"))
        return bool(path)

    def show_settings(self) -> SettingsDialog:
        """File → Settings…: this desk's preferences, and the firm's letterhead for admins."""
        from desk_app.ui.dialogs.settings_dialog import SettingsDialog

        if self.settings_dialog is not None:
            self.settings_dialog.deleteLater()
        dialog = SettingsDialog(self._settings, self._workspace, self)
        dialog.saved.connect(lambda: self.clock.set_zone(self._settings.local_zone()))
        dialog.saved.connect(self.settings_saved)
        dialog.open_database_requested.connect(self.choose_database_file)
        dialog.connect_requested.connect(self.shared_database_requested)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def show_about(self) -> AboutDialog:
        """Help → About Desk (imported on demand: it reads package metadata)."""
        from desk_app.ui.dialogs.about_dialog import AboutDialog, version_rows

        ws = self._workspace
        rows = version_rows(ws.server_version if ws else None, ws.address.shown() if ws else None)
        self.about_dialog = AboutDialog(rows, self)
        self.about_dialog.open()
        return self.about_dialog

    # -- lifecycle ------------------------------------------------------------------------------
    def _on_color_scheme_changed(self) -> None:
        for tab in self.built_tabs():
            tab.repaint_colours()

    def save_layout(self) -> None:
        """Window geometry and every table's columns, for the next start."""
        self._settings.set_window_layout(self.saveGeometry(), self.saveState())
        for tab in self.built_tabs():
            tab.save_layout()
        self._settings.sync()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)  # once this paint has completed
        return handled

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.stop_database_work()
        super().closeEvent(event)
