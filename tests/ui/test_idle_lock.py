"""The idle lock: client data hidden after a quiet spell, input kept, a password to go on."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk_app.services.supervision.os_login import WorkspaceReLogin
from desk_app.services.workspace import Workspace
from desk_app.ui.idle_lock import IdleLock
from desk_app.ui.main_window import MainWindow
from desk_app.ui.security_menu import SecurityMenu
from desk_app.ui.settings import IDLE_LOCK_ENV, DeskSettings

pytestmark = pytest.mark.gui
PASSWORD = "correct horse battery"
QUICK = 0.4 / 60  # minutes: locks after 0.4 s without input


@pytest.fixture
def settings(tmp_path: Path) -> DeskSettings:
    return DeskSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def window(qtbot: QtBot, settings: DeskSettings, workspace: Workspace) -> Iterator[MainWindow]:
    win = MainWindow(settings, "tester")
    qtbot.addWidget(win)
    win.set_workspace(workspace)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    yield win
    win.clear_workspace()


def _unlock_with(qtbot: QtBot, lock: IdleLock, password: str) -> None:
    qtbot.waitUntil(lock.screen.password.isEnabled)  # the unlock method is known
    lock.screen.password.clear()
    qtbot.keyClicks(lock.screen.password, password)
    qtbot.keyClick(lock.screen.password, Qt.Key.Key_Return)


def test_idle_window_locks_hides_data_and_keeps_typed_input(
    qtbot: QtBot, window: MainWindow, settings: DeskSettings, workspace: Workspace
) -> None:
    workspace.users.set_password("tester", PASSWORD)
    lock = IdleLock(window, 0)
    lock.set_unlocker(WorkspaceReLogin(workspace))
    menu = SecurityMenu(window, settings, lock)
    menu.set_workspace(workspace)
    users = menu.show_users()
    assert users is not None
    form = users.add_user()
    assert form is not None
    qtbot.keyClicks(form.full_name, "Half typed name")
    form.role_boxes[next(iter(form.role_boxes))].setChecked(True)
    window.tab_widget.setCurrentIndex(0)

    lock.set_idle_minutes(QUICK)
    with qtbot.waitSignal(lock.locked, timeout=5_000):
        pass
    assert lock.is_locked
    assert not window.tab_widget.isVisible()
    assert lock.screen.isVisible()
    assert not window.statusBar().isVisible()
    assert not window.menuBar().isEnabled()
    assert not users.isVisible() and not form.isVisible()
    qtbot.waitUntil(lambda: "Desk password" in lock.screen.hint_label.text())
    assert lock.screen.who_label.text().startswith("Signed in: tester")

    qtbot.keyClick(lock.screen.password, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(lock.unlock_failed, timeout=10_000) as failed:
        _unlock_with(qtbot, lock, "not the password at all")
    assert failed.args == ["That password is not right."]
    assert lock.is_locked and not window.tab_widget.isVisible() and not form.isVisible()
    assert lock.screen.message_label.text() == "That password is not right."

    lock.set_idle_minutes(0)  # no relock while the test looks
    with qtbot.waitSignal(lock.unlocked, timeout=10_000):
        _unlock_with(qtbot, lock, PASSWORD)
    assert window.tab_widget.isVisible() and window.statusBar().isVisible()
    assert window.menuBar().isEnabled()
    assert window.tab_widget.currentIndex() == 0  # Ctrl+2 did nothing behind the lock
    assert users.isVisible() and form.isVisible()
    assert form.full_name.text() == "Half typed name"
    assert form.windowModality() == Qt.WindowModality.WindowModal  # still modal, as opened
    assert lock.screen.password.text() == ""


def test_lock_now_and_windows_opened_while_locked(
    qtbot: QtBot, window: MainWindow, settings: DeskSettings, workspace: Workspace
) -> None:
    workspace.users.set_password("tester", PASSWORD)
    lock = IdleLock(window, 0)
    menu = SecurityMenu(window, settings, lock)
    menu.set_workspace(workspace)
    assert not lock.lock()  # nobody signed in to the lock yet: nothing to lock
    lock.set_unlocker(WorkspaceReLogin(workspace))
    assert menu.lock_action.shortcut().toString() == "Ctrl+L"
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert lock.is_locked
    late = menu.change_password()  # e.g. a dialog a finished worker opens
    assert late is not None
    qtbot.waitUntil(lambda: not late.isVisible())
    closed = menu.show_users()
    assert closed is not None
    qtbot.waitUntil(lambda: not closed.isVisible())
    closed.reject()  # finished while hidden: must not come back
    with qtbot.waitSignal(lock.unlocked, timeout=10_000):
        _unlock_with(qtbot, lock, PASSWORD)
    assert late.isVisible()
    assert not closed.isVisible()


def test_idle_minutes_setting_and_its_override(
    settings: DeskSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(IDLE_LOCK_ENV, raising=False)
    assert settings.idle_lock_minutes() == 15
    settings.set_idle_lock_minutes(5)
    assert settings.idle_lock_minutes() == 5
    settings.set_idle_lock_minutes(0)
    assert settings.idle_lock_minutes() == 0
    monkeypatch.setenv(IDLE_LOCK_ENV, "0.01")
    assert settings.idle_lock_minutes() == 0.01
    monkeypatch.setenv(IDLE_LOCK_ENV, "soon")
    assert settings.idle_lock_minutes() == 0


def test_idle_menu_changes_the_timeout(
    qtbot: QtBot, window: MainWindow, settings: DeskSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(IDLE_LOCK_ENV, raising=False)
    lock = IdleLock(window, settings.idle_lock_minutes())
    menu = SecurityMenu(window, settings, lock)
    checked = [a.text() for a in menu.idle_menu.actions() if a.isChecked()]
    assert checked == ["After 15 minutes"]
    next(a for a in menu.idle_menu.actions() if a.text() == "After 5 minutes").trigger()
    assert lock.idle_seconds == 300 and settings.idle_lock_minutes() == 5
    next(a for a in menu.idle_menu.actions() if a.text() == "Never").trigger()
    assert lock.idle_seconds == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PAM is Linux's")
def test_without_an_app_password_a_wrong_login_password_keeps_it_locked(
    qtbot: QtBot, settings: DeskSettings, sqlite_workspace: Workspace
) -> None:
    win = MainWindow(settings, "tester")
    qtbot.addWidget(win)
    win.set_workspace(sqlite_workspace)
    win.show()
    lock = IdleLock(win, 0)
    lock.set_unlocker(WorkspaceReLogin(sqlite_workspace))
    assert lock.lock()
    qtbot.waitUntil(lambda: "log in to this computer" in lock.screen.hint_label.text())
    with qtbot.waitSignal(lock.unlock_failed, timeout=15_000):
        _unlock_with(qtbot, lock, "certainly-not-the-password-42")
    assert lock.is_locked and not win.tab_widget.isVisible()
    win.clear_workspace()


def test_the_app_installs_the_lock_with_the_configured_time(
    qtbot: QtBot, settings: DeskSettings, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desk_app import opening as desk
    from desk_app.services.workspace import open_workspace

    with open_workspace(sqlite_url, "tester") as ws:
        ws.users.set_password("tester", PASSWORD)
    monkeypatch.setenv(IDLE_LOCK_ENV, str(QUICK))
    win = MainWindow(settings, "tester")
    qtbot.addWidget(win)
    win.show()
    ctl = desk.DeskController(win, settings, "tester")
    try:
        ctl.start(sqlite_url)
        qtbot.waitUntil(lambda: ctl.sign_in_dialog is not None, timeout=20_000)
        assert ctl.sign_in_dialog is not None
        ctl.sign_in_dialog.password.setText(PASSWORD)
        with qtbot.waitSignal(ctl.workspace_opened, timeout=20_000):
            ctl.sign_in_dialog.accept()
        lock = ctl.idle_lock
        assert lock is not None and lock.idle_seconds == pytest.approx(0.4)
        qtbot.waitUntil(lambda: lock.is_locked, timeout=5_000)
        assert not win.tab_widget.isVisible()
        lock.set_idle_minutes(0)
        with qtbot.waitSignal(lock.unlocked, timeout=10_000):
            _unlock_with(qtbot, lock, PASSWORD)
        assert win.tab_widget.isVisible()
    finally:
        qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
        ctl.shutdown()
