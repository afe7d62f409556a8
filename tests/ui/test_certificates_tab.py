"""The Certificates tab: add, import, prepare, back to the vault, losses, the pane."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from desk_app.ui import theme
from desk_app.ui.dialogs.certificate_dialog import CertificateDialog, ProblemsDialog
from desk_app.ui.dialogs.loss_dialogs import ReportLostDialog
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.certificates_tab import CertificatesTab
from desk_app.ui.theme import Tone
from tests.services.conftest import Desk
from tests.services.custody.certificate_helpers import register
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui


def _tab(qtbot: QtBot, tmp_path: Path, desk: Desk, user: str = "carl") -> CertificatesTab:
    store = QSettings(str(tmp_path / f"{user}.ini"), QSettings.Format.IniFormat)
    tab = CertificatesTab(DeskSettings(store))
    qtbot.addWidget(tab)
    tab.resize(1300, 700)
    tab.show()
    tab.set_workspace(desk.ws[user])
    return tab


def _row_of(tab: CertificatesTab, number: str) -> int:
    for n in range(tab.model.rowCount()):
        row = tab.model.loaded_row(n)
        if row is not None and tab.model.value_in(row, "certificate_number") == number:
            return n
    raise AssertionError(f"{number} is not listed")


def _status(tab: CertificatesTab, number: str) -> str:
    row = tab.model.loaded_row(_row_of(tab, number))
    assert row is not None
    return str(tab.model.value_in(row, "status"))


def test_add_by_hand_names_the_bad_field_then_registers(
    qtbot: QtBot, tmp_path: Path, settling_desk: Desk
) -> None:
    tab = _tab(qtbot, tmp_path, settling_desk)
    tab.certificate_actions["add"].trigger()
    dialog = tab.dialog
    assert isinstance(dialog, CertificateDialog)
    for name, text in (("certificate_number", "NY 7001"), ("cusip", "459200102"),
                       ("issuer", "IBM"), ("security_class", "Common"),
                       ("registered_holder", "John A Smith"), ("shares", "100"),
                       ("location", "Vault A, drawer 3"), ("received_from", "Client")):  # fmt: skip
        qtbot.keyClicks(dialog.edits[name], text)
    dialog.issue_date.setDate(dialog.issue_date.date().addYears(-20))
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    wait_ops(qtbot)  # the service refuses on a worker; the dialog stays open, on the field
    assert dialog.isVisible() and dialog.error.text().startswith("cusip: check digit is wrong")
    dialog.edits["cusip"].setText("459200101")
    ok.click()
    wait_ops(qtbot)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert "registered in the vault" in tab.notice.text()
    tab.view.selectRow(0)
    assert "NY 7001" in tab.pane.summary.text()
    assert tab.pane.custody.rowCount() == 1  # the receipt


def test_a_refused_file_lists_every_problem_and_registers_nothing(
    qtbot: QtBot, tmp_path: Path, settling_desk: Desk
) -> None:
    tab = _tab(qtbot, tmp_path, settling_desk)
    path = tmp_path / "vault.csv"
    path.write_text(
        "certificate_number,cusip,issuer,security_class,registered_holder,shares,issue_date,"
        "location\nA1,459200101,IBM,Common,J,10,1999-01-04,Vault A\n"
        "A2,459200109,IBM,Common,J,1.5,1999-01-04,Vault A\n",
        encoding="utf-8",
    )
    tab.import_file(str(path))
    wait_ops(qtbot)
    problems = tab.dialog
    assert isinstance(problems, ProblemsDialog)
    assert problems.text.toPlainText().splitlines() == [
        "vault.csv:3: cusip: check digit is wrong ('459200109')",
        "vault.csv:3: shares: must be whole shares ('1.5')",
    ]
    assert "nothing was registered" in tab.notice.text()
    problems.reject()
    path.write_text(path.read_text().replace("459200109", "459200101").replace("1.5", "15"))
    tab.import_file(str(path))
    wait_ops(qtbot)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    assert "2 certificates registered" in tab.notice.text()


def test_prepare_back_to_vault_and_a_loss_from_the_tool_bar(
    qtbot: QtBot, tmp_path: Path, settling_desk: Desk
) -> None:
    register(settling_desk, "P1", "P2")
    tab = _tab(qtbot, tmp_path, settling_desk)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    tab.view.selectRow(_row_of(tab, "P1"))
    actions = tab.certificate_actions
    assert not actions["vault"].isEnabled()
    assert actions["vault"].toolTip() == "Not for in vault certificates"
    assert not actions["stop"].isEnabled()
    actions["prepare"].trigger()
    qtbot.waitUntil(lambda: _status(tab, "P1") == "prepared")
    assert tab.notice.text() == "1 prepared for delivery"
    tab.view.selectRow(_row_of(tab, "P1"))
    tab.to_vault("Vault B, drawer 1")
    qtbot.waitUntil(lambda: _status(tab, "P1") == "in_vault")
    tab.view.selectRow(_row_of(tab, "P1"))
    qtbot.waitUntil(lambda: "Vault B, drawer 1" in tab.pane.summary.text())
    assert tab.pane.custody.rowCount() == 3
    actions["lost"].trigger()
    dialog = tab.dialog
    assert isinstance(dialog, ReportLostDialog)
    qtbot.keyClicks(dialog.circumstances, "drawer 1 empty at the morning check")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: _status(tab, "P1") == "lost")
    tab.view.selectRow(_row_of(tab, "P1"))
    assert actions["stop"].isEnabled() and actions["replace"].isEnabled()
    assert not actions["manifest"].isEnabled()
    tab.show_only("lost")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tab.show_only("hands")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)  # P2 only
    # A supervisor may replace; compliance only reads.
    reader = _tab(qtbot, tmp_path, settling_desk, "cora")
    qtbot.waitUntil(lambda: reader.model.rowCount() == 2)
    reader.view.selectRow(0)
    assert "clerk or supervisor" in reader.certificate_actions["prepare"].toolTip()
    assert reader.certificate_actions["box_count"].isEnabled()


def test_a_refused_step_says_why_in_the_notice_and_a_double_press_runs_once(
    qtbot: QtBot, tmp_path: Path, settling_desk: Desk
) -> None:
    from desk_app.ui import ops

    register(settling_desk, "R1", "R2")
    tab = _tab(qtbot, tmp_path, settling_desk)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    tab.view.selectRow(_row_of(tab, "R1"))
    action = tab.certificate_actions["prepare"]
    action.trigger()
    action.trigger()  # pressed again before the first answered: nothing more is sent
    assert ops.running() == 1
    wait_ops(qtbot)
    assert tab.notice.text() == "1 prepared for delivery"
    qtbot.waitUntil(lambda: _status(tab, "R1") == "prepared")
    # Someone else moves R2 on after this tab read it: the service refuses, the notice says.
    tab.view.selectRow(_row_of(tab, "R2"))
    settling_desk.ws["sue"].certificate_moves.prepare([tab.reference(tab.current_row() or ())])
    action.trigger()
    wait_ops(qtbot)
    assert tab.notice.text() == (
        "certificate: R2 is prepared for delivery: only a certificate in the vault is prepared"
    )
    assert tab.notice.palette().color(tab.notice.foregroundRole()) == theme.foreground(
        Tone.NEGATIVE
    )
