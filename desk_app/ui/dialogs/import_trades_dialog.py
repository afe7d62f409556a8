"""File → Import trades…: check a trades file (CSV or FIX 4.4), preview it, then import it.

Choosing a file runs a dry run on a worker, with a progress bar that can be stopped:
it counts what the file would add, correct and cancel, shows its first rows, and
lists every problem (line, field, reason) where the clerk can copy them or save
them all as CSV (a file full of errors lists its first thousand). A file
with problems cannot be imported. Importing runs on a worker behind a progress
dialog whose Cancel stores nothing: the service raises `Cancelled` and rolls back.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDir, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import labels
from desk_app.domain.errors import DeskError
from desk_app.domain.money import format_amount, format_quantity
from desk_app.domain.progress import Cancelled, CancelToken, Progress
from desk_app.domain.trade_rows import RowProblem, problems_csv
from desk_app.ui.dialogs.history_dialog import _table
from desk_app.ui.dialogs.trade_history_dialog import AlignedTableModel
from desk_app.ui.dialogs.trade_ticket_fields import error_label, set_tone
from desk_app.ui.models.static_table_model import Cell
from desk_app.ui.tabs.trade_views import ImportReportView, PreviewRowView, TradeImportView
from desk_app.ui.theme import Tone
from desk_app.ui.workers import run_cancellable_with_progress_dialog, run_with_progress

FILE_FILTER = "Trades files (*.csv *.fix *.txt);;All files (*)"
PREVIEW_HEADERS = (
    "Line", "Action", "External id", "Trade date", "Account", "Side", "ISIN", "Quantity",
    "Price", "Ccy", "Counterparty", "Settles", "Net",
)  # fmt: skip
PROBLEM_HEADERS = ("Line", "Field", "Reason")
#: Problems listed (a file full of errors has hundreds of thousands; Save writes them all).
SHOWN_PROBLEMS = 1000
#: How long closing the dialog waits for a stopped check to let go of the database.
CHECK_STOP_WAIT_S = 10.0
ACTIONS = {"add": "Add", "correct": "Correct", "cancel": "Cancel", "unchanged": "Already in",
           "request": "For approval", "requested": "Sent before"}  # fmt: skip
_ACTION_TONES = {"cancel": Tone.WARNING, "unchanged": Tone.MUTED, "request": Tone.WARNING,
                 "requested": Tone.MUTED}  # fmt: skip


def problem_cells(problem: RowProblem) -> list[Cell]:
    """A problem as the list shows it: line, field, reason."""
    return [Cell(f"{problem.line:,}", problem.line), Cell(problem.field), Cell(problem.reason)]


def _amount(value: Decimal | None) -> str:
    return "" if value is None else format_amount(value)


def preview_cells(row: PreviewRowView) -> list[Cell]:
    side = labels.SIDE.get(row.side, row.side)
    return [
        Cell(str(row.line), row.line), Cell(ACTIONS.get(row.action, row.action), row.action,
                                            tone=_ACTION_TONES.get(row.action)),
        Cell(row.external_id), Cell(row.trade_date), Cell(row.account), Cell(side, row.side),
        Cell(row.isin), Cell("" if row.quantity is None else format_quantity(row.quantity),
                             row.quantity),
        Cell(_amount(row.price), row.price), Cell(row.currency), Cell(row.counterparty),
        Cell(row.settle_date), Cell(_amount(row.net_amount), row.net_amount),
    ]  # fmt: skip


def summary_text(report: ImportReportView) -> str:
    """What the file holds and does, in one line ("5 rows: 5 to add, …")."""
    rows = f"{report.rows:,} row{'' if report.rows == 1 else 's'}"
    if report.problems:
        n = len(report.problems)
        return f"{rows}, {n:,} problem{'' if n == 1 else 's'}: fix the file and choose it again."
    verb = ("to add", "to correct", "to cancel") if report.dry_run else (
        "added", "corrected", "cancelled")  # fmt: skip
    counts = (report.added, report.corrected, report.cancelled)
    done = ", ".join(f"{n:,} {v}" for n, v in zip(counts, verb, strict=True))
    if report.requested:  # late corrections and cancels: a principal approves them
        done += f", {report.requested:,} {'for' if report.dry_run else 'sent for'} approval"
    if report.requested_before:
        done += f", {report.requested_before:,} sent for approval before"
    return f"{rows}: {done}, {report.unchanged:,} already on the blotter."


class ImportTradesDialog(QDialog):
    """Preview a trades file and import it; `trades_imported` once it is stored."""

    #: The file was imported (the import's id in the import log).
    trades_imported = Signal(int)

    def __init__(
        self, imports: TradeImportView, parent: QWidget | None = None, *, path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("import_trades_dialog")
        self.setWindowTitle("Import trades")
        self._imports = imports
        self.path: Path | None = None
        self.report: ImportReportView | None = None
        self.imported: ImportReportView | None = None
        self.progress_dialog: QProgressDialog | None = None
        self._token: CancelToken | None = None
        #: Set when the check's worker has let go of the database (see `reject`).
        self._check_done = threading.Event()
        self._check_done.set()
        self._build()
        self.resize(1000, 600)
        if path is not None:
            self.load(path)

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        top = self._build_file_row()
        self._build_progress_row()
        self._build_report()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        self.import_button = self.buttons.addButton(
            "&Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setObjectName("import")
        self.import_button.setEnabled(False)
        self.import_button.setDefault(True)
        self.buttons.accepted.connect(self.import_now)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self._show_report(None)

    def _build_file_row(self) -> QHBoxLayout:
        self.file = QLineEdit(self)
        self.file.setObjectName("file")
        self.file.setReadOnly(True)
        self.file.setPlaceholderText("A trades CSV or FIX 4.4 execution reports")
        self.choose_button = QPushButton("&Choose file…", self)
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose_file)
        top = QHBoxLayout()
        top.addWidget(QLabel("File", self))
        top.addWidget(self.file, 1)
        top.addWidget(self.choose_button)
        return top

    def _build_progress_row(self) -> None:
        self.bar = QProgressBar(self)
        self.bar.setObjectName("check_progress")
        self.bar_text = QLabel(self)
        self.stop_button = QPushButton("&Stop", self)
        self.stop_button.setAutoDefault(False)
        self.stop_button.setToolTip("Stop checking the file (nothing is imported)")
        self.stop_button.clicked.connect(self.stop_checking)
        self.progress_row = QWidget(self)
        row = QHBoxLayout(self.progress_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar_text, 1)
        row.addWidget(self.bar, 2)
        row.addWidget(self.stop_button)
        self.progress_row.hide()

    def _build_report(self) -> None:
        """The counts, a note, an error; the preview and the problems as tabs."""
        self.summary = QLabel("Choose a file to see what it would import.", self)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.note = QLabel(self)
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        self.note.hide()
        self.error = error_label("import_error", self)

        right = [PREVIEW_HEADERS.index(h) for h in ("Line", "Quantity", "Price", "Net")]
        self.preview = AlignedTableModel(PREVIEW_HEADERS, right, self)
        self.preview_view = _table(self.preview, self)
        self.preview_view.horizontalHeader().setStretchLastSection(False)
        self.problems = AlignedTableModel(PROBLEM_HEADERS, [0], self)
        self.problems_view = _table(self.problems, self)
        self.problems_view.setObjectName("problems")
        self.problems_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.problems_note = QLabel(self)
        self.problems_note.setObjectName("problems_note")
        self.problems_note.setWordWrap(True)
        self.copy_button = QPushButton("C&opy problems", self)
        self.copy_button.setAutoDefault(False)
        self.copy_button.setToolTip(
            "Copy the selected problems, or every one if none is selected (file:line: field: "
            "reason), to send back"
        )
        self.copy_button.clicked.connect(self.copy_problems)
        self.save_button = QPushButton("&Save problems…", self)
        self.save_button.setObjectName("save_problems")
        self.save_button.setAutoDefault(False)
        self.save_button.setToolTip("Save every problem as a CSV file (file, line, field, reason)")
        self.save_button.clicked.connect(self._save_clicked)
        problems_pane = QWidget(self)
        column = QVBoxLayout(problems_pane)
        column.addWidget(self.problems_view, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.problems_note, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        column.addLayout(buttons)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.preview_view, "Preview")
        self.tabs.addTab(problems_pane, "Problems")

    # -- choosing and checking ------------------------------------------------------------
    def choose_file(self) -> None:
        start = str(self.path.parent) if self.path else QDir.homePath()
        name, _filter = QFileDialog.getOpenFileName(self, "Import trades", start, FILE_FILTER)
        if name:
            self.load(Path(name))

    def load(self, path: Path) -> None:
        """Check ``path`` on a worker (a dry run) and show what importing it would do."""
        self.path = path
        self.file.setText(str(path))
        self.report = self.imported = None
        self._show_report(None)
        self.summary.setText(f"Checking {path.name}…")
        self.error.hide()
        token = self._token = CancelToken()
        self.bar.setRange(0, 0)
        self.bar_text.setText(f"Reading {path.name}…")
        self.progress_row.show()
        self.choose_button.setEnabled(False)
        imports = self._imports
        done = self._check_done = threading.Event()

        def check(progress: Progress) -> ImportReportView:
            try:
                return imports.import_file(path, dry_run=True, progress=progress, cancel=token)
            finally:
                done.set()

        run_with_progress(check, self._checked, self._check_failed, self._check_progressed)

    def stop_checking(self) -> None:
        if self._token is not None:
            self._token.cancel()
            self.bar_text.setText("Stopping…")

    def _check_progressed(self, done: int, total: int, text: str) -> None:
        if self._token is None or self._token.cancelled:
            return
        self.bar.setRange(0, max(total, 0))
        self.bar.setValue(min(done, total))
        self.bar_text.setText(text)

    def _checked(self, report: ImportReportView) -> None:
        stopped = self._token is not None and self._token.cancelled
        self._checking_done()
        if stopped:  # the check ended before it looked for the Stop
            self._check_failed(Cancelled("Checking"))
            return
        self.report = report
        self._show_report(report)

    def _check_failed(self, exc: Exception) -> None:
        self._checking_done()
        if isinstance(exc, Cancelled):
            self.summary.setText("Checking stopped: nothing was imported.")
            return
        self.summary.setText("The file could not be checked.")
        self._show_error(exc)

    def _checking_done(self) -> None:
        self._token = None
        self.progress_row.hide()
        self.choose_button.setEnabled(True)

    # -- importing ------------------------------------------------------------------------
    def import_now(self) -> None:
        """Import the checked file on a worker behind a progress dialog that can cancel."""
        path, report = self.path, self.report
        if path is None or report is None or not self.import_button.isEnabled():
            return
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        imports = self._imports

        def run(progress: Progress, cancel: CancelToken) -> ImportReportView:
            return imports.import_file(path, progress=progress, cancel=cancel)

        self.progress_dialog = run_cancellable_with_progress_dialog(
            run, self._imported, self._import_failed, parent=self,
            title="Importing trades", label=f"Importing {path.name}…",
        )  # fmt: skip

    def _imported(self, report: ImportReportView) -> None:
        self.choose_button.setEnabled(True)
        self.report = report
        if not report.ok:  # the books changed since the check
            self._show_report(report)
            return
        self.imported = report
        self._show_report(report)
        self.summary.setText(f"Imported {report.file_name}: {summary_text(report)}")
        self.import_button.setEnabled(False)
        if report.import_id is not None:
            self.trades_imported.emit(report.import_id)

    def _import_failed(self, exc: Exception) -> None:
        self.choose_button.setEnabled(True)
        if isinstance(exc, Cancelled):
            self.summary.setText("Import cancelled: nothing was saved.")
            self.import_button.setEnabled(self.report is not None and self._importable(self.report))
            return
        self.summary.setText("The file was not imported: nothing was saved.")
        self._show_error(exc)

    # -- showing --------------------------------------------------------------------------
    def copy_problems(self) -> None:
        """The selected problems, or all (listed or not), as ``file:line: field: reason``."""
        if self.report is None or not self.report.problems:
            return
        problems = self.report.problems
        rows = sorted({index.row() for index in self.problems_view.selectedIndexes()})
        chosen = [problems[row] for row in rows] if rows else problems
        QGuiApplication.clipboard().setText("\n".join(str(p) for p in chosen))

    def save_problems(self, path: Path | None = None) -> Path | None:
        """Every problem as a CSV file (file, line, field, reason, value); asks where if need be."""
        if self.report is None or not self.report.problems:
            return None
        if path is None:
            start = self.path.with_name(f"{self.path.stem}-problems.csv") if self.path else None
            name, _filter = QFileDialog.getSaveFileName(
                self, "Save problems", str(start or QDir.homePath()), "CSV files (*.csv)"
            )
            if not name:
                return None
            path = Path(name)
        try:
            path.write_text(problems_csv(self.report.problems), encoding="utf-8", newline="")
        except OSError as exc:
            self._show_error(DeskError(f"{path}: cannot be written ({exc.strerror or exc})"))
            return None
        self.problems_note.setText(f"Every problem was saved to {path.name}.")
        return path

    def _save_clicked(self) -> None:
        self.save_problems()

    def problem_texts(self) -> list[str]:
        """The problems as listed ("Line 3: isin: …"), the first `SHOWN_PROBLEMS` of them."""
        return [
            f"Line {line}: {field}: {reason}"
            for line, field, reason in zip(
                *(self.problems.column_texts(c) for c in range(3)), strict=True
            )
        ]

    @staticmethod
    def _importable(report: ImportReportView) -> bool:
        return report.ok and (
            report.added + report.corrected + report.cancelled + report.requested > 0
        )

    def _show_report(self, report: ImportReportView | None) -> None:
        self.preview.set_rows([] if report is None else [preview_cells(r) for r in report.preview])
        self.preview_view.resizeColumnsToContents()
        problems = () if report is None else report.problems
        self.problems.set_rows([problem_cells(p) for p in problems[:SHOWN_PROBLEMS]])
        self.problems_view.resizeColumnToContents(0)
        self.problems_view.resizeColumnToContents(1)
        more = len(problems) - SHOWN_PROBLEMS
        self.problems_note.setText(
            f"The first {SHOWN_PROBLEMS:,} of {len(problems):,} are listed: Save problems… "
            "writes every one."
            if more > 0
            else ""
        )
        shown, rows = (0, 0) if report is None else (len(report.preview), report.rows)
        count = f"first {shown:,} of {rows:,}" if shown < rows else f"{rows:,}"
        self.tabs.setTabText(0, f"Preview ({count})" if report else "Preview")
        self.tabs.setTabText(1, f"Problems ({len(problems):,})" if report else "Problems")
        self.tabs.setCurrentIndex(1 if problems else 0)
        self.copy_button.setEnabled(bool(problems))
        self.save_button.setEnabled(bool(problems))
        self.import_button.setEnabled(report is not None and self._importable(report))
        if report is None:
            self.note.hide()
            return
        source = labels.TRADE_SOURCE.get(report.source.value, report.source.value)
        self.summary.setText(f"{report.file_name} ({source}): {summary_text(report)}")
        if problems:
            set_tone(self.summary, Tone.NEGATIVE)
        else:
            self.summary.setPalette(self.palette())
        notes = []
        if report.already_imported:
            notes.append(report.already_imported)
        if report.ok and not self._importable(report):
            notes.append("Nothing to import: every trade in it is already on the blotter.")
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))

    def _show_error(self, exc: Exception) -> None:
        self.error.setText(exc.message if isinstance(exc, DeskError) else str(exc))
        self.error.show()

    def reject(self) -> None:
        """Closing while the file is being checked stops the check, and waits for it.

        It stops within a few thousand rows; waiting means that no read of this
        database is still running when the window may close or switch databases.
        """
        self.stop_checking()
        self._check_done.wait(CHECK_STOP_WAIT_S)
        super().reject()
