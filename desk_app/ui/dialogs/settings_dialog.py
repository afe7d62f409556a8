"""File → Settings…: this desk's preferences and, for an admin, the firm's letterhead.

Per-desk settings (idle lock, manifest defaults, backups, the local clock) live in
QSettings on this computer; the firm's name and address live in the database, where
changing them is an admin's audited act, so for anyone else they show greyed with
the reason. The database itself is changed through File → Open or Connect, which
this page offers as buttons.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.permissions import Action
from desk_app.ui.dialogs.manifest_dialog import COURIERS
from desk_app.ui.dialogs.trade_ticket_fields import error_label
from desk_app.ui.ops import Op
from desk_app.ui.security_menu import IDLE_CHOICES
from desk_app.ui.settings import (
    IDLE_LOCK_ENV,
    MAX_BACKUP_DAYS,
    DeskSettings,
    default_backup_folder,
    system_zone,
)
from desk_app.ui.tabs.workspace_view import WorkspaceView

PAGES = ("Database", "Security", "Firm", "Manifests", "Backups", "Clock")
NO_DATABASE = "Open a database to see and set the firm's name and address."


@cache
def zone_names() -> list[str]:
    """Every zoneinfo name this computer knows, sorted (read once)."""
    from zoneinfo import available_timezones

    return sorted(available_timezones())


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class SettingsDialog(QDialog):
    """Pages of settings on the left; OK saves them all (the firm's through its service)."""

    #: Settings were saved: the window applies them (clock, idle lock).
    saved = Signal()
    #: The Database page's buttons: the window runs File → Open / Connect.
    open_database_requested = Signal()
    connect_requested = Signal()

    def __init__(
        self,
        settings: DeskSettings,
        workspace: WorkspaceView | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self.setWindowTitle("Settings")
        self._settings = settings
        self._workspace = workspace
        self._letterhead: tuple[str, str] | None = None
        self.pages = QListWidget(self)
        self.pages.setObjectName("settings_pages")
        self.pages.addItems(PAGES)
        self.pages.setFixedWidth(150)
        self.stack = QStackedWidget(self)
        for build in (self._database_page, self._security_page, self._firm_page,
                      self._manifest_page, self._backup_page, self._clock_page):  # fmt: skip
            self.stack.addWidget(build())
        self.pages.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.pages.setCurrentRow(0)
        self.error = error_label("settings_error", self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.pages)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(720, 460)
        self._load_letterhead()

    def show_page(self, name: str) -> None:
        self.pages.setCurrentRow(PAGES.index(name))

    # -- pages ------------------------------------------------------------------------------
    def _page(self, title: str) -> tuple[QWidget, QFormLayout]:
        page = QWidget(self.stack)
        outer = QVBoxLayout(page)
        heading = QLabel(f"<b>{title}</b>", page)
        outer.addWidget(heading)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        outer.addLayout(form)
        outer.addStretch(1)
        return page, form

    def _database_page(self) -> QWidget:
        page, form = self._page("Database")
        ws = self._workspace
        shown = ws.address.shown() if ws is not None else "No database open"
        self.database_label = QLabel(shown, page)
        self.database_label.setObjectName("current_database")
        self.database_label.setWordWrap(True)
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Working on", self.database_label)
        if ws is not None:
            form.addRow("Signed in as", QLabel(f"{ws.user.full_name or ws.actor} "
                                               f"({ws.user.role_text})", page))  # fmt: skip
        row = QHBoxLayout()
        open_button = QPushButton("Open another database…", page)
        open_button.setObjectName("open_database")
        open_button.clicked.connect(lambda: self._leave_for(self.open_database_requested))
        connect_button = QPushButton("Connect to shared database…", page)
        connect_button.setObjectName("connect_database")
        connect_button.clicked.connect(lambda: self._leave_for(self.connect_requested))
        row.addWidget(open_button)
        row.addWidget(connect_button)
        row.addStretch(1)
        form.addRow("Change", row)
        form.addRow(_note("A local file works on this computer alone; a shared PostgreSQL "
                          "database is the team's. Desk opens the one chosen last at its next "
                          "start.", page))  # fmt: skip
        return page

    def _leave_for(self, request: SignalInstance) -> None:
        """Close without saving, then let the window open or connect."""
        self.reject()
        request.emit()

    def _security_page(self) -> QWidget:
        page, form = self._page("Security")
        self.idle_lock = QComboBox(page)
        self.idle_lock.setObjectName("idle_lock")
        current = self._settings.idle_lock_minutes()
        choices = list(IDLE_CHOICES)
        if current not in choices and float(current).is_integer():
            choices.insert(-1, int(current))
        for minutes in choices:
            self.idle_lock.addItem(f"After {minutes} minutes" if minutes else "Never", minutes)
        index = self.idle_lock.findData(int(current)) if float(current).is_integer() else -1
        self.idle_lock.setCurrentIndex(max(index, 0))
        form.addRow("Lock when idle", self.idle_lock)
        if os.environ.get(IDLE_LOCK_ENV):
            self.idle_lock.setEnabled(False)
            self.idle_lock.setToolTip(f"Set by {IDLE_LOCK_ENV}={os.environ[IDLE_LOCK_ENV]}")
        form.addRow(_note("The window locks after this long without a key or a click; "
                          "your password (or your computer's) unlocks it.", page))  # fmt: skip
        return page

    def _firm_page(self) -> QWidget:
        page, form = self._page("Firm (printed on manifests and reports)")
        self.firm_name = QLineEdit(page)
        self.firm_name.setObjectName("firm_name")
        self.firm_name.setMaxLength(120)
        self.firm_address = QPlainTextEdit(page)
        self.firm_address.setObjectName("firm_address")
        self.firm_address.setPlaceholderText("Street\nCity, State ZIP\n(up to 4 lines)")
        self.firm_address.setFixedHeight(90)
        form.addRow("Name", self.firm_name)
        form.addRow("Address", self.firm_address)
        self.firm_note = _note("", page)
        self.firm_note.setObjectName("firm_note")
        form.addRow(self.firm_note)
        ws = self._workspace
        refused = NO_DATABASE if ws is None else ws.user.refusal(Action.USER_MANAGE)
        if refused is not None:
            refused = refused.replace(Action.USER_MANAGE.label, "Changing the firm's letterhead")
        self.firm_refusal = refused
        for field in (self.firm_name, self.firm_address):
            field.setEnabled(False)  # until read; for good when refused
            field.setToolTip(refused or "")
        self.firm_note.setText(
            refused
            or "Firm-wide, kept in the database: every desk prints it; each change is audited."
        )
        return page

    def _manifest_page(self) -> QWidget:
        page, form = self._page("Manifests")
        self.courier = QComboBox(page)
        self.courier.setObjectName("default_courier")
        self.courier.setEditable(True)
        self.courier.addItems(["", *COURIERS])
        self.courier.setCurrentText(self._settings.default_courier())
        self.sender_edit = QLineEdit(self._settings.default_sender(), page)
        self.sender_edit.setObjectName("default_sender")
        self.sender_edit.setPlaceholderText("As on the last manifest")
        form.addRow("Default courier", self.courier)
        form.addRow("Default sender", self.sender_edit)
        form.addRow(_note("A new manifest starts with these; the clerk can change them there.",
                          page))  # fmt: skip
        return page

    def _backup_page(self) -> QWidget:
        page, form = self._page("Backups")
        self.backup_folder = QLineEdit(str(self._settings.backup_folder()), page)
        self.backup_folder.setObjectName("backup_folder")
        browse = QPushButton("Choose…", page)
        browse.setObjectName("choose_backup_folder")
        browse.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.backup_folder, 1)
        row.addWidget(browse)
        self.keep_days = QSpinBox(page)
        self.keep_days.setObjectName("backup_keep_days")
        self.keep_days.setRange(1, MAX_BACKUP_DAYS)
        self.keep_days.setSuffix(" days")
        self.keep_days.setValue(self._settings.backup_keep_days())
        form.addRow("Daily backups in", row)
        form.addRow("Keep them for", self.keep_days)
        ws = self._workspace
        shared = ws is not None and ws.address.is_shared
        text = (
            "This is a shared database: its server is backed up with pg_dump (see the "
            "user guide), not by each desk."
            if shared
            else "The first start of each business day copies the local database here "
            "(checked, while you work); older copies are removed. File → Back up database… "
            "makes one at any time."
        )
        form.addRow(_note(text, page))
        return page

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Folder for the daily backups", self.backup_folder.text()
        )
        if chosen:
            self.backup_folder.setText(chosen)

    def _clock_page(self) -> QWidget:
        page, form = self._page("Clock")
        self.zone = QComboBox(page)
        self.zone.setObjectName("local_zone")
        self.zone.setEditable(True)
        self.zone.addItems(zone_names())
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = QCompleter(zone_names(), self.zone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone.setCompleter(completer)
        self.zone.setCurrentText(self._settings.local_zone())
        form.addRow("Local time zone", self.zone)
        form.addRow(_note(f"Shown in the status bar beside New York's, which runs the books "
                          f"(cut-offs, the business date). This computer's: {system_zone()}.",
                          page))  # fmt: skip
        return page

    # -- the firm's letterhead ----------------------------------------------------------------
    def _load_letterhead(self) -> None:
        ws = self._workspace
        if ws is None:
            return
        Op(self, ws.firm.letterhead, done=self._show_letterhead, label="Reading…").run()

    def _show_letterhead(self, letterhead: tuple[str, str]) -> None:
        self._letterhead = letterhead
        self.firm_name.setText(letterhead[0])
        self.firm_address.setPlainText(letterhead[1])
        if self.firm_refusal is None:
            self.firm_name.setEnabled(True)
            self.firm_address.setEnabled(True)

    @property
    def letterhead_loaded(self) -> bool:
        return self._letterhead is not None

    # -- saving -------------------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Every field that cannot be saved as typed (empty: all can)."""
        found = []
        if self.zone.currentText().strip() not in zone_names():
            found.append(
                f"Local time zone: '{self.zone.currentText()}' is not a time zone name "
                "(e.g. Europe/London, America/Chicago)"
            )
        folder = self.backup_folder.text().strip()
        if not folder:
            found.append("Daily backups in: name a folder")
        elif Path(folder).exists() and not Path(folder).is_dir():
            found.append(f"Daily backups in: {folder} is a file, not a folder")
        elif not Path(folder).is_absolute():
            found.append(f"Daily backups in: {folder} is not a full path")
        return found

    def save(self) -> None:
        """Check every field; save this desk's settings, then the firm's (audited) if changed."""
        problems = self.problems()
        if problems:
            self._show_error("\n".join(problems))
            return
        s = self._settings
        if self.idle_lock.isEnabled():
            s.set_idle_lock_minutes(int(self.idle_lock.currentData()))
        s.set_default_courier(self.courier.currentText())
        s.set_default_sender(self.sender_edit.text())
        folder = Path(self.backup_folder.text().strip())
        s.set_backup_folder(None if folder == default_backup_folder() else folder)
        s.set_backup_keep_days(self.keep_days.value())
        s.set_local_zone(self.zone.currentText().strip())
        s.sync()
        name, address = self.firm_name.text(), self.firm_address.toPlainText()
        ws = self._workspace
        if (
            ws is None
            or self.firm_refusal is not None
            or self._letterhead in (None, (name, address))
        ):
            self._saved()
            return
        firm = ws.firm
        before = self._letterhead

        def change() -> None:
            assert before is not None
            if name.strip() != before[0]:
                firm.set_name(name)
            if address.strip() != before[1]:
                firm.set_address(address)

        self.ok_button.setEnabled(False)
        Op(self, change, done=lambda _: self._saved(), refused=self._refused,
           label="Saving the firm's letterhead…", after=lambda: self.ok_button.setEnabled(True),
           ).run()  # fmt: skip

    def _refused(self, exc: DeskError) -> None:
        self._show_error(f"The firm's letterhead was not saved: {exc.message}")

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _saved(self) -> None:
        self.saved.emit()
        self.accept()
