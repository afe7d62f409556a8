"""The blotter's trade actions in place: book with Ctrl+N, cancel the selected trade, see its
history, and File → Import trades… from another tab, on both engines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import Side
from desk_app.domain.cutoffs import market_today
from desk_app.domain.states import TradeStatus
from desk_app.domain.trade_ticket import TradeTerms
from desk_app.ui.dialogs.trade_cancel_dialog import TradeCancelDialog
from desk_app.ui.dialogs.trade_history_dialog import TradeHistoryDialog
from desk_app.ui.dialogs.trade_ticket_dialog import TradeTicketDialog
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.blotter_tab import BlotterTab
from tests.services.conftest import Desk
from tests.services.trading.test_trade_import import _books
from tests.ui.conftest import wait_ops

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def floor(db_url: str) -> Iterator[Desk]:
    desk = _books(Desk(db_url))
    yield desk
    desk.close()


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, floor: Desk) -> Iterator[Callable[[], MainWindow]]:
    made: list[MainWindow] = []

    def make() -> MainWindow:
        store = QSettings(str(tmp_path / "carl.ini"), QSettings.Format.IniFormat)
        win = MainWindow(DeskSettings(store), "carl")
        qtbot.addWidget(win)
        win.resize(1300, 800)
        win.show()
        win.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
        win.set_workspace(floor.ws["carl"])
        made.append(win)
        return win

    yield make
    for win in made:
        for tab in win.tabs:
            tab.clear()
    QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()


def _blotter(win: MainWindow) -> BlotterTab:
    tab = win.tab("blotter")
    assert isinstance(tab, BlotterTab)
    return tab


def _book_today(desk: Desk) -> int:
    today = market_today()
    terms = TradeTerms(
        account="ACC-100", side=Side.BUY, isin="US0378331005", quantity=Decimal(100),
        price=Decimal("189.25"), currency="USD", trade_date=today,
        trade_time=datetime.now(UTC), counterparty="GSCO",
    )  # fmt: skip
    return desk.ws["carl"].trades.book(terms)


def test_cancel_the_selected_trade_then_see_its_history(
    qtbot: QtBot, floor: Desk, window: Callable[[], MainWindow]
) -> None:
    trade_id = _book_today(floor)
    tab = _blotter(window())
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    actions = tab.trade_actions.actions
    assert not actions["cancel"].isEnabled()
    assert actions["cancel"].toolTip() == "Select a trade first"
    tab.view.setFocus()
    tab.view.selectRow(0)
    assert tab.current_trade_id() == trade_id and actions["cancel"].isEnabled()
    actions["cancel"].trigger()
    wait_ops(qtbot)  # the version is read on a worker, then the dialog opens
    dialog = tab.trade_actions.dialogs["cancel"]
    assert isinstance(dialog, TradeCancelDialog)
    qtbot.keyClicks(dialog.reason, "Booked to the wrong account")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    wait_ops(qtbot)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)  # the cancel version joins the list
    assert "booked" in tab.notice.text()
    statuses = {tab.model.value_in(tab.model.row_at(r), "status") for r in range(2)}
    assert statuses == {TradeStatus.AMENDED.value, TradeStatus.CANCELLED.value}
    tab.view.selectRow(0)
    assert not actions["amend"].isEnabled()  # neither version of a cancelled trade changes
    assert actions["amend"].toolTip().startswith("This version is")
    tab.view.doubleClicked.emit(tab.view.currentIndex())
    wait_ops(qtbot)  # the versions are read on a worker, then the dialog opens
    history = tab.trade_actions.dialogs["history"]
    assert isinstance(history, TradeHistoryDialog)
    assert history.versions.rowCount() == 2
    history.close()


def test_ctrl_n_opens_the_ticket_and_compliance_may_not(
    qtbot: QtBot, floor: Desk, window: Callable[[], MainWindow]
) -> None:
    tab = _blotter(window())
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(tab.trade_actions.dialogs.get("new"), TradeTicketDialog))
    ticket = tab.trade_actions.dialogs["new"]
    ticket.reject()
    floor.ws["cora"]  # compliance reads the books but books nothing
    tab.set_workspace(floor.ws["cora"])
    assert not tab.trade_actions.actions["new"].isEnabled()
    assert "clerk or supervisor" in tab.trade_actions.actions["new"].toolTip()


def test_file_menu_imports_trades_with_the_blotters_own_action(
    floor: Desk, window: Callable[[], MainWindow]
) -> None:
    win = window()
    file_menu = win.menuBar().actions()[0].menu()
    assert file_menu is not None
    action = next(a for a in file_menu.actions() if a.text() == "Import trades…")
    tab = _blotter(win)
    assert action is tab.trade_actions.actions["import"] and action.isEnabled()
    assert action.shortcut().toString() == "Ctrl+I"
    assert action.shortcutContext() is Qt.ShortcutContext.WindowShortcut  # from every tab
    tab.set_workspace(floor.ws["adam"])
    assert not action.isEnabled() and "clerk or supervisor" in action.toolTip()
