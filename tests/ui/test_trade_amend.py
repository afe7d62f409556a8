"""Amending and cancelling a trade through the dialogs: new versions, or approval requests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import InstrumentType, Side
from desk_app.domain.states import TradeStatus
from desk_app.domain.trade_ticket import TradeTerms
from desk_app.services.trading.trades import TradeService
from desk_app.ui.dialogs.trade_cancel_dialog import TradeCancelDialog
from desk_app.ui.dialogs.trade_ticket_dialog import TradeTicketDialog
from tests.services.conftest import Desk
from tests.ui.conftest import wait_ops

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]

TRADE_DAY = date(2026, 11, 24)  # settles T+1 on the 25th
BEFORE_SETTLEMENT = date(2026, 11, 24)
AFTER_SETTLEMENT = date(2026, 11, 30)


@pytest.fixture
def floor(db_url: str) -> Iterator[Desk]:
    desk = Desk(db_url)
    desk.account("NYC-2001", name="Ada Lovelace")
    desk.instrument("US0378331005", symbol="AAPL", description="Apple Inc. common stock")
    desk.counterparty("GSCO", ssi_for=InstrumentType.EQUITY)
    yield desk
    desk.close()


def service(desk: Desk, today: date, user: str = "carl") -> TradeService:
    ws = desk.ws[user]
    return TradeService(ws.uow, ws.approvals, ws.calendar, today=lambda: today)


def book(desk: Desk) -> int:
    terms = TradeTerms(
        account="NYC-2001", side=Side.BUY, isin="US0378331005", quantity=Decimal(100),
        price=Decimal("210.25"), currency="USD", trade_date=TRADE_DAY,
        trade_time=datetime(2026, 11, 24, 15, 30, 12, 345000, tzinfo=UTC), counterparty="GSCO",
        commission=Decimal("4.95"),
    )  # fmt: skip
    return service(desk, BEFORE_SETTLEMENT).book(terms)


def show(qtbot: QtBot, dialog: TradeTicketDialog | TradeCancelDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)


def retype(qtbot: QtBot, dialog: TradeTicketDialog, name: str, text: str) -> None:
    editor = dialog.editor(name)
    editor.selectAll()
    qtbot.keyClicks(editor, text)


def test_an_amendment_through_the_ticket_is_a_new_version(qtbot: QtBot, floor: Desk) -> None:
    trades = service(floor, BEFORE_SETTLEMENT)
    trade_id = book(floor)
    record = trades.record(trade_id)
    dialog = TradeTicketDialog(trades, floor.ws["carl"].trade_lookup, record)
    show(qtbot, dialog)
    assert dialog.windowTitle() == f"Amend trade {trade_id} (version 1)"
    assert not dialog.banner.isVisible()
    assert (dialog.text("account"), dialog.text("instrument")) == ("NYC-2001", "US0378331005")
    assert (dialog.text("quantity"), dialog.text("price")) == ("100", "210.25")
    assert (dialog.text("trade_date"), dialog.text("trade_time")) == ("2026-11-24", "10:30:12")
    assert dialog.ok_button.text() == "&Amend" and not dialog.ok_button.isEnabled()
    assert dialog.general_error.text() == "Change at least one term to amend the trade."
    retype(qtbot, dialog, "price", "210.5")
    assert dialog.totals.text() == "Gross 21,050.00 USD     Net 21,054.95 USD"
    assert dialog.note("reason") == ""  # not before the clerk gets there
    assert not dialog.ok_button.isEnabled()  # the reason is required
    qtbot.keyClicks(dialog.editor("reason"), "Wrong price, see ticket 881")
    amended: list[str] = []
    dialog.trade_amended.connect(amended.append)
    qtbot.keyClick(dialog.editor("reason"), Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert not dialog.isVisible()

    versions = trades.versions(trade_id)
    assert [(v.version_no, v.status) for v in versions] == [
        (1, TradeStatus.AMENDED), (2, TradeStatus.ACTIVE)
    ]  # fmt: skip
    assert amended == [f"Trade version {versions[1].id} booked"]
    assert versions[1].terms.price == Decimal("210.5")
    assert versions[1].reason == "Wrong price, see ticket 881"
    # untouched, the trade time keeps its fraction of a second
    assert versions[1].terms.trade_time == versions[0].terms.trade_time


def test_a_trade_past_its_settlement_date_is_amended_by_request(qtbot: QtBot, floor: Desk) -> None:
    trade_id = book(floor)
    trades = service(floor, AFTER_SETTLEMENT)
    record = trades.record(trade_id)
    dialog = TradeTicketDialog(trades, floor.ws["carl"].trade_lookup, record)
    show(qtbot, dialog)
    assert dialog.banner.isVisible()
    assert "its settlement date 2026-11-25 has passed" in dialog.banner.text()
    assert "will go to a principal" in dialog.banner.text()
    assert dialog.ok_button.text() == "Send for &approval"
    retype(qtbot, dialog, "quantity", "90")
    qtbot.keyClicks(dialog.editor("reason"), "Client sold 90, not 100")
    qtbot.keyClick(dialog.editor("reason"), Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert not dialog.isVisible()
    assert dialog.outcome_text.startswith("Request ")
    assert dialog.outcome_text.endswith("sent to a principal for approval")
    assert len(trades.versions(trade_id)) == 1  # nothing changes until a principal approves


def test_an_amendment_made_meanwhile_is_not_overwritten(qtbot: QtBot, floor: Desk) -> None:
    trades = service(floor, BEFORE_SETTLEMENT)
    trade_id = book(floor)
    dialog = TradeTicketDialog(trades, floor.ws["carl"].trade_lookup, trades.record(trade_id))
    show(qtbot, dialog)
    other = service(floor, BEFORE_SETTLEMENT, "sue")
    other.amend(trade_id, other.record(trade_id).terms.with_changes(fees=Decimal(1)), "fees")
    retype(qtbot, dialog, "price", "211")
    qtbot.keyClicks(dialog.editor("reason"), "price")
    qtbot.keyClick(dialog.editor("reason"), Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert dialog.isVisible()
    assert "open the current version to change it" in dialog.general_error.text()
    assert [v.terms.price for v in trades.versions(trade_id)] == [Decimal("210.25")] * 2


def test_a_cancel_needs_a_reason_and_adds_a_cancelled_version(qtbot: QtBot, floor: Desk) -> None:
    trades = service(floor, BEFORE_SETTLEMENT)
    trade_id = book(floor)
    dialog = TradeCancelDialog(trades, trades.record(trade_id))
    show(qtbot, dialog)
    assert not dialog.banner.isVisible()
    texts = [label.text() for label in dialog.findChildren(type(dialog.banner))]
    assert "Buy 100 AAPL  US0378331005 at 210.25 USD" in texts
    assert "NYC-2001  Ada Lovelace" in texts
    assert dialog.ok_button.text() == "Cancel &trade" and not dialog.ok_button.isEnabled()
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert dialog.isVisible()  # no reason, no cancel
    qtbot.keyClicks(dialog.reason, "Booked twice")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert not dialog.isVisible()
    versions = trades.versions(trade_id)
    assert [v.status for v in versions] == [TradeStatus.AMENDED, TradeStatus.CANCELLED]
    assert dialog.outcome_text == f"Trade version {versions[1].id} booked"
    assert versions[1].reason == "Booked twice"


def test_cancelling_a_trade_past_settlement_asks_a_principal(qtbot: QtBot, floor: Desk) -> None:
    trade_id = book(floor)
    trades = service(floor, AFTER_SETTLEMENT)
    dialog = TradeCancelDialog(trades, trades.record(trade_id))
    show(qtbot, dialog)
    assert dialog.banner.isVisible()
    assert "has passed" in dialog.banner.text()
    assert dialog.ok_button.text() == "Send for &approval"
    qtbot.keyClicks(dialog.reason, "Client never placed it")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert not dialog.isVisible()
    assert dialog.outcome_text.endswith("sent to a principal for approval")
    assert [v.status for v in trades.versions(trade_id)] == [TradeStatus.ACTIVE]


def test_escape_keeps_the_trade(qtbot: QtBot, floor: Desk) -> None:
    trades = service(floor, BEFORE_SETTLEMENT)
    trade_id = book(floor)
    dialog = TradeCancelDialog(trades, trades.record(trade_id))
    show(qtbot, dialog)
    qtbot.keyClicks(dialog.reason, "Booked twice")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert [v.status for v in trades.versions(trade_id)] == [TradeStatus.ACTIVE]
