"""The welcome's "Work on this computer" page: where the file goes, and who you are.

A new file's first user cannot be approved by anybody (there is nobody else yet), so
this is where they say who they are, once: their full name, their roles and their
FINRA registrations (see `desk_app.services.supervision.bootstrap`). The login is
not asked: it is the computer's, which is what proves who they are on a local file.
An existing file chosen here is simply opened; its users are already there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.codes import Role
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import ValidationError
from desk_app.domain.first_user import DEFAULT_ROLES, FirstUser, principal_hint
from desk_app.domain.supervision import KNOWN_SERIES, PRINCIPAL_SERIES, Registration

SQLITE_FILTER = "Desk databases (*.db *.sqlite *.sqlite3);;All files (*)"

#: What each role lets the first user do, in a clerk's words.
ROLE_WORDS = {
    Role.CLERK: "Clerk: book, import and settle trades, move certificates",
    Role.SUPERVISOR: "Supervisor: approve other people's requests (with a principal registration)",
    Role.COMPLIANCE: "Compliance: see everything, verify the audit trail",
    Role.ADMIN: "Admin: add users and give them roles (always, for the first user)",
}


def _series_order(series: str) -> int:
    return int(series[1:])


class LocalDatabasePage(QWidget):
    """Where the new file goes and who its first user is; emits `chosen` when ready."""

    #: (the file's path, the first user for a new file or None for an existing one)
    chosen = Signal(str, object)
    back_requested = Signal()

    def __init__(
        self, default_file: str, login: str, parent: QWidget | None = None, *, fixed: bool = False
    ) -> None:
        """``fixed``: the file was chosen already (File → New database…): only who you are."""
        super().__init__(parent)
        self.setObjectName("local_database_page")
        self.default_file = default_file
        self.login = login

        where = self._build_where()
        self.who = self._build_who()
        self.error_label = QLabel(self)
        self.error_label.setObjectName("errors")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.back_button = QPushButton("Back", self)
        self.back_button.clicked.connect(self.back_requested)
        self.create_button = QPushButton("Create database", self)
        self.create_button.setObjectName("create_button")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)

        layout = QVBoxLayout(self)
        layout.addLayout(where)
        layout.addWidget(self.who)
        layout.addStretch(1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

        self.in_data_folder.toggled.connect(self._update)
        self.other_path.textChanged.connect(self._update)
        self.other_path.textEdited.connect(lambda _text: self.elsewhere.setChecked(True))
        if fixed:
            self.heading.setText("<b>A new database</b>")
            for widget in (self.in_data_folder, self.elsewhere, self.other_path,
                           self.browse_button):  # fmt: skip
                widget.hide()
            self.back_button.setText("Cancel")
        self._update()

    def _build_where(self) -> QVBoxLayout:
        self.heading = QLabel("<b>A database on this computer</b>", self)
        self.in_data_folder = QRadioButton("In Desk's data folder (recommended)", self)
        self.in_data_folder.setChecked(True)
        self.default_label = QLabel(self.default_file, self)
        self.default_label.setObjectName("default_file")
        self.default_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.default_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.elsewhere = QRadioButton("Somewhere else:", self)
        self.other_path = QLineEdit(self)
        self.other_path.setObjectName("other_path")
        self.other_path.setPlaceholderText("a new file, or an existing Desk database")
        self.browse_button = QPushButton("Browse…", self)
        self.browse_button.clicked.connect(self.browse)
        group = QButtonGroup(self)
        group.addButton(self.in_data_folder)
        group.addButton(self.elsewhere)
        self.existing_note = QLabel(self)
        self.existing_note.setObjectName("existing_note")
        self.existing_note.setWordWrap(True)

        where = QVBoxLayout()
        where.addWidget(self.heading)
        where.addWidget(self.in_data_folder)
        where.addWidget(self.default_label)
        other = QHBoxLayout()
        other.addWidget(self.elsewhere)
        other.addWidget(self.other_path, 1)
        other.addWidget(self.browse_button)
        where.addLayout(other)
        where.addWidget(self.existing_note)
        return where

    def _build_who(self) -> QGroupBox:
        box = QGroupBox("Who you are: the new database's first user", self)
        intro = QLabel(
            f"You sign in as <b>{self.login}</b>, your login on this computer: no password "
            "is needed for you here. Nobody can approve the first user, so what you give "
            "here is recorded in the audit trail as the database's start.",
            box,
        )
        intro.setWordWrap(True)
        self.full_name = QLineEdit(box)
        self.full_name.setObjectName("full_name")
        self.full_name.setPlaceholderText("e.g. Maria Lopez")
        self.role_boxes: dict[Role, QCheckBox] = {}
        roles = QVBoxLayout()
        roles.setSpacing(2)
        for role in Role:
            check = QCheckBox(ROLE_WORDS[role], box)
            check.setObjectName(f"role_{role.value}")
            check.setChecked(role in DEFAULT_ROLES)
            check.toggled.connect(self._update_hint)
            self.role_boxes[role] = check
            roles.addWidget(check)
        self.role_boxes[Role.ADMIN].setEnabled(False)  # nobody else could ever add a user

        self.registrations = QTableWidget(0, 2, box)
        self.registrations.setObjectName("registrations")
        self.registrations.setHorizontalHeaderLabels(("FINRA registration", "In force since"))
        self.registrations.verticalHeader().hide()
        header = self.registrations.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.registrations.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.registrations.setMinimumHeight(92)
        self.registrations.setMaximumHeight(150)  # a few rows; it scrolls past them
        add_row = QPushButton("Add registration", box)
        add_row.clicked.connect(self._add_empty_registration)
        remove_row = QPushButton("Remove", box)
        remove_row.clicked.connect(self.remove_registration)
        reg_buttons = QHBoxLayout()
        reg_buttons.addWidget(add_row)
        reg_buttons.addWidget(remove_row)
        reg_buttons.addStretch(1)
        self.hint = QLabel(box)
        self.hint.setObjectName("principal_hint")
        self.hint.setWordWrap(True)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        form = QFormLayout(box)
        form.addRow(intro)
        form.addRow("Full &name:", self.full_name)
        form.addRow("Roles:", roles)
        form.addRow("Registrations:", self.registrations)
        form.addRow("", reg_buttons)
        form.addRow("", self.hint)
        return box

    # -- registrations -----------------------------------------------------------------------
    def _add_empty_registration(self) -> None:
        self.add_registration()

    def add_registration(self, series: str = "S7", since: date | None = None) -> int:
        """A row: the series and the date it is in force from (today unless given)."""
        row = self.registrations.rowCount()
        self.registrations.insertRow(row)
        choice = QComboBox(self.registrations)
        for code in sorted(KNOWN_SERIES, key=_series_order):
            principal = " (principal)" if code in PRINCIPAL_SERIES else ""
            choice.addItem(f"Series {code[1:]}{principal}", code)
        choice.setCurrentIndex(max(0, choice.findData(series)))
        choice.currentIndexChanged.connect(self._update_hint)
        start = QDateEdit(self.registrations)
        start.setCalendarPopup(True)
        start.setDisplayFormat("yyyy-MM-dd")
        day = since or market_today()
        start.setDate(QDate(day.year, day.month, day.day))
        self.registrations.setCellWidget(row, 0, choice)
        self.registrations.setCellWidget(row, 1, start)
        self._update_hint()
        return row

    def remove_registration(self) -> None:
        rows = {index.row() for index in self.registrations.selectedIndexes()}
        if not rows and self.registrations.currentRow() >= 0:
            rows = {self.registrations.currentRow()}
        for row in sorted(rows, reverse=True):
            self.registrations.removeRow(row)
        self._update_hint()

    def registration_rows(self) -> list[Registration]:
        rows = []
        for row in range(self.registrations.rowCount()):
            choice = self.registrations.cellWidget(row, 0)
            start = self.registrations.cellWidget(row, 1)
            assert isinstance(choice, QComboBox) and isinstance(start, QDateEdit)
            since = start.date().toPython()
            assert isinstance(since, date)
            rows.append(Registration(str(choice.currentData()), since))
        return rows

    # -- the choice ----------------------------------------------------------------------------
    def chosen_path(self) -> str:
        if self.in_data_folder.isChecked():
            return self.default_file
        return self.other_path.text().strip()

    def first_user(self) -> FirstUser:
        roles = frozenset(role for role, check in self.role_boxes.items() if check.isChecked())
        return FirstUser(self.full_name.text(), roles, tuple(self.registration_rows()))

    def browse(self) -> None:
        start = self.other_path.text().strip() or str(Path(self.default_file).parent)
        path, _ = QFileDialog.getSaveFileName(
            self, "Where should the database be?", start, SQLITE_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )  # fmt: skip
        if path:
            self.other_path.setText(path)
            self.elsewhere.setChecked(True)

    def submit(self) -> None:
        """Check every field (all problems at once); emit `chosen` when nothing is wrong."""
        path = self.chosen_path()
        problems: list[str] = []
        if not path:
            problems.append("Where: choose a file for the database, or Desk's data folder.")
        elif Path(path).is_dir():
            problems.append(f"Where: {path} is a folder; name a file in it.")
        existing = bool(path) and Path(path).is_file()
        profile = None if existing else self.first_user()
        if profile is not None:
            problems += [_said(p) for p in profile.problems(market_today())]
        self.error_label.setText("\n".join(problems))
        if problems:
            return
        self.chosen.emit(path, profile)

    def _update(self) -> None:
        """An existing file is opened as it is: nobody new is created in it."""
        self.other_path.setEnabled(self.elsewhere.isChecked())
        path = self.chosen_path()
        existing = bool(path) and Path(path).is_file()
        self.who.setEnabled(not existing)
        self.existing_note.setText(
            "That file exists: Desk opens it, and you sign in as its user." if existing else ""
        )
        self.existing_note.setVisible(existing)
        self.create_button.setText("Open database" if existing else "Create database")

    def _update_hint(self) -> None:
        roles = [role for role, check in self.role_boxes.items() if check.isChecked()]
        text = principal_hint(roles, self.registration_rows())
        self.hint.setText(text)
        self.hint.setVisible(bool(text))


def _said(problem: ValidationError) -> str:
    """A form line: the field as the form names it, then the reason."""
    field = {"full_name": "Full name", "role": "Roles", "registration": "Registrations"}.get(
        problem.field, problem.field
    )
    shown = f" ({problem.value})" if problem.value is not None else ""
    return f"{field}: {problem.reason}{shown}."
