"""Which database the window opens: a missing file is asked about, a failure retried."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desk_app import opening
from desk_app.domain.codes import Role
from desk_app.ui.dialogs.first_user_dialog import FirstUserDialog
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings

pytestmark = pytest.mark.gui


@pytest.fixture
def controller(qtbot: QtBot, tmp_path: Path) -> Iterator[opening.DeskController]:
    def settings() -> DeskSettings:
        return DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))

    window = MainWindow(settings(), "tester")
    qtbot.addWidget(window)
    window.show()
    ctl = opening.DeskController(window, settings(), "tester")
    yield ctl
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
    ctl.shutdown()


def _question(qtbot: QtBot, ctl: opening.DeskController) -> QMessageBox:
    qtbot.waitUntil(lambda: ctl.create_question is not None and ctl.create_question.isVisible())
    assert ctl.create_question is not None
    return ctl.create_question


def _button(box: QMessageBox, text: str) -> Callable[[], None]:
    return next(b for b in box.buttons() if b.text().replace("&", "") == text).click


def test_a_missing_file_is_asked_about_and_cancel_creates_nothing(
    qtbot: QtBot, controller: opening.DeskController, tmp_path: Path
) -> None:
    missing = tmp_path / "no" / "such" / "desk.db"
    controller.start(f"sqlite:///{missing}")
    box = _question(qtbot, controller)
    assert str(missing) in box.text()
    assert "first user and its admin" in box.informativeText()
    with qtbot.waitSignal(controller.open_failed) as failed:
        _button(box, "Cancel")()
    assert failed.args[0] == f"{missing} does not exist. Nothing was created."
    assert not (tmp_path / "no").exists()
    assert controller.workspace is None
    assert controller.window.database_text() == "No database open"
    dialog = controller.database_error_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.quit_button.click()


def _who_you_are(qtbot: QtBot, ctl: opening.DeskController) -> FirstUserDialog:
    qtbot.waitUntil(lambda: ctl.first_user_dialog is not None and ctl.first_user_dialog.isVisible())
    assert ctl.first_user_dialog is not None
    return ctl.first_user_dialog


def test_create_asks_who_you_are_then_makes_the_new_database(
    qtbot: QtBot, controller: opening.DeskController, tmp_path: Path
) -> None:
    new = tmp_path / "books" / "new.db"
    controller.start(f"sqlite:///{new}")
    _button(_question(qtbot, controller), "Create")()
    form = _who_you_are(qtbot, controller).page
    assert form.default_label.text() == str(new) and form.other_path.isHidden()
    form.full_name.setText("Tess Ter")
    with qtbot.waitSignal(controller.workspace_opened, timeout=20_000):
        form.create_button.click()
    assert new.is_file()
    assert controller.window.database_text() == "Local file new.db"
    ws = controller.workspace
    assert ws is not None and ws.user.full_name == "Tess Ter"
    assert ws.user.roles == {Role.CLERK, Role.ADMIN}


def test_cancelling_who_you_are_creates_nothing(
    qtbot: QtBot, controller: opening.DeskController, tmp_path: Path
) -> None:
    new = tmp_path / "books" / "new.db"
    controller.start(f"sqlite:///{new}")
    _button(_question(qtbot, controller), "Create")()
    with qtbot.waitSignal(controller.open_failed) as failed:
        _who_you_are(qtbot, controller).page.back_button.click()
    assert failed.args[0] == f"{new} does not exist. Nothing was created."
    assert not (tmp_path / "books").exists() and controller.workspace is None
    dialog = controller.database_error_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.quit_button.click()


def test_file_new_database_asks_who_you_are_only(
    qtbot: QtBot, controller: opening.DeskController, tmp_path: Path
) -> None:
    new = tmp_path / "fresh.db"
    controller.window.new_database_requested.emit(f"sqlite:///{new}")
    form = _who_you_are(qtbot, controller).page
    form.full_name.setText("Tess Ter")
    form.role_boxes[Role.COMPLIANCE].setChecked(True)
    with qtbot.waitSignal(controller.workspace_opened, timeout=20_000):
        form.create_button.click()
    assert new.is_file() and controller.create_question is None
    assert controller.settings.last_database_url() == f"sqlite:///{new}"
    assert controller.workspace is not None
    assert controller.workspace.user.roles == {Role.CLERK, Role.COMPLIANCE, Role.ADMIN}


def test_retry_opens_the_same_database_again(
    qtbot: QtBot, controller: opening.DeskController, tmp_path: Path, sqlite_url: str
) -> None:
    path = tmp_path / "later.db"
    path.write_bytes(b"not yet a database")
    with qtbot.waitSignal(controller.open_failed, timeout=20_000) as failed:
        controller.start(f"sqlite:///{path}")
    dialog = controller.database_error_dialog
    assert dialog is not None and dialog.retry_button.isDefault()
    assert dialog.message_label.text() == failed.args[0]
    assert dialog.message_label.textFormat().name == "PlainText"
    path.unlink()
    shutil.copyfile(sqlite_url.removeprefix("sqlite:///"), path)  # the file is fixed
    with qtbot.waitSignal(controller.workspace_opened, timeout=20_000):
        dialog.retry_button.click()
    assert controller.window.database_text() == "Local file later.db"
