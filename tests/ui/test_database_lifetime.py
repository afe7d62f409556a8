"""Timers and workers stop with the database they read: switched, cleared or closed.

A tab's timer that fired after its database was closed used to read it on the GUI
thread, and `DatabaseUnavailable` escaped into the event loop (pytest-qt fails a test
on any exception there, so these tests also prove none escapes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QThreadPool, QTimer
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from desk_app import opening
from desk_app.services.workspace import Workspace, open_workspace
from desk_app.ui.main_window import CLOSED_TEXT, MainWindow
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs import blotter_tab, settlements_tab

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def quick_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cut-off countdown and the blotter's live poll fire every few milliseconds."""
    monkeypatch.setattr(settlements_tab, "CUTOFF_REFRESH_MS", 5)
    monkeypatch.setattr(blotter_tab, "LIVE_INTERVAL_MS", 5)


@pytest.fixture
def settings(tmp_path: Path) -> DeskSettings:
    return DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


def reads_after_close(ws: Workspace) -> list[str]:
    """Every statement run on, or connection asked of, ``ws`` once it began to close.

    Registered after the window's own hook, so it starts counting once the window
    has let go of the database.
    """
    seen: list[str] = []
    closed: list[bool] = []
    ws.before_close(lambda: closed.append(True))

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if closed:
            seen.append(sql)

    def connecting(*_args: Any) -> None:
        if closed:
            seen.append("connect")

    event.listen(ws.engine, "before_cursor_execute", statement)
    event.listen(ws.engine, "do_connect", connecting)
    return seen


def ticks_of(window: MainWindow) -> list[int]:
    """One entry each time the Settlements Due tab's cut-off timer fires."""
    ticks: list[int] = []
    tab = window.tab("settlements")
    assert isinstance(tab, settlements_tab.SettlementsTab)
    tab._cutoff_timer.timeout.connect(lambda: ticks.append(1))
    return ticks


def test_switching_databases_stops_what_reads_the_old_one(
    qtbot: QtBot, settings: DeskSettings, demo_url: str, tmp_path: Path
) -> None:
    window = MainWindow(settings, "tester")
    qtbot.addWidget(window)
    window.show()
    ctl = opening.DeskController(window, settings, "tester")
    try:
        with qtbot.waitSignal(ctl.workspace_opened, timeout=30_000):
            ctl.start(demo_url)
        first = ctl.workspace
        assert isinstance(first, Workspace)
        reads = reads_after_close(first)
        ticks = ticks_of(window)
        qtbot.waitUntil(lambda: len(ticks) >= 3)  # the timers read the first database
        for tab in window.tabs:
            tab.refresh()  # and workers are on their way when the switch comes
        other = tmp_path / "other.db"
        other.touch()
        with qtbot.waitSignal(ctl.workspace_opened, timeout=30_000):
            window.database_change_requested.emit(f"sqlite:///{other}")
        assert ctl.workspace is not first
        assert window.database_text() == "Local file other.db"
        seen = len(ticks)
        qtbot.waitUntil(lambda: len(ticks) >= seen + 5)  # running again, on the new one
        assert window.tab("blotter").row_count_text() == "0 rows"
        assert reads == []
    finally:
        qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
        ctl.shutdown()


def test_a_database_closed_under_the_window_is_let_go_first(
    qtbot: QtBot, settings: DeskSettings, demo_url: str
) -> None:
    ws = open_workspace(demo_url, "tester")
    window = MainWindow(settings, "tester")
    qtbot.addWidget(window)
    window.show()
    window.set_workspace(ws)
    ticks = ticks_of(window)
    qtbot.waitUntil(lambda: len(ticks) >= 3)
    reads = reads_after_close(ws)
    for tab in window.tabs:
        tab.refresh()
    ws.close()  # as a test's fixture, or the app quitting, does
    assert window.database_text() == CLOSED_TEXT
    assert all(tab.workspace is None for tab in window.tabs)
    assert not any(t.isActive() for t in window.tab_widget.findChildren(QTimer))
    later: list[bool] = []
    QTimer.singleShot(50, lambda: later.append(True))
    qtbot.waitUntil(lambda: bool(later))  # queued results and timeouts have arrived
    assert reads == []
