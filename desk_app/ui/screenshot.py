"""Render the main window with each tab selected, for documentation and review."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QThreadPool
from PySide6.QtWidgets import QWidget

from desk_app.domain.restrictions import BADGE
from desk_app.domain.states import TradeStatus
from desk_app.ui import ops
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.blotter_tab import BlotterTab
from desk_app.ui.tabs.table_tab import TableTab, WorkspaceView

#: The README's pictures; the user guide's are taken at a common laptop size, 1366x768.
SIZE = (1400, 800)


#: Tabs with a pane beside the list that shows the current row.
DETAILED = ("settlements", "accounts", "certificates", "manifests", "acats")


def save_screenshots(window: MainWindow, out_dir: Path, size: tuple[int, int] = SIZE) -> list[Path]:
    """Save ``out_dir/<slug>.png`` for each tab; the window must already have a workspace.

    The tabs load their first page synchronously when the workspace is set, so one
    pass of the event loop (layout and polish) is enough before grabbing.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    window.resize(*size)
    if not window.isVisible():
        window.show()
    saved: list[Path] = []
    for tab in window.tabs:
        window.tab_widget.setCurrentWidget(tab)
        _settle()
        _finish_reads(tab)
        if tab.key in DETAILED and tab.model.rowCount():
            tab.view.selectRow(_first_restricted(tab))  # its detail pane shows that row
            _wait_for(lambda: ops.running() == 0)  # read on a worker (the account's holdings)
        path = out_dir / f"{tab.key}.png"  # blotter, settlements, accounts, certificates
        if not window.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        saved.append(path)
    ticket = _ticket(window)
    if ticket is not None:
        saved.append(_save(ticket, out_dir / "ticket.png"))
    return saved


def _first_restricted(tab: TableTab) -> int:
    """The first loaded row wearing a restriction badge (the Accounts tab's Restrictions
    page then has something to show), else the first row."""
    badge = tab.model.column_of(BADGE)
    for row in range(tab.model.rowCount() if tab.key == "accounts" and badge >= 0 else 0):
        if tab.model.index(row, badge).data():
            return row
    return 0


def _ticket(window: MainWindow) -> QWidget | None:
    """The trade ticket opened to amend the newest current trade (None if there is none)."""
    blotter = window.tab("blotter")
    assert isinstance(blotter, BlotterTab)
    window.tab_widget.setCurrentWidget(blotter)
    model, actions = blotter.model, blotter.trade_actions
    for row in range(min(model.rowCount(), 50)):
        if model.value_in(model.row_at(row), "status") == TradeStatus.ACTIVE.value:
            blotter.view.selectRow(row)
            actions.dialogs.pop("amend", None)
            actions.amend()  # reads the version on a worker, then opens the ticket
            _wait_for(lambda: "amend" in actions.dialogs)
            return actions.dialogs.get("amend")
    return None


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Deliver workers' results until ``condition`` holds (or give up after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        QThreadPool.globalInstance().waitForDone(50)
        _settle()


def _save(widget: QWidget, path: Path) -> Path:
    _settle()
    try:
        if not widget.grab().save(str(path)):
            raise OSError(f"could not write {path}")
    finally:
        widget.close()
    return path


def render_screenshots(
    workspace: WorkspaceView, out_dir: Path, size: tuple[int, int] = SIZE
) -> list[Path]:
    """A fresh window over ``workspace`` with the default layout, saved tab by tab.

    It uses a throw-away settings file, so the user's own layout is neither used
    nor changed.
    """
    with tempfile.TemporaryDirectory() as folder:
        store = QSettings(str(Path(folder) / "screenshot.ini"), QSettings.Format.IniFormat)
        window = MainWindow(DeskSettings(store), workspace.actor)
        try:
            window.set_workspace(workspace)
            return save_screenshots(window, out_dir, size)
        finally:
            window.hide()
            window.deleteLater()


def _finish_reads(tab: TableTab, timeout: float = 30.0) -> None:
    """Let the tab's count and totals arrive: a picture shows them, not "Adding up…"."""
    _wait_for(lambda: not tab.reads_pending(), timeout)
    _settle()


def _settle() -> None:
    # Deliver pending layout, resize and show events, without waiting for new ones.
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
