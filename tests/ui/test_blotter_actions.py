"""The blotter's trade actions: allowed by role and selection, opening the trade dialogs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView, QWidget
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import InstrumentType, Side
from desk_app.domain.cutoffs import market_today
from desk_app.domain.states import TradeStatus
from desk_app.domain.trade_ticket import TradeTerms
from desk_app.services.workspace import Workspace
from desk_app.ui.dialogs.import_trades_dialog import ImportTradesDialog
from desk_app.ui.dialogs.trade_cancel_dialog import TradeCancelDialog
from desk_app.ui.dialogs.trade_history_dialog import TradeHistoryDialog
from desk_app.ui.dialogs.trade_ticket_dialog import TradeTicketDialog
from desk_app.ui.tabs.blotter_actions import NO_TRADE, BlotterActions
from tests.services.conftest import Desk
from tests.ui.conftest import wait_ops

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]

GOOD_FIX = Path(__file__).resolve().parents[1] / "data" / "fix" / "good_back_to_back.fix"


@pytest.fixture
def floor(db_url: str) -> Iterator[Desk]:
    desk = Desk(db_url)
    desk.account("ACC-001", name="Ada Lovelace")
    desk.instrument("US0378331005", symbol="AAPL", description="Apple Inc. common stock")
    desk.counterparty("GSCO", ssi_for=InstrumentType.EQUITY)
    yield desk
    desk.close()


class Blotter:
    """A stand-in for the blotter tab: a widget, a selected trade, the actions on it."""

    def __init__(self, qtbot: QtBot, ws: Workspace) -> None:
        self.widget = QWidget()
        qtbot.addWidget(self.widget)
        self.view = QTableView(self.widget)  # where the focus is on a real blotter
        self.selected: int | None = None
        self.actions = BlotterActions(
            self.widget, lambda: self.selected, trades=ws.trades, lookup=ws.trade_lookup,
            imports=ws.imports, actor=ws.user,
        )  # fmt: skip
        self.changes: list[None] = []
        self.notices: list[str] = []
        self.actions.trades_changed.connect(lambda: self.changes.append(None))
        self.actions.notice.connect(lambda text, _tone: self.notices.append(text))
        self.widget.show()
        self.focus(qtbot)

    def focus(self, qtbot: QtBot) -> None:
        self.widget.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is self.widget)
        self.view.setFocus()

    def select(self, trade_id: int | None) -> None:
        self.selected = trade_id
        self.actions.update_actions()


def book(ws: Workspace) -> int:
    return ws.trades.book(TradeTerms(
        account="ACC-001", side=Side.BUY, isin="US0378331005", quantity=Decimal(100),
        price=Decimal("210.25"), currency="USD", trade_date=market_today(),
        trade_time=datetime.now(UTC), counterparty="GSCO",
    ))  # fmt: skip


def test_actions_follow_the_roles_and_the_selection(qtbot: QtBot, floor: Desk) -> None:
    clerk = Blotter(qtbot, floor.ws["carl"])
    actions = clerk.actions.actions
    assert actions["new"].isEnabled() and actions["import"].isEnabled()
    for key in ("amend", "cancel", "history"):
        assert not actions[key].isEnabled() and actions[key].toolTip() == NO_TRADE
    clerk.select(book(floor.ws["carl"]))
    assert all(action.isEnabled() for action in actions.values())
    assert actions["amend"].toolTip().endswith("(F2)")
    assert actions["new"].shortcut().toString() == "Ctrl+N"

    compliance = Blotter(qtbot, floor.ws["cora"])
    compliance.select(clerk.selected)
    for key in ("new", "amend", "cancel", "import"):
        action = compliance.actions.actions[key]
        assert not action.isEnabled() and "clerk or supervisor" in action.toolTip(), key
    assert compliance.actions.actions["history"].isEnabled()  # compliance reads everything


def test_the_shortcuts_open_the_dialogs_and_changes_are_announced(
    qtbot: QtBot, floor: Desk
) -> None:
    ws = floor.ws["carl"]
    blotter = Blotter(qtbot, ws)
    qtbot.keyClick(blotter.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    ticket = blotter.actions.dialogs["new"]
    assert isinstance(ticket, TradeTicketDialog) and ticket.isVisible()
    ticket.reject()

    trade_id = book(ws)
    blotter.select(trade_id)
    qtbot.keyClick(blotter.view, Qt.Key.Key_F2)
    wait_ops(qtbot)  # the version is read on a worker, then the ticket opens
    amend = blotter.actions.dialogs["amend"]
    assert isinstance(amend, TradeTicketDialog) and amend.isVisible()
    assert amend.windowTitle() == f"Amend trade {trade_id} (version 1)"
    amend.reject()

    blotter.actions.actions["cancel"].trigger()
    wait_ops(qtbot)
    cancel = blotter.actions.dialogs["cancel"]
    assert isinstance(cancel, TradeCancelDialog)
    qtbot.keyClicks(cancel.reason, "Booked twice")
    qtbot.keyClick(cancel.reason, Qt.Key.Key_Return)
    wait_ops(qtbot)
    blotter.focus(qtbot)  # the ticket closed from the op's result: take the focus back
    assert len(blotter.changes) == 1
    assert blotter.notices[-1].startswith("Trade version ")
    assert [v.status for v in ws.trades.versions(trade_id)] == [
        TradeStatus.AMENDED, TradeStatus.CANCELLED
    ]  # fmt: skip

    blotter.actions.actions["amend"].trigger()  # the selection is the superseded version
    wait_ops(qtbot)
    assert "is superseded: only the current version" in blotter.notices[-1]
    qtbot.keyClick(blotter.view, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    wait_ops(qtbot)
    history = blotter.actions.dialogs["history"]
    assert isinstance(history, TradeHistoryDialog) and history.isVisible()
    assert history.current_version() == 0  # the version selected on the blotter


def test_a_file_imported_from_the_actions_is_announced(qtbot: QtBot, floor: Desk) -> None:
    blotter = Blotter(qtbot, floor.ws["carl"])
    dialog = blotter.actions.import_trades(GOOD_FIX)
    assert isinstance(dialog, ImportTradesDialog)
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=20_000)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(blotter.changes), timeout=20_000)
    assert blotter.notices == ["Trades imported"]


def test_a_refused_read_reaches_the_notice_through_the_op(qtbot: QtBot, floor: Desk) -> None:
    blotter = Blotter(qtbot, floor.ws["carl"])
    blotter.select(999_999)  # a row that is gone by the time the action reads it
    blotter.actions.actions["amend"].trigger()
    wait_ops(qtbot)
    assert "amend" not in blotter.actions.dialogs
    assert blotter.notices and "999999" in blotter.notices[-1].replace(",", "")


def test_a_double_trigger_reads_and_opens_once(
    qtbot: QtBot, floor: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = floor.ws["carl"]
    blotter = Blotter(qtbot, ws)
    blotter.select(book(ws))
    reads: list[int] = []
    record = ws.trades.record

    def counted(trade_id: int) -> object:
        reads.append(trade_id)
        return record(trade_id)

    monkeypatch.setattr(ws.trades, "record", counted)
    blotter.actions.actions["cancel"].trigger()
    blotter.actions.actions["cancel"].trigger()  # before the first read came back
    wait_ops(qtbot)
    assert reads == [blotter.selected]
    assert isinstance(blotter.actions.dialogs["cancel"], TradeCancelDialog)
