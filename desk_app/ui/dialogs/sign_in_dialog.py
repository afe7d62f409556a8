"""Signing in to a database: the app password prompt, and the refusal for an unknown user.

The app password is Desk's own (argon2, for a shared workstation); it is not the
PostgreSQL password, which the connect dialog asks for.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desk_app.ui.dialogs.message_layout import headed_message, message_icon


class SignInDialog(QDialog):
    """Asks ``username`` for their Desk password; says so when the last one was wrong."""

    def __init__(
        self,
        username: str,
        database: str,
        parent: QWidget | None = None,
        *,
        wrong: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sign_in_dialog")
        self.setWindowTitle("Sign in to Desk")
        self.username = username

        heading = QLabel(f"<b>Sign in as {html.escape(username)}</b>", self)
        heading.setTextFormat(Qt.TextFormat.RichText)
        explain = QLabel(
            f"{username} has a Desk password on {database}. Enter it to open the database.",
            self,
        )
        explain.setWordWrap(True)
        explain.setMinimumWidth(360)
        self.user_field = QLabel(f"<b>{html.escape(username)}</b>", self)
        self.user_field.setObjectName("user")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Desk password")
        self.message_label = QLabel(self)
        self.message_label.setObjectName("message")
        self.message_label.setWordWrap(True)
        self.set_wrong(wrong)

        text = QVBoxLayout()
        text.addWidget(heading)
        text.addWidget(explain)
        top = QHBoxLayout()
        top.addWidget(
            message_icon(self, QStyle.StandardPixmap.SP_MessageBoxQuestion),
            0,
            Qt.AlignmentFlag.AlignTop,
        )
        top.addLayout(text, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("Sign in")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.password.textChanged.connect(self._update_button)
        self._update_button()

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(6)
        form = QFormLayout()
        form.addRow("User:", self.user_field)
        form.addRow("&Password:", self.password)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)
        self.password.setFocus()

    def set_wrong(self, wrong: bool) -> None:
        """Show (or clear) the "not right" line above the buttons."""
        self.message_label.setText("That password is not right. Try again." if wrong else "")
        self.message_label.setStyleSheet("color: #c62828;" if wrong else "")
        self.message_label.setVisible(wrong)

    def entered_password(self) -> str:
        return self.password.text()

    def _update_button(self) -> None:
        self.sign_in_button.setEnabled(bool(self.password.text()))


class AccessRefusedDialog(QDialog):
    """The user may not use this database (unknown, deactivated, another's login)."""

    open_file_requested = Signal()

    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("access_refused_dialog")
        self.setWindowTitle("Not signed in")
        top, self.message_label = headed_message(
            self,
            QStyle.StandardPixmap.SP_MessageBoxWarning,
            "You cannot sign in to this database.",
            message,
        )

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        self.open_button = QPushButton("Open another database…", self)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self._open_file)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addWidget(buttons)

    def _open_file(self) -> None:
        self.accept()
        self.open_file_requested.emit()
