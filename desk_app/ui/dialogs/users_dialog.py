"""Security → Users…: the user list, and the form an admin adds or changes a user with.

The dialogs talk to the user service through the small protocols below, so the UI
never imports the services that load SQLAlchemy. Every rule (one active admin at
least, no self-deactivation, stale versions) is the service's; the form only shows
what the service said, beside the fields, and keeps the input for a correction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Protocol

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.codes import Role
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.permissions import GRANTS
from desk_app.domain.supervision import KNOWN_SERIES, PRINCIPAL_SERIES, Registration
from desk_app.ui.ops import Op

MIN_PASSWORD_LENGTH = 10  # as services.passwords.MIN_LENGTH; checked again by the service
NO_END = QDate(1900, 1, 1)  # the "to" date editor's minimum shows as "in force"
ERROR_STYLE = "color: #c62828;"
COLUMNS = ("User", "Name", "Roles", "Active", "DB login", "Password", "Registrations")


class UserRecord(Protocol):
    """What a row shows (structurally `services.users.UserView`)."""

    @property
    def username(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def roles(self) -> frozenset[Role]: ...
    @property
    def active(self) -> bool: ...
    @property
    def db_login(self) -> str | None: ...
    @property
    def has_password(self) -> bool: ...
    @property
    def registrations(self) -> tuple[Registration, ...]: ...
    @property
    def version(self) -> int: ...


class UserDirectory(Protocol):
    """The calls the dialogs make (structurally `services.users.UserService`)."""

    def users(self) -> Sequence[UserRecord]: ...
    def get(self, username: str) -> UserRecord: ...
    def add(
        self,
        username: str,
        roles: Iterable[Role],
        *,
        full_name: str = ...,
        registrations: Sequence[Registration] = ...,
        db_login: str | None = ...,
        password: str | None = ...,
    ) -> UserRecord: ...
    def update(
        self,
        username: str,
        expected_version: int,
        *,
        full_name: str | None = ...,
        roles: Iterable[Role] | None = ...,
        active: bool | None = ...,
        db_login: str | None = ...,
        registrations: Sequence[Registration] | None = ...,
    ) -> UserRecord: ...
    def set_password(
        self, username: str, password: str | None, *, current: str | None = ...
    ) -> None: ...
    def check_password(self, password: str) -> bool: ...


def registration_text(registrations: Iterable[Registration]) -> str:
    """``S24 since 2019-03-01, S9 2010-01-04 – 2020-06-30``."""
    return ", ".join(
        f"{r.series} since {r.effective_from}"
        if r.effective_to is None
        else f"{r.series} {r.effective_from} – {r.effective_to}"
        for r in registrations
    )


def error_label(parent: QWidget) -> QLabel:
    """Where a form says what the service refused (hidden until then)."""
    label = QLabel(parent)
    label.setObjectName("form_error")
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _series_order(series: str) -> int:
    return int(series[1:])


def _role_tooltip(role: Role) -> str:
    return "May:\n" + "\n".join(f"• {action.label}" for action in sorted(GRANTS[role]))


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class UsersDialog(QDialog):
    """The user table; Add…/Edit… for admins, read-only for other ``user.view`` holders."""

    def __init__(
        self, directory: UserDirectory, parent: QWidget | None = None, *, refusal: str | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("users_dialog")
        self.setWindowTitle("Users")
        self._directory = directory
        self.form: UserForm | None = None
        self.read_only = refusal is not None

        self.summary = QLabel(self)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self.edit_selected)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        self.add_button = QPushButton("&Add…", self)
        self.edit_button = QPushButton("&Edit…", self)
        for button in (self.add_button, self.edit_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.setEnabled(not self.read_only)
            button.setToolTip(refusal or "")
        self.add_button.clicked.connect(self.add_user)
        self.edit_button.clicked.connect(self.edit_selected)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 420)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read the users again (after a change), keeping ``select`` selected."""
        # On the GUI thread: the firm's users, a few dozen rows, read when the dialog opens.
        users = list(self._directory.users())
        self._users = users
        self.table.setRowCount(len(users))
        for row, user in enumerate(users):
            cells = (
                user.username,
                user.full_name,
                ", ".join(sorted(role.value for role in user.roles)),
                "yes" if user.active else "no (deactivated)",
                user.db_login or "",
                "set" if user.has_password else "",
                registration_text(user.registrations),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not user.active:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
            if user.username == select:
                self.table.selectRow(row)
        self.table.resizeColumnsToContents()
        note = " (read-only: only an admin can change users)" if self.read_only else ""
        active = sum(1 for u in users if u.active)
        self.summary.setText(f"{len(users)} users, {active} active{note}")

    def selected_user(self) -> UserRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self._users[rows[0].row()] if rows else None

    def add_user(self) -> UserForm | None:
        return None if self.read_only else self._open_form(None)

    def edit_selected(self) -> UserForm | None:
        user = self.selected_user()
        if self.read_only or user is None:
            return None
        return self._open_form(user)

    def _open_form(self, user: UserRecord | None) -> UserForm:
        form = UserForm(self._directory, user, self)
        form.accepted.connect(lambda: self.reload(form.saved_username))
        if self.form is not None:
            self.form.deleteLater()
        self.form = form
        form.open()
        return form


class UserForm(QDialog):
    """Add or change one user; the service's refusal is shown under the fields."""

    def __init__(
        self, directory: UserDirectory, user: UserRecord | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("user_form")
        self.setWindowTitle(f"Edit user {user.username}" if user else "Add user")
        self._directory = directory
        self._user = user
        #: The record as saved by the update now running, before its password step.
        self._updated: UserRecord | None = None
        self.saved_username = user.username if user else ""

        self.username = QLineEdit(user.username if user else "", self)
        self.username.setReadOnly(user is not None)
        self.username.setEnabled(user is None)  # how they sign in: fixed once added
        self.full_name = QLineEdit(user.full_name if user else "", self)
        self.role_boxes: dict[Role, QCheckBox] = {}
        roles_row = QHBoxLayout()
        for role in Role:
            box = QCheckBox(role.value, self)
            box.setChecked(user is not None and role in user.roles)
            box.setToolTip(_role_tooltip(role))
            self.role_boxes[role] = box
            roles_row.addWidget(box)
        roles_row.addStretch(1)
        self.active = QCheckBox("Active (may sign in)", self)
        self.active.setChecked(user.active if user else True)
        self.active.setEnabled(user is not None)
        self.db_login = QLineEdit((user.db_login or "") if user else "", self)
        self.db_login.setPlaceholderText("their PostgreSQL login, if they have one")

        reg_buttons = self._build_registrations(user)
        password_row = self._build_password(user)

        self.error_label = error_label(self)

        form = QFormLayout()
        form.addRow("&Username:", self.username)
        form.addRow("Full &name:", self.full_name)
        form.addRow("Roles:", roles_row)
        form.addRow("", self.active)
        form.addRow("&Database login:", self.db_login)
        form.addRow("Registrations:", self.registrations)
        form.addRow("", reg_buttons)
        form.addRow("App password:", password_row)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
            parent=self,
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._fields: dict[str, QWidget] = {
            "username": self.username, "role": self.role_boxes[Role.CLERK],
            "db_login": self.db_login, "registration": self.registrations,
            "password": self.new_password,
        }  # fmt: skip
        self._update_password_fields()
        self.resize(640, self.sizeHint().height())

    def _build_registrations(self, user: UserRecord | None) -> QHBoxLayout:
        self.registrations = QTableWidget(0, 3, self)
        self.registrations.setObjectName("registrations")
        self.registrations.setHorizontalHeaderLabels(("Series", "From", "To"))
        self.registrations.verticalHeader().hide()
        self.registrations.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.registrations.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.registrations.setMinimumHeight(130)
        for registration in user.registrations if user else ():
            self.add_registration(registration)
        add_row = QPushButton("Add registration", self)
        add_row.clicked.connect(self._add_empty_registration)
        self.remove_row_button = QPushButton("Remove", self)
        self.remove_row_button.clicked.connect(self.remove_registration)
        reg_buttons = QHBoxLayout()
        reg_buttons.addWidget(add_row)
        reg_buttons.addWidget(self.remove_row_button)
        reg_buttons.addStretch(1)
        return reg_buttons

    def _build_password(self, user: UserRecord | None) -> QHBoxLayout:
        self.password_mode = QComboBox(self)
        if user is None:
            self.password_mode.addItem("No app password", "keep")
        else:
            state = "set" if user.has_password else "none"
            self.password_mode.addItem(f"Keep as is ({state})", "keep")
        self.password_mode.addItem("Set a new password", "set")
        if user is not None and user.has_password:
            self.password_mode.addItem("Remove the password", "clear")
        self.new_password = QLineEdit(self)
        self.repeat_password = QLineEdit(self)
        for edit, hint in ((self.new_password, "new password"), (self.repeat_password, "repeat")):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText(hint)
        self.password_mode.currentIndexChanged.connect(self._update_password_fields)
        password_row = QHBoxLayout()
        for widget in (self.password_mode, self.new_password, self.repeat_password):
            password_row.addWidget(widget)
        return password_row

    # -- registrations --------------------------------------------------------------------
    def _add_empty_registration(self) -> None:
        self.add_registration()

    def add_registration(self, registration: Registration | None = None) -> int:
        """A row of series, from and to (to = "in force" while it has no end)."""
        row = self.registrations.rowCount()
        self.registrations.insertRow(row)
        series = QComboBox(self.registrations)
        for code in sorted(KNOWN_SERIES, key=_series_order):
            principal = " (principal)" if code in PRINCIPAL_SERIES else ""
            series.addItem(f"{code}{principal}", code)
        start = QDateEdit(self.registrations)
        end = QDateEdit(self.registrations)
        for editor in (start, end):
            editor.setCalendarPopup(True)
            editor.setDisplayFormat("yyyy-MM-dd")
        end.setMinimumDate(NO_END)
        end.setSpecialValueText("in force")
        if registration is None:
            series.setCurrentIndex(series.findData("S24"))
            start.setDate(QDate.currentDate())
            end.setDate(NO_END)
        else:
            series.setCurrentIndex(max(0, series.findData(registration.series)))
            start.setDate(_qdate(registration.effective_from))
            end.setDate(_qdate(registration.effective_to) if registration.effective_to else NO_END)
        for column, widget in enumerate((series, start, end)):
            self.registrations.setCellWidget(row, column, widget)
        return row

    def remove_registration(self) -> None:
        rows = {index.row() for index in self.registrations.selectedIndexes()}
        if not rows and self.registrations.currentRow() >= 0:
            rows = {self.registrations.currentRow()}
        for row in sorted(rows, reverse=True):
            self.registrations.removeRow(row)

    def registration_rows(self) -> list[Registration]:
        """The table as registrations; `ValidationError` for one that ends before it starts."""
        result = []
        for row in range(self.registrations.rowCount()):
            series = self.registrations.cellWidget(row, 0)
            start = self.registrations.cellWidget(row, 1)
            end = self.registrations.cellWidget(row, 2)
            assert isinstance(series, QComboBox)
            assert isinstance(start, QDateEdit) and isinstance(end, QDateEdit)
            begins = start.date().toPython()
            ends = None if end.date() == NO_END else end.date().toPython()
            assert isinstance(begins, date)
            if ends is not None and ends < begins:  # type: ignore[operator]
                raise ValidationError("registration", "ends before it starts", series.currentData())
            result.append(Registration(str(series.currentData()), begins, ends))  # type: ignore[arg-type]
        return result

    # -- saving -----------------------------------------------------------------------------
    def chosen_roles(self) -> frozenset[Role]:
        return frozenset(role for role, box in self.role_boxes.items() if box.isChecked())

    def save(self) -> None:
        """Add or update through the service; on a refusal stay open and say why."""
        try:
            call = self._save_call()
        except ValidationError as exc:  # read from the form, before anything runs
            self.show_error(exc)
            return
        self._updated = None
        Op(
            self, call, done=self._saved, refused=self._refused, busy_key=f"user_save.{id(self)}"
        ).run()

    def _refused(self, exc: DeskError) -> None:
        if self._updated is not None:  # the record was saved, then the password refused:
            self._user = self._updated  # Save again sends the version it now has
        self.show_error(exc)

    def _saved(self, result: tuple[str, UserRecord | None]) -> None:
        self.saved_username, self._user = result
        self.accept()

    def show_error(self, exc: DeskError) -> None:
        self.error_label.setText(exc.message)
        self.error_label.show()
        field = self._fields.get(exc.field) if isinstance(exc, ValidationError) else None
        if field is not None:
            field.setFocus()

    def _password_choice(self) -> tuple[str, str | None]:
        mode = str(self.password_mode.currentData())
        if mode != "set":
            return mode, None
        new = self.new_password.text()
        if new != self.repeat_password.text():
            raise ValidationError("password", "the two new passwords are not the same")
        if len(new) < MIN_PASSWORD_LENGTH:
            raise ValidationError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
        return mode, new

    def _save_call(self) -> Callable[[], tuple[str, UserRecord | None]]:
        """The add or update the form asks for, read now, to run on a worker."""
        roles = self.chosen_roles()
        if not roles:
            raise ValidationError("role", "give at least one role")
        registrations = self.registration_rows()
        mode, password = self._password_choice()
        directory, user = self._directory, self._user
        full_name, db_login = self.full_name.text(), self.db_login.text()
        if user is None:
            username = self.username.text()

            def add() -> tuple[str, UserRecord | None]:
                added = directory.add(
                    username, roles, full_name=full_name, registrations=registrations,
                    db_login=db_login or None, password=password,
                )  # fmt: skip
                return added.username, None

            return add
        active = self.active.isChecked()

        def update() -> tuple[str, UserRecord | None]:
            name = user.username
            updated = directory.update(
                name, user.version, full_name=full_name, roles=roles, active=active,
                db_login=db_login, registrations=registrations,
            )  # fmt: skip
            self._updated = updated  # kept if the password below is refused
            if mode != "keep":
                directory.set_password(name, password)
                updated = directory.get(name)  # the new version, if Save is pressed again
            return self.saved_username, updated

        return update

    def _update_password_fields(self) -> None:
        setting = self.password_mode.currentData() == "set"
        for edit in (self.new_password, self.repeat_password):
            edit.setEnabled(setting)
            edit.setVisible(setting)
