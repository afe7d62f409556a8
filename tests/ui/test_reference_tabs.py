"""The Counterparties and Instruments tabs: what each role may do, the supervised amend,
a used record refused deletion, and a CSV import whose problems are listed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from desk_app.domain.codes import InstrumentType
from desk_app.services.workspace import Workspace
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.reference_tab import CounterpartiesTab, InstrumentsTab, ReferenceTab
from tests.services.conftest import Desk
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui


@pytest.fixture
def make_tab(
    qtbot: QtBot, tmp_path: Path
) -> Iterator[Callable[[type[ReferenceTab], Workspace], ReferenceTab]]:
    made: list[ReferenceTab] = []

    def make(kind: type[ReferenceTab], ws: Workspace) -> ReferenceTab:
        store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        tab = kind(DeskSettings(store))
        qtbot.addWidget(tab)
        tab.resize(1200, 600)
        tab.show()
        tab.set_workspace(ws)
        made.append(tab)
        return tab

    yield make
    for tab in made:
        tab.clear()
    QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()


def _select(qtbot: QtBot, tab: ReferenceTab, key: str) -> None:
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=10_000)
    column = tab.model.column_of(tab.key_column)
    keys = [tab.model.index(r, column).data() for r in range(tab.model.rowCount())]
    tab.view.selectRow(keys.index(key))


def test_compliance_sees_the_lists_and_is_told_why_it_may_not_change_them(
    qtbot: QtBot, desk: Desk, make_tab: Callable[[type[ReferenceTab], Workspace], ReferenceTab]
) -> None:
    desk.counterparty("GSCO")
    tab = make_tab(CounterpartiesTab, desk.ws["cora"])
    _select(qtbot, tab, "GSCO")
    for key in ("new", "amend", "deactivate", "delete", "import"):
        action = tab.actions_by_key[key]
        assert not action.isEnabled(), key
        assert "needs the clerk or supervisor role (you have compliance)" in action.toolTip()
    assert tab.actions_by_key["history"].isEnabled()


def test_a_used_counterpartys_dtc_change_from_the_form_is_a_request(
    qtbot: QtBot, desk: Desk, make_tab: Callable[[type[ReferenceTab], Workspace], ReferenceTab]
) -> None:
    desk.counterparty("GSCO", ssi_for=InstrumentType.EQUITY)  # an SSI uses it
    tab = make_tab(CounterpartiesTab, desk.ws["carl"])
    _select(qtbot, tab, "GSCO")
    tab.actions_by_key["amend"].trigger()
    wait_ops(qtbot)  # the record is read on a worker, then the form opens
    dialog = tab.record_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.banner.isVisible() and "standing settlement instructions" in dialog.banner.text()
    assert not dialog.editors["code"].isEnabled()  # a used code never changes
    dtc = dialog.editors["dtc_participant"]
    assert isinstance(dtc, QLineEdit)
    qtbot.keyClicks(dtc, "12345")
    assert dialog.rows["dtc_participant"].note.text() == "Must be at most 4 digits (has 5)"
    dtc.clear()
    qtbot.keyClicks(dtc, "15")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)  # refused: a supervised change needs a reason
    assert dialog.isVisible() and dialog.error.text().startswith("Reason: say why")
    qtbot.keyClicks(dialog.reason, "DTC renumbered the participant")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.amended is not None and dialog.amended.request_id is not None
    assert tab.notice.text().startswith(f"Request {dialog.amended.request_id} sent")
    assert desk.admin.counterparties.record("GSCO").values["dtc_participant"] is None
    desk.ws["sue"].approvals.approve(dialog.amended.request_id)
    assert desk.admin.counterparties.record("GSCO").values["dtc_participant"] == "0015"


def test_a_used_counterparty_is_not_deleted_but_deactivated(
    qtbot: QtBot, desk: Desk, make_tab: Callable[[type[ReferenceTab], Workspace], ReferenceTab]
) -> None:
    desk.counterparty("GSCO", ssi_for=InstrumentType.EQUITY)
    tab = make_tab(CounterpartiesTab, desk.ws["carl"])
    _select(qtbot, tab, "GSCO")
    box = tab.delete()
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    wait_ops(qtbot)
    assert "cannot be deleted" in tab.notice.text() and "Deactivate it instead" in tab.notice.text()
    _select(qtbot, tab, "GSCO")
    tab.actions_by_key["deactivate"].trigger()
    wait_ops(qtbot)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=10_000)  # the list: active ones
    assert not desk.admin.counterparties.record("GSCO").active


def test_an_instruments_file_lists_every_problem_then_imports_whole(
    qtbot: QtBot,
    desk: Desk,
    make_tab: Callable[[type[ReferenceTab], Workspace], ReferenceTab],
    tmp_path: Path,
) -> None:
    tab = make_tab(InstrumentsTab, desk.ws["carl"])
    bad = tmp_path / "instruments.csv"
    header = "cusip,description,instrument_type,currency\n"
    bad.write_text(header + "459200101,IBM,equity,USD\n037833101,Apple,equity,XXY\n")
    dialog = tab.import_csv()
    assert dialog is not None
    dialog.load(bad)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    model = dialog.problems
    problems = [(model.cell(r, 0).text, model.cell(r, 1).text) for r in range(model.rowCount())]
    assert problems == [("3", "currency"), ("3", "cusip")]  # the row's fields, then the ids
    assert not dialog.import_button.isEnabled()
    good = tmp_path / "good.csv"
    good.write_text(header + "459200101,IBM,equity,USD\n037833100,Apple,equity,USD\n")
    dialog.load(good)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert dialog.summary.text() == (
        "good.csv: Would add 2 instruments; 0 already on the database."
    )
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=10_000)
