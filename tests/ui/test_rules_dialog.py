"""The Settlement rules window: searchable lists, requests, every problem shown, imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desk_app.domain.rule_changes import RuleKind
from desk_app.ui.dialogs.rules_dialog import RulesDialog
from desk_app.ui.dialogs.settle_date_check_dialog import SettleDateCheckDialog
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings
from tests.services.conftest import Desk
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui


def _dialog(qtbot: QtBot, desk: Desk, user: str = "carl") -> RulesDialog:
    ws = desk.ws[user]
    dialog = RulesDialog(ws.rules, ws.user)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_an_override_is_requested_with_every_problem_shown_first(qtbot: QtBot, desk: Desk) -> None:
    dialog = _dialog(qtbot, desk)
    page = dialog.show_page(RuleKind.OVERRIDE)
    assert page.check_button.isVisible() and page.remove_button.isVisible()
    page.inputs["day"].setText("2031-02-30")  # type: ignore[union-attr]
    qtbot.mouseClick(page.request_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert page.message.text() == "3 problems; nothing was filed"
    assert page.problems.toPlainText().splitlines() == [
        "day: is not a real date ('2031-02-30')",
        "reason: is required",
        "request reason: say why the change is needed",
    ]
    page.inputs["day"].setText("2031-01-08")  # type: ignore[union-attr]
    page.inputs["reason"].setText("national day of mourning")  # type: ignore[union-attr]
    qtbot.keyClicks(page.reason, "NYSE notice")
    qtbot.mouseClick(page.request_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert page.sent is not None
    assert page.message.text() == (
        f"Request {page.sent} sent for approval. Once approved, check settlement dates."
    )
    desk.ws["sue"].approvals.approve(page.sent)
    page.reload()
    assert page.model.column_texts(2) == ["2031-01-08"]
    with qtbot.waitSignal(dialog.check_dates_requested):
        qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)


def test_the_lists_search_and_a_selection_fills_the_form(qtbot: QtBot, desk: Desk) -> None:
    dialog = _dialog(qtbot, desk)
    page = dialog.show_page(RuleKind.FAIL_RULE)
    qtbot.keyClicks(page.search, "regsho short")
    assert page.model.column_texts(0) == ["REGSHO-SHORT"]
    page.table.selectRow(0)
    assert page.inputs["code"].text() == "REGSHO-SHORT"  # type: ignore[union-attr]
    cycles = dialog.show_page(RuleKind.CYCLE)
    qtbot.keyClicks(cycles.search, "treasury us-govt")
    assert set(cycles.model.column_texts(1)) == {"Treasury"}


def test_a_clerk_files_a_file_and_its_problems_are_listed(
    qtbot: QtBot, desk: Desk, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, desk)
    page = dialog.show_page(RuleKind.AGING_LIMIT)
    path = tmp_path / "limits.csv"
    path.write_text("code,days\nmanifest_unreceipted,0\nnope,2\n")
    page.reason.setText("year end")
    page.import_file(path)
    wait_ops(qtbot)
    assert page.message.text() == "2 problem(s) in the file; nothing was filed"
    assert page.problems.toPlainText().splitlines() == [
        "limits.csv:2: days: must be between 1 and 365 ('0')",
        "limits.csv:3: code: is not a known aging limit (known: acats_correction, "
        "acats_review, acats_settlement, manifest_unreceipted) ('nope')",
    ]
    path.write_text("code,days\nmanifest_unreceipted,4\n")
    page.import_file(path)
    wait_ops(qtbot)
    assert page.sent is not None and page.message.text().startswith(f"Request {page.sent} (1 ")


def test_an_admin_without_the_right_sees_why(qtbot: QtBot, desk: Desk) -> None:
    dialog = _dialog(qtbot, desk, "adam")
    page = dialog.show_page(RuleKind.CYCLE)
    assert not page.request_button.isEnabled() and page.request_button.toolTip()


def test_the_reference_menu_opens_the_rules_and_they_lead_to_the_date_check(
    qtbot: QtBot, desk: Desk, tmp_path: Path
) -> None:
    ws = desk.ws["carl"]
    store = QSettings(str(tmp_path / "carl.ini"), QSettings.Format.IniFormat)
    window = MainWindow(DeskSettings(store), ws.actor)
    qtbot.addWidget(window)
    window.show()
    window.set_workspace(ws)
    [menu] = [a.menu() for a in window.menuBar().actions() if a.text() == "&Reference"]
    [entry] = [a for a in menu.actions() if a.text() == "Settlement &rules…"]
    entry.trigger()
    dialog = window.rules_dialog
    assert dialog is not None and dialog.isVisible()
    page = dialog.show_page(RuleKind.CYCLE)
    assert page.model.rowCount() > 10
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    check = window.findChild(SettleDateCheckDialog)
    assert check is not None and check.isVisible()
    wait_ops(qtbot)
