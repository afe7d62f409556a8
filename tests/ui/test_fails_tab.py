"""The Fails tab ages an overdue obligation, charts the fails by age and prints the report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import Side
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.fails_tab import FailsTab
from tests.services.conftest import Desk
from tests.services.trading.test_trades import _terms

pytestmark = pytest.mark.gui
TRADED = date(2026, 11, 2)  # settled on the 3rd: long overdue by the time this runs


def _tab(qtbot: QtBot, tmp_path: Path, desk: Desk) -> FailsTab:
    settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    tab = FailsTab(settings)
    qtbot.addWidget(tab)
    tab.resize(1300, 600)
    tab.show()
    tab.set_workspace(desk.ws["carl"])
    return tab


def test_the_fails_view_ages_an_overdue_obligation(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    carl = settling_desk.ws["carl"]
    when = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
    for side in (Side.SELL_SHORT, Side.BUY):
        carl.trades.book(_terms("ACC-100", side=side, trade_date=TRADED, trade_time=when))
    tab = _tab(qtbot, tmp_path, settling_desk)
    expected = {f.id: f for f in carl.fails.fails(tab.as_of)}  # the market's date
    assert tab.model.rowCount() == 2 == len(expected)
    for row in (tab.model.row_at(n) for n in range(2)):
        fail = expected[tab.model.value_in(row, "id")]
        assert (
            tab.model.value_in(row, "age") == fail.age >= 15
        )  # Veterans Day and Thanksgiving do not count
        assert tab.model.value_in(row, "bucket") in ("14–30", "31+")
    sides = tab.model.column_of("side")
    assert sorted(tab.model.index(n, sides).data() for n in range(2)) == [
        "Fail to deliver", "Fail to receive"
    ]  # fmt: skip
    assert tab.summary.text().startswith(f"As of {tab.as_of.isoformat()}: 1 to deliver, 1 to")
    assert tab.chart_view is not None
    series = tab.chart_view.chart().series()[0]
    assert [(s.label(), sum(s.at(i) for i in range(s.count()))) for s in series.barSets()] == [
        ("To deliver", 1.0), ("To receive", 1.0)
    ]  # fmt: skip
    with qtbot.waitSignal(tab.report_written, timeout=20_000) as wrote:
        assert tab.print_report(tmp_path / "fails.pdf")  # on a worker
    written = wrote.args[0]
    assert written is not None and written.read_bytes().startswith(b"%PDF")
    assert tab.notice.text() == f"Fails report written to {written}"
    tab.clear()
    assert tab.summary.text() == "" and tab.model.rowCount() == 0


def test_a_report_that_cannot_be_written_says_why_in_the_notice_and_runs_once(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    from desk_app.ui import ops
    from tests.ui.conftest import wait_ops

    tab = _tab(qtbot, tmp_path, settling_desk)
    wrote: list[Path] = []
    tab.report_written.connect(wrote.append)
    target = tmp_path / "fails.pdf"
    assert tab.print_report(target)
    assert not tab.print_report(target)  # pressed again while the first is on its way
    assert ops.running() == 1
    wait_ops(qtbot)
    assert wrote == [target] and tab.notice.text() == f"Fails report written to {target}"
    missing = tmp_path / "no such folder" / "fails.pdf"
    assert tab.print_report(missing)
    wait_ops(qtbot)
    assert tab.notice.text().startswith(f"{missing}: cannot write the report")
    assert wrote == [target]
    tab.clear()


def test_the_list_leads_with_what_to_act_on_and_the_chart_folds_away_and_stays_so(
    qtbot: QtBot, settling_desk: Desk, tmp_path: Path
) -> None:
    from desk_app.ui.theme import Tone

    carl = settling_desk.ws["carl"]
    when = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
    oid = carl.trades.book(_terms("ACC-100", side=Side.SELL_SHORT, trade_date=TRADED,
                                  trade_time=when))  # fmt: skip
    with settling_desk.admin.uow.read() as session:
        from desk_app.services.settlement.obligations import obligation_of

        found = obligation_of(session, oid)
        assert found is not None
        obligation = found.id
    carl.settling.instruct([obligation])
    carl.settling.mark_failing([obligation], "LACK")
    tab = _tab(qtbot, tmp_path, settling_desk)
    keys = [c.key for c in tab.model.columns()]
    assert keys[:3] == ["close_out", "fail_reason", "capital"]
    reason = tab.model.index(0, tab.model.column_of("fail_reason"))
    assert reason.data() == "LACK: we lack the securities"
    row = tab.model.row_at(0)
    assert tab.cell_tone(tab.model.columns()[1], row) is Tone.NEGATIVE  # its close-out passed
    list_width, chart_width = tab.splitter.sizes()
    assert chart_width > 0 and list_width > 3 * chart_width  # the list is the main thing
    assert tab.chart_action.isChecked()
    tab.chart_action.trigger()  # fold the chart away: the list takes the width
    assert tab.splitter.sizes()[1] == 0 and not tab.chart_action.isChecked()
    tab.clear()
    again = _tab(qtbot, tmp_path, settling_desk)  # the same settings file
    assert again.splitter.sizes()[1] == 0 and not again.chart_action.isChecked()
    again.chart_action.trigger()
    assert again.splitter.sizes()[1] > 0
    again.clear()
