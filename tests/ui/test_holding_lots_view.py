"""The Holdings page's lots: choosing a position shows its lots beside it; a short shows
no cost and no gain."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QApplication, QTabWidget
from pytestqt.qtbot import QtBot

from desk_app.services.workspace import Workspace
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.account_holdings_page import NO_LOTS
from desk_app.ui.tabs.accounts_tab import AccountsTab
from tests.services.conftest import Desk
from tests.services.transfers.test_journal_lots import OLD, buy
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui
Make = Callable[[Workspace], AccountsTab]


@pytest.fixture
def make_tab(qtbot: QtBot, tmp_path: Path) -> Iterator[Make]:
    made: list[AccountsTab] = []

    def make(ws: Workspace) -> AccountsTab:
        store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        tab = AccountsTab(DeskSettings(store))
        qtbot.addWidget(tab)
        tab.resize(1366, 700)
        tab.show()
        tab.set_workspace(ws)
        made.append(tab)
        return tab

    yield make
    for tab in made:
        tab.clear()
    QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()


def _page(qtbot: QtBot, desk: Desk, make: Make, row: int) -> Any:
    tab = make(desk.ws["carl"])
    detail = tab.findChild(QTabWidget, "account_detail")
    assert detail is not None
    page = tab.holdings_page
    detail.setCurrentWidget(page)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3, timeout=10_000)
    with qtbot.waitSignal(page.shown, timeout=10_000):
        tab.view.selectRow(row)
    return page


def test_choosing_a_position_shows_its_lots_with_their_term(
    qtbot: QtBot, funded_desk: Desk, make_tab: Make
) -> None:
    buy(funded_desk, "ACC-200", OLD, 50, "100.00")
    page = _page(qtbot, funded_desk, make_tab, 1)  # ACC-200
    assert page.lots.rowCount() == 0 and page.lots_title.text() == NO_LOTS
    with qtbot.waitSignal(page.lots_shown, timeout=10_000):
        page.positions_view.selectRow(0)
    assert "US0378331005" in page.lots_title.text() and "2 lots" in page.lots_title.text()
    rows = [[page.lots.cell(r, c).text for c in range(5)] for r in range(page.lots.rowCount())]
    assert rows == [
        ["2025-06-02", "50", "100.11", "5,005.50", "Long"],
        ["2026-11-24", "100", "210.305", "21,030.50", "Short"],
    ]
    assert page.lots.cell(1, 2).value == Decimal("210.3050")
    wait_ops(qtbot)


def test_a_short_position_shows_no_cost_and_no_lots(
    qtbot: QtBot, funded_desk: Desk, make_tab: Make
) -> None:
    page = _page(qtbot, funded_desk, make_tab, 0)  # ACC-100 sold what it never held
    assert page.positions.cell(0, 2).text == "-100"
    assert (page.positions.cell(0, 4).text, page.positions.cell(0, 8).text) == ("", "")
    with qtbot.waitSignal(page.lots_shown, timeout=10_000):
        page.positions_view.selectRow(0)
    assert page.lots.rowCount() == 0
    assert page.lots_title.text().endswith("0 lots; -100 without a known lot")
    wait_ops(qtbot)
