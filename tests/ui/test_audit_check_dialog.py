"""Security → Verify the audit trail…: the chain, or every record too, off the GUI thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import Role
from desk_app.services.actor import Actor
from desk_app.services.workspace import Workspace
from desk_app.ui import ops
from desk_app.ui.idle_lock import IdleLock
from desk_app.ui.main_window import MainWindow
from desk_app.ui.security_menu import SecurityMenu
from desk_app.ui.settings import DeskSettings
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui


@pytest.fixture
def menu(qtbot: QtBot, tmp_path: Path) -> Iterator[SecurityMenu]:
    settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    win = MainWindow(settings, "tester")
    qtbot.addWidget(win)
    yield SecurityMenu(win, settings, IdleLock(win, 0))


def test_only_who_may_verify_gets_the_action(
    menu: SecurityMenu, sqlite_workspace: Workspace
) -> None:
    assert not menu.verify_action.isEnabled()
    clerk = Actor("clerk1", "Clerk One", frozenset({Role.CLERK}), "clerk1")
    menu.set_workspace(SimpleNamespace(actor="clerk1", user=clerk, users=None, history=None))
    assert not menu.verify_action.isEnabled()
    assert "compliance or admin" in menu.verify_action.toolTip()
    assert menu.show_audit_check() is None
    menu.set_workspace(sqlite_workspace)
    assert menu.verify_action.isEnabled()


def test_records_are_checked_on_a_worker_and_each_edit_listed(
    qtbot: QtBot, menu: SecurityMenu, demo_ws: Workspace, demo_url: str
) -> None:
    menu.set_workspace(demo_ws)
    dialog = menu.show_audit_check()
    assert dialog is not None and dialog.isVisible()
    dialog.check_button.click()  # the chain alone
    wait_ops(qtbot)
    assert dialog.results.toPlainText().startswith("audit trail intact: ")

    conn = sqlite3.connect(demo_url.removeprefix("sqlite:///"))
    conn.execute("UPDATE trades SET price = price * 10 WHERE id = 7")
    conn.commit()
    conn.close()
    dialog.records.setChecked(True)
    dialog.check_button.click()
    assert ops.running() == 1  # off the GUI thread
    assert not dialog.check() and ops.running() == 1  # one check at a time
    wait_ops(qtbot)
    lines = dialog.results.toPlainText().splitlines()
    assert lines[0].startswith("audit trail intact: ")
    assert lines[1].startswith("trades 7: price changed outside Desk since audit entry ")
    assert lines[-1].startswith("records: 1 problem (1 changed) in ")
