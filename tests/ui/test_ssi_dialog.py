"""The standing instructions dialog files requests; a refusal names the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desk_app.ui.dialogs.ssi_dialog import SSIDialog
from tests.services.conftest import Desk
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui


def _dialog(qtbot: QtBot, desk: Desk, user: str = "carl") -> SSIDialog:
    ws = desk.ws[user]
    dialog = SSIDialog(ws.ssis, ws.user)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_new_and_changed_instructions_are_sent_for_approval(
    qtbot: QtBot, settling_desk: Desk
) -> None:
    settling_desk.counterparty("MSCO")
    dialog = _dialog(qtbot, settling_desk)
    assert dialog.model.column_texts(1) == ["GSCO"]
    dialog.table.selectRow(0)  # the form starts from the selected instruction
    assert dialog.edits["agent_bic"].text() == "IRVTUS3N"
    dialog.edits["counterparty"].setText("MSCO")
    dialog.edits["agent_bic"].setText("CHASUS3")
    qtbot.keyClicks(dialog.edits["reason"], "MSCO's instruction")
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)  # the refusal comes back from the worker, into the dialog
    assert dialog.error.text() == "agent_bic: must be 8 or 11 characters (has 7) ('CHASUS3')"
    dialog.edits["agent_bic"].setText("CHASUS33")
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    new = dialog.sent
    assert new is not None and dialog.error.text() == f"Request {new} sent for approval"
    settling_desk.ws["sue"].approvals.approve(new)
    dialog.reload()
    assert dialog.model.column_texts(1) == ["GSCO", "MSCO"]
    dialog.table.selectRow(0)
    dialog.edits["effective_to"].setText("2026-12-31")
    dialog.edits["reason"].setText("GSCO changes agent next year")
    qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    detail = settling_desk.ws["sue"].approvals.detail(dialog.sent or 0)
    assert detail.summary.endswith(": effective to")


def test_who_may_not_ask_sees_why(qtbot: QtBot, settling_desk: Desk) -> None:
    dialog = _dialog(qtbot, settling_desk, "cora")
    assert not dialog.new_button.isEnabled()
    assert "needs the clerk or supervisor role" in dialog.new_button.toolTip()


def test_a_second_press_while_the_request_is_on_its_way_sends_nothing(
    qtbot: QtBot, settling_desk: Desk
) -> None:
    from desk_app.ui import ops

    settling_desk.counterparty("MSCO")
    dialog = _dialog(qtbot, settling_desk)
    dialog.table.selectRow(0)
    dialog.edits["counterparty"].setText("MSCO")
    qtbot.keyClicks(dialog.edits["reason"], "MSCO's instruction")
    approvals = settling_desk.ws["sue"].approvals
    before = approvals.pending_count()
    assert dialog.request_new()
    assert not dialog.request_new()  # pressed again before the first answered
    assert ops.running() == 1
    wait_ops(qtbot)
    assert dialog.error.text() == f"Request {dialog.sent} sent for approval"
    assert approvals.pending_count() == before + 1


def test_a_file_of_instructions_is_imported_as_requests_or_its_problems_listed(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    settling_desk.counterparty("MSCO")
    dialog = _dialog(qtbot, settling_desk)
    path = tmp_path / "ssis.csv"
    header = (
        "counterparty,market,asset_class,place_of_settlement,agent_bic,"
        "safekeeping_account,effective_from\n"
    )
    path.write_text(header + "MSCO,US,equity,DTCYUS33,CHASUS3,0005,2031-01-02\n"
                    + "NOPE,US,equity,DTCYUS33,CHASUS33,0005,2031-01-02\n")  # fmt: skip
    approvals = settling_desk.ws["sue"].approvals
    before = approvals.pending_count()
    qtbot.keyClicks(dialog.edits["reason"], "MSCO onboarding")
    assert dialog.import_file(path)
    wait_ops(qtbot)
    assert dialog.error.text() == "2 problems in the file; nothing was filed"
    assert dialog.problems.isVisible()
    first, second = dialog.problems.toPlainText().splitlines()
    assert first.startswith("ssis.csv:2: agent_bic: must be 8 or 11")
    assert second.startswith("ssis.csv:3: counterparty:") and "NOPE" in second
    assert approvals.pending_count() == before
    path.write_text(header + "MSCO,US,equity,DTCYUS33,CHASUS33,0005,2031-01-02\n"
                    + "MSCO,US,treasury,FRNYUS33,CHASUS33,0005,2031-01-02\n")  # fmt: skip
    assert dialog.import_file(path)
    wait_ops(qtbot)
    assert not dialog.problems.isVisible()
    assert dialog.error.text().startswith("2 request(s) sent for approval: ")
    assert approvals.pending_count() == before + 2


def test_who_may_not_ask_may_not_import(qtbot: QtBot, settling_desk: Desk) -> None:
    dialog = _dialog(qtbot, settling_desk, "cora")
    assert not dialog.import_button.isEnabled()
