"""File → Connect to shared database…: the PostgreSQL server a team works on.

The URL this returns never carries the password; the password travels separately
so that it can go to the system keyring (or nowhere) and never into the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk_app.ui.workers import run_in_background

DEFAULT_PORT = 5432
SCHEME = "postgresql+psycopg"

ConnectionTester = Callable[[str, str], str]
"""``tester(url_without_password, password)`` → server version, or raises with a reason."""


@dataclass(frozen=True)
class SharedDatabase:
    """What the user chose: where, the password, and whether to keep it in the keyring."""

    url: str
    password: str
    remember: bool


def build_url(host: str, port: int, database: str, user: str, query: str = "") -> str:
    """A PostgreSQL URL without password (quoted where needed)."""
    host = host.strip()
    shown_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    who = f"{quote(user.strip(), safe='')}@" if user.strip() else ""
    tail = f"?{query}" if query else ""
    return f"{SCHEME}://{who}{shown_host}:{port}/{quote(database.strip(), safe='')}{tail}"


class ConnectDialog(QDialog):
    """Host, port, database, user, password; Test connection runs off the GUI thread."""

    #: The Test connection check finished: (it worked, what to tell the user).
    test_finished = Signal(bool, str)

    def __init__(
        self,
        tester: ConnectionTester,
        parent: QWidget | None = None,
        *,
        initial_url: str | None = None,
        note: str = "",
        verify: bool = False,
    ) -> None:
        """``verify``: Connect tests the connection first and closes only if it works."""
        super().__init__(parent)
        self.setObjectName("connect_dialog")
        self.setWindowTitle("Connect to shared database")
        self._tester = tester
        self._query = ""
        self._verify = verify
        self._connect_after_test = False

        self.host = QLineEdit(self)
        self.host.setPlaceholderText("db.example.internal")
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.database = QLineEdit("desk", self)
        self.user = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember password in the system keyring", self)
        self.remember.setChecked(True)
        self.note = QLabel(note, self)
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        self.result_label = QLabel(self)
        self.result_label.setObjectName("test_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("&Host:", self.host)
        form.addRow("&Port:", self.port)
        form.addRow("&Database:", self.database)
        form.addRow("&User:", self.user)
        form.addRow("Pass&word:", self.password)
        form.addRow("", self.remember)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.connect_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.connect_button.setText("Connect")
        self.test_button = QPushButton("Test connection", self)
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.test_button.clicked.connect(self.test_connection)
        self.buttons.accepted.connect(self._connect)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)

        for edit in (self.host, self.database):
            edit.textChanged.connect(self._update_buttons)
        if initial_url:
            self.set_url(initial_url)
        self._update_buttons()

    def set_url(self, url: str) -> None:
        """Fill the fields from a PostgreSQL URL (its password, if any, is ignored)."""
        parts = urlsplit(url)
        self.host.setText(parts.hostname or "")
        self.port.setValue(parts.port or DEFAULT_PORT)
        self.user.setText(unquote(parts.username or ""))
        self.database.setText(unquote(parts.path.lstrip("/")))
        self._query = parts.query

    def set_keyring_available(self, available: bool) -> None:
        """Without a keyring the password is asked for each time and never stored."""
        self.remember.setEnabled(available)
        if not available:
            self.remember.setChecked(False)
            self.remember.setText("No system keyring: the password will not be remembered")

    def url(self) -> str:
        return build_url(
            self.host.text(), self.port.value(), self.database.text(), self.user.text(), self._query
        )

    def choice(self) -> SharedDatabase:
        return SharedDatabase(
            self.url(),
            self.password.text(),
            self.remember.isChecked() and self.remember.isEnabled(),
        )

    def test_connection(self) -> None:
        """Try the connection on a worker; the answer appears under the form."""
        url, password = self.url(), self.password.text()
        tester = self._tester
        self.test_button.setEnabled(False)
        self.connect_button.setEnabled(False)
        self.result_label.setText("Connecting…")
        run_in_background(lambda: tester(url, password), self._on_test_done, self._on_test_error)

    def _connect(self) -> None:
        """Connect: at once, or (``verify``) only once a test of these fields has worked."""
        if not self._verify:
            self.accept()
            return
        self._connect_after_test = True
        self.test_connection()

    def _on_test_done(self, version: object) -> None:
        self._show_result(True, f"Connected: {version}")

    def _on_test_error(self, exc: Exception) -> None:
        reason = str(getattr(exc, "message", None) or exc)
        if self._connect_after_test:
            reason = f"Not connected, nothing saved. {reason}"
        self._show_result(False, reason)

    def _show_result(self, ok: bool, text: str) -> None:
        connect, self._connect_after_test = self._connect_after_test, False
        self._update_buttons()
        self.result_label.setText(text)
        self.result_label.setStyleSheet("" if ok else "color: #c62828;")
        self.test_finished.emit(ok, text)
        if ok and connect:
            self.accept()

    def _update_buttons(self) -> None:
        ready = bool(self.host.text().strip() and self.database.text().strip())
        self.connect_button.setEnabled(ready)
        self.test_button.setEnabled(ready)
