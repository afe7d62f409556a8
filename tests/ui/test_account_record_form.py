"""The full record form checks as you type; the Client page shows the record and parties."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from desk_app.services.workspace import Workspace
from desk_app.ui.dialogs.party_dialog import PartyDialog
from desk_app.ui.tabs.accounts_tab import AccountsTab
from tests.ui.conftest import wait_ops
from tests.ui.test_account_requests import line, make_tab, open_ws, select_account

if TYPE_CHECKING:
    from tests.ui.conftest import FreeAccounts

pytestmark = pytest.mark.gui
__all__ = ["make_tab", "open_ws"]  # fixtures


def _fill_party(qtbot: QtBot, dialog: PartyDialog, role: str, name: str, **texts: str) -> None:
    dialog.role.setCurrentIndex(dialog.role.findData(role))
    qtbot.keyClicks(dialog.edits["name"], name)
    for field, text in texts.items():
        dialog.edits[field].setText(text)


def _give_essentials(qtbot: QtBot, owner: PartyDialog) -> None:
    """FINRA 4512: an owner's address and job, each named while it is missing."""
    assert owner.problems.text().splitlines() == [
        "address: Owner Ann Lee needs an address (residence) (FINRA 4512)",
        "occupation: Owner Ann Lee needs an occupation (FINRA 4512)",
        "employer: Owner Ann Lee needs an employer (FINRA 4512) (or an occupation of retired, "
        "unemployed, student or homemaker)",
    ]
    assert not owner.ok_button.isEnabled()
    qtbot.keyClicks(owner.edits["address"], "1 Main St, New York NY 10001")
    qtbot.keyClicks(owner.edits["occupation"], "Retired")  # no employer to name
    assert owner.ok_button.isEnabled(), owner.problems.text()


def test_the_form_lists_problems_as_you_type_and_sends_when_fine(
    qtbot: QtBot,
    open_ws: Callable[[str], Workspace],
    make_tab: Callable[[Workspace], AccountsTab],
) -> None:
    clerk = open_ws("jmorales")
    tab = make_tab(clerk)
    tab.new_account()
    dialog = tab.request_dialog
    assert dialog is not None and dialog.parties_panel is not None
    panel = dialog.parties_panel
    assert not dialog.send_button.isEnabled()  # nothing typed yet
    qtbot.keyClicks(line(dialog, "account_number"), "NYC-99123")
    qtbot.keyClicks(line(dialog, "name"), "Lee Family TOD")
    qtbot.keyClicks(line(dialog, "registered_rep"), "Alan Brooks")
    registration = dialog.editors["registration_type"]
    assert isinstance(registration, QComboBox)
    registration.setCurrentIndex(registration.findData("tod"))
    assert "parties: a transfer on death account has exactly one owner" in dialog.problems.text()
    assert not dialog.send_button.isEnabled()
    qtbot.keyClicks(line(dialog, "annual_income"), "12x")
    assert dialog.errors["annual_income"].text().startswith("Must be an amount")
    line(dialog, "annual_income").setText("85000")
    assert dialog.errors["annual_income"].isHidden()

    owner = panel.add()
    assert not owner.ok_button.isEnabled()  # no name yet
    _fill_party(qtbot, owner, "owner", "Ann Lee", date_of_birth="2999-01-01")
    assert "date_of_birth: is in the future" in owner.problems.text()
    assert not owner.ok_button.isEnabled()
    owner.edits["date_of_birth"].setText("1960-03-04")
    owner.edits["tax_id"].setText("123-45-6789")
    _give_essentials(qtbot, owner)
    owner.accept()
    assert "at least one beneficiary" in dialog.problems.text()

    heir = panel.add()
    _fill_party(qtbot, heir, "beneficiary", "Di Lee", share_percent="60")
    heir.accept()
    assert "primary beneficiaries' shares add to 60%, not 100%" in dialog.problems.text()
    assert not dialog.send_button.isEnabled()
    panel.table.selectRow(1)
    edit = panel.edit()
    assert edit is not None
    edit.edits["share_percent"].setText("100")
    edit.accept()
    assert dialog.problems.isHidden() and dialog.send_button.isEnabled()
    assert panel.table.item(0, 3).text() == "***-**-6789"  # masked in the table too

    qtbot.keyClicks(dialog.reason, "new client")
    with qtbot.waitSignal(tab.records_changed):
        dialog.send_button.click()
        wait_ops(qtbot)
    assert dialog.request_id is not None
    detail = clerk.approvals.detail(dialog.request_id)
    proposed = {f.field: f.proposed for f in detail.fields}
    assert proposed["party 2"].startswith("Beneficiary · person · Di Lee · 100%")
    assert "123-45-6789" not in str(proposed)


def test_the_client_page_follows_the_selection(
    qtbot: QtBot,
    open_ws: Callable[[str], Workspace],
    make_tab: Callable[[Workspace], AccountsTab],
    free_accounts: FreeAccounts,
) -> None:
    clerk = open_ws("jmorales")
    tab = make_tab(clerk)
    assert tab.detail.objectName() == "account_detail"
    assert tab.detail.tabText(0) == "Client"
    page = tab.client_page
    number = free_accounts(clerk)[0]
    select_account(tab, number)
    qtbot.waitUntil(lambda: number in page.heading.text())
    wait_ops(qtbot)
    parties = clerk.accounts.parties(number)
    assert page.parties.rowCount() == len(parties) > 0
    assert page.parties.item(0, 1).text() == parties[0].name
    taxes = [page.parties.item(r, 3).text() for r in range(page.parties.rowCount())]
    assert all(not t or t.startswith(("***", "**-")) for t in taxes)
    assert page.values["Accepted by"].text()
    assert page.values["Account type"].text() in ("Cash", "Margin")
    assert page.reveal_button.toolTip() == "Select a party first"
    page.parties.selectRow(0)
    assert page.reveal_button.isEnabled()
    page.reveal_button.click()
    wait_ops(qtbot)
    assert page.reveal_box is not None and "*" not in page.reveal_box.text()
    assert page.reveal_box.text().startswith(f"Tax ID of {parties[0].name}: ")
    tab.view.clearSelection()
    tab.view.selectionModel().clearCurrentIndex()
    qtbot.waitUntil(lambda: page.parties.rowCount() == 0)


def test_history_shows_a_party_change_field_by_field(
    qtbot: QtBot,
    open_ws: Callable[[str], Workspace],
    free_accounts: FreeAccounts,
) -> None:
    from desk_app.ui.dialogs.history_dialog import HistoryDialog

    clerk, boss = open_ws("jmorales"), open_ws("sgoldberg")
    number = free_accounts(clerk)[0]
    parties = [dict(p.values) for p in clerk.accounts.parties(number)]
    parties[0]["occupation"] = "Astronaut"
    boss.approvals.approve(clerk.accounts.request_amend(number, {}, "new job", parties), "ok")
    history = clerk.history.account_history(number)
    dialog = HistoryDialog(history)
    qtbot.addWidget(dialog)
    dialog.select_change(len(history.changes) - 1)
    rows = [
        [dialog.diff.index(r, c).data() for c in range(3)] for r in range(dialog.diff.rowCount())
    ]
    name = parties[0]["name"]
    assert any(row[0].startswith(name) and row[0].endswith("· occupation") for row in rows)
    assert any(row[2] == "Astronaut" for row in rows)


def test_every_problem_shows_at_once_and_follows_the_registration(
    qtbot: QtBot,
    open_ws: Callable[[str], Workspace],
    make_tab: Callable[[Workspace], AccountsTab],
) -> None:
    """An individual typed without its owner: each missing essential listed, the holder's
    details carried into Add party…; an estate needs its own EIN beside the tax id."""
    tab = make_tab(open_ws("jmorales"))
    tab.new_account()
    dialog = tab.request_dialog
    assert dialog is not None and dialog.parties_panel is not None
    qtbot.keyClicks(line(dialog, "account_number"), "NYC-99124")
    qtbot.keyClicks(line(dialog, "name"), "Ada Lovelace")
    qtbot.keyClicks(line(dialog, "registered_rep"), "Alan Brooks")
    qtbot.keyClicks(line(dialog, "tax_id"), "123-45-6789")
    assert dialog.problems.text().splitlines()[:4] == [
        "parties[1].address: Owner Ada Lovelace needs an address (residence) (FINRA 4512)",
        "parties[1].date_of_birth: Owner Ada Lovelace needs a date of birth (FINRA 4512)",
        "parties[1].occupation: Owner Ada Lovelace needs an occupation (FINRA 4512)",
        "parties[1].employer: Owner Ada Lovelace needs an employer (FINRA 4512) (or an "
        "occupation of retired, unemployed, student or homemaker)",
    ]
    qtbot.keyClicks(line(dialog, "mailing_address"), "1 Main St, New York NY")
    assert "address" not in dialog.problems.text().splitlines()[0]  # the holder's address
    assert not dialog.send_button.isEnabled()
    qtbot.mouseClick(dialog.parties_panel.add_button, Qt.MouseButton.LeftButton)
    owner = dialog.parties_panel.dialog
    assert owner is not None
    assert (owner.edits["name"].text(), owner.edits["tax_id"].text()) == (
        "Ada Lovelace", "123-45-6789")  # fmt: skip
    assert owner.edits["address"].text() == "1 Main St, New York NY"
    registration = dialog.editors["registration_type"]
    assert isinstance(registration, QComboBox)
    registration.setCurrentIndex(registration.findData("estate"))
    estate_tax_id = "An estate's tax id is its EIN (12-3456789), not a person's"
    assert dialog.errors["tax_id"].text() == estate_tax_id
    assert "an estate account needs an executor" in dialog.problems.text()
    line(dialog, "tax_id").setText("12-3456789")
    assert dialog.errors["tax_id"].isHidden()
