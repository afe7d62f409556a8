"""The ACATS tab: enter, validate, reject and complete transfers through the real widgets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desk_app.domain.acats import AcatsDirection, AcatsType
from desk_app.services.transfers.acats import AssetAsked
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.acats_tab import AcatsTab
from desk_app.ui.theme import Tone
from tests.services.conftest import Desk
from tests.services.transfers.test_acats import AAPL, acats_desk  # noqa: F401
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui


def _tab(qtbot: QtBot, tmp_path: Path, desk: Desk, rows: int, user: str = "carl") -> AcatsTab:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    tab = AcatsTab(DeskSettings(store))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    tab.show()
    tab.set_workspace(desk.ws[user])
    qtbot.waitUntil(lambda: tab.model.rowCount() == rows)
    return tab


def _select(qtbot: QtBot, tab: AcatsTab, transfer_id: int) -> None:
    qtbot.waitUntil(lambda: tab.select_transfer(transfer_id))
    qtbot.waitUntil(lambda: tab.pane.view is not None and tab.pane.view.id == transfer_id)


def _trigger(qtbot: QtBot, tab: AcatsTab, key: str) -> None:
    action = tab.acats_actions[key]
    assert action.isEnabled(), action.toolTip()
    action.trigger()
    wait_ops(qtbot)


def test_a_transfer_out_entered_validated_and_completed_from_the_tab(
    qtbot: QtBot,
    tmp_path: Path,
    acats_desk: Desk,  # noqa: F811
) -> None:
    tab = _tab(qtbot, tmp_path, acats_desk, rows=0)
    assert not tab.acats_actions["validate"].isEnabled()
    assert tab.acats_actions["validate"].toolTip() == "Select a transfer first"
    _trigger(qtbot, tab, "new")
    dialog = tab.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.direction.setCurrentIndex(dialog.direction.findData("out"))  # type: ignore[attr-defined]
    for name, text in (("account", "ACC-200"), ("contra", "164"), ("contra_account", "9981")):
        qtbot.keyClicks(getattr(dialog, name), text)
    qtbot.keyClicks(dialog.assets, f"{AAPL}=500")  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    wait_ops(qtbot)
    assert dialog.isVisible()  # refused: more than the account holds
    assert "ACC-200 holds 100 of US0378331005" in dialog.error.text()  # type: ignore[attr-defined]
    dialog.assets.setPlainText(f"{AAPL}=60")  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    wait_ops(qtbot)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tid = int(tab.model.value_in(tab.model.loaded_row(0) or (), "id"))
    assert tab.notice.text() == f"ACATS transfer {tid} entered: in review"
    _select(qtbot, tab, tid)
    assert tab.pane.assets.rowCount() == 1
    assert not tab.acats_actions["correct"].isEnabled()
    assert tab.acats_actions["complete"].toolTip() == "Not for a transfer in review"
    _trigger(qtbot, tab, "validate")
    assert "Desk keeps no order book" in tab.notice.text()
    _select(qtbot, tab, tid)
    qtbot.waitUntil(tab.acats_actions["complete"].isEnabled)
    _trigger(qtbot, tab, "complete")
    assert tab.notice.text().startswith("Request ")
    _select(qtbot, tab, tid)
    assert tab.acats_actions["complete"].toolTip() == (
        "Waiting for a principal to approve the completion request"
    )
    view = tab.pane.view
    assert view is not None and view.approval_id is not None
    acats_desk.ws["sue"].approvals.approve(view.approval_id)
    assert acats_desk.ws["carl"].transfers.available_position("ACC-200", AAPL) == 40


def test_a_soft_reject_corrected_and_the_deadline_coloured(
    qtbot: QtBot,
    tmp_path: Path,
    acats_desk: Desk,  # noqa: F811
) -> None:
    acats = acats_desk.ws["carl"].acats
    tid = acats.new(
        AcatsDirection.IN, "ACC-300", contra="SCHW", contra_account="1",
        transfer_type=AcatsType.PARTIAL, assets=[AssetAsked(AAPL, Decimal(5))],
    ).transfer_id  # fmt: skip
    tab = _tab(qtbot, tmp_path, acats_desk, rows=1)
    _select(qtbot, tab, tid)
    tab.take_exception("tin-mismatch")
    wait_ops(qtbot)
    assert tab.notice.text().startswith(f"ACATS transfer {tid} rejected; tin-mismatch is soft")
    _select(qtbot, tab, tid)
    tab.correct("SSN corrected")
    wait_ops(qtbot)
    assert tab.notice.text() == f"ACATS transfer {tid} corrected: back in review"
    _select(qtbot, tab, tid)
    row = tab.model.loaded_row(0)
    assert row is not None
    deadline = tab.model.value_in(row, "deadline_on")
    column = next(c for c in tab.model.columns() if c.key == "deadline_on")
    tab.today = lambda: deadline
    assert tab.cell_tone(column, row) is Tone.WARNING  # due today
    tab.today = lambda: date(deadline.year + 1, 1, 1)
    assert tab.cell_tone(column, row) is Tone.NEGATIVE  # overdue
    tab.take_exception("duplicate")
    wait_ops(qtbot)
    _select(qtbot, tab, tid)
    assert tab.acats_actions["correct"].toolTip() == (
        "Reject code duplicate is hard: it ends the transfer (purge it)"
    )
    tab.purge("duplicate")
    wait_ops(qtbot)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0)  # purged: no longer open


def test_completed_transfers_reversed_from_the_tab(
    qtbot: QtBot,
    tmp_path: Path,
    acats_desk: Desk,  # noqa: F811
) -> None:
    carl, sue = acats_desk.ws["carl"], acats_desk.ws["sue"]
    ids = {}
    for direction, number in ((AcatsDirection.IN, "ACC-300"), (AcatsDirection.OUT, "ACC-200")):
        tid = carl.acats.new(
            direction, number, contra="SCHW", contra_account="1",
            transfer_type=AcatsType.PARTIAL, assets=[AssetAsked(AAPL, Decimal(5))],
        ).transfer_id  # fmt: skip
        carl.acats.validate(tid)
        asked = carl.acats.complete(tid).request_id
        if asked is not None:
            sue.approvals.approve(asked)
        ids[direction] = tid
    tab = _tab(qtbot, tmp_path, acats_desk, rows=0)
    tab.show_combo.setCurrentIndex(tab.show_combo.findData(""))  # all, the completed too
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    into, out_of = ids[AcatsDirection.IN], ids[AcatsDirection.OUT]
    _select(qtbot, tab, into)
    assert tab.acats_actions["reverse"].isEnabled(), tab.acats_actions["reverse"].toolTip()
    tab.reverse("sent to the wrong account")
    wait_ops(qtbot)
    assert tab.notice.text().startswith("Request ")
    assert f"ACATS transfer {into} is reversed when a principal approves it" in tab.notice.text()
    _select(qtbot, tab, into)
    assert tab.acats_actions["reverse"].toolTip() == (
        "Its reversal waits for a principal's approval"
    )
    assert "a principal approves the reversal" in tab.pane.summary.text()
    view = tab.pane.view
    assert view is not None and view.approval_id is not None
    sue.approvals.approve(view.approval_id)
    assert carl.transfers.available_position("ACC-300", AAPL) == 0
    _select(qtbot, tab, out_of)
    _trigger_reverse = tab.acats_actions["reverse"]
    assert _trigger_reverse.isEnabled(), _trigger_reverse.toolTip()
    tab.reverse("the contra firm returned them")
    wait_ops(qtbot)
    assert tab.notice.text() == f"ACATS transfer {out_of} reversed; back in ACC-200"
    assert carl.transfers.available_position("ACC-200", AAPL) == 100
    _select(qtbot, tab, out_of)
    assert "Reversed" in tab.pane.summary.text()
    assert tab.acats_actions["reverse"].toolTip() == "The transfer is already reversed"


def test_the_pane_lists_what_is_not_moving_with_its_reason(
    qtbot: QtBot,
    tmp_path: Path,
    acats_desk: Desk,  # noqa: F811
) -> None:
    msft = acats_desk.instrument("US5949181045", issuer="Charles Schwab")
    acats = acats_desk.ws["carl"].acats
    tid = acats.new(
        AcatsDirection.IN, "ACC-300", contra="SCHW", contra_account="1",
        transfer_type=AcatsType.PARTIAL,
        assets=[AssetAsked(AAPL, Decimal(5)), AssetAsked(msft, Decimal(7))],
    ).transfer_id  # fmt: skip
    tab = _tab(qtbot, tmp_path, acats_desk, rows=1)
    pane = tab.pane
    # Nothing selected: the deadlines the aging limits set now.
    pane.show_transfer(None)
    assert "Deadlines (aging limits): review 1, settlement 3, correction 20" in pane.summary.text()
    assert pane.not_moving.isHidden()
    _select(qtbot, tab, tid)
    [line] = pane.not_moving_lines()
    assert line.startswith(f"7 {msft} (") and "(Charles Schwab): it stays there" in line
    assert not pane.not_moving.isHidden()
    assert "Not moving" in pane.not_moving.text() and "Charles Schwab" in pane.not_moving.text()
    assert "Not moving</b>&nbsp;</td><td>1 of 2 asset(s)" in pane.summary.text()
    assert "1 business day(s) to validate or take exception" in pane.summary.text()
    status = pane.assets.column_texts(3)
    assert status == ["Moving", "Not moving"]
    assert pane.assets.cell(1, 3).tone is Tone.NEGATIVE
    assert pane.assets.cell(1, 3).tooltip.startswith("proprietary product of the delivering firm")
    # A transfer where everything moves hides the list.
    other = acats.new(
        AcatsDirection.IN, "ACC-200", contra="SCHW", contra_account="2",
        transfer_type=AcatsType.PARTIAL, assets=[AssetAsked(AAPL, Decimal(1))],
    ).transfer_id  # fmt: skip
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    _select(qtbot, tab, other)
    assert pane.not_moving_lines() == [] and pane.not_moving.isHidden()
