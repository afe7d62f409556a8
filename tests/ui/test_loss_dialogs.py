"""A lost certificate through its dialogs: report, loss report, stop, replacement (both engines)."""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from desk_app.domain.certificates import LossKind
from desk_app.domain.cutoffs import market_today
from desk_app.domain.states import CertificateStatus
from desk_app.ui.dialogs.loss_dialogs import (
    LossReportDialog,
    MoveDialog,
    ReplacementDialog,
    ReportLostDialog,
    StopTransferDialog,
)
from desk_app.ui.market_dates import market_qdate
from tests.services.conftest import Desk
from tests.services.custody.certificate_helpers import IBM, register
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui
CS = CertificateStatus
REF, TITLE = f"{IBM}:L1", f"L1 ({IBM})"
DISCOVERED = market_today() - timedelta(days=2)
D = TypeVar("D", bound=QDialog)


def _show(qtbot: QtBot, dialog: D) -> D:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _type(qtbot: QtBot, dialog: QDialog, **fields: str) -> None:
    """Type into the dialog's inputs, found by object name as a user would tab to them."""
    for name, text in fields.items():
        edit = dialog.findChild(QLineEdit, name) or dialog.findChild(QPlainTextEdit, name)
        assert isinstance(edit, QLineEdit | QPlainTextEdit), name
        edit.clear()
        qtbot.keyClicks(edit, text)


def _ok(qtbot: QtBot, dialog: MoveDialog, *, accepted: bool = True) -> None:
    if accepted:
        with qtbot.waitSignal(dialog.accepted):
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    else:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        wait_ops(qtbot)  # a refusal comes back from the worker, into the dialog
        assert dialog.isVisible() and dialog.error.isVisible()


def _report_lost(qtbot: QtBot, desk: Desk, **more: str) -> ReportLostDialog:
    dialog = _show(qtbot, ReportLostDialog(desk.ws["carl"].certificate_moves, REF, TITLE))
    dialog.kind.setCurrentIndex(dialog.kind.findData(LossKind.STOLEN))
    dialog.discovered_on.setDate(QDate(DISCOVERED.year, DISCOVERED.month, DISCOVERED.day))
    _type(qtbot, dialog, circumstances="Vault drawer found forced", **more)
    _ok(qtbot, dialog)
    return dialog


def _loss_report(qtbot: QtBot, desk: Desk) -> LossReportDialog:
    report = desk.ws["carl"].certificate_moves.loss_report(REF)
    return _show(qtbot, LossReportDialog(report, TITLE))


def test_a_reported_loss_shows_on_the_loss_report_without_a_stop(qtbot: QtBot, desk: Desk) -> None:
    (cert_id,) = register(desk, "L1")
    dialog = _report_lost(qtbot, desk)
    assert dialog.windowTitle() == f"Report L1 ({IBM}) lost"
    assert desk.admin.certificates.detail(cert_id).status is CS.LOST

    report = _loss_report(qtbot, desk)
    assert report.windowTitle() == f"Loss report for L1 ({IBM})"
    assert report.warning.isVisible()
    shown = {name: label.text() for name, label in report.values.items()}
    assert shown["Stop transfer"] == "NOT YET PLACED"
    assert shown["Type of loss"] == "Stolen"
    assert shown["Discovered on"] == DISCOVERED.isoformat()
    assert shown["Circumstances"] == "Vault drawer found forced"
    assert (shown["CUSIP"], shown["Certificate number"], shown["Shares"]) == (IBM, "L1", "100")
    qtbot.mouseClick(report.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QApplication.clipboard().text()
    assert "NOT YET PLACED" in clipboard and "Vault drawer found forced" in clipboard
    with qtbot.waitSignal(report.rejected):
        qtbot.mouseClick(report.close_button, Qt.MouseButton.LeftButton)


def test_a_report_refuses_missing_circumstances_and_a_stop_reference_without_an_agent(
    qtbot: QtBot, desk: Desk
) -> None:
    (cert_id,) = register(desk, "L1")
    dialog = _show(qtbot, ReportLostDialog(desk.ws["carl"].certificate_moves, REF, TITLE))
    assert dialog.kind.currentData() == LossKind.LOST
    assert dialog.discovered_on.date() == market_qdate()
    _ok(qtbot, dialog, accepted=False)
    assert dialog.error.text() == "circumstances: is required"
    _type(qtbot, dialog, circumstances="not in drawer 3", stop_reference="ST-9")
    _ok(qtbot, dialog, accepted=False)
    assert dialog.error.text().startswith("stop_agent: name the transfer agent")
    assert desk.admin.certificates.detail(cert_id).status is CS.IN_VAULT
    _type(qtbot, dialog, stop_agent="Computershare")
    _ok(qtbot, dialog)
    assert not dialog.error.isVisible()
    report = _loss_report(qtbot, desk)
    assert not report.warning.isVisible()
    assert report.values["Stop transfer"].text() == (
        f"{market_today().isoformat()} with Computershare (ref. ST-9)"
    )


def test_a_replacement_waits_for_a_stop_then_a_principal_cancels_the_lost_one(
    qtbot: QtBot, desk: Desk
) -> None:
    (cert_id,) = register(desk, "L1")
    moves = desk.ws["carl"].certificate_moves
    _report_lost(qtbot, desk)
    ask = _show(qtbot, ReplacementDialog(moves, REF, TITLE))
    assert ask.windowTitle() == f"Replace lost certificate L1 ({IBM})"
    assert "principal other than you" in ask.note.text()
    _type(qtbot, ask, new_number="L1R", indemnity_bond="BOND-77", surety="Travelers",
          location="Vault A", reason="holder wants a replacement")  # fmt: skip
    _ok(qtbot, ask, accepted=False)  # refused: no stop transfer yet
    assert ask.error.text() == (
        "stop transfer: place a stop transfer on L1 with the transfer agent before asking "
        "for a replacement"
    )
    assert ask.request_id is None

    stop = _show(qtbot, StopTransferDialog(moves, REF, TITLE))
    assert stop.windowTitle() == f"Stop transfer on L1 ({IBM})"
    _ok(qtbot, stop, accepted=False)
    assert stop.error.text() == "stop agent: is required"
    stop.placed_on.setDate(QDate(DISCOVERED.year, DISCOVERED.month, DISCOVERED.day))
    _type(qtbot, stop, agent="Computershare", stop_reference="ST-1")
    _ok(qtbot, stop)
    report = _loss_report(qtbot, desk)
    assert not report.warning.isVisible()
    assert report.values["Stop transfer"].text() == (
        f"{DISCOVERED.isoformat()} with Computershare (ref. ST-1)"
    )

    _ok(qtbot, ask)  # the same dialog, sent again now that the stop is placed
    assert isinstance(ask.request_id, int)
    assert desk.admin.certificates.detail(cert_id).status is CS.LOST  # until approved
    desk.ws["sue"].approvals.approve(ask.request_id, "bond on file")
    assert desk.admin.certificates.detail(cert_id).status is CS.CANCELLED
    new = desk.admin.certificates.detail(desk.admin.certificates.find(f"{IBM}:L1R"))
    assert new.status is CS.IN_VAULT and dict(new.fields)["Replaces"] == f"L1 ({IBM})"
    report = _loss_report(qtbot, desk)
    assert report.values["Status"].text() == "Replaced"


def test_the_report_keeps_the_loss_id(qtbot: QtBot, desk: Desk) -> None:
    register(desk, "L1")
    dialog = _report_lost(qtbot, desk)
    assert isinstance(dialog.loss_id, int)


def test_a_stop_on_a_certificate_that_is_not_lost_is_refused(qtbot: QtBot, desk: Desk) -> None:
    register(desk, "L1")
    stop = _show(qtbot, StopTransferDialog(desk.ws["carl"].certificate_moves, REF, TITLE))
    _type(qtbot, stop, agent="Computershare")
    _ok(qtbot, stop, accepted=False)
    assert stop.error.text() == "L1 has never been reported lost"
    with qtbot.waitSignal(stop.rejected):
        qtbot.mouseClick(stop.buttons.button(stop.buttons.StandardButton.Cancel),
                         Qt.MouseButton.LeftButton)  # fmt: skip


def test_ok_pressed_twice_reports_the_loss_once(qtbot: QtBot, desk: Desk) -> None:
    from desk_app.ui import ops

    (cert_id,) = register(desk, "L1")
    dialog = _show(qtbot, ReportLostDialog(desk.ws["carl"].certificate_moves, REF, TITLE))
    _type(qtbot, dialog, circumstances="not in drawer 3")
    dialog.accept()
    assert not dialog.ok_button.isEnabled()  # until the service has answered
    dialog.accept()  # Enter pressed again: nothing more is sent
    assert ops.running() == 1
    with qtbot.waitSignal(dialog.accepted):
        wait_ops(qtbot)
    assert dialog.loss_id is not None and dialog.ok_button.isEnabled()
    assert desk.admin.certificates.detail(cert_id).status is CS.LOST
