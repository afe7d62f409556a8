"""Transfer… takes the lots the clerk names: the lot table, checked as the clerk types."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from desk_app.ui.dialogs.lot_picker import TAKE, LotPicker
from tests.services.conftest import Desk
from tests.services.transfers.test_journal_lots import NEW, OLD, buy
from tests.ui.test_transfer_dialog import AAPL, _open, _tab, _type

pytestmark = pytest.mark.gui


def take(qtbot: QtBot, picker: LotPicker, row: int, text: str) -> None:
    """Type ``text`` in the Take cell of ``row``, as a clerk does, and leave it."""
    item = picker.item(row, TAKE)
    picker.setCurrentCell(row, TAKE)
    picker.editItem(item)
    [editor] = [e for e in picker.findChildren(QLineEdit) if e.isVisible()]
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    with qtbot.waitSignal(picker.checked):
        qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_the_lot_table_checks_each_take_and_the_total(
    qtbot: QtBot, tmp_path: Path, funded_desk: Desk
) -> None:
    buy(funded_desk, "ACC-200", OLD, 50, "100.00")
    tab = _tab(qtbot, tmp_path, funded_desk)
    dialog = _open(qtbot, tab, "ACC-200")
    dialog.kind.setCurrentIndex(dialog.kind.findData("securities"))
    assert dialog.lots.isVisible() and dialog.lots.rowCount() == 0
    _type(qtbot, dialog, isin=AAPL)
    picker = dialog.lots
    rows = [[picker.item(r, c).text() for c in range(TAKE)] for r in range(picker.rowCount())]
    assert rows == [["2025-06-02", "50", "5,005.50", "Long"],
                    ["2026-11-24", "100", "21,030.50", "Short"]]  # fmt: skip
    _type(qtbot, dialog, target="ACC-300", amount="30", reason="gift")
    take(qtbot, picker, 0, "60")
    take(qtbot, picker, 1, "x")
    first, second, total = picker.problems
    assert first == "2025-06-02: Take 60 is more than the 50 the lot holds"
    assert second.startswith("2026-11-24: Take ")
    assert total == "the lots add up to 60; the journal moves 30"
    assert dialog.lot_problems.isVisible() and not dialog.send_button.isEnabled()
    assert picker.item(0, TAKE).toolTip().endswith("the lot holds")
    take(qtbot, picker, 0, "5")
    take(qtbot, picker, 1, "20")
    assert picker.problems == ["the lots add up to 25; the journal moves 30"]
    _type(qtbot, dialog, amount="25")
    assert picker.problems == [] and dialog.send_button.isEnabled()
    assert not dialog.lot_problems.isVisible()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.sent is not None
    funded_desk.ws["sue"].approvals.approve(dialog.sent.request_id)
    moved = funded_desk.ws["carl"].transfers.lots("ACC-300", AAPL)
    assert [(x.acquired, x.quantity) for x in moved] == [(OLD, Decimal(5)), (NEW, Decimal(20))]
    assert QApplication.activeModalWidget() is None


def test_without_takes_the_oldest_go_first(qtbot: QtBot, tmp_path: Path, funded_desk: Desk) -> None:
    buy(funded_desk, "ACC-200", OLD, 50, "100.00")
    tab = _tab(qtbot, tmp_path, funded_desk)
    dialog = _open(qtbot, tab, "ACC-200")
    dialog.kind.setCurrentIndex(dialog.kind.findData("securities"))
    _type(qtbot, dialog, isin=AAPL, target="ACC-300", amount="60", reason="gift")
    assert dialog.lots.named() == {} and dialog.send_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.sent is not None
    funded_desk.ws["sue"].approvals.approve(dialog.sent.request_id)
    moved = funded_desk.ws["carl"].transfers.lots("ACC-300", AAPL)
    assert [(x.acquired, x.quantity) for x in moved] == [(OLD, Decimal(50)), (NEW, Decimal(10))]
