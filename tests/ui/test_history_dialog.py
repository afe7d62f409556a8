"""A record's History: the audited changes, each one's diff, and the version it made."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desk_app.services.workspace import Workspace
from desk_app.ui.dialogs.history_dialog import HistoryDialog, value_cell_text
from desk_app.ui.models.record_fields import field_label
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.accounts_tab import AccountsTab
from tests.clients import owner
from tests.conftest import sign_in
from tests.ui.conftest import wait_ops

if TYPE_CHECKING:
    from tests.ui.conftest import FreeAccounts

pytestmark = pytest.mark.gui


@pytest.fixture
def desks(demo_url: str) -> Iterator[tuple[Workspace, Workspace]]:
    """A clerk's and a supervisor's workspace on one demo book."""
    clerk, boss = sign_in(demo_url, "jmorales"), sign_in(demo_url, "mobrien")
    yield clerk, boss
    clerk.close()
    boss.close()


def history_from_tab(qtbot: QtBot, tmp_path: Path, ws: Workspace, number: str) -> HistoryDialog:
    tab = AccountsTab(DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(tab)
    tab.show()
    tab.set_workspace(ws)
    column = tab.model.column_of("account_number")
    rows = [tab.model.index(r, column).data() for r in range(tab.model.rowCount())]
    tab.view.selectRow(rows.index(number))
    assert tab.account_actions["history"].isEnabled()
    tab.account_actions["history"].trigger()
    wait_ops(qtbot)  # the history is read on a worker, then the dialog opens
    assert tab.history_dialog is not None and tab.history_dialog.isVisible()
    return tab.history_dialog


def all_texts(dialog: HistoryDialog) -> list[str]:
    return [
        text
        for model in (dialog.changes, dialog.diff, dialog.version)
        for c in range(model.columnCount())
        for text in model.column_texts(c)
    ]


def test_history_shows_who_changed_what_and_any_past_version(
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    tmp_path: Path,
    desks: tuple[Workspace, Workspace],
    free_accounts: FreeAccounts,
) -> None:
    clerk, boss = desks
    number = free_accounts(clerk)[0]
    old = clerk.accounts.record(number).values
    amend = clerk.accounts.request_amend(number, {"name": "Renamed", "residence_state": "VT"}, "r")
    boss.approvals.approve(amend, "seen")
    restrict = clerk.accounts.request_status(number, "closed", "client left")
    boss.approvals.approve(restrict)
    full_tax_id = boss.accounts.reveal_tax_id(number)

    dialog = history_from_tab(qtbot, tmp_path, boss, number)
    assert dialog.changes.rowCount() == 4  # the demo's opening, then these three
    opener = dialog.changes.column_texts(1)[0]
    assert opener.endswith(")") and "(" in opener  # a principal of the demo's staff, by name
    assert dialog.changes.column_texts(1)[1:] == ["Michael O'Brien (mobrien)"] * 3
    for when in dialog.changes.column_texts(0):  # the time with its zone
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z+\-0-9]+", when), when
    assert dialog.changes.column_texts(3) == [
        "Open account", "Amend account", "Change account status", "Tax ID revealed"
    ]  # fmt: skip
    assert dialog.changes.column_texts(4) == ["Created", "Updated", "Updated", "Event"]
    assert dialog.changes.column_texts(5) == ["", f"#{amend}", f"#{restrict}", ""]
    assert dialog.current_change() == 3  # the latest first
    assert not dialog.version_pane.isVisibleTo(dialog)

    dialog.select_change(1)
    assert dialog.diff.column_texts(0) == ["Name", "State"]
    assert dialog.diff.column_texts(1) == [old["name"], old["residence_state"] or "—"]
    assert dialog.diff.column_texts(2) == ["Renamed", "VT"]

    qtbot.mouseClick(dialog.version_toggle, Qt.MouseButton.LeftButton)
    assert dialog.version_pane.isVisibleTo(dialog)
    history = boss.history.account_history(number)
    after_amend = history.versions[2]
    assert after_amend is not None
    shown = dict(zip(dialog.version.column_texts(0), dialog.version.column_texts(1), strict=True))
    assert shown["Name"] == "Renamed" and shown["Status"] == "Open"
    assert shown == {
        field_label(k): value_cell_text(history, k, v, after_amend)
        for k, v in after_amend.items()
        if k != "updated_at"
    }
    assert shown["Opened on"] == str(after_amend["opened_on"])  # ISO
    dialog.select_change(2)
    shown = dict(zip(dialog.version.column_texts(0), dialog.version.column_texts(1), strict=True))
    assert shown["Status"] == "Closed"

    assert full_tax_id and full_tax_id not in all_texts(dialog)  # masked throughout
    assert shown["Tax ID"].endswith(full_tax_id[-4:]) and "*" in shown["Tax ID"]
    for model in (dialog.changes, dialog.diff, dialog.version):
        qtmodeltester.check(model)


def test_a_demo_account_shows_how_it_was_opened(
    qtbot: QtBot,
    tmp_path: Path,
    desks: tuple[Workspace, Workspace],
    free_accounts: FreeAccounts,
) -> None:
    clerk, _boss = desks
    number = free_accounts(clerk)[5]  # on the first page, never changed since the demo
    dialog = history_from_tab(qtbot, tmp_path, clerk, number)
    assert dialog.changes.rowCount() == 1
    assert dialog.changes.column_texts(3) == ["Open account"]
    assert not dialog.empty_note.isVisibleTo(dialog)
    assert not dialog.outside_warning.isVisibleTo(dialog)
    shown = dict(zip(dialog.diff.column_texts(0), dialog.diff.column_texts(2), strict=True))
    assert shown["Account"] == number
    assert shown["Status"] == "Open"
    assert "*" in shown["Tax ID"]


def test_a_record_loaded_in_bulk_shows_its_current_values_by_name(
    qtbot: QtBot, desks: tuple[Workspace, Workspace]
) -> None:
    """An imported trade's obligation, made by the settlement run in bulk: no change of
    its own, and its values readable."""
    from sqlalchemy import select

    from desk_app.db import models as m

    clerk, _boss = desks
    with clerk.sessions() as s:
        imported = select(m.Trade.id).where(m.Trade.source == "fix", m.Trade.version_no == 1)
        obligation = s.scalars(
            select(m.SettlementObligation).where(
                m.SettlementObligation.ssi_id.is_not(None),
                m.SettlementObligation.trade_id.in_(imported),
            )
        ).first()
        assert obligation is not None
        account = s.get(m.Account, obligation.account_id)
        assert account is not None
        oid, key = obligation.id, f"{account.account_number} {account.name}"
        currency = obligation.currency
    dialog = HistoryDialog(clerk.history.history("settlement_obligations", oid))
    qtbot.addWidget(dialog)
    assert dialog.changes.rowCount() == 0
    assert dialog.empty_note.isVisibleTo(dialog)
    shown = dict(zip(dialog.version.column_texts(0), dialog.version.column_texts(1), strict=True))
    assert shown["Account"] == key
    assert " via " in shown["Standing instruction"]
    assert re.fullmatch(r"-?[\d,]+\.\d{2,4} " + currency, shown["Amount"]), shown["Amount"]
    assert "_" not in shown["Status"] and shown["Status"][0].isupper()


def test_a_hand_booked_trades_obligation_shows_its_booking_and_settling(
    qtbot: QtBot, desks: tuple[Workspace, Workspace]
) -> None:
    from sqlalchemy import select

    from desk_app.db import models as m

    clerk, _boss = desks
    with clerk.sessions() as s:
        booked = select(m.Trade.id).where(m.Trade.source == "manual", m.Trade.version_no == 1)
        oid = s.scalars(
            select(m.SettlementObligation.id).where(
                m.SettlementObligation.status == "settled",
                m.SettlementObligation.trade_id.in_(booked),
            )
        ).first()
    assert oid is not None
    dialog = HistoryDialog(clerk.history.history("settlement_obligations", oid))
    qtbot.addWidget(dialog)
    assert dialog.changes.column_texts(3) == ["Book trade", "Settle"]
    assert dialog.changes.column_texts(4) == ["Created", "Updated"]
    assert not dialog.outside_warning.isVisibleTo(dialog)
    changed = dict(zip(dialog.diff.column_texts(0), dialog.diff.column_texts(2), strict=True))
    assert changed["Status"] == "Settled"
    assert changed["Settled amount"].endswith(("USD", "EUR", "GBP", "CHF"))


def test_a_record_changed_outside_desk_is_flagged(
    qtbot: QtBot,
    tmp_path: Path,
    desks: tuple[Workspace, Workspace],
    free_accounts: FreeAccounts,
) -> None:
    clerk, boss = desks
    number = free_accounts(clerk)[3]
    request = clerk.accounts.request_amend(number, {"residence_state": "VT"}, "moved")
    boss.approvals.approve(request)
    dialog = history_from_tab(qtbot, tmp_path, clerk, number)
    assert not dialog.outside_warning.isVisibleTo(dialog)  # a demo row, rebuilt backwards

    fields = {"name": "Ada Lovelace", "registration_type": "individual", "registered_rep": "R"}
    boss.approvals.approve(
        clerk.accounts.request_open("NYC-99001", fields, "new client", [owner("Ada Lovelace")])
    )
    with boss.engine.begin() as conn:  # behind Desk's back
        conn.exec_driver_sql(
            "UPDATE accounts SET residence_state = 'TX' WHERE account_number = 'NYC-99001'"
        )
    dialog = HistoryDialog(clerk.history.account_history("NYC-99001"))
    qtbot.addWidget(dialog)
    assert dialog.outside_warning.isVisibleTo(dialog)
    assert "outside Desk" in dialog.outside_warning.text()
