"""A trade's history: its versions, the cells each changed, the one that stands now."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import InstrumentType, Side
from desk_app.domain.trade_ticket import TradeTerms
from desk_app.services.trading.trades import TradeService
from desk_app.ui import theme
from desk_app.ui.dialogs.trade_history_dialog import COLUMN_TITLES, TradeHistoryDialog
from desk_app.ui.theme import Tone
from tests.services.conftest import Desk

pytestmark = pytest.mark.gui


@pytest.fixture
def floor(db_url: str) -> Iterator[Desk]:
    desk = Desk(db_url)
    desk.account("NYC-2001", name="Ada Lovelace")
    desk.instrument("US0378331005", symbol="AAPL", description="Apple Inc. common stock")
    desk.counterparty("GSCO", ssi_for=InstrumentType.EQUITY)
    desk.counterparty("MSCO", ssi_for=InstrumentType.EQUITY)
    yield desk
    desk.close()


def service(desk: Desk, user: str = "carl") -> TradeService:
    ws = desk.ws[user]
    return TradeService(ws.uow, ws.approvals, ws.calendar, today=lambda: date(2026, 11, 24))


def amended_then_cancelled(desk: Desk) -> int:
    trades = service(desk)
    terms = TradeTerms(
        account="NYC-2001", side=Side.BUY, isin="US0378331005", quantity=Decimal(100),
        price=Decimal("210.25"), currency="USD", trade_date=date(2026, 11, 24),
        trade_time=datetime(2026, 11, 24, 15, 30, tzinfo=UTC), counterparty="GSCO",
    )  # fmt: skip
    first = trades.book(terms)
    second = trades.amend(first, terms.with_changes(price=Decimal("210.5"), counterparty="MSCO"),
                          "Wrong price and broker").trade_id  # fmt: skip
    assert second is not None
    service(desk, "sue").cancel(second, "Client never placed it")
    return first


def column(name: str) -> int:
    return COLUMN_TITLES.index(name)


def test_every_version_with_its_changes_tinted_and_the_standing_one_marked(
    qtbot: QtBot, qtmodeltester: ModelTester, floor: Desk
) -> None:
    trades = service(floor)
    first = amended_then_cancelled(floor)
    dialog = TradeHistoryDialog(trades.versions(first))
    qtbot.addWidget(dialog)
    dialog.show()
    qtmodeltester.check(dialog.versions)
    qtmodeltester.check(dialog.diff)
    model = dialog.versions
    assert dialog.windowTitle() == f"History of trade {first}"
    assert model.column_texts(column("Version")) == ["1", "2", "3 (current)"]
    assert model.column_texts(column("Status")) == ["Superseded", "Superseded", "Cancelled"]
    assert model.column_texts(column("Created by")) == ["carl", "carl", "sue"]
    assert model.column_texts(column("Reason")) == [
        "", "Wrong price and broker", "Client never placed it"
    ]  # fmt: skip
    assert model.column_texts(column("Price")) == ["210.25", "210.50", "210.50"]
    assert model.column_texts(column("Counterparty")) == ["GSCO", "MSCO", "MSCO"]
    assert model.column_texts(column("Trade time")) == ["10:30:00 EST"] * 3

    tinted = Qt.ItemDataRole.BackgroundRole
    changed = theme.tint(Tone.POSITIVE)
    for name in ("Price", "Counterparty", "Gross", "Net"):
        assert model.index(1, column(name)).data(tinted) == changed, name
        assert model.index(0, column(name)).data(tinted) is None
        assert model.index(2, column(name)).data(tinted) is None  # the cancel changes no term
    assert model.index(1, column("Quantity")).data(tinted) is None
    assert model.index(1, column("Price")).data(Qt.ItemDataRole.ToolTipRole) == (
        "Was 210.25 in version 1"
    )
    assert model.index(2, column("Account")).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, column("Account")).data(Qt.ItemDataRole.FontRole) is None
    alignment = model.index(0, column("Net")).data(Qt.ItemDataRole.TextAlignmentRole)
    assert alignment & Qt.AlignmentFlag.AlignRight

    assert dialog.current_version() == 2  # the version that stands now first
    assert dialog.diff_note.text() == "This version cancels the trade: it settles nothing."
    dialog.select_version(1)
    assert dialog.diff_title.text().startswith("Version 2 (Manual, by carl on ")
    assert dialog.diff_title.text().endswith(": Wrong price and broker")
    assert dialog.diff.column_texts(0) == ["Price", "Counterparty", "Gross", "Net"]
    assert dialog.diff.column_texts(1) == ["210.25", "GSCO", "21,025.00", "21,025.00"]
    assert dialog.diff.column_texts(2) == ["210.50", "MSCO", "21,050.00", "21,050.00"]
    dialog.select_version(0)
    assert dialog.diff_note.text() == "The trade as first booked."
    assert not dialog.diff_view.isVisible()


def test_opened_on_a_version_it_shows_that_one(qtbot: QtBot, floor: Desk) -> None:
    trades = service(floor)
    first = amended_then_cancelled(floor)
    versions = trades.versions(first)
    dialog = TradeHistoryDialog(versions, selected_id=versions[1].id)
    qtbot.addWidget(dialog)
    assert dialog.current_version() == 1
    one = TradeHistoryDialog(trades.versions(trades.book(versions[0].terms)))
    qtbot.addWidget(one)
    assert one.versions.column_texts(column("Version")) == ["1 (current)"]
    assert one.versions.column_texts(column("Status")) == ["Active"]


def test_a_price_of_0_shows_why_and_the_amendment_that_priced_it(qtbot: QtBot, floor: Desk) -> None:
    trades = service(floor)
    gift = TradeTerms(
        account="NYC-2001", side=Side.BUY, isin="US0378331005", quantity=Decimal(10),
        price=Decimal(0), currency="USD", trade_date=date(2026, 11, 24),
        trade_time=datetime(2026, 11, 24, 15, 30, tzinfo=UTC), counterparty="GSCO",
        price_reason="Gift from the client's grandmother",
    )  # fmt: skip
    first = trades.book(gift)
    priced = trades.amend(
        first, gift.with_changes(price=Decimal("189.25"), price_reason=""), "Sold after all"
    ).trade_id
    assert priced is not None
    dialog = TradeHistoryDialog(trades.versions(first))
    qtbot.addWidget(dialog)
    model = dialog.versions
    assert model.column_texts(column("Price reason")) == [
        "Gift from the client's grandmother", ""
    ]  # fmt: skip
    dialog.select_version(1)
    assert dialog.diff.column_texts(0)[:2] == ["Price", "Price reason"]
    assert dialog.diff.column_texts(2)[:2] == ["189.25", "—"]
