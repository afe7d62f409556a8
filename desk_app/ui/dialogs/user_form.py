"""The form an admin adds or changes one user with (Security → Users… → Add…/Edit…).

Every rule (one active admin at least, no self-deactivation, stale versions, what
is a grant) is the service's; the form shows what the service said beside the
fields, keeps the input for a correction, and says when a save was filed as a grant.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtGui import QPalette
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
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.codes import Role
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.permissions import GRANTS
from desk_app.domain.supervision import KNOWN_SERIES, PRINCIPAL_SERIES, Registration
from desk_app.ui.dialogs.user_directory import (
    GRANT_NOTE,
    MIN_PASSWORD_LENGTH,
    UserChangeRecord,
    UserDirectory,
    UserRecord,
    error_label,
)
from desk_app.ui.market_dates import market_qdate, qdate
from desk_app.ui.ops import Op

NO_END = QDate(1900, 1, 1)  # the "to" date editor's minimum shows as "in force"


def _grant_note(parent: QWidget) -> QLabel:
    """Under the form: what a save that gives power turns into."""
    note = QLabel(GRANT_NOTE, parent)
    note.setObjectName("grant_note")
    note.setWordWrap(True)
    note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return note


def _series_order(series: str) -> int:
    return int(series[1:])


def _role_tooltip(role: Role) -> str:
    return "May:\n" + "\n".join(f"• {action.label}" for action in sorted(GRANTS[role]))


class UserForm(QDialog):
    """Add or change one user; the service's refusal is shown under the fields."""

    def __init__(
        self,
        directory: UserDirectory,
        user: UserRecord | None,
        parent: QWidget | None = None,
        *,
        local_login: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("user_form")
        self.setWindowTitle(f"Edit user {user.username}" if user else "Add user")
        self._directory = directory
        self._user = user
        self._local_login = local_login
        self.saved_username = user.username if user else ""
        #: What the save did, in words: applied, or filed as request N.
        self.outcome = ""

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
        layout.addWidget(_grant_note(self))
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
            start.setDate(market_qdate())
            end.setDate(NO_END)
        else:
            series.setCurrentIndex(max(0, series.findData(registration.series)))
            start.setDate(qdate(registration.effective_from))
            end.setDate(qdate(registration.effective_to) if registration.effective_to else NO_END)
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
        Op(
            self, call, done=self._saved, refused=self.show_error, busy_key=f"user_save.{id(self)}"
        ).run()

    def _saved(self, change: UserChangeRecord) -> None:
        self.saved_username = change.username
        self._user = change.view or self._user
        if change.request_id is not None:
            self.outcome = (
                f"Request {change.request_id} filed: {change.username}'s new power awaits "
                "a principal's approval (Approvals tab)."
            )
        elif change.applied_as is not None:
            self.outcome = (
                f"Saved {change.username} at once: this database has no principal yet to "
                f"approve grants (recorded as {change.applied_as})."
            )
        else:
            self.outcome = f"Saved {change.username}."
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

    def _check_can_sign_in(self, username: str, db_login: str, mode: str) -> None:
        """On a local file, a new user who is not this computer's login needs a password."""
        login = (db_login.strip() or username.strip()).casefold()
        if self._local_login is None or mode == "set" or login == self._local_login.casefold():
            return
        raise ValidationError(
            "password",
            f"{username.strip() or 'they'} cannot sign in to this local file without a Desk "
            f"password (they are not this computer's login, {self._local_login}): set one",
        )

    def _save_call(self) -> Callable[[], UserChangeRecord]:
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
            self._check_can_sign_in(username, db_login, mode)
            return lambda: directory.add(
                username, roles, full_name=full_name, registrations=registrations,
                db_login=db_login or None, password=password,
            )  # fmt: skip
        active, name, version = self.active.isChecked(), user.username, user.version
        return lambda: directory.update(
            name, version, full_name=full_name, roles=roles, active=active,
            db_login=db_login, registrations=registrations, password=password,
            clear_password=mode == "clear",
        )  # fmt: skip

    def _update_password_fields(self) -> None:
        setting = self.password_mode.currentData() == "set"
        for edit in (self.new_password, self.repeat_password):
            edit.setEnabled(setting)
            edit.setVisible(setting)
