"""The Settlements Due tab's settlement run: imported trades get their obligations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.settlements_tab import SettlementsTab
from tests.services.conftest import Desk
from tests.services.trading.test_trade_import import GOOD_CSV, _books
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui


@pytest.fixture
def floor(db_url: str) -> Iterator[Desk]:
    desk = _books(Desk(db_url))
    yield desk
    desk.close()


def _tab(qtbot: QtBot, tmp_path: Path) -> SettlementsTab:
    settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    tab = SettlementsTab(settings)
    qtbot.addWidget(tab)
    tab.resize(1200, 600)
    tab.show()
    return tab


def test_run_settlement_makes_the_imported_trades_obligations(
    qtbot: QtBot, floor: Desk, tmp_path: Path
) -> None:
    assert floor.ws["carl"].imports.import_file(GOOD_CSV).ok
    tab = _tab(qtbot, tmp_path)
    assert not tab.run_button.isEnabled() and tab.run_button.toolTip() == "No database open"
    tab.set_workspace(floor.ws["carl"])
    assert tab.model.rowCount() == 0
    assert tab.run_button.isEnabled()
    with qtbot.waitSignal(tab.run_finished, timeout=20_000) as finished:
        qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["5 obligations created, 5 with an exception"]  # no SSIs here
    assert tab.model.rowCount() == 5
    exception = tab.model.value_in(tab.model.row_at(0), "exception_reason")
    assert exception.startswith("No standing settlement instruction for ")
    with qtbot.waitSignal(tab.run_finished, timeout=20_000) as again:
        qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    assert again.args == ["0 obligations created"]
    tab.clear()


def test_whoever_may_not_run_it_sees_why(qtbot: QtBot, floor: Desk, tmp_path: Path) -> None:
    tab = _tab(qtbot, tmp_path)
    tab.set_workspace(floor.ws["cora"])  # compliance
    assert not tab.run_button.isEnabled()
    assert tab.run_button.toolTip().endswith(
        "needs the clerk or supervisor role (you have compliance)"
    )
    tab.clear()


def test_settle_a_part_from_the_tab_and_the_residual_shows(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    from decimal import Decimal

    from tests.services.trading.test_trades import _terms

    desk = settling_desk
    desk.ws["carl"].trades.book(_terms("ACC-100"))  # receive 100 vs 21,030.50
    tab = _tab(qtbot, tmp_path)
    tab.set_workspace(desk.ws["carl"])
    actions = tab.obligation_actions
    assert not actions["instruct"].isEnabled()  # nothing selected yet
    assert actions["instruct"].toolTip() == "Select an obligation first"
    tab.view.selectRow(0)
    assert actions["instruct"].isEnabled() and not actions["settle"].isEnabled()
    assert actions["settle"].toolTip() == "Not for pending obligations"
    with qtbot.waitSignal(tab.bulk_finished, timeout=10_000) as done:
        actions["instruct"].trigger()  # on a worker, behind a progress dialog
    assert done.args == ["1 obligation instructed"] and tab.notice.text() == done.args[0]
    tab.view.selectRow(0)
    with qtbot.waitSignal(tab.bulk_finished, timeout=10_000):
        actions["match"].trigger()
    tab.view.selectRow(0)
    assert actions["settle"].isEnabled()
    dialog = tab.settle()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.quantity.text() == "100"  # all that is left, to start with
    dialog.quantity.selectAll()
    qtbot.keyClicks(dialog.quantity, "150")
    dialog.settle()
    wait_ops(qtbot)  # the service refuses, on a worker; the dialog stays open and says why
    assert dialog.isVisible() and "at most the 100 left" in dialog.error.text()
    dialog.quantity.setText("40")
    with qtbot.waitSignal(dialog.settled, timeout=5_000):
        qtbot.keyClick(dialog.quantity, Qt.Key.Key_Return)
    assert tab.notice.text().startswith("40 settled for 8412.20; 60 left (posting ")
    row = tab.model.row_at(0)
    assert tab.model.value_in(row, "status") == "partially_settled"
    assert tab.model.value_in(row, "settled_quantity") == Decimal(40)
    settled_cell = tab.model.index(0, tab.model.column_of("status")).data()
    assert settled_cell == "Partially settled"
    tab.clear()


def test_export_the_selection_as_sese023_then_apply_a_status_file(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    from tests.iso20022 import assert_valid
    from tests.services.trading.test_trades import _terms

    desk = settling_desk
    desk.ws["carl"].trades.book(_terms("ACC-100"))
    tab = _tab(qtbot, tmp_path)
    tab.set_workspace(desk.ws["carl"])
    actions = tab.obligation_actions
    assert actions["statuses"].isEnabled()  # needs no selection
    assert actions["export"].toolTip() == "Select an obligation first"
    tab.view.selectRow(0)
    assert actions["export"].isEnabled()
    oid = int(tab.model.row_at(0)[-1])
    tab.export_instructions(tmp_path / "out")  # the folder the dialog would have given
    wait_ops(qtbot)
    assert tab.notice.text() == (
        f"1 instruction written (1 newly instructed) to {tmp_path / 'out'}"
    )
    assert_valid("sese.023.001.11", (tmp_path / "out" / f"DESK-{oid}.xml").read_bytes())
    assert tab.model.value_in(tab.model.row_at(0), "status") == "instructed"
    bad = tmp_path / "bad.csv"
    bad.write_text(f"instruction,status,reason\nDESK-{oid},failing,WXYZ\n")
    tab.import_statuses([bad])
    wait_ops(qtbot)
    assert tab.notice.text().startswith("Nothing applied: bad.csv:2: reason: must be a failing")
    good = tmp_path / "good.csv"
    good.write_text(f"instruction,status,reason,note\nDESK-{oid},unmatched,DDAT,date differs\n")
    tab.import_statuses([good])
    wait_ops(qtbot)
    assert tab.notice.text() == "1 file: 0 matched, 0 failing, 1 noted, 0 unchanged"
    row = tab.model.row_at(0)
    assert tab.model.value_in(row, "status_note") == "Unmatched: DDAT date differs"
    tab.import_statuses([tmp_path / "missing.csv"])  # refused on the worker: the notice says
    wait_ops(qtbot)
    assert tab.notice.text().startswith(f"{tmp_path / 'missing.csv'}: cannot be read")
    tab.clear()


def test_settle_pressed_twice_settles_once(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    from desk_app.ui import ops
    from tests.services.trading.test_trades import _terms

    carl = settling_desk.ws["carl"]
    carl.trades.book(_terms("ACC-100"))
    tab = _tab(qtbot, tmp_path)
    tab.set_workspace(carl)
    oid = int(tab.model.row_at(0)[-1])
    carl.settling.instruct([oid])
    carl.settling.match([oid])
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tab.view.selectRow(0)
    dialog = tab.settle()
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.quantity.setText("40")
    settled: list[object] = []
    dialog.settled.connect(settled.append)
    dialog.settle()
    assert not dialog.ok_button.isEnabled()  # until the first has answered
    dialog.settle()  # a second press while the first runs starts nothing
    assert ops.running() == 1
    wait_ops(qtbot)
    assert len(settled) == 1 and not dialog.isVisible()
    assert len(carl.settling.postings(oid)) == 1
    tab.clear()


def test_bulk_settle_and_mark_failing_run_off_the_gui_thread(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    from datetime import UTC, date, datetime

    from desk_app.domain.codes import FailReason
    from tests.services.trading.test_trades import _terms

    carl = settling_desk.ws["carl"]
    when = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
    for _ in range(3):  # settled on 2026-11-03: overdue whenever this runs
        carl.trades.book(_terms("ACC-100", trade_date=date(2026, 11, 2), trade_time=when))
    tab = _tab(qtbot, tmp_path)
    tab.set_workspace(carl)
    ids = [int(tab.model.row_at(n)[-1]) for n in range(3)]
    carl.settling.instruct(ids)
    carl.settling.match(ids[:2])
    tab.show_filter.setCurrentIndex(tab.show_filter.findData("overdue"))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3)
    tab.show_filter.setCurrentIndex(tab.show_filter.findData("today"))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0)
    tab.show_filter.setCurrentIndex(tab.show_filter.findData("matched"))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    tab.view.selectAll()
    assert tab.obligation_actions["settle_all"].isEnabled()
    with qtbot.waitSignal(tab.bulk_finished, timeout=10_000) as done:
        tab.obligation_actions["settle_all"].trigger()
    assert done.args == ["2 obligations settled"]
    tab.include_closed.setChecked(True)
    tab.show_filter.setCurrentIndex(tab.show_filter.findData("overdue"))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)  # overdue is open, closed or not
    tab.include_closed.setChecked(False)
    tab.show_filter.setCurrentIndex(tab.show_filter.findData("instructed"))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tab.view.selectRow(0)
    assert tab.pane.detail is not None
    with qtbot.waitSignal(tab.bulk_finished, timeout=10_000) as done:
        tab.mark_failing("LACK")
    assert done.args == ["1 obligation failing (LACK)"]
    assert tab.pane.detail is None  # it left the Instructed list: nothing is chosen
    o = carl.settling.postings  # the failing one settles nothing until it matches
    assert o(ids[2]) == []
    tab.show_filter.setCurrentIndex(tab.show_filter.findData("failing"))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert tab.model.value_in(tab.model.row_at(0), "fail_reason") == FailReason.LACK.value
    reason = tab.model.index(0, tab.model.column_of("fail_reason"))
    assert reason.data() == "LACK: we lack the securities"
    assert tab.cutoff_label.text().startswith("DTC cut-off 15:30 New York")
    tab.clear()


def test_the_detail_pane_shows_the_postings_and_reverses_one(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    from decimal import Decimal

    from tests.services.trading.test_trades import _terms

    carl = settling_desk.ws["carl"]
    carl.trades.book(_terms("ACC-100"))
    tab = _tab(qtbot, tmp_path)
    tab.set_workspace(carl)
    oid = int(tab.model.row_at(0)[-1])
    carl.settling.instruct([oid])
    carl.settling.match([oid])
    carl.settling.settle(oid, quantity=Decimal(40))
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tab.view.selectRow(0)
    pane = tab.pane
    assert pane.detail is not None and pane.detail.id == oid
    text = pane.summary.text()
    assert "Receive 100 US0378331005 against payment, partially settled" in text
    assert "DTCYUS33, agent IRVTUS3N, account 0352" in text
    assert pane.postings.column_texts(1) == ["Settlement"]
    assert not pane.reverse_button.isEnabled()  # no posting chosen yet
    pane.table.selectRow(0)
    assert pane.reverse_button.isEnabled()
    pane.reverse("  ")  # refused on the worker: the pane says why, in place of the detail
    wait_ops(qtbot)
    assert pane.summary.text() == "reason: say why the settlement is being reversed"
    pane.show_obligation(oid)
    pane.table.selectRow(0)
    with qtbot.waitSignal(pane.reversed) as done:
        pane.reverse("DTC reversed the delivery")  # on a worker
    assert done.args[0].startswith(f"Posting {pane.detail.postings[0].id} reversed by posting ")
    assert pane.postings.column_texts(1) == ["Settlement", "Reversal"]
    assert pane.postings.column_texts(6)[0].startswith("reversed by ")
    history = pane.show_history()
    assert history is not None and history.windowTitle() == f"History of obligation {oid}"
    history.close()
    tab.clear()
    assert pane.summary.text().startswith("Select an obligation")


def test_recheck_clears_an_exception_whose_ssi_arrived_and_show_picks_exceptions(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    from desk_app.db import models as m
    from desk_app.ui.theme import Tone
    from tests.services.trading.test_trades import _terms

    settling_desk.counterparty("MSCO")
    carl = settling_desk.ws["carl"]
    carl.trades.book(_terms("ACC-100"))  # GSCO: settles
    carl.trades.book(_terms("ACC-100", counterparty="MSCO"))  # no SSI: an exception
    tab = _tab(qtbot, tmp_path)
    tab.set_workspace(carl)
    assert [c.key for c in tab.model.columns()[:3]] == ["exception_reason", "status", "settle_date"]
    tab.show_filter.setCurrentIndex(tab.show_filter.findData("exceptions"))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    row = tab.model.row_at(0)
    waiting = int(row[-1])
    why = "No standing settlement instruction for MSCO / US / equity"
    assert tab.model.value_in(row, "exception_reason") == why
    assert tab.cell_tone(tab.model.columns()[0], row) is Tone.NEGATIVE
    actions = tab.obligation_actions
    assert actions["recheck_all"].isEnabled()  # needs no selection
    assert actions["recheck"].toolTip() == "Select an obligation first"
    tab.view.selectRow(0)
    assert actions["recheck"].isEnabled() and not actions["instruct"].isEnabled()
    assert actions["recheck"] in tab.view.actions()  # on the context menu too
    with qtbot.waitSignal(tab.recheck_finished, timeout=10_000) as done:
        actions["recheck"].trigger()
    assert done.args == ["1 open obligation checked: 0 exceptions cleared, 1 remains"]
    with settling_desk.admin.uow.write("test") as session:  # the SSI, loaded behind Desk's back
        o = session.get(m.SettlementObligation, waiting)
        assert o is not None
        session.add(m.StandingSettlementInstruction(
            counterparty_id=o.counterparty_id, account_id=None, market="US",
            asset_class=o.instrument.instrument_type, place_of_settlement="DTCYUS33",
            agent_bic="CHASUS33", safekeeping_account="0005", effective_from=o.settle_date,
        ))  # fmt: skip
    with qtbot.waitSignal(tab.recheck_finished, timeout=10_000) as done:
        actions["recheck_all"].trigger()
    assert done.args == ["2 open obligations checked: 1 exception cleared, 0 remain"]
    assert tab.notice.text() == done.args[0]
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0)  # nothing left with an exception
    tab.show_filter.setCurrentIndex(tab.show_filter.findData("any"))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    tab.view.selectRow(next(n for n in range(2) if int(tab.model.row_at(n)[-1]) == waiting))
    assert actions["instruct"].isEnabled()
    tab.clear()


def test_whoever_may_not_run_settlement_may_not_recheck(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    tab = _tab(qtbot, tmp_path)
    tab.set_workspace(settling_desk.ws["cora"])
    assert not tab.obligation_actions["recheck_all"].isEnabled()
    assert tab.obligation_actions["recheck_all"].toolTip().endswith("(you have compliance)")
    tab.clear()


def test_mark_failing_offers_each_code_with_its_meaning(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    from datetime import UTC, date, datetime

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QInputDialog

    from tests.services.trading.test_trades import _terms

    carl = settling_desk.ws["carl"]
    when = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
    carl.trades.book(_terms("ACC-100", trade_date=date(2026, 11, 2), trade_time=when))
    tab = _tab(qtbot, tmp_path)
    tab.set_workspace(carl)
    carl.settling.instruct([int(tab.model.row_at(0)[-1])])
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.value_in(tab.model.row_at(0), "status") == "instructed")
    tab.view.selectRow(0)
    offered: list[str] = []

    def pick() -> None:  # the dialog is up, modal: read what it offers and choose MONY
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        offered.extend(dialog.comboBoxItems())
        dialog.setTextValue("MONY: we lack the cash")
        dialog.accept()

    QTimer.singleShot(0, pick)
    with qtbot.waitSignal(tab.bulk_finished, timeout=10_000) as done:
        tab.obligation_actions["fail"].trigger()
    assert offered == [
        "LACK: we lack the securities", "MONY: we lack the cash",
        "CLAC: counterparty lacks the securities", "CMON: counterparty lacks the cash",
        "NMAS: no matching instruction", "SSID: instructions missing or wrong",
    ]  # fmt: skip
    assert done.args == ["1 obligation failing (MONY)"]
    tab.clear()
