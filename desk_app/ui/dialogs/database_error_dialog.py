"""Shown when the database cannot be opened: say why, and offer the ways forward.

No traceback: the reasons (a damaged file, a server that does not answer, a schema
from a newer Desk) are the user's to act on, not bugs. Nothing has been written.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)


class DatabaseErrorDialog(QDialog):
    """Why the database did not open, with Open another / Connect / Quit."""

    open_file_requested = Signal()
    shared_database_requested = Signal()
    quit_requested = Signal()

    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("database_error_dialog")
        self.setWindowTitle("Cannot open the database")

        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        warning = QStyle.StandardPixmap.SP_MessageBoxWarning
        icon.setPixmap(self.style().standardIcon(warning).pixmap(size, size))
        heading = QLabel("<b>Desk could not open the database.</b>", self)
        self.message_label = QLabel(message, self)
        self.message_label.setObjectName("message")
        self.message_label.setWordWrap(True)
        self.message_label.setMinimumWidth(420)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text = QVBoxLayout()
        text.addWidget(heading)
        text.addWidget(self.message_label)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(text, 1)

        buttons = QDialogButtonBox(self)
        self.open_button = self._button(buttons, "Open another database…", self._open_file)
        self.connect_button = self._button(buttons, "Connect to shared database…", self._connect)
        self.quit_button = self._button(buttons, "Quit", self._quit)
        self.open_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addWidget(buttons)

    def _button(self, box: QDialogButtonBox, text: str, slot: object) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(slot)
        box.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        return button

    def _open_file(self) -> None:
        self.accept()
        self.open_file_requested.emit()

    def _connect(self) -> None:
        self.accept()
        self.shared_database_requested.emit()

    def _quit(self) -> None:
        self.reject()
        self.quit_requested.emit()
