"""The Accounts tab's Holdings page and the Prices tab, driven as a clerk drives them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import QDate, QSettings, QThreadPool
from PySide6.QtWidgets import QApplication, QTabWidget
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import Side
from desk_app.services.workspace import Workspace
from desk_app.ui.dialogs.price_problems_dialog import PriceProblemsDialog
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.accounts_tab import AccountsTab
from desk_app.ui.tabs.prices_tab import PricesTab
from desk_app.ui.tabs.table_tab import TableTab
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _book, settle_booked
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui

DATA = Path(__file__).parent.parent / "data" / "prices"
Tab = TypeVar("Tab", bound=TableTab)


@pytest.fixture
def make_tab(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[[type[Tab], Workspace], Tab]]:
    made: list[TableTab] = []

    def make(kind: type[Tab], ws: Workspace) -> Tab:
        store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        tab = kind(DeskSettings(store))
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


def _texts(model: object, column: int) -> list[str]:
    return model.column_texts(column)  # type: ignore[attr-defined,no-any-return]


def test_the_holdings_page_follows_the_account_the_day_and_the_basis(
    qtbot: QtBot, settling_desk: Desk, make_tab: Callable[[type[Tab], Workspace], Tab]
) -> None:
    settle_booked(settling_desk, "ACC-100", Side.BUY)
    _book(settling_desk, "ACC-100", quantity=Decimal(50))
    settling_desk.account("ACC-200")
    tab = make_tab(AccountsTab, settling_desk.ws["carl"])
    detail = tab.findChild(QTabWidget, "account_detail")
    assert detail is not None and detail.tabText(1) == "Holdings"
    page = tab.holdings_page
    detail.setCurrentWidget(page)  # the pages read only while shown
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=10_000)
    with qtbot.waitSignal(page.shown, timeout=10_000):
        tab.view.selectRow(0)  # ACC-100
    assert "ACC-100" in page.title.text()
    assert _texts(page.positions, 0) == ["US0378331005"]
    assert [page.positions.cell(0, c).text for c in (2, 3, 4, 5, 7, 8)] == [
        "100", "150", "21,030.50", "no price", "", "",
    ]  # fmt: skip
    assert [page.cash.cell(0, c).text for c in range(4)] == [
        "USD", "-21,030.50", "-10,518.00", "-31,548.50",
    ]  # fmt: skip
    assert _texts(page.activity, 1) == ["Settlement", "Trade", "Trade"]  # newest first
    settling_desk.ws["carl"].prices.import_file(DATA / "good.csv")
    with qtbot.waitSignal(page.shown, timeout=10_000):
        tab.reload_source()  # Refresh (or another tab's change): the page reads again
    assert page.positions.cell(0, 5).text == "215.00"
    with qtbot.waitSignal(page.shown, timeout=10_000):
        page.basis.setCurrentIndex(1)  # the trade basis
    assert [page.positions.cell(0, c).text for c in (4, 5, 6, 7, 8)] == [
        "31,548.50", "215.00", "2026-11-24", "32,250.00", "701.50",
    ]  # fmt: skip
    with qtbot.waitSignal(page.shown, timeout=10_000):
        page.as_of.setDate(QDate(2026, 11, 23))  # before the trade date: nothing held
    assert page.positions.rowCount() == 0
    with qtbot.waitSignal(page.shown, timeout=10_000):
        tab.view.selectRow(1)  # ACC-200 holds nothing
    assert "ACC-200" in page.title.text() and page.positions.rowCount() == 0
    assert page.summary is not None and page.summary.holdings.as_of == date(2026, 11, 23)
    wait_ops(qtbot)


def test_the_prices_tab_lists_an_import_and_names_a_bad_files_problems(
    qtbot: QtBot, settling_desk: Desk, make_tab: Callable[[type[Tab], Workspace], Tab]
) -> None:
    tab = make_tab(PricesTab, settling_desk.ws["carl"])
    action = tab.price_actions["import"]
    assert action.isEnabled()
    tab.import_file(DATA / "bad.csv")
    qtbot.waitUntil(lambda: isinstance(tab.problems_dialog, PriceProblemsDialog), timeout=10_000)
    dialog = tab.problems_dialog
    assert dialog is not None and dialog.model.rowCount() == 12
    assert _texts(dialog.model, 1)[:3] == ["isin", "isin", "date"]
    assert "nothing was imported" in tab.notice.text()
    dialog.close()
    tab.import_file(DATA / "good.csv")
    qtbot.waitUntil(lambda: "3 added" in tab.notice.text(), timeout=10_000)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3, timeout=10_000)
    column = tab.model.column_of("price_date")
    days = [tab.model.index(r, column).data() for r in range(3)]
    assert days == ["2026-11-24", "2026-11-23", "2026-11-20"]  # newest first
    wait_ops(qtbot)


def test_compliance_may_look_at_prices_but_not_import_them(
    settling_desk: Desk, make_tab: Callable[[type[Tab], Workspace], Tab]
) -> None:
    tab = make_tab(PricesTab, settling_desk.ws["cora"])
    action = tab.price_actions["import"]
    assert not action.isEnabled()
    assert "needs the clerk or supervisor role" in action.toolTip()
