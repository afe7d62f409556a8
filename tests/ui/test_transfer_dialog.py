"""Transfer… on the Accounts tab: a journal request from the selected account."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk_app.ui.dialogs.transfer_dialog import TransferDialog
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.accounts_tab import AccountsTab
from tests.services.conftest import Desk
from tests.ui.conftest import wait_ops
from tests.ui.test_account_requests import select_account

pytestmark = pytest.mark.gui
AAPL = "US0378331005"


def _tab(qtbot: QtBot, tmp_path: Path, desk: Desk, user: str = "carl") -> AccountsTab:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    tab = AccountsTab(DeskSettings(store))
    qtbot.addWidget(tab)
    tab.resize(1200, 600)
    tab.show()
    tab.set_workspace(desk.ws[user])
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3)
    return tab


def _open(qtbot: QtBot, tab: AccountsTab, number: str) -> TransferDialog:
    select_account(tab, number)
    action = tab.account_actions["transfer"]
    assert action.isEnabled(), action.toolTip()
    action.trigger()
    dialog = tab.transfer_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _type(qtbot: QtBot, dialog: TransferDialog, **fields: str) -> None:
    for name, text in fields.items():
        edit = getattr(dialog, name)
        edit.clear()
        qtbot.keyClicks(edit, text)
        edit.editingFinished.emit()


def test_a_cash_journal_is_sent_for_approval_from_the_dialog(
    qtbot: QtBot, tmp_path: Path, funded_desk: Desk
) -> None:
    tab = _tab(qtbot, tmp_path, funded_desk)
    dialog = _open(qtbot, tab, "ACC-100")
    assert dialog.windowTitle() == "Transfer from ACC-100"
    assert dialog.available.text() == "21,019.50 USD"
    _type(qtbot, dialog, target="ACC-300", amount="25000", reason="fund the new account")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert dialog.isVisible()  # refused: more than the account holds
    assert dialog.error.text() == (
        "amount: ACC-100 has 21,019.50 USD available; the journal needs 25,000.00 USD ('25000')"
    )
    _type(qtbot, dialog, amount="2500.00")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.sent is not None
    assert tab.notice.text() == (
        f"Request {dialog.sent.request_id} sent for approval: "
        "Journal 2,500.00 USD from ACC-100 to ACC-300"
    )
    funded_desk.ws["sue"].approvals.approve(dialog.sent.request_id)
    assert funded_desk.ws["carl"].transfers.available_cash("ACC-300", "USD") == Decimal("2500")


def test_securities_ask_for_an_isin_and_show_the_position(
    qtbot: QtBot, tmp_path: Path, funded_desk: Desk
) -> None:
    tab = _tab(qtbot, tmp_path, funded_desk)
    dialog = _open(qtbot, tab, "ACC-200")
    dialog.kind.setCurrentIndex(dialog.kind.findData("securities"))
    assert not dialog.currency.isVisible() and dialog.isin.isVisible()
    assert dialog.available.text() == ""
    _type(qtbot, dialog, isin=AAPL)
    assert dialog.available.text() == "100"
    _type(qtbot, dialog, target="ACC-300", amount="40", reason="gift to a daughter")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.sent is not None and "40 US0378331005" in dialog.sent.summary


def test_transfer_is_disabled_with_the_reason(
    qtbot: QtBot, tmp_path: Path, funded_desk: Desk
) -> None:
    tab = _tab(qtbot, tmp_path, funded_desk, "cora")  # compliance asks for no journals
    select_account(tab, "ACC-100")
    action = tab.account_actions["transfer"]
    assert not action.isEnabled() and "cash journal" in action.toolTip().lower()
    carl, sue = funded_desk.ws["carl"], funded_desk.ws["sue"]
    sue.approvals.approve(carl.accounts.request_status("ACC-300", "closed", "moved away"))
    tab = _tab(qtbot, tmp_path, funded_desk)
    select_account(tab, "ACC-300")
    assert tab.account_actions["transfer"].toolTip() == "ACC-300 is closed: nothing moves out of it"
    assert QApplication.activeModalWidget() is None
