"""File → New database… (or Create for a file that is not there): who you are, first.

A new file's first user is whoever creates it; this asks the same as the first run's
welcome (full name, roles, registrations) so that they can work in it at once.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from desk_app.ui.dialogs.local_database_page import LocalDatabasePage


class FirstUserDialog(QDialog):
    """Who creates the new database at ``path``; `chosen` carries their `FirstUser`."""

    #: The first user (`FirstUser`), or None when the file turned out to exist.
    chosen = Signal(object)

    def __init__(self, path: str, login: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_user_dialog")
        self.setWindowTitle("New database: who you are")
        self.page = LocalDatabasePage(path, login, self, fixed=True)
        self.page.back_requested.connect(self.reject)
        self.page.chosen.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.page)
        self.resize(680, self.sizeHint().height())
        self.page.full_name.setFocus()

    def _chosen(self, _path: str, first_user: object) -> None:
        self.accept()
        self.chosen.emit(first_user)
