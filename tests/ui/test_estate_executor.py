"""Add executor… on the Estates tab, on both engines: the real dialog files the retitle,
the action is off while it waits, and the case and its letter read fresh after approval."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import PartyRole as R
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.estates_tab import EstatesTab
from tests.pdf_tools import pdf_text
from tests.services.conftest import Desk
from tests.services.estates.test_estate_parties import HELD, with_parties
from tests.services.estates.test_estates import estates
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui
__all__ = ["estates"]
LEFT = Qt.MouseButton.LeftButton


def test_add_executor_files_the_retitle_and_the_case_reads_fresh(  # noqa: PLR0915
    qtbot: QtBot, tmp_path: Path, estates: Desk
) -> None:
    carl, sue = estates.ws["carl"], estates.ws["sue"]
    number = estates.account(name="Jane Doe")
    with_parties(estates, number, (R.OWNER, "Jane Doe", HELD))
    case_id = carl.estates.open_case(number, date(2026, 3, 6), "call from the son")
    store = QSettings(str(tmp_path / "estates.ini"), QSettings.Format.IniFormat)
    tab = EstatesTab(DeskSettings(store))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    tab.show()
    tab.set_workspace(carl)
    qtbot.waitUntil(lambda: tab.case is not None and tab.case.id == case_id)
    assert "; waiting for the executor." in tab.heading.text()
    action = tab.estate_actions["executor"]
    assert action.isEnabled(), action.toolTip()
    assert not action.icon().isNull()

    action.trigger()
    dialog = tab.executor_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert not dialog.ok.isEnabled() and dialog.ok.toolTip() == "Name the executor first"
    qtbot.keyClicks(dialog.name, "Carl Doe")
    qtbot.keyClicks(dialog.address, "4 Elm St")
    qtbot.keyClick(dialog.address, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.address, "Albany NY 12207")
    qtbot.keyClicks(dialog.ein, "00-0000000")  # checked as typed (python-stdnum)
    assert dialog.ein_error.isVisible() and "not a valid EIN" in dialog.ein_error.text()
    assert not dialog.ok.isEnabled()
    dialog.ein.clear()
    qtbot.keyClicks(dialog.ein, "12-3456789")
    assert not dialog.ein_error.isVisible() and dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.date_of_birth, "1970-02-30")  # the service names it; stays open
    qtbot.mouseClick(dialog.ok, LEFT)
    qtbot.waitUntil(dialog.error.isVisible)
    assert "executor.date_of_birth: must be a date" in dialog.error.text()
    dialog.date_of_birth.clear()
    with qtbot.waitSignal(tab.case_shown):  # sent, then the case read again
        with qtbot.waitSignal(dialog.accepted):
            qtbot.mouseClick(dialog.ok, LEFT)
    request_id = dialog.request_id
    assert request_id is not None
    assert tab.notice.text() == (
        f"Request {request_id} sent for approval: retitle to \u201cEstate of Jane Doe\u201d, "
        "executor Carl Doe"
    )
    assert f"executor retitle pending in request {request_id} (Carl Doe)" in tab.heading.text()
    assert not action.isEnabled()
    assert f"waits for approval in request {request_id}" in action.toolTip()
    with qtbot.waitSignal(tab.letter_written):
        assert tab.print_letter(tmp_path / "letter.pdf")
    letter = pdf_text(tmp_path / "letter.pdf")
    assert "Carl Doe, executor of the estate of Jane Doe" in letter and "4 Elm St" in letter

    # Approved elsewhere: the list read again reads the case again (no stale heading).
    sue.approvals.approve(request_id)
    with qtbot.waitSignal(tab.case_shown):
        tab.refresh()
    wait_ops(qtbot)
    assert tab.case is not None
    assert f"{number} Estate of Jane Doe (individual)" in tab.heading.text()
    assert "retitled to the estate; executor Carl Doe" in tab.heading.text()
    labels = [tab.checklist.item(r, 0).text() for r in range(tab.checklist.rowCount())]
    assert "The estate's own EIN and W-9, signed by its executor Carl Doe" in labels
    assert action.isEnabled()  # a co-executor may follow
