"""A database opened read-only says so at once, refuses changes plainly, leaves no trace.

Tests may run as root, whom file permissions do not stop, so the window's case is
read-only by choice (``?mode=ro``, File → Open database read-only…); a file this
user cannot write is opened the same way (see tests/db/test_bad_databases.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from pytestqt.qtbot import QtBot

from desk_app import opening
from desk_app.domain.errors import DeskError
from desk_app.domain.permissions import READ_ONLY_REFUSAL
from desk_app.services.workspace import Workspace
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.blotter_tab import BlotterTab

pytestmark = pytest.mark.gui


@pytest.fixture
def controller(qtbot: QtBot, tmp_path: Path) -> Iterator[opening.DeskController]:
    settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, "tester")
    qtbot.addWidget(window)
    window.show()
    ctl = opening.DeskController(window, settings, "tester")
    yield ctl
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
    ctl.shutdown()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_only_is_said_at_once_and_changes_are_refused_plainly(
    qtbot: QtBot, controller: opening.DeskController, demo_url: str
) -> None:
    path = Path(demo_url.removeprefix("sqlite:///"))
    folder = sorted(p.name for p in path.parent.iterdir())
    before = _digest(path)
    with qtbot.waitSignal(controller.workspace_opened, timeout=30_000):
        controller.start(f"{demo_url}?mode=ro")
    window = controller.window
    assert window.windowTitle() == "Desk — Local file desk.db (read-only)"
    assert window.database_text() == "Local file desk.db (read-only)"
    assert window.connection_text() == "Connected, read-only"
    assert window.tab("blotter").row_count_text() == "600 rows"  # reading works

    blotter = window.tab("blotter")
    assert isinstance(blotter, BlotterTab)
    for key in ("new", "import"):
        action = blotter.trade_actions.actions[key]
        assert not action.isEnabled()
        assert action.toolTip() == READ_ONLY_REFUSAL
    assert blotter.trade_actions.actions["history"].toolTip() != READ_ONLY_REFUSAL

    ws = controller.workspace
    assert isinstance(ws, Workspace)
    with pytest.raises(DeskError) as refused:  # a write attempted anyway
        ws.presets.save("blotter", "mine", "{}")
    assert refused.value.message == (
        f"The database is open read-only (Local file {path}): nothing was changed. To change "
        "it, open it again without read-only, with write access to the file and its folder."
    )
    dialog = controller.errors.show_error(refused.value)
    assert dialog is not None and dialog.message_label.text() == refused.value.message
    dialog.close()

    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
    controller.shutdown()
    assert _digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == folder  # no -wal, no -shm


def test_file_menu_opens_read_only(qtbot: QtBot, controller: opening.DeskController) -> None:
    texts = [a.text() for a in controller.window.menuBar().actions()[0].menu().actions()]
    assert "Open database &read-only…" in texts
