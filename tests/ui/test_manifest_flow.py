"""Certificates to receipt in the window: select, build a manifest, verify as a second
user, preview, print through the desktop's print path to a PDF file, pickup, receipt."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from desk_app.ui.dialogs.manifest_dialog import ManifestDialog
from desk_app.ui.dialogs.manifest_steps import PickupDialog, ReceiptDialog, VerifyDialog
from desk_app.ui.dialogs.print_preview_dialog import PrintPreviewDialog
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.certificates_tab import CertificatesTab
from desk_app.ui.tabs.manifests_tab import ManifestsTab
from tests.pdf_tools import barcodes, pdf_text
from tests.services.conftest import Desk
from tests.services.custody.certificate_helpers import dispatch, register
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui


def _settings(tmp_path: Path, name: str) -> DeskSettings:
    return DeskSettings(QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat))


def _certificates(qtbot: QtBot, tmp_path: Path, desk: Desk, user: str) -> CertificatesTab:
    tab = CertificatesTab(_settings(tmp_path, f"c-{user}"))
    qtbot.addWidget(tab)
    tab.resize(1300, 700)
    tab.show()
    tab.set_workspace(desk.ws[user])
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
    return tab


def _manifests(qtbot: QtBot, tmp_path: Path, desk: Desk, user: str) -> ManifestsTab:
    tab = ManifestsTab(_settings(tmp_path, f"m-{user}"))
    qtbot.addWidget(tab)
    tab.resize(1300, 700)
    tab.show()
    tab.set_workspace(desk.ws[user])
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tab.view.selectRow(0)
    return tab


def _ok(qtbot: QtBot, dialog: object) -> None:
    """Press OK and wait for the service's answer (the dialog closes, or says why not)."""
    box = dialog.findChild(QDialogButtonBox)  # type: ignore[attr-defined]
    button = box.button(QDialogButtonBox.StandardButton.Ok)
    assert button.isEnabled()
    button.click()
    wait_ops(qtbot)


def _status_of(tab: CertificatesTab, number: str) -> str:
    for n in range(tab.model.rowCount()):
        row = tab.model.loaded_row(n)
        if row is not None and tab.model.value_in(row, "certificate_number") == number:
            return str(tab.model.value_in(row, "status"))
    raise AssertionError(f"{number} is not listed")


def test_select_build_verify_preview_print_pickup_and_receipt(
    qtbot: QtBot, tmp_path: Path, settling_desk: Desk
) -> None:
    desk = settling_desk
    register(desk, "W1", "W2", "W3")
    desk.ws["carl"].certificate_moves.set_stock_power("459200101:W3", attached=True)
    clerk = _certificates(qtbot, tmp_path, desk, "carl")
    assert clerk.model.rowCount() == 3

    number = _build(qtbot, clerk)
    _verify(qtbot, tmp_path, desk)
    mine = _manifests(qtbot, tmp_path, desk, "carl")
    _print(qtbot, tmp_path, desk, mine, number)
    _deliver(qtbot, desk, mine, number)
    clerk.refresh()
    qtbot.waitUntil(lambda: _status_of(clerk, "W1") == "delivered")
    clerk.show_only("movements")
    qtbot.waitUntil(lambda: clerk.model.rowCount() == 5)  # 3 receipts, 2 deliveries
    assert not clerk.certificate_actions["prepare"].isEnabled()


def _select(tab: CertificatesTab, *rows: int) -> None:
    tab.view.selectRow(rows[0])
    flags = tab.view.selectionModel().SelectionFlag
    for row in rows[1:]:
        tab.view.selectionModel().select(tab.model.index(row, 0), flags.Select | flags.Rows)


def _fill(qtbot: QtBot, dialog: ManifestDialog) -> None:
    qtbot.keyClicks(dialog.recipient, "Computershare Trust Company, N.A.")
    dialog.address.setPlainText("150 Royall Street\nCanton, MA 02021")
    qtbot.keyClicks(dialog.sender_edit, "Physical Securities Dept., 55 Water Street")
    qtbot.keyClicks(dialog.airbill, "7712 3456 7890")


def _build(qtbot: QtBot, clerk: CertificatesTab) -> str:
    """W1 and W3 are refused (W3's stock power is attached); W1 and W2 make the draft."""
    _select(clerk, 0, 2)
    action = clerk.certificate_actions["manifest"]
    assert action.isEnabled(), action.toolTip()
    action.trigger()
    dialog = clerk.manifest_dialog
    assert isinstance(dialog, ManifestDialog)
    _fill(qtbot, dialog)
    _ok(qtbot, dialog)
    assert dialog.isVisible() and "stock power attached: never ship" in dialog.error.text()
    dialog.reject()

    _select(clerk, 0, 1)
    clerk.certificate_actions["manifest"].trigger()
    dialog = clerk.manifest_dialog
    assert dialog is not None
    _fill(qtbot, dialog)
    _ok(qtbot, dialog)
    assert not dialog.isVisible(), dialog.error.text()
    number = dialog.number
    assert number is not None and number in clerk.notice.text()
    qtbot.waitUntil(lambda: _status_of(clerk, "W1") == "on_manifest")
    return number


def _verify(qtbot: QtBot, tmp_path: Path, desk: Desk) -> None:
    """The preparer may not verify; a second user counts and verifies."""
    mine = _manifests(qtbot, tmp_path, desk, "carl")
    verify = mine.manifest_actions["verify"]
    assert not verify.isEnabled() and "another user verifies it" in verify.toolTip()
    checker = _manifests(qtbot, tmp_path, desk, "sue")
    checker.manifest_actions["verify"].trigger()
    step = checker.dialog
    assert isinstance(step, VerifyDialog)
    step.count.setValue(3)
    qtbot.keyClicks(step.shares, "200")
    _ok(qtbot, step)
    told = step.error.text()  # blind: only that the count does not agree, never the totals
    assert "certificates you counted do not agree" in told and "2 attempts left" in told
    assert "lists" not in told and "200" not in told
    step.count.setValue(2)
    _ok(qtbot, step)
    assert not step.isVisible()
    qtbot.waitUntil(lambda: checker.model.value_in(checker.current_row(), "status") == "verified")


def _print(qtbot: QtBot, tmp_path: Path, desk: Desk, mine: ManifestsTab, number: str) -> None:
    """Preview inside the app, then print through the print dialog to a PDF file."""
    mine.manifest_actions["print"].trigger()
    preview = mine.dialog
    assert isinstance(preview, PrintPreviewDialog)
    wait_ops(qtbot)  # the preview renders on a worker
    assert "1 page; prints as the original" in preview.summary.text()
    page = preview.pages.findChild(QLabel, "preview_page_1")
    assert page is not None and not page.pixmap().isNull()
    assert page.pixmap().width() > 400
    print_button = preview.findChild(QPushButton, "print")
    assert print_button is not None and print_button.isEnabled()
    out = tmp_path / "printed.pdf"
    preview.print_file = out  # no printer here: the print dialog offers a PDF file
    print_button.click()
    qtbot.waitUntil(lambda: preview.print_dialog is not None and preview.print_dialog.isVisible())
    printer = preview.printer
    assert printer is not None
    assert printer.outputFormat() is QPrinter.OutputFormat.PdfFormat
    assert preview.print_dialog is not None
    preview.print_dialog.accept()  # the user presses Print
    qtbot.waitUntil(lambda: out.exists() and out.stat().st_size > 0)
    assert f"Printed {number} (original, 1 pages)" in mine.notice.text()
    wait_ops(qtbot)  # the preview again, now as the copy the next print would be
    assert set(barcodes(out, tmp_path)) == {number, "W1", "W2"}
    assert "prints as a COPY" in preview.summary.text()
    saved = tmp_path / "copy.pdf"
    done = preview.save_as(str(saved))
    assert done is not None and done.copy and "COPY" in pdf_text(saved)
    preview.close()
    assert [p[2] for p in desk.admin.manifest_printing.prints(number)] == [False, True]


def _deliver(qtbot: QtBot, desk: Desk, mine: ManifestsTab, number: str) -> None:
    """Pickup, then the recipient's receipt."""
    qtbot.waitUntil(lambda: mine.model.value_in(mine.current_row(), "status") == "printed")
    mine.manifest_actions["pickup"].trigger()
    pickup = mine.dialog
    assert isinstance(pickup, PickupDialog)
    qtbot.keyClicks(pickup.agent, "J. Doe")
    qtbot.keyClicks(pickup.seal, "SEAL-1")
    _ok(qtbot, pickup)
    qtbot.waitUntil(lambda: mine.model.value_in(mine.current_row(), "status") == "in_transit")
    mine.manifest_actions["receipt"].trigger()
    receipt = mine.dialog
    assert isinstance(receipt, ReceiptDialog)
    assert receipt.missing.count() == 2
    qtbot.keyClicks(receipt.received_by, "A. Clerk")
    _ok(qtbot, receipt)
    qtbot.waitUntil(lambda: "receipted" in mine.notice.text())
    view = desk.admin.manifests.view(number)
    assert (view.status.value, view.received_by) == ("received", "A. Clerk")


def test_a_refused_cancel_says_why_and_a_double_press_cancels_once(
    qtbot: QtBot, tmp_path: Path, settling_desk: Desk
) -> None:
    from desk_app.ui import ops

    register(settling_desk, "W1", "W2")
    clerk = _certificates(qtbot, tmp_path, settling_desk, "carl")
    _select(clerk, 0, 1)
    clerk.certificate_actions["manifest"].trigger()
    dialog = clerk.manifest_dialog
    assert dialog is not None
    _fill(qtbot, dialog)
    _ok(qtbot, dialog)
    number = dialog.number
    mine = _manifests(qtbot, tmp_path, settling_desk, "carl")
    mine.cancel("  ")  # no reason: the service refuses, on the worker; the notice says
    wait_ops(qtbot)
    assert mine.notice.text() == "reason: is required"
    mine.cancel("the client collects them")
    mine.cancel("the client collects them")  # pressed again before the first answered
    assert ops.running() == 1
    wait_ops(qtbot)
    assert mine.notice.text() == f"Manifest {number} cancelled"
    assert settling_desk.admin.manifests.view(str(number)).status.value == "cancelled"


def test_a_manifest_without_its_airbill_waits_for_it_before_verification(
    qtbot: QtBot, tmp_path: Path, desk: Desk
) -> None:
    register(desk, "A1")
    number = desk.ws["carl"].manifests.create(dispatch(airbill="", courier="UPS"), ["A1"])
    checker = _manifests(qtbot, tmp_path, desk, "sue")
    verify = checker.manifest_actions["verify"]
    assert not verify.isEnabled() and "No airbill yet" in verify.toolTip()
    mine = _manifests(qtbot, tmp_path, desk, "carl")
    mine.set_airbill("7712 3456 7890")  # not a UPS number: said, nothing saved
    qtbot.waitUntil(lambda: "is not a UPS tracking number" in mine.notice.text())
    mine.set_airbill("1Z999AA10123456784")
    qtbot.waitUntil(lambda: f"Manifest {number} has its airbill" in mine.notice.text())
    assert desk.ws["carl"].manifests.view(number).airbill == "1Z999AA10123456784"
    checker.refresh()
    qtbot.waitUntil(lambda: checker.model.value_in(checker.current_row() or (), "airbill")
                    == "1Z999AA10123456784")  # fmt: skip
    checker.view.selectRow(0)
    qtbot.waitUntil(verify.isEnabled)
