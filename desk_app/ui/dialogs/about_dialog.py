"""Help → About Desk: the versions a support engineer asks for first."""

from __future__ import annotations

import html
import platform
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import desk_app
from desk_app.domain.db_address import DatabaseAddress
from desk_app.domain.errors import DeskError


def _distribution_version(name: str) -> str:
    # Read from the installed metadata: importing SQLAlchemy here would slow startup.
    from importlib import metadata  # itself slow to import: only when About is opened

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def version_rows(server_version: str | None, url: str | None) -> list[tuple[str, str]]:
    """(label, value) pairs for the dialog and for "Copy"; ``url`` without password."""
    return [
        ("Desk", desk_app.__version__),
        ("Python", f"{platform.python_version()} ({sys.platform})"),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("SQLAlchemy", _distribution_version("SQLAlchemy")),
        ("Database server", server_version or "not connected"),
        ("Database", url or "none"),
    ]


def database_link(url: str) -> tuple[str, str]:
    """The database row as rich text and its tooltip: a name, not the raw URL.

    A local file reads "Local file desk.db" and links to its folder; a server reads
    "PostgreSQL host:port/database". The URL itself (no password) is the tooltip and
    what "Copy" puts on the clipboard.
    """
    try:
        address = DatabaseAddress.parse(url)
    except DeskError:
        return html.escape(url), ""
    label = html.escape(address.describe(short=True))
    if address.path is None:
        return label, url
    folder = QUrl.fromLocalFile(str(Path(address.path).parent)).toString()
    return f'<a href="{html.escape(folder, quote=True)}">{label}</a>', (
        f"{address.path}\nClick to open its folder"
    )


class AboutDialog(QDialog):
    """Name, purpose and versions, selectable and copyable."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("About Desk")
        self._rows = rows

        logo = QLabel(self)
        icon = QGuiApplication.windowIcon()
        if not icon.isNull():
            logo.setPixmap(QIcon(icon).pixmap(64, 64))
        title = QLabel("<h2>Desk</h2>Back-office workstation for a securities brokerage", self)
        title.setWordWrap(True)
        form = QFormLayout()
        for label, value in rows:
            field = QLabel(self)
            field.setObjectName(f"version_{label.lower().replace(' ', '_')}")
            if label == "Database" and "://" in value:
                text, tooltip = database_link(value)
                field.setTextFormat(Qt.TextFormat.RichText)
                field.setText(text)
                field.setToolTip(tooltip)
                field.setOpenExternalLinks(True)
                field.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            else:
                field.setText(value)
                field.setTextFormat(Qt.TextFormat.PlainText)
                field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", field)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        copy = QPushButton("Copy", self)
        copy.setToolTip("Copy the versions for a support request")
        copy.clicked.connect(self.copy_versions)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(logo, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def copy_versions(self) -> str:
        text = "\n".join(f"{label}: {value}" for label, value in self._rows)
        QGuiApplication.clipboard().setText(text)
        return text
