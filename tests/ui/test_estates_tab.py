"""An estate end to end through the screens, on both engines.

The clerk records the death on the Accounts tab, verifies the documents and prints
the deficiency letter on the Estates tab, and asks for re-registration; a principal
approves it in the Approvals tab. The estate account ends empty and the beneficiaries
hold the shares at the value at death (AAPL's mean on 2026-03-06: 100 a share).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from desk_app.domain.estate_rules import DocumentStatus
from desk_app.ui.market_dates import market_qdate
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.accounts_tab import AccountsTab
from desk_app.ui.tabs.approvals_tab import ApprovalsTab
from desk_app.ui.tabs.estates_tab import EstatesTab
from desk_app.ui.tabs.table_tab import TableTab
from tests.pdf_tools import pdf_text
from tests.services.conftest import Desk
from tests.services.estates.test_estates import AAPL, BOUGHT, estates, give
from tests.ui.conftest import wait_ops
from tests.ui.test_account_requests import select_account

pytestmark = pytest.mark.gui
__all__ = ["estates"]
LEFT = Qt.MouseButton.LeftButton


def _tab(qtbot: QtBot, tmp_path: Path, cls: type[TableTab], ws: object) -> TableTab:
    store = QSettings(str(tmp_path / f"{cls.key}.ini"), QSettings.Format.IniFormat)
    tab = cls(DeskSettings(store))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    tab.show()
    tab.set_workspace(ws)  # type: ignore[arg-type]
    return tab


def _type_lines(qtbot: QtBot, editor: QWidget, *lines: str) -> None:
    for n, line in enumerate(lines):
        if n:
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor, line)


def test_record_death_collect_documents_print_and_reregister(  # noqa: PLR0915
    qtbot: QtBot, tmp_path: Path, estates: Desk
) -> None:
    number = estates.account("NYC-JANE", name="Jane Doe")
    give(estates, number, lots=(BOUGHT,), cash=Decimal("250.01"))
    carl, sue = estates.ws["carl"], estates.ws["sue"]

    accounts = _tab(qtbot, tmp_path, AccountsTab, carl)
    assert isinstance(accounts, AccountsTab)
    qtbot.waitUntil(lambda: accounts.model.rowCount() == 4)
    select_account(accounts, number)
    action = accounts.account_actions["death"]
    assert action.isEnabled(), action.toolTip()
    action.trigger()
    dialog = accounts.death_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.died.setDate(QDate(2026, 3, 6))
    qtbot.keyClicks(dialog.source, "call from the son")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.source, Qt.Key.Key_Return)
    assert dialog.case_id is not None
    assert accounts.notice.text().startswith(f"Estate case {dialog.case_id} opened")

    tab = _tab(qtbot, tmp_path, EstatesTab, carl)
    assert isinstance(tab, EstatesTab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and tab.case is not None)
    assert tab.case is not None and tab.case.account == number
    assert not tab.estate_actions["reregister"].isEnabled()
    assert "Documents not yet verified" in tab.estate_actions["reregister"].toolTip()
    assert tab.estate_actions["verify"].toolTip() == "Select a document of the checklist first"
    with qtbot.waitSignal(tab.letter_written):
        assert tab.print_letter(tmp_path / "letter.pdf")
    letter = pdf_text(tmp_path / "letter.pdf")
    assert "Estate of Jane Doe" in letter and "Certified death certificate" in letter
    issued = market_qdate().addDays(-10)
    for row in range(tab.checklist.rowCount()):
        tab.checklist.selectRow(row)
        tab.estate_actions["verify"].trigger()
        if tab.case.documents[row].kind == "letters":  # must be recent: its date is asked
            asked = tab.date_dialog
            assert asked is not None
            qtbot.waitExposed(asked)
            asked.dated.setDate(issued)
            asked.accept()
        wait_ops(qtbot)  # the receipt, then the list read again
        assert tab.case.documents[row].status is DocumentStatus.VERIFIED
    (letters,) = [d for d in tab.case.documents if d.kind == "letters"]
    assert letters.expires_on == issued.toPython() + timedelta(days=60)  # type: ignore[operator]
    assert tab.checklist.item(0, 1).text() == "verified"

    assert tab.estate_actions["reregister"].isEnabled()
    tab.estate_actions["reregister"].trigger()
    rereg = tab.reregister_dialog
    assert rereg is not None
    qtbot.waitExposed(rereg)
    _type_lines(qtbot, rereg.targets, "NYC-A=60", "NYC-B=30")
    assert rereg.check.text() == "the shares add to 90%, not 100%"
    assert not rereg.send_button.isEnabled()
    rereg.targets.clear()
    _type_lines(qtbot, rereg.targets, "NYC-A=60", "NYC-B=40")
    assert rereg.check.text() == "Shares: NYC-A 60.00%, NYC-B 40.00%"
    with qtbot.waitSignal(rereg.accepted):
        qtbot.mouseClick(rereg.send_button, LEFT)
    request_id = rereg.request_id
    assert request_id is not None

    queue = _tab(qtbot, tmp_path, ApprovalsTab, sue)
    assert isinstance(queue, ApprovalsTab)
    qtbot.waitUntil(lambda: queue.model.rowCount() >= 1)
    ids = [queue.model.row_at(r)[-1] for r in range(queue.model.rowCount())]
    queue.view.selectRow(ids.index(request_id))
    assert queue.pane.request_id == request_id
    assert queue.pane.approve_button.isEnabled(), queue.pane.approve_button.toolTip()
    if queue.pane.credential.isVisible():
        qtbot.keyClicks(queue.pane.credential, "try-the-demo")
    qtbot.mouseClick(queue.pane.approve_button, LEFT)
    wait_ops(qtbot)
    assert queue.notice.text().startswith(f"Request {request_id} approved")

    transfers = carl.transfers
    assert transfers.available_position(number, AAPL) == 0
    assert transfers.available_cash(number, "USD") == 0
    died = date(2026, 3, 6)
    given = [(lot.quantity, lot.cost, lot.acquired, lot.inherited)
             for lot in transfers.lots("NYC-A", AAPL)]  # fmt: skip
    assert given == [(60, Decimal(6000), died, True)]
    assert [(lot.quantity, lot.cost) for lot in transfers.lots("NYC-B", AAPL)] == [
        (40, Decimal(4000))
    ]
    assert transfers.available_cash("NYC-A", "USD") == Decimal("150.01")
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0)


def test_the_reregister_dialog_proposes_the_beneficiaries_shares(
    qtbot: QtBot, tmp_path: Path, estates: Desk
) -> None:
    """Ann 50, Bo 30, Cy 20; Cy died first (not per stirpes): Ann 62.5, Bo 37.5. Ann and Bo
    have accounts in their names; the clerk still chooses (and may change) them."""
    from desk_app.domain.codes import PartyRole as R
    from tests.services.estates.test_estate_parties import with_parties

    carl = estates.ws["carl"]
    number = estates.account(registration_type="tod", name="John Roe")
    ann, bo = estates.account(name="Ann Lee"), estates.account(name="Bo Lee")
    give(estates, number, lots=(BOUGHT,))
    shares = (("Ann Lee", 50), ("Bo Lee", 30), ("Cy Lee", 20))
    with_parties(estates, number, (R.OWNER, "John Roe", {}),
                 *((R.BENEFICIARY, name, {"share_percent": Decimal(share)})
                   for name, share in shares))  # fmt: skip
    case_id = carl.estates.open_case(number, date(2026, 3, 6))

    tab = _tab(qtbot, tmp_path, EstatesTab, carl)
    assert isinstance(tab, EstatesTab)
    qtbot.waitUntil(lambda: tab.case is not None and tab.case.id == case_id)
    assert "New owners: Ann Lee 50.00%, Bo Lee 30.00%, Cy Lee 20.00%." in tab.heading.text()
    tab.estate_actions["beneficiary_died"].trigger()
    died = tab.died_dialog
    assert died is not None
    qtbot.waitExposed(died)
    assert [died.name.itemText(n) for n in range(died.name.count())] == [
        "Ann Lee", "Bo Lee", "Cy Lee"
    ]  # fmt: skip
    died.name.setCurrentIndex(2)
    died.died.setDate(QDate(2026, 3, 9))  # after the holder: refused, said in the dialog
    died.accept()
    qtbot.waitUntil(died.error.isVisible)
    assert "after the holder's (2026-03-06)" in died.error.text()
    died.died.setDate(QDate(2025, 5, 1))
    with qtbot.waitSignal(died.accepted):
        qtbot.mouseClick(died.findChild(QDialogButtonBox).button(  # type: ignore[union-attr]
            QDialogButtonBox.StandardButton.Ok), LEFT)  # fmt: skip
    wait_ops(qtbot)
    for doc in carl.estates.case(case_id).documents:
        carl.estates.receive(case_id, doc.kind, verified=True)
    tab.refresh()
    qtbot.waitUntil(lambda: tab.case is not None and not tab.case.not_ready)
    assert "New owners: Ann Lee 62.50%, Bo Lee 37.50%. Cy Lee died 2025-05-01" in (
        tab.heading.text()
    )
    assert tab.estate_actions["reregister"].isEnabled(), tab.estate_actions["reregister"].toolTip()
    tab.estate_actions["reregister"].trigger()
    rereg = tab.reregister_dialog
    assert rereg is not None
    qtbot.waitExposed(rereg)
    assert rereg.proposal.isVisible()
    assert f"Ann Lee: 62.50% (primary beneficiary); to {ann} (in that name)" in (
        rereg.proposal.text()
    )
    assert rereg.targets.toPlainText() == f"{ann}=62.5\n{bo}=37.5"
    assert rereg.check.text() == f"Shares: {ann} 62.50%, {bo} 37.50%"
    with qtbot.waitSignal(rereg.accepted):
        qtbot.mouseClick(rereg.send_button, LEFT)
    assert rereg.request_id is not None
    detail = estates.ws["sue"].approvals.detail(rereg.request_id)
    moves = {f.field: f.proposed for f in detail.fields}["moves"]
    # 100 shares: 62.5 and 37.5, the one left over to the first of the tie (Ann).
    assert f"100 {AAPL} valued 100 a share on 2026-03-06: 63 to {ann}, 37 to {bo}" in moves


def test_record_death_names_the_owner_who_died_and_the_spouses_question(
    qtbot: QtBot, tmp_path: Path, estates: Desk
) -> None:
    from desk_app.domain.codes import PartyRole as R
    from tests.services.estates.test_estate_parties import with_parties

    carl = estates.ws["carl"]
    number = estates.account(registration_type="joint-jtwros", name="Al and Bea Roe")
    with_parties(estates, number, (R.OWNER, "Al Roe", {}), (R.JOINT_OWNER, "Bea Roe", {}))
    accounts = _tab(qtbot, tmp_path, AccountsTab, carl)
    assert isinstance(accounts, AccountsTab)
    qtbot.waitUntil(lambda: accounts.model.rowCount() == 4)
    select_account(accounts, number)
    accounts.account_actions["death"].trigger()
    dialog = accounts.death_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.died.setDate(QDate(2026, 3, 6))
    dialog.small_estate.setChecked(True)  # a joint account passes to the survivor: refused
    dialog.accept()
    qtbot.waitUntil(dialog.error.isVisible)
    assert "only an account that would pass by the executor" in dialog.error.text()
    dialog.small_estate.setChecked(False)
    qtbot.keyClicks(dialog.holder, "Bea Roe")
    assert dialog.spouses.isChecked()
    dialog.spouses.setChecked(False)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.holder, Qt.Key.Key_Return)
    assert dialog.case_id is not None
    case = carl.estates.case(dialog.case_id)
    assert (case.decedent, case.spouses) == ("Bea Roe", False)
    assert [(o.name, o.why) for o in case.new_owners] == [("Al Roe", "surviving joint owner")]
