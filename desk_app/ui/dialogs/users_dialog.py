"""Security → Users…: the user list, with Add…/Edit… for admins and the grants
awaiting a principal.

The dialogs talk to the user service through the protocols of `user_directory`, so the
UI never imports the services that load SQLAlchemy. Every rule is the service's.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.text_search import describe_search
from desk_app.ui.dialogs.user_directory import (
    COLUMNS,
    GRANT_NOTE,
    MIN_PASSWORD_LENGTH,
    UserDirectory,
    UserRecord,
    error_label,
    registration_text,
)
from desk_app.ui.dialogs.user_form import UserForm
from desk_app.ui.tabs.blotter_filter_bar import DEBOUNCE_MS

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "UserDirectory",
    "UserForm",
    "UsersDialog",
    "error_label",
]


class UsersDialog(QDialog):
    """The user table; Add…/Edit… for admins, read-only for other ``user.view`` holders."""

    def __init__(
        self,
        directory: UserDirectory,
        parent: QWidget | None = None,
        *,
        refusal: str | None,
        local_login: str | None = None,
    ) -> None:
        """``local_login``: on a local file, the computer login Desk runs as (else None)."""
        super().__init__(parent)
        self.setObjectName("users_dialog")
        self.setWindowTitle("Users")
        self._directory = directory
        self._local_login = local_login
        self.form: UserForm | None = None
        self.read_only = refusal is not None

        self.summary = QLabel(self)
        self.search = self._build_search()
        self.notice = QLabel(self)
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        self.pending = QLabel(self)
        self.pending.setObjectName("pending_grants")
        self.pending.setWordWrap(True)
        self.pending.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
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
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.search, 1)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.pending)
        layout.addWidget(self.notice)
        layout.addWidget(buttons)
        self.resize(980, 460)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read the users again (after a change), keeping ``select`` selected."""
        # On the GUI thread: the firm's users, a few dozen rows, read when the dialog opens.
        users = list(self._directory.users(self._searched))
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
                f"request {user.pending_grant}" if user.pending_grant else "",
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
        matching = f" matching {describe_search(self._searched)}" if self._searched else ""
        self.summary.setText(f"{len(users)} users{matching}, {active} active{note}")
        waiting = list(self._directory.pending_grants())
        self.pending.setText(
            "Grants awaiting a principal:\n"
            + "\n".join(f"• request {g.request_id}: {g.summary} (by {g.maker})" for g in waiting)
            if waiting
            else ""
        )
        self.pending.setVisible(bool(waiting))
        self.pending.setToolTip(GRANT_NOTE)

    def _build_search(self) -> QLineEdit:
        """A search box as the list tabs have: applied after a pause in typing, Esc empties it."""
        box = QLineEdit(self)
        box.setObjectName("search")
        box.setPlaceholderText("Search user name, full name, role or login")
        box.setToolTip("Any part of a word, any case; several words must all match")
        box.setClearButtonEnabled(True)
        box.installEventFilter(self)  # Esc empties it (and does not close the dialog)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._search_now)
        box.textChanged.connect(lambda _text: self._search_timer.start())
        box.returnPressed.connect(self._search_now)
        self._searched = ""
        return box

    def _search_now(self) -> None:
        self._search_timer.stop()
        text = " ".join(self.search.text().split())
        if text != self._searched:
            self._searched = text
            self.reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Escape
            and self.search.text()
        ):
            self.search.clear()
            self._search_now()
            return True
        return super().eventFilter(watched, event)

    def show_notice(self, text: str) -> None:
        """What the last save did (a grant filed), until the next one."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

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
        form = UserForm(self._directory, user, self, local_login=self._local_login)
        form.accepted.connect(lambda: self._saved(form))
        if self.form is not None:
            self.form.deleteLater()
        self.form = form
        form.open()
        return form

    def _saved(self, form: UserForm) -> None:
        self.reload(form.saved_username)
        self.show_notice(form.outcome)
