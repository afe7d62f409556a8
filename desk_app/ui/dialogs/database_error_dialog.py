"""Shown when the database cannot be opened: say why, and offer the ways forward.

No traceback: the reasons (a damaged file, a server that does not answer, a schema
from a newer Desk) are the user's to act on, not bugs. Nothing has been written.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desk_app.ui.dialogs.message_layout import headed_message


class DatabaseErrorDialog(QDialog):
    """Why the database did not open, with Retry / Open another / Connect / Quit."""

    #: Try the same database again (a server back up, a file unlocked).
    retry_requested = Signal()
    open_file_requested = Signal()
    shared_database_requested = Signal()
    quit_requested = Signal()

    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("database_error_dialog")
        self.setWindowTitle("Cannot open the database")

        top, self.message_label = headed_message(
            self,
            QStyle.StandardPixmap.SP_MessageBoxWarning,
            "Desk could not open the database.",
            message,
        )
        # A driver's text may hold '<' or '&': shown as written, never as markup.
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)

        buttons = QDialogButtonBox(self)
        self.retry_button = self._button(buttons, "Retry", self._retry)
        self.open_button = self._button(buttons, "Open another database…", self._open_file)
        self.connect_button = self._button(buttons, "Connect to shared database…", self._connect)
        self.quit_button = self._button(buttons, "Quit", self._quit)
        self.retry_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addWidget(buttons)

    def _button(self, box: QDialogButtonBox, text: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(slot)
        box.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        return button

    def _retry(self) -> None:
        self.accept()
        self.retry_requested.emit()

    def _open_file(self) -> None:
        self.accept()
        self.open_file_requested.emit()

    def _connect(self) -> None:
        self.accept()
        self.shared_database_requested.emit()

    def _quit(self) -> None:
        self.reject()
        self.quit_requested.emit()
