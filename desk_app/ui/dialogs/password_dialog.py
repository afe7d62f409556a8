"""Security → Change my password… / Clear my password: the signed-in user's app password.

The app password guards a shared workstation: Desk asks for it when opening the
database and when unlocking an idle window. The current password is always asked
for first, so a passer-by at an unlocked desk cannot change it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError, ValidationError
from desk_app.ui.dialogs.users_dialog import MIN_PASSWORD_LENGTH, UserDirectory, error_label
from desk_app.ui.ops import Op


class PasswordDialog(QDialog):
    """Set, change (``clear=False``) or remove (``clear=True``) your own app password."""

    #: Saved; True if the user now has a password.
    password_changed = Signal(bool)

    def __init__(
        self,
        directory: UserDirectory,
        username: str,
        *,
        has_password: bool,
        clear: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("password_dialog")
        self._directory = directory
        self._username = username
        self._has_password = has_password
        self._clear = clear
        if clear:
            title = "Clear my password"
            text = (
                f"Remove the Desk password of {username}. Without it, an idle window is "
                "unlocked with your database or computer login password."
            )
        else:
            title = "Change my password" if has_password else "Set a password"
            text = (
                f"The Desk password of {username}: asked for when you open this database "
                f"and to unlock an idle window. At least {MIN_PASSWORD_LENGTH} characters."
            )
        self.setWindowTitle(title)
        intro = QLabel(text, self)
        intro.setWordWrap(True)
        intro.setMinimumWidth(380)

        self.current = self._password_field("current password")
        self.new = self._password_field("new password")
        self.repeat = self._password_field("the new password again")
        form = QFormLayout()
        if has_password:
            form.addRow("&Current password:", self.current)
        if not clear:
            form.addRow("&New password:", self.new)
            form.addRow("&Repeat:", self.repeat)
        self.error_label = error_label(self)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Remove password" if clear else "Save password")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        (self.current if has_password else self.new).setFocus()

    def _password_field(self, hint: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setPlaceholderText(hint)
        return edit

    def save(self) -> None:
        """Check the current password, then set or clear; stay open with the reason if not."""
        current = self.current.text() if self._has_password else None
        new = None if self._clear else self.new.text()
        repeat = self.repeat.text()
        directory, username = self._directory, self._username

        def call() -> None:
            # The order the clerk is told in: the current password, then the new one.
            if current is not None and not directory.check_password(current):
                raise ValidationError("current password", "is not right")
            if new is not None:
                if new != repeat:
                    raise ValidationError("new password", "the two entries are not the same")
                if len(new) < MIN_PASSWORD_LENGTH:
                    raise ValidationError(
                        "new password", f"must be at least {MIN_PASSWORD_LENGTH} characters"
                    )
            directory.set_password(username, new, current=current)

        Op(
            self, call, done=self._saved, refused=self._refused, busy_key=f"password.{id(self)}"
        ).run()

    def _saved(self, _result: None) -> None:
        self.password_changed.emit(not self._clear)
        self.accept()

    def _refused(self, exc: DeskError) -> None:
        if isinstance(exc, ValidationError) and exc.field == "current password":
            self.current.selectAll()
            self.current.setFocus()
        self.error_label.setText(exc.message)
        self.error_label.show()
