"""The trade ticket: booked with the keyboard only, every field checked as typed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.codes import InstrumentType, Side, TradeSource
from desk_app.services.trading.trades import TradeRecord
from desk_app.ui.dialogs.add_instrument_dialog import AddInstrumentDialog
from desk_app.ui.dialogs.trade_ticket_dialog import TradeTicketDialog
from tests.services.conftest import Desk
from tests.ui.conftest import wait_ops

# The offscreen platform cannot raise a completer's popup or grab the keyboard for it.
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]

#: 10:30 in New York on Tuesday 2026-11-24: T+1 settles on Wednesday the 25th.
NOW = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)


@pytest.fixture
def floor(db_url: str) -> Iterator[Desk]:
    desk = Desk(db_url)
    desk.account("NYC-2001", name="Ada Lovelace")
    desk.account("NYC-2002", name="Charles Babbage")
    desk.instrument("US0378331005", symbol="AAPL", description="Apple Inc. common stock")
    desk.counterparty("GSCO", ssi_for=InstrumentType.EQUITY)
    desk.counterparty("MSCO", ssi_for=InstrumentType.EQUITY)
    yield desk
    desk.close()


def open_ticket(qtbot: QtBot, desk: Desk, user: str = "carl") -> TradeTicketDialog:
    ws = desk.ws[user]
    dialog = TradeTicketDialog(ws.trades, ws.trade_lookup, now=lambda: NOW)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_here(qtbot: QtBot, field: str, text: str = "", *, then: Qt.Key = Qt.Key.Key_Tab) -> None:
    """Type ``text`` into the focused widget, which must be ``field``, then press ``then``."""
    assert focused().objectName() == field
    if text:
        qtbot.keyClicks(focused(), text)
    qtbot.keyClick(focused(), then)


def fill(qtbot: QtBot, dialog: TradeTicketDialog, **values: str) -> None:
    """Type over each field's text, as a clerk would (select all, type)."""
    for name, text in values.items():
        editor = dialog.editor(name)
        editor.selectAll()
        if text:
            qtbot.keyClicks(editor, text)
        elif editor.text():
            qtbot.keyClick(editor, Qt.Key.Key_Delete)


def trades(desk: Desk) -> list[TradeRecord]:
    """Every trade version on the database, as the trade service reads it."""
    with desk.admin.uow.read() as session:
        ids = list(session.scalars(select(m.Trade.id).order_by(m.Trade.id)))
    return [desk.admin.trades.record(i) for i in ids]


def test_a_trade_is_booked_with_the_keyboard_only(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_ticket(qtbot, floor)
    booked: list[int] = []
    dialog.trade_booked.connect(booked.append)
    type_here(qtbot, "account", "NYC-2001")
    assert dialog.note("account") == "Ada Lovelace"
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # Buy → Sell
    qtbot.keyClick(focused(), Qt.Key.Key_Down)  # → Sell short
    assert dialog.side_value is Side.SELL_SHORT
    type_here(qtbot, "side")
    type_here(qtbot, "instrument", "037833100")  # the CUSIP
    assert dialog.note("instrument").startswith("Apple Inc. common stock")
    assert dialog.text("currency") == "USD"  # from the instrument
    type_here(qtbot, "quantity", "100")
    type_here(qtbot, "price", "210.25")
    type_here(qtbot, "currency")
    type_here(qtbot, "trade_date")
    assert (dialog.text("trade_date"), dialog.text("trade_time")) == ("2026-11-24", "10:30:00")
    assert dialog.zone.text() == "New York time (EST)"
    type_here(qtbot, "trade_time")
    qtbot.keyClicks(focused(), "Broker M")
    popup = dialog.party_completer.popup()
    assert popup is not None
    assert dialog.party_completer.texts() == ["MSCO   Broker MSCO"]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.text("counterparty") == "MSCO"
    type_here(qtbot, "counterparty")
    type_here(qtbot, "commission", "4.95")
    assert dialog.text("settle_date") == "2026-11-25"
    assert dialog.cycle.text() == "T+1, from the settlement calendar"
    type_here(qtbot, "fees", "0.05", then=Qt.Key.Key_Return)
    wait_ops(qtbot)  # booked on a worker

    assert not dialog.isVisible()
    assert booked == [dialog.booked_id]
    (trade,) = trades(floor)
    t = trade.terms
    assert trade.id == booked[0]
    assert (t.account, t.side, t.isin) == ("NYC-2001", Side.SELL_SHORT, "US0378331005")
    assert (t.quantity, t.price, t.currency) == (Decimal(100), Decimal("210.25"), "USD")
    assert (t.counterparty, t.commission, t.fees) == ("MSCO", Decimal("4.95"), Decimal("0.05"))
    assert trade.gross_amount == Decimal("21025.00")
    assert trade.net_amount == Decimal("21020.00")  # a sale receives less its charges
    assert (t.trade_date, t.settle_date) == (date(2026, 11, 24), date(2026, 11, 25))
    assert t.trade_time == NOW
    assert (trade.source, trade.created_by) == (TradeSource.MANUAL, "carl")


def test_an_account_is_found_by_the_clients_name(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_ticket(qtbot, floor)
    qtbot.keyClicks(dialog.editor("account"), "NYC-2")
    assert dialog.account_completer.texts() == [
        "NYC-2001   Ada Lovelace", "NYC-2002   Charles Babbage"
    ]  # fmt: skip
    dialog.editor("account").clear()
    qtbot.keyClicks(dialog.editor("account"), "babb")
    assert dialog.account_completer.texts() == ["NYC-2002   Charles Babbage"]
    popup = dialog.account_completer.popup()
    assert popup is not None and popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.text("account") == "NYC-2002"
    assert dialog.note("account") == "Charles Babbage"


WRONG = [
    ("account", "NYC-9999", "Is not an account on this database"),
    ("instrument", "037833101", "Check digit is wrong"),
    ("instrument", "XS0000000001", "Check digit is wrong"),
    ("instrument", "IBM", "Is not an instrument on this database"),
    ("quantity", "-5", "Must not be negative"),
    ("quantity", "0", "Must be greater than 0"),
    ("price", "1,5", "Has a thousands separator or decimal comma"),
    ("price", "0", "Is 0: an equity trades at 0 only with a price reason saying why"),
    ("price", "-0.5", "Is below 0: an equity never trades below 0 (only futures do)"),
    ("currency", "XYZ", "Is not an ISO 4217 currency code"),
    ("trade_date", "2026-13-01", "Is not a real date"),
    ("trade_date", "24/11/2026", "Is not a date written YYYY-MM-DD"),
    ("trade_date", "2020-01-02", "Is before account NYC-2001 was opened (2021-03-01)"),
    ("trade_time", "25:00", "Is not a real time of day"),
    ("counterparty", "NOPE", "Is not a counterparty on this database"),
    ("fees", "abc", "Is not a number"),
]


def test_a_wrong_value_says_why_beside_its_field_and_nothing_books(
    qtbot: QtBot, floor: Desk
) -> None:
    dialog = open_ticket(qtbot, floor)
    good = {"account": "NYC-2001", "instrument": "AAPL", "quantity": "100", "price": "210.25",
            "currency": "USD", "trade_date": "2026-11-24", "trade_time": "10:30:00",
            "counterparty": "GSCO", "fees": ""}  # fmt: skip
    fill(qtbot, dialog, **good)
    assert dialog.ok_button.isEnabled(), (dialog.errors(), dialog.general_error.text())
    for field, text, reason in WRONG:
        fill(qtbot, dialog, **{field: text})
        assert dialog.note(field).startswith(reason), (field, text, dialog.note(field))
        assert dialog.rows[field].note.isVisible()
        assert not dialog.ok_button.isEnabled(), field
        qtbot.keyClick(dialog.editor(field), Qt.Key.Key_Return)
        assert dialog.isVisible()
        fill(qtbot, dialog, **{field: good[field]})
        assert dialog.ok_button.isEnabled(), (field, dialog.errors())
    assert trades(floor) == []


def test_a_long_quantity_reason_is_shown_whole(qtbot: QtBot, floor: Desk) -> None:
    """A reason wrapped to two or three lines gets their height, not the editor's."""
    dialog = open_ticket(qtbot, floor)
    fill(qtbot, dialog, quantity="1,000,000.5.5")
    dialog.rows["quantity"].touched = True
    dialog.revalidate()
    note = dialog.rows["quantity"].note
    assert note.text().startswith("Has a thousands separator or decimal comma")
    qtbot.waitUntil(lambda: note.height() >= note.heightForWidth(note.width()))
    assert note.height() > dialog.editor("quantity").height()  # two lines, both in view


def ticket_at(qtbot: QtBot, desk: Desk, now: datetime) -> TradeTicketDialog:
    ws = desk.ws["carl"]
    dialog = TradeTicketDialog(ws.trades, ws.trade_lookup, now=lambda: now)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_sunday_ticket_is_dated_the_last_trading_day_and_says_so(
    qtbot: QtBot, floor: Desk
) -> None:
    sunday = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # noon in New York
    dialog = ticket_at(qtbot, floor, sunday)
    assert (dialog.text("trade_date"), dialog.text("trade_time")) == ("2026-11-27", "16:00:00")
    fill(qtbot, dialog, account="NYC-2001")
    assert dialog.note("trade_date") == (
        "Today, Sunday 2026-11-29, is not a trading day. "
        "Dated Fri 2026-11-27, the last trading day, at the close."
    )
    fill(qtbot, dialog, trade_date="2026-11-26")  # typed by hand: no more to say
    assert dialog.note("trade_date") != dialog.note("account")
    assert "trading day" not in dialog.note("trade_date")


def test_a_holiday_ticket_names_the_holiday(qtbot: QtBot, floor: Desk) -> None:
    thanksgiving = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    dialog = ticket_at(qtbot, floor, thanksgiving)
    fill(qtbot, dialog, account="NYC-2001")
    assert dialog.text("trade_date") == "2026-11-25"
    assert dialog.note("trade_date").startswith("Today, Thursday 2026-11-26, is Thanksgiving")


def test_a_trading_day_ticket_is_today_and_now_without_a_word(qtbot: QtBot, floor: Desk) -> None:
    dialog = ticket_at(qtbot, floor, NOW)
    fill(qtbot, dialog, account="NYC-2001")
    assert (dialog.text("trade_date"), dialog.text("trade_time")) == ("2026-11-24", "10:30:00")
    assert dialog.note("trade_date") == ""


def test_an_empty_ticket_says_what_is_required_only_when_asked(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_ticket(qtbot, floor)
    assert dialog.note("account") == ""  # nothing shouts before the clerk has typed
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClick(dialog.editor("account"), Qt.Key.Key_Return)
    assert dialog.isVisible()
    for name in ("account", "instrument", "quantity", "price", "counterparty"):
        assert dialog.note(name) == "Is required", name
    assert dialog.note("commission") == ""  # empty means none


def test_overriding_the_settlement_date_needs_a_reason(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_ticket(qtbot, floor)
    fill(qtbot, dialog, account="NYC-2001", instrument="AAPL", quantity="100", price="210.25",
         counterparty="GSCO")  # fmt: skip
    settle = dialog.editor("settle_date")
    assert settle.isReadOnly() and settle.text() == "2026-11-25"
    assert not dialog.editor("settle_date_reason").isVisible()
    dialog.override.setFocus()
    qtbot.keyClick(dialog.override, Qt.Key.Key_Space)
    assert dialog.override.isChecked() and not settle.isReadOnly()
    assert dialog.cycle.text() == "calendar: 2026-11-25 (T+1)"
    assert focused() is settle
    qtbot.keyClicks(settle, "2026-11-27")  # the text was selected: typing replaces it
    assert settle.text() == "2026-11-27"
    assert dialog.note("settle_date_reason").startswith("Is required when you override")
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClick(settle, Qt.Key.Key_Tab)
    type_here(qtbot, "settle_date_reason", "Client asked for T+3", then=Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert not dialog.isVisible()
    (trade,) = trades(floor)
    assert (trade.terms.settle_date, trade.terms.settle_date_reason) == (
        date(2026, 11, 27), "Client asked for T+3"
    )  # fmt: skip


def test_a_price_of_0_asks_why_and_books_with_the_reason(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_ticket(qtbot, floor)
    fill(qtbot, dialog, account="NYC-2001", instrument="AAPL", quantity="100", price="210.25",
         counterparty="GSCO")  # fmt: skip
    assert dialog.ok_button.isEnabled()
    reason = dialog.editor("price_reason")
    assert not reason.isVisible()  # a priced trade has nothing to explain
    fill(qtbot, dialog, price="-0")
    assert dialog.note("price") == "Is 0: an equity trades at 0 only with a price reason saying why"
    assert reason.isVisible() and not dialog.ok_button.isEnabled()
    for row in dialog.rows.values():  # the wrapped note and the new row squeeze nothing
        if row.note.isVisible():
            assert row.note.height() >= row.note.heightForWidth(row.note.width()), row.name
    dialog.editor("price").setFocus()
    type_here(qtbot, "price")  # the reason comes next
    type_here(qtbot, "price_reason", "Gift to the client's family trust", then=Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert not dialog.isVisible()
    (trade,) = trades(floor)
    assert (trade.terms.price, trade.terms.price_reason) == (
        Decimal(0), "Gift to the client's family trust"
    )  # fmt: skip
    assert trade.gross_amount == Decimal("0.00")


def test_a_settlement_date_before_the_trade_date_is_refused(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_ticket(qtbot, floor)
    fill(qtbot, dialog, account="NYC-2001", instrument="AAPL", quantity="100", price="210.25",
         counterparty="GSCO")  # fmt: skip
    dialog.override.setChecked(True)
    fill(qtbot, dialog, settle_date="2026-11-20", settle_date_reason="typo test")
    assert dialog.note("settle_date") == "Is before the trade date 2026-11-24"
    assert not dialog.ok_button.isEnabled()


def test_an_unknown_isin_is_added_from_the_ticket(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_ticket(qtbot, floor)
    assert not dialog.add_instrument_button.isVisible()
    fill(qtbot, dialog, instrument="459200101")  # IBM's CUSIP, valid, not on the database
    assert dialog.note("instrument").startswith("Is not on this database yet")
    assert dialog.add_instrument_button.isVisible()
    qtbot.mouseClick(dialog.add_instrument_button, Qt.MouseButton.LeftButton)
    adder = dialog.add_instrument_dialog
    assert isinstance(adder, AddInstrumentDialog) and adder.isVisible()
    assert adder.currency.text() == "USD" and adder.market.currentText() == "US"
    qtbot.keyClicks(adder.symbol, "IBM")
    qtbot.keyClick(adder.symbol, Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert adder.isVisible()  # the description is required
    assert adder.error.text() == "Description: is required"
    qtbot.keyClicks(adder.description, "International Business Machines")
    qtbot.keyClick(adder.description, Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert not adder.isVisible()
    assert dialog.note("instrument").startswith("International Business Machines · Equity")
    assert not dialog.add_instrument_button.isVisible()
    assert floor.ws["carl"].trade_lookup.instrument("IBM") is not None


def test_book_and_new_keeps_the_account_and_counterparty(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_ticket(qtbot, floor)
    booked: list[int] = []
    dialog.trade_booked.connect(booked.append)
    fill(qtbot, dialog, account="NYC-2001", instrument="AAPL", quantity="100", price="210.25",
         counterparty="GSCO")  # fmt: skip
    assert dialog.book_and_new is not None
    qtbot.mouseClick(dialog.book_and_new, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert dialog.isVisible() and len(booked) == 1
    assert dialog.status.text() == f"Trade {booked[0]} booked. Next trade:"
    assert (dialog.text("account"), dialog.text("counterparty")) == ("NYC-2001", "GSCO")
    assert (dialog.text("instrument"), dialog.text("quantity")) == ("", "")
    assert dialog.note("instrument") == ""  # not shouted at before it is typed
    assert focused() is dialog.editor("instrument")
    fill(qtbot, dialog, instrument="AAPL", quantity="5", price="200")
    qtbot.keyClick(dialog.editor("price"), Qt.Key.Key_Return)
    wait_ops(qtbot)
    assert len(booked) == 2 and not dialog.isVisible()
    assert [t.terms.quantity for t in trades(floor)] == [Decimal(100), Decimal(5)]


def test_escape_books_nothing(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_ticket(qtbot, floor)
    fill(qtbot, dialog, account="NYC-2001", instrument="AAPL", quantity="100", price="210.25",
         counterparty="GSCO")  # fmt: skip
    qtbot.keyClick(dialog.editor("price"), Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert trades(floor) == []


def test_whoever_may_not_book_is_told_so(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_ticket(qtbot, floor, user="cora")
    fill(qtbot, dialog, account="NYC-2001", instrument="AAPL", quantity="100", price="210.25",
         counterparty="GSCO")  # fmt: skip
    qtbot.keyClick(dialog.editor("price"), Qt.Key.Key_Return)
    wait_ops(qtbot)  # refused on the worker: the reason shows in the ticket, which stays
    assert dialog.isVisible()
    assert "clerk or supervisor" in dialog.general_error.text()
    assert trades(floor) == []


def test_a_double_press_books_once(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_ticket(qtbot, floor)
    booked: list[int] = []
    dialog.trade_booked.connect(booked.append)
    fill(qtbot, dialog, account="NYC-2001", instrument="AAPL", quantity="100", price="210.25",
         counterparty="GSCO")  # fmt: skip
    dialog.accept()
    dialog.accept()  # pressed again before the first booking came back
    wait_ops(qtbot)
    assert len(booked) == 1 and not dialog.isVisible()
    assert len(trades(floor)) == 1
