"""Reissue…: new certificates and a balance certificate for a cancelled one (both engines)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desk_app.domain.listing import iter_rows
from desk_app.domain.states import CertificateStatus
from desk_app.ui import theme
from desk_app.ui.dialogs.reissue_dialog import ReissueDialog
from desk_app.ui.theme import Tone
from tests.services.conftest import Desk
from tests.services.custody.certificate_helpers import IBM, register
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui
CS = CertificateStatus
REF, TITLE = f"{IBM}:T1", f"T1 ({IBM})"


def _dialog(qtbot: QtBot, desk: Desk) -> ReissueDialog:
    moves = desk.ws["carl"].certificate_moves
    dialog = ReissueDialog(moves, REF, TITLE, Decimal(1000), "John A Smith")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()  # focus follows clicks only in the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def _row(qtbot: QtBot, dialog: ReissueDialog, row: int, **cells: str) -> None:
    """Type into the editors of one row, found by name as ``{column}_{row}``."""
    for key, text in cells.items():
        edit = dialog.cell(row, key)
        assert edit.objectName() == f"{key}_{row}"
        edit.clear()
        qtbot.keyClicks(edit, text)


def _type(qtbot: QtBot, dialog: ReissueDialog, **fields: str) -> None:
    for name, text in fields.items():
        edit = getattr(dialog, name)
        edit.clear()
        qtbot.keyClicks(edit, text)


def _is_red(dialog: ReissueDialog) -> bool:
    colour = dialog.balance.palette().color(QPalette.ColorRole.WindowText)
    return colour == theme.foreground(Tone.NEGATIVE)


def test_a_transfer_of_300_shares_leaves_a_balance_certificate_of_700(
    qtbot: QtBot, desk: Desk
) -> None:
    (old_id,) = register(desk, "T1", shares="1000")
    account = desk.account()
    dialog = _dialog(qtbot, desk)
    assert dialog.windowTitle() == f"Reissue T1 ({IBM})"
    assert dialog.balance.text() == "Balance to John A Smith: 1,000 shares"
    _row(qtbot, dialog, 0, number="T2", holder="Jane Doe", registration="JANE DOE TOD JOHN DOE")
    qtbot.keyClicks(dialog.cell(0, "shares"), "3")
    assert dialog.balance.text() == "Balance to John A Smith: 997 shares"
    qtbot.keyClicks(dialog.cell(0, "shares"), "00")
    assert dialog.balance.text() == "Balance to John A Smith: 700 shares"
    assert dialog.balance_number.isEnabled() and not _is_red(dialog)
    _row(qtbot, dialog, 0, account=account.lower())
    _type(qtbot, dialog, agent="Computershare", location="Vault A, drawer 1")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # no balance number yet
    wait_ops(qtbot)  # refused on the worker; the dialog stays open and says why
    assert dialog.isVisible() and dialog.error.text() == (
        "balance certificate: 700 shares stay with John A Smith: give the balance "
        "certificate's number"
    )
    _type(qtbot, dialog, balance_number="T3")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert len(dialog.new_ids) == 2
    certificates = desk.admin.certificates
    assert certificates.detail(old_id).status is CS.CANCELLED
    jane, balance = (dict(certificates.detail(i).fields) for i in dialog.new_ids)
    assert (jane["Certificate"], jane["Registered holder"], jane["Shares"]) == (
        "T2", "Jane Doe", "300",
    )  # fmt: skip
    assert (jane["Registration"], jane["Account"]) == ("JANE DOE TOD JOHN DOE", account)
    assert (balance["Certificate"], balance["Registered holder"], balance["Shares"]) == (
        "T3", "John A Smith", "700",
    )  # fmt: skip
    for fields in (jane, balance):
        assert fields["Replaces"] == f"T1 ({IBM})" and fields["Location"] == "Vault A, drawer 1"


def test_the_whole_certificate_reissued_needs_no_balance_certificate(
    qtbot: QtBot, desk: Desk
) -> None:
    register(desk, "T1", shares="1000")
    dialog = _dialog(qtbot, desk)
    _row(qtbot, dialog, 0, number="T2", holder="Jane Doe", shares="600")
    qtbot.mouseClick(dialog.add_row_button, Qt.MouseButton.LeftButton)
    _row(qtbot, dialog, 1, number="T3", holder="Richard Roe", shares="400")
    assert dialog.balance.text() == "Balance to John A Smith: 0 shares"
    assert not dialog.balance_number.isEnabled()
    _type(qtbot, dialog, agent="Computershare", location="Vault A")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    holders = {r[0]: (r[4], r[5]) for r in iter_rows(desk.admin.certificates.certificates())}
    assert holders["T2"] == ("Jane Doe", Decimal(600))
    assert holders["T3"] == ("Richard Roe", Decimal(400))


def test_an_over_issue_and_bad_shares_are_refused_naming_the_row(qtbot: QtBot, desk: Desk) -> None:
    (old_id,) = register(desk, "T1", shares="1000")
    dialog = _dialog(qtbot, desk)
    _type(qtbot, dialog, agent="Computershare", location="Vault A")
    _row(qtbot, dialog, 0, number="T2", holder="Jane Doe", shares="800")
    qtbot.mouseClick(dialog.add_row_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 2
    _row(qtbot, dialog, 1, number="T3", holder="Richard Roe", shares="1.5")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error.text() == "Row 2: shares: must be whole shares ('1.5')"

    _row(qtbot, dialog, 1, shares="300")
    assert dialog.balance.text() == (
        "Balance to John A Smith: -100 shares — the new certificates carry 100 too many"
    )
    assert _is_red(dialog) and not dialog.balance_number.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert dialog.isVisible() and dialog.error.text() == (
        "shares: the new certificates carry 1,100 shares, more than the 1,000 of the cancelled one"
    )
    assert desk.admin.certificates.detail(old_id).status is CS.IN_VAULT

    qtbot.mouseClick(dialog.cell(1, "holder"), Qt.MouseButton.LeftButton)  # into row 2
    assert dialog.table.currentRow() == 1
    qtbot.mouseClick(dialog.remove_row_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 1 and dialog.cell(0, "number").text() == "T2"
    assert dialog.balance.text() == "Balance to John A Smith: 200 shares"
    assert not _is_red(dialog) and dialog.balance_number.isEnabled()
    _type(qtbot, dialog, balance_number="T3")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert desk.admin.certificates.detail(old_id).status is CS.CANCELLED
