"""File → Settings…, Back up database… and Restore…, and the daily backup, on real files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desk_app.services.workspace import Workspace, open_workspace
from desk_app.ui.dialogs.manifest_dialog import ManifestDialog
from desk_app.ui.dialogs.settings_dialog import SettingsDialog
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings
from tests.services.conftest import Desk
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui
ADDRESS = "55 Water Street, 12th Floor\nNew York, NY 10041"


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[[], DeskSettings]:
    path = str(tmp_path / "settings.ini")
    return lambda: DeskSettings(QSettings(path, QSettings.Format.IniFormat))


@pytest.fixture
def admin(sqlite_url: str) -> Iterator[Workspace]:
    ws = open_workspace(sqlite_url, "tester")
    yield ws
    ws.close()


def _window(qtbot: QtBot, settings: DeskSettings, ws: Workspace) -> MainWindow:
    window = MainWindow(settings, ws.actor)
    qtbot.addWidget(window)
    window.set_workspace(ws)
    window.show()
    return window


def _opened(qtbot: QtBot, window: MainWindow) -> SettingsDialog:
    dialog = window.show_settings()
    qtbot.waitUntil(lambda: dialog.letterhead_loaded or dialog.firm_refusal is not None)
    return dialog


def test_the_settings_dialog_saves_every_page_and_shows_them_again(
    qtbot: QtBot, admin: Workspace, make_settings: Callable[[], DeskSettings], tmp_path: Path
) -> None:
    window = _window(qtbot, make_settings(), admin)
    dialog = _opened(qtbot, window)
    assert dialog.firm_name.isEnabled() and dialog.firm_address.isEnabled()
    assert admin.address.shown() in dialog.database_label.text()
    dialog.idle_lock.setCurrentIndex(dialog.idle_lock.findData(30))
    dialog.courier.setCurrentText("UPS")
    dialog.sender_edit.setText("Physical Securities, 55 Water Street")
    dialog.backup_folder.setText(str(tmp_path / "daily"))
    dialog.keep_days.setValue(30)
    dialog.zone.setCurrentText("Europe/London")
    dialog.firm_name.setText("Water Street Securities LLC")
    dialog.firm_address.setPlainText(ADDRESS)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.ok_button.click()
    assert not dialog.isVisible()

    saved = make_settings()  # read back from the file, as the next start does
    assert saved.idle_lock_minutes() == 30
    assert (saved.default_courier(), saved.default_sender()) == (
        "UPS", "Physical Securities, 55 Water Street",
    )  # fmt: skip
    assert (saved.backup_folder(), saved.backup_keep_days()) == (tmp_path / "daily", 30)
    assert saved.local_zone() == "Europe/London"
    assert admin.firm.letterhead() == ("Water Street Securities LLC", ADDRESS)
    assert "London" in window.clock.text() and "New York" in window.clock.text()

    again = _opened(qtbot, window)
    assert again.firm_name.text() == "Water Street Securities LLC"
    assert again.firm_address.toPlainText() == ADDRESS
    assert (again.courier.currentText(), again.zone.currentText()) == ("UPS", "Europe/London")
    assert again.idle_lock.currentData() == 30 and again.keep_days.value() == 30
    again.reject()

    manifest = ManifestDialog(
        admin.manifests, [], "1 certificate", window,
        courier=saved.default_courier(), sender=saved.default_sender(),
    )  # fmt: skip
    qtbot.addWidget(manifest)
    assert manifest.courier.currentText() == "UPS"
    assert manifest.sender_edit.text() == "Physical Securities, 55 Water Street"


def test_bad_values_are_each_named_and_nothing_is_saved(
    qtbot: QtBot, admin: Workspace, make_settings: Callable[[], DeskSettings], tmp_path: Path
) -> None:
    window = _window(qtbot, make_settings(), admin)
    dialog = _opened(qtbot, window)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    dialog.zone.setCurrentText("Mars/Olympus_Mons")
    dialog.backup_folder.setText(str(blocker))
    dialog.courier.setCurrentText("DHL Express")
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert dialog.error.text().splitlines() == [
        "Local time zone: 'Mars/Olympus_Mons' is not a time zone name "
        "(e.g. Europe/London, America/Chicago)",
        f"Daily backups in: {blocker} is a file, not a folder",
    ]
    assert make_settings().default_courier() == ""
    dialog.zone.setCurrentText("UTC")
    dialog.backup_folder.setText(str(tmp_path))
    dialog.firm_address.setPlainText("\n".join(["line"] * 5))
    dialog.ok_button.click()
    wait_ops(qtbot)
    assert dialog.isVisible()
    assert "firm address: at most 4 lines (it has 5)" in dialog.error.text()
    assert admin.firm.letterhead() == ("", "")


def test_a_clerk_sees_the_firm_greyed_with_the_reason_and_may_not_restore(
    qtbot: QtBot, sqlite_url: str, make_settings: Callable[[], DeskSettings]
) -> None:
    desk = Desk(sqlite_url)
    try:
        window = _window(qtbot, make_settings(), desk.ws["carl"])
        dialog = _opened(qtbot, window)
        assert not dialog.firm_name.isEnabled() and not dialog.firm_address.isEnabled()
        assert dialog.firm_note.text().startswith(
            "Changing the firm's letterhead needs the admin role"
        ), dialog.firm_note.text()
        dialog.reject()
        restore = window.backup_actions.restore_action
        assert not restore.isEnabled()
        assert restore.toolTip().startswith("Restoring the database from a backup needs the admin")
        assert window.backup_actions.back_up_action.isEnabled()  # anyone may take a copy
        assert window.backup_actions.restore() is False
    finally:
        desk.close()


def test_back_up_then_restore_from_the_file_menu_reopens_the_restored_database(
    qtbot: QtBot, sqlite_url: str, make_settings: Callable[[], DeskSettings], tmp_path: Path
) -> None:
    ws = open_workspace(sqlite_url, "tester")
    ws.firm.set_name("As backed up")
    window = _window(qtbot, make_settings(), ws)
    actions = window.backup_actions
    out = tmp_path / "copies" / "desk-copy.db"
    out.parent.mkdir()
    assert actions.back_up_to(out)
    wait_ops(qtbot)
    assert actions.last_copy is not None and actions.last_copy.path == out
    assert "Backed up to" in window.statusBar().currentMessage()
    ws.firm.set_name("Changed after the backup")

    assert actions.check_then_confirm(out)
    qtbot.waitUntil(lambda: actions.confirm_box is not None and actions.confirm_box.isVisible())
    box = actions.confirm_box
    assert box is not None and "audit trail intact" in box.informativeText()
    button = next(b for b in box.buttons() if b.objectName() == "restore_button")
    with qtbot.waitSignal(window.database_change_requested, timeout=30_000) as reopened:
        button.click()
    assert reopened.args == [ws.url]
    assert window.workspace is None  # the window let go of it before the restore
    report = actions.last_restore
    assert report is not None and report.kept is not None and report.kept.exists()
    with open_workspace(sqlite_url, "tester", migrate=False) as restored:
        assert restored.firm.letterhead()[0] == "As backed up"
        assert restored.history.verify().problem is None


def test_the_daily_backup_failure_shows_in_the_status_bar_and_clears_when_fixed(
    qtbot: QtBot, admin: Workspace, make_settings: Callable[[], DeskSettings], tmp_path: Path
) -> None:
    settings = make_settings()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.set_backup_folder(blocker)
    window = _window(qtbot, settings, admin)
    actions = window.backup_actions
    assert actions.run_daily()
    qtbot.waitUntil(actions.daily_problem.isVisible, timeout=10_000)
    assert actions.daily_problem.text() == "Daily backup failed"
    assert str(blocker) in actions.daily_problem.toolTip()
    settings.set_backup_folder(tmp_path / "daily")
    assert actions.run_daily()
    qtbot.waitUntil(lambda: actions.last_daily is not None, timeout=10_000)
    assert not actions.daily_problem.isVisible()
    assert actions.last_daily is not None and actions.last_daily.taken is not None
    assert actions.last_daily.path.parent == tmp_path / "daily"


def test_a_refused_restore_says_why_and_the_database_stays_open(
    qtbot: QtBot, admin: Workspace, make_settings: Callable[[], DeskSettings], tmp_path: Path
) -> None:
    window = _window(qtbot, make_settings(), admin)
    actions = window.backup_actions
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    assert actions.check_then_confirm(notes)
    wait_ops(qtbot)
    assert actions.notice is not None and actions.notice.isVisible()
    assert actions.notice.text().endswith("is not a Desk database (it is not an SQLite file). "
                                          "Nothing was changed.")  # fmt: skip
    assert actions.confirm_box is None and window.workspace is admin


def test_a_shared_database_is_backed_up_by_its_server(
    qtbot: QtBot, pg_url: str, make_settings: Callable[[], DeskSettings]
) -> None:
    with open_workspace(pg_url, "tester") as ws:
        window = _window(qtbot, make_settings(), ws)
        actions = window.backup_actions
        assert not actions.restore_action.isEnabled()
        assert "pg_restore" in actions.restore_action.toolTip()
        assert actions.back_up() is False
        assert actions.notice is not None and "pg_dump -Fc" in actions.notice.text()
        assert actions.run_daily() is False  # no daily copy of a server's database
        window.clear_workspace()
