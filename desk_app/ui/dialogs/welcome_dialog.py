"""The first run's welcome: where Desk keeps its books, asked once, in a clerk's words.

Shown when no database has been chosen yet (no ``--db``, no ``DESK_DB_URL``, none
remembered, and no file in the default place). Three ways on: a file on this
computer (then who you are, for a new one), the team's shared server (the connect
dialog, which tests the connection before anything is saved), or the demo.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desk_app.ui.dialogs.local_database_page import LocalDatabasePage

DIALOG_WIDTH = 680

CHOICES = (
    (
        "local",
        "Work on this computer",
        "A database file of your own, kept on this computer. For one person, or to "
        "start a new firm's books.",
    ),
    (
        "shared",
        "Connect to the team's shared database",
        "Your firm's PostgreSQL server. You need its address and your database login "
        "from whoever runs it.",
    ),
    (
        "demo",
        "Explore the demo",
        "A separate database filled with sample accounts, trades and certificates. "
        "Nothing there touches real books; Desk asks again next time.",
    ),
)


class WelcomeDialog(QDialog):
    """Three choices; "Work on this computer" leads to the local page (who you are)."""

    #: The local file (path) and, for a new one, its first user (`FirstUser`, else None).
    local_chosen = Signal(str, object)
    shared_chosen = Signal()
    demo_chosen = Signal()

    def __init__(self, default_file: str, login: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome_dialog")
        self.setWindowTitle("Welcome to Desk")
        self.choices_page = self._build_choices()
        self.local_page = LocalDatabasePage(default_file, login, self)
        self.local_page.back_requested.connect(self.show_choices)
        self.local_page.chosen.connect(self._local_chosen)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.choices_page)
        self._layout.addWidget(self.local_page)
        self._fit(self.choices_page)

    def _build_choices(self) -> QWidget:
        page = QWidget(self)
        title = QLabel("<h2>Welcome to Desk</h2>", page)
        intro = QLabel(
            "Desk keeps your firm's trades, settlements, accounts and certificates in a "
            "database. Choose where you will work; you can change it later from the File menu.",
            page,
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(8)
        self.choice_buttons: dict[str, QCommandLinkButton] = {}
        for key, text, description in CHOICES:
            button = QCommandLinkButton(text, description, page)
            button.setObjectName(f"choose_{key}")
            self.choice_buttons[key] = button
            layout.addWidget(button)
        self.choice_buttons["local"].clicked.connect(self.show_local)
        self.choice_buttons["shared"].clicked.connect(self._shared_chosen)
        self.choice_buttons["demo"].clicked.connect(self._demo_chosen)
        layout.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=page)
        self.close_button = close.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText("Not now")
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.choice_buttons["local"].setFocus(Qt.FocusReason.OtherFocusReason)
        return page

    def show_choices(self) -> None:
        self.setWindowTitle("Welcome to Desk")
        self._fit(self.choices_page)

    def show_local(self) -> None:
        self.setWindowTitle("Welcome to Desk: work on this computer")
        self._fit(self.local_page)
        self.local_page.full_name.setFocus(Qt.FocusReason.OtherFocusReason)

    def current_page(self) -> QWidget:
        return self.local_page if self.local_page.isVisibleTo(self) else self.choices_page

    def _fit(self, shown: QWidget) -> None:
        """Show one page, the dialog sized to it (a hidden page takes no room)."""
        for page in (self.choices_page, self.local_page):
            page.setVisible(page is shown)
        layout = self._layout
        layout.activate()
        width = max(self.width(), DIALOG_WIDTH)
        wrapped = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
        self.resize(width, max(wrapped, self.minimumSizeHint().height()))

    def _local_chosen(self, path: str, first_user: object) -> None:
        self.accept()
        self.local_chosen.emit(path, first_user)

    def _shared_chosen(self) -> None:
        self.accept()
        self.shared_chosen.emit()

    def _demo_chosen(self) -> None:
        self.accept()
        self.demo_chosen.emit()
