"""File → Import trades…: a preview from a dry run, then the import, cancellable, whole or not."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.domain.progress import CancelToken, Progress, no_progress
from desk_app.services.trading.trade_import import ImportReport, TradeImportService
from desk_app.ui.dialogs.import_trades_dialog import ImportTradesDialog
from tests.services.conftest import Desk
from tests.services.trading.test_trade_import import _books

pytestmark = pytest.mark.gui

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD_CSV = DATA / "trades" / "good.csv"
BAD_ISIN = DATA / "trades" / "bad_isin_check_digit.csv"
FIX = DATA / "fix" / "good_back_to_back.fix"
WAIT = 20_000


@pytest.fixture
def floor(db_url: str) -> Iterator[Desk]:
    """The accounts, instruments and brokers the golden files name."""
    desk = _books(Desk(db_url))
    yield desk
    desk.close()


def trade_count(desk: Desk) -> int:
    with desk.admin.uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(m.Trade)) or 0)


def open_dialog(qtbot: QtBot, imports: object, path: Path) -> ImportTradesDialog:
    dialog = ImportTradesDialog(imports, path=path)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT)
    return dialog


def test_a_file_is_previewed_then_imported(
    qtbot: QtBot, qtmodeltester: ModelTester, floor: Desk
) -> None:
    dialog = open_dialog(qtbot, floor.ws["carl"].imports, GOOD_CSV)
    qtmodeltester.check(dialog.preview)
    assert dialog.summary.text() == (
        "good.csv (CSV): 5 rows: 5 to add, 0 to correct, 0 to cancel, 0 already on the blotter."
    )
    assert dialog.preview.column_texts(2) == ["T-1001", "T-1002", "T-1003", "T-1004", "T-1005"]
    assert dialog.preview.column_texts(1) == ["Add"] * 5
    assert dialog.preview.column_texts(5)[2] == "Sell short"
    assert dialog.tabs.tabText(0) == "Preview (5)" and dialog.tabs.tabText(1) == "Problems (0)"
    assert trade_count(floor) == 0  # the preview stored nothing
    assert dialog.import_button.isEnabled()
    imported: list[int] = []
    dialog.trades_imported.connect(imported.append)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Import is the default button
    qtbot.waitUntil(lambda: dialog.imported is not None, timeout=WAIT)
    assert dialog.imported is not None and imported == [dialog.imported.import_id]
    assert dialog.summary.text().startswith("Imported good.csv: 5 rows: 5 added")
    assert not dialog.import_button.isEnabled()
    assert trade_count(floor) == 5

    again = open_dialog(qtbot, floor.ws["carl"].imports, GOOD_CSV)
    assert again.summary.text().endswith("0 to cancel, 5 already on the blotter.")
    assert "Nothing to import" in again.note.text()
    assert "imported" in again.note.text()  # when this very file came in before, and by whom
    assert again.preview.column_texts(1) == ["Already in"] * 5
    assert not again.import_button.isEnabled()


def test_fix_corrections_and_cancels_are_counted(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_dialog(qtbot, floor.ws["carl"].imports, FIX)
    assert dialog.summary.text() == (
        "good_back_to_back.fix (FIX): 3 rows: 1 to add, 1 to correct, 1 to cancel, "
        "0 already on the blotter."
    )
    assert dialog.preview.column_texts(1) == ["Add", "Correct", "Cancel"]


def test_a_late_correction_is_shown_and_sent_for_approval(
    qtbot: QtBot, floor: Desk, tmp_path: Path
) -> None:
    from tests.services.trading.test_trade_import import _fix

    carl = floor.ws["carl"].imports
    week_ago = "75=20261117|60=20261117-14:30:05|76=GSCO|"  # settled 2026-11-18: late now
    trade = "35=8|17=L1|150=F|1=ACC-001|54=1|48=US0378331005|22=4|32=100|31=187.25|15=USD|"
    fix = "35=8|17=L2|150=G|19=L1|1=ACC-001|54=1|48=US0378331005|22=4|32=150|31=187.25|15=USD|"
    assert carl.import_bytes(_fix(trade + week_ago), "fills.fix").ok
    path = tmp_path / "late.fix"
    path.write_bytes(_fix(fix + week_ago))
    dialog = open_dialog(qtbot, carl, path)
    assert dialog.summary.text() == (
        "late.fix (FIX): 1 row: 0 to add, 0 to correct, 0 to cancel, 1 for approval, "
        "0 already on the blotter."
    )
    assert dialog.preview.column_texts(1) == ["For approval"]
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.imported is not None, timeout=WAIT)
    assert "1 sent for approval" in dialog.summary.text()
    assert trade_count(floor) == 1  # the correction waits for a principal
    with floor.admin.uow.read() as session:
        late = select(func.count()).where(m.ApprovalRequest.action != "user.grant")
        assert session.scalar(late) == 1  # besides the grants that made the desk's staff


def test_a_file_with_problems_lists_them_and_cannot_be_imported(qtbot: QtBot, floor: Desk) -> None:
    dialog = open_dialog(qtbot, floor.ws["carl"].imports, BAD_ISIN)
    assert dialog.problem_texts() == [
        "Line 3: isin: check digit is wrong ('US0378331006')"
    ]  # fmt: skip
    assert dialog.tabs.currentIndex() == 1 and dialog.tabs.tabText(1) == "Problems (1)"
    assert dialog.summary.text().startswith("bad_isin_check_digit.csv (CSV): 2 rows, 1 problem")
    assert not dialog.import_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.imported is None and dialog.isVisible()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == (
        "bad_isin_check_digit.csv:3: isin: check digit is wrong ('US0378331006')"
    )
    assert trade_count(floor) == 0


class HeldImport:
    """The real import, held at a step until the test has pressed Cancel."""

    def __init__(self, real: TradeImportService, step: str, *, dry_run: bool) -> None:
        self.real = real
        self.step = step
        self.dry_run = dry_run
        self.reached = threading.Event()

    def import_file(
        self,
        path: Path,
        *,
        dry_run: bool = False,
        progress: Progress = no_progress,
        cancel: CancelToken | None = None,
    ) -> ImportReport:
        def held(done: int, total: int, text: str) -> None:
            progress(done, total, text)
            if dry_run is self.dry_run and text.startswith(self.step) and cancel is not None:
                self.reached.set()
                # Block on the token's own event (set by Cancel, Stop or Esc on the GUI
                # thread) rather than poll it; the timeout only ends a test that hangs.
                cancel.wait(WAIT / 1000)

        return self.real.import_file(path, dry_run=dry_run, progress=held, cancel=cancel)


def test_cancelling_the_import_stores_nothing(qtbot: QtBot, floor: Desk) -> None:
    held = HeldImport(floor.ws["carl"].imports, "Storing", dry_run=False)
    dialog = open_dialog(qtbot, held, GOOD_CSV)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(held.reached.is_set, timeout=WAIT)
    progress = dialog.progress_dialog
    assert progress is not None and progress.isVisible()
    cancel = progress.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.summary.text().startswith("Import cancelled"), timeout=WAIT)
    assert dialog.summary.text() == "Import cancelled: nothing was saved."
    assert not progress.isVisible()
    assert trade_count(floor) == 0
    assert dialog.import_button.isEnabled()  # the clerk may try again


def test_checking_can_be_stopped(qtbot: QtBot, floor: Desk) -> None:
    held = HeldImport(floor.ws["carl"].imports, "Checking", dry_run=True)
    dialog = ImportTradesDialog(held, path=GOOD_CSV)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(held.reached.is_set, timeout=WAIT)
    assert dialog.progress_row.isVisible()
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.progress_row.isVisible(), timeout=WAIT)
    assert dialog.summary.text() == "Checking stopped: nothing was imported."
    assert dialog.report is None and not dialog.import_button.isEnabled()


def test_closing_while_checking_waits_for_the_check_to_let_go(qtbot: QtBot, floor: Desk) -> None:
    """So that no read of the database is left running when the window switches databases."""
    held = HeldImport(floor.ws["carl"].imports, "Checking", dry_run=True)
    dialog = ImportTradesDialog(held, path=GOOD_CSV)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(held.reached.is_set, timeout=WAIT)
    assert not dialog._check_done.is_set()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog._check_done.is_set()  # already when Esc returns
    assert not dialog.isVisible()


def test_whoever_may_not_import_is_told_so(qtbot: QtBot, floor: Desk) -> None:
    dialog = ImportTradesDialog(floor.ws["cora"].imports, path=GOOD_CSV)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=WAIT)
    assert "clerk or supervisor" in dialog.error.text()
    assert not dialog.import_button.isEnabled()


def test_many_problems_are_listed_in_part_and_saved_whole(
    qtbot: QtBot, qtmodeltester: ModelTester, floor: Desk, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import desk_app.ui.dialogs.import_trades_dialog as dialogs

    monkeypatch.setattr(dialogs, "SHOWN_PROBLEMS", 3)
    path = tmp_path / "junk.csv"
    path.write_text(
        "external_id,trade_date,account,side,isin,quantity,price,currency,counterparty\n"
        "J-1,2024-06-03,ACC-404,buy,US0378331006,100,1,USD,ZZZZ\n"
        + "".join(
            f"J-{n},2024-06-03,ACC-404,buy,US0378331005,100,1,USD,GSCO\n" for n in range(2, 6)
        ),
        encoding="utf-8",
    )
    dialog = open_dialog(qtbot, floor.ws["carl"].imports, path)
    qtmodeltester.check(dialog.problems)
    assert dialog.tabs.tabText(1) == "Problems (7)"
    assert dialog.problem_texts() == [  # every problem of the line, in the file's order
        "Line 2: isin: check digit is wrong ('US0378331006')",
        "Line 2: account: is not an account on this database ('ACC-404')",
        "Line 2: counterparty: is not a counterparty on this database ('ZZZZ')",
    ]
    assert dialog.problems_note.text() == (
        "The first 3 of 7 are listed: Save problems… writes every one."
    )
    saved = dialog.save_problems(tmp_path / "back.csv")
    assert saved is not None
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "file,line,field,reason,value" and len(lines) == 8
    assert lines[-1] == "junk.csv,6,account,is not an account on this database ('ACC-404'),ACC-404"
    assert dialog.problems_note.text() == "Every problem was saved to back.csv."

    dialog.problems_view.selectRow(1)
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == (
        "junk.csv:2: account: is not an account on this database ('ACC-404')"
    )
    dialog.problems_view.clearSelection()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert len(QGuiApplication.clipboard().text().splitlines()) == 7  # listed or not


def test_a_folder_and_a_workbook_say_what_they_are(
    qtbot: QtBot, floor: Desk, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    dialog = ImportTradesDialog(floor.ws["carl"].imports)
    qtbot.addWidget(dialog)
    dialog.load(tmp_path)
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=WAIT)
    assert dialog.summary.text() == "The file could not be checked."
    assert "is a folder, not a file: choose the file in it" in dialog.error.text()
    Workbook().save(tmp_path / "fills.xlsx")
    dialog.load(tmp_path / "fills.xlsx")
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT)
    assert dialog.problem_texts() == [
        "Line 1: file: is an Excel workbook (.xlsx), not CSV: open it in Excel and save it as "
        "CSV UTF-8 (File > Save As), then import that"
    ]
