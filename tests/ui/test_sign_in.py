"""Opening a database as a user with a Desk password, or as nobody it knows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from pytestqt.qtbot import QtBot

from desk_app import opening as desk
from desk_app.domain.codes import Role
from desk_app.services.supervision.os_login import os_username
from desk_app.services.workspace import open_workspace
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings

pytestmark = pytest.mark.gui
PASSWORD = "correct horse battery"


def _controller(qtbot: QtBot, tmp_path: Path, actor: str) -> desk.DeskController:
    settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, actor)
    qtbot.addWidget(window)
    window.show()
    return desk.DeskController(window, settings, actor)


@pytest.fixture
def controller(qtbot: QtBot, tmp_path: Path) -> Iterator[desk.DeskController]:
    ctl = _controller(qtbot, tmp_path, "tester")
    yield ctl
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
    ctl.shutdown()


def _with_password(db_url: str) -> str:
    with open_workspace(db_url, "tester") as ws:
        ws.users.set_password("tester", PASSWORD)
        ws.users.add("clerk1", {Role.CLERK})
    return db_url


def test_app_password_is_asked_for_and_a_wrong_one_said(
    qtbot: QtBot, controller: desk.DeskController, db_url: str
) -> None:
    url = _with_password(db_url)
    controller.start(url)
    qtbot.waitUntil(lambda: controller.sign_in_dialog is not None, timeout=20_000)
    first = controller.sign_in_dialog
    assert first is not None and first.isVisible()
    assert first.user_field.text() == "<b>tester</b>"
    assert not first.message_label.isVisible()
    assert not first.sign_in_button.isEnabled()
    assert controller.workspace is None

    qtbot.keyClicks(first.password, "wrong horse battery")
    first.sign_in_button.click()
    qtbot.waitUntil(lambda: controller.sign_in_dialog is not first, timeout=20_000)
    again = controller.sign_in_dialog
    assert again is not None and again.isVisible()
    assert again.message_label.isVisible()
    assert again.message_label.text() == "That password is not right. Try again."

    qtbot.keyClicks(again.password, PASSWORD)
    with qtbot.waitSignal(controller.workspace_opened, timeout=20_000):
        again.sign_in_button.click()
    assert controller.workspace is not None and controller.workspace.actor == "tester"
    menu = controller.security_menu
    assert menu is not None and menu.users_action.isEnabled()
    assert menu.clear_password_action.isEnabled()  # tester has a password
    assert controller.idle_lock is not None


def test_cancelled_sign_in_leaves_the_window_empty(
    qtbot: QtBot, controller: desk.DeskController, sqlite_url: str
) -> None:
    controller.start(_with_password(sqlite_url))
    qtbot.waitUntil(lambda: controller.sign_in_dialog is not None, timeout=20_000)
    dialog = controller.sign_in_dialog
    assert dialog is not None
    with qtbot.waitSignal(controller.open_failed) as failed:
        dialog.reject()
    assert failed.args[0].startswith("Not signed in: tester cancelled the sign-in.")
    assert controller.workspace is None
    assert controller.window.database_text().startswith("Not signed in")
    tab = controller.window.tab("blotter")
    assert tab.model.rowCount() == 0
    assert tab.row_count_text().startswith("Not signed in")


def test_unknown_user_is_told_how_to_get_added(
    qtbot: QtBot, tmp_path: Path, sqlite_url: str
) -> None:
    _with_password(sqlite_url)
    ctl = _controller(qtbot, tmp_path, "stranger")
    try:
        with qtbot.waitSignal(ctl.open_failed, timeout=20_000) as failed:
            ctl.start(sqlite_url)
        assert "stranger is not a Desk user" in failed.args[0]
        dialog = ctl.access_dialog
        assert dialog is not None and dialog.isVisible()
        assert "desk-app user add stranger --role clerk" in dialog.message_label.text()
        assert ctl.database_error_dialog is None
        assert ctl.window.database_text() == "Not signed in"
    finally:
        ctl.shutdown()


def test_a_user_without_password_opens_straight_away(
    qtbot: QtBot, tmp_path: Path, sqlite_url: str
) -> None:
    """On a local file, the computer's own login is proven already: nothing is asked."""
    me = os_username()
    with open_workspace(sqlite_url, me) as ws:  # the first user: this computer's login
        ws.users.add("clerk1", {Role.CLERK}, password=PASSWORD)
    ctl = _controller(qtbot, tmp_path, me)
    try:
        with qtbot.waitSignal(ctl.workspace_opened, timeout=20_000):
            ctl.start(sqlite_url)
        assert ctl.sign_in_dialog is None
        menu = ctl.security_menu
        assert menu is not None
        assert menu.users_action.isEnabled()  # the first user is the admin
        assert not menu.clear_password_action.isEnabled()
    finally:
        ctl.shutdown()
