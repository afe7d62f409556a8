"""Check settlement dates: the list, its filter and sort, and Correct for supervisors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool
from pytestqt.qtbot import QtBot

from desk_app.domain.states import ObligationStatus
from desk_app.ui.dialogs.settle_date_check_dialog import SettleDateCheckDialog
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _obligation
from tests.services.trading.test_settle_date_check import old_dates
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui
__all__ = ["old_dates"]  # the fixture, used by name


def _dialog(qtbot: QtBot, desk: Desk, user: str) -> SettleDateCheckDialog:
    ws = desk.ws[user]
    dialog = SettleDateCheckDialog(ws.settle_dates, ws.user, date(2026, 10, 30))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _shown(dialog: SettleDateCheckDialog, column: int) -> list[str]:
    proxy = dialog.proxy
    return [str(proxy.index(r, column).data()) for r in range(proxy.rowCount())]


def test_a_clerk_sees_the_differences_but_may_not_correct(
    qtbot: QtBot, settling_desk: Desk, old_dates: dict[str, int]
) -> None:
    dialog = _dialog(qtbot, settling_desk, "carl")
    assert not dialog.correct_button.isEnabled()
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert _shown(dialog, 0) == [str(old_dates["pending"]), str(old_dates["instructed"])]
    assert _shown(dialog, 1) == ["Pending", "Instructed"]
    assert _shown(dialog, 3) == ["2026-10-14", "2026-10-14"]  # stored
    assert _shown(dialog, 4) == ["2026-10-13", "2026-10-13"]  # by today's rules
    assert "Columbus Day" in _shown(dialog, 9)[0]
    assert "re-instruct" in str(dialog.proxy.index(1, 1).data(Qt.ItemDataRole.ToolTipRole))
    assert "1 pending can be corrected, 1 kept" in dialog.summary.text()
    assert not dialog.correct_button.isEnabled()
    assert "needs the supervisor or compliance role" in dialog.correct_button.toolTip()
    # Sorting by obligation, descending, then filtering by status.
    dialog.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert _shown(dialog, 0) == [str(old_dates["instructed"]), str(old_dates["pending"])]
    qtbot.keyClicks(dialog.search, "instructed")
    assert _shown(dialog, 0) == [str(old_dates["instructed"])]
    dialog.search.clear()
    assert dialog.proxy.rowCount() == 2


def test_a_supervisor_corrects_the_pending_one(
    qtbot: QtBot, settling_desk: Desk, old_dates: dict[str, int]
) -> None:
    dialog = _dialog(qtbot, settling_desk, "sue")
    dialog.first.setDate(date(2026, 10, 1))
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert dialog.correct_button.isEnabled()
    dialog.search.setText("instructed")  # Correct takes what the filter shows
    assert not dialog.correct()
    assert dialog.error.text() == "Nothing the filter shows can be corrected"
    dialog.search.clear()
    qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    wait_ops(qtbot)  # the list is read again
    assert dialog.error.text().startswith("Corrected 1 obligation(s)"), dialog.error.text()
    assert _obligation(settling_desk, old_dates["pending"]).status is ObligationStatus.CANCELLED
    assert _shown(dialog, 0) == [str(old_dates["instructed"])]
    assert not dialog.correct_button.isEnabled()  # what is left is kept


def test_the_reference_menu_opens_it(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path, old_dates: dict[str, int]
) -> None:
    window = MainWindow(
        DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)), "sue"
    )
    qtbot.addWidget(window)
    window.set_workspace(settling_desk.ws["sue"])
    try:
        action = next(a for a in window.actions() if a.text() == "&Check settlement dates…")
        action.trigger()
        dialog = window.findChild(SettleDateCheckDialog)
        assert dialog is not None and dialog.isVisible()
        assert dialog.correct_button.toolTip().startswith("Correct the pending obligations")
        dialog.first.setDate(date(2026, 10, 1))
        dialog.last.setDate(date(2026, 10, 31))
        dialog.check()
        wait_ops(qtbot)
        assert dialog.proxy.rowCount() == 2
        dialog.close()
    finally:
        window.clear_workspace()
        wait_ops(qtbot)
        qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)
