"""Help → About: the database as a named link, not its raw URL."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desk_app.ui.dialogs.about_dialog import AboutDialog, version_rows


def _database_field(dialog: AboutDialog) -> QLabel:
    field = dialog.findChild(QLabel, "version_database")
    assert field is not None
    return field


def test_a_local_file_reads_as_its_name_and_links_to_its_folder(
    qtbot: QtBot, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    dialog = AboutDialog(version_rows("SQLite 3.45", url))
    qtbot.addWidget(dialog)
    field = _database_field(dialog)
    assert field.textFormat() is Qt.TextFormat.RichText
    assert ">Local file desk.db</a>" in field.text()
    assert f'href="file://{tmp_path}"' in field.text()
    assert field.openExternalLinks()
    assert str(tmp_path / "desk.db") in field.toolTip()
    assert f"Database: {url}" in dialog.copy_versions()  # support still gets the URL


def test_a_server_reads_as_host_and_database_without_its_password(qtbot: QtBot) -> None:
    url = "postgresql+psycopg://clerk@db.example:5433/desk"
    dialog = AboutDialog(version_rows("PostgreSQL 16", url))
    qtbot.addWidget(dialog)
    field = _database_field(dialog)
    assert field.text() == "PostgreSQL db.example:5433/desk"
    assert field.toolTip() == url
    assert "href" not in field.text()


def test_no_database_is_plain_text(qtbot: QtBot) -> None:
    dialog = AboutDialog(version_rows(None, None))
    qtbot.addWidget(dialog)
    assert _database_field(dialog).text() == "none"
