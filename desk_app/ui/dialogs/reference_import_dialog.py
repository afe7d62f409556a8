"""Import counterparties or instruments from CSV: check first, then import all or nothing.

Choosing a file checks it on a worker (a dry run of the service's import): what it
would add, what is already on the database, and every problem in the same table
(line, field, reason) the trades import shows. Only a file without problems can be
imported; importing runs on a worker too, and stores all of it or none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from PySide6.QtCore import QDir
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.ui.dialogs.history_dialog import _table
from desk_app.ui.dialogs.import_trades_dialog import PROBLEM_HEADERS, problem_cells
from desk_app.ui.dialogs.trade_history_dialog import AlignedTableModel
from desk_app.ui.dialogs.trade_ticket_fields import error_label, set_tone
from desk_app.ui.ops import Op
from desk_app.ui.tabs.reference_views import ReferenceDataView, ReferenceImportView
from desk_app.ui.theme import Tone

Plural = Literal["counterparties", "instruments"]
COLUMNS = {
    "counterparties": "code, name, kind; optional bic, lei, dtc_participant, active",
    "instruments": "isin or cusip, description, instrument_type, currency; optional symbol, "
    "issuer, market, multiplier, active",
}


def summary_text(report: ReferenceImportView, noun: str) -> str:
    if report.problems:
        n = len(report.problems)
        return f"{n:,} problem{'' if n == 1 else 's'}: fix the file and choose it again."
    verb = "Would add" if report.dry_run else "Added"
    return f"{verb} {report.added:,} {noun}; {report.skipped:,} already on the database."


class ReferenceImportDialog(QDialog):
    """Check and import one CSV file; `imported` holds the result once stored."""

    def __init__(self, service: ReferenceDataView, plural: Plural, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"import_{plural}_dialog")
        self.setWindowTitle(f"Import {plural}")
        self._service, self._plural = service, plural
        self.path: Path | None = None
        self.report: ReferenceImportView | None = None
        self.imported: ReferenceImportView | None = None
        self.file_field = QLineEdit(self)
        self.file_field.setObjectName("file")
        self.file_field.setReadOnly(True)
        self.file_field.setPlaceholderText("Choose a CSV file…")
        choose = QPushButton("&Choose file…", self)
        choose.setObjectName("choose_file")
        choose.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.file_field, 1)
        row.addWidget(choose)
        columns = QLabel(f"Columns by header name: {COLUMNS[plural]}.", self)
        columns.setWordWrap(True)
        set_tone(columns, None)
        self.summary = QLabel(self)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.problems = AlignedTableModel(PROBLEM_HEADERS, [0], self)
        self.problems_view = _table(self.problems, self)
        self.problems_view.setObjectName("problems")
        self.problems_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.copy_button = QPushButton("C&opy problems", self)
        self.copy_button.setObjectName("copy_problems")
        self.copy_button.clicked.connect(self.copy_problems)
        self.error = error_label("import_error", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        self.import_button = buttons.addButton(
            f"&Import {plural}", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setObjectName("import")
        buttons.accepted.connect(self.import_now)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.copy_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(columns)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems_view, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)
        self.resize(820, 460)
        self._show(None)

    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, f"Import {self._plural}", QDir.homePath(), "CSV files (*.csv);;All files (*)"
        )
        if name:
            self.load(Path(name))

    def load(self, path: Path) -> None:
        """Check ``path`` on a worker (nothing is stored) and show what it would do."""
        self.path, self.report = path, None
        self.file_field.setText(str(path))
        self.summary.setText(f"Checking {path.name}…")
        self._show(None)
        service = self._service
        Op(
            self,
            lambda: service.import_csv(path, dry_run=True),
            done=self._checked,
            refused=self._failed,
            busy_key=f"reference_import.{id(self)}",
        ).run()

    def _checked(self, report: ReferenceImportView) -> None:
        self.report = report
        self._show(report)

    def import_now(self) -> None:
        path, service = self.path, self._service
        if path is None or self.report is None or not self.report.ok:
            return
        self.import_button.setEnabled(False)
        Op(
            self,
            lambda: service.import_csv(path),
            done=self._imported,
            refused=self._failed,
            busy_key=f"reference_import.{id(self)}",
        ).run()

    def _imported(self, report: ReferenceImportView) -> None:
        self.report = report
        if not report.ok:  # the database changed between the check and the import
            self._show(report)
            return
        self.imported = report
        self.accept()

    def _failed(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()
        self._show(self.report)

    def _show(self, report: ReferenceImportView | None) -> None:
        problems = report.problems if report is not None else ()
        self.problems.set_rows([problem_cells(p) for p in problems])
        self.problems_view.resizeColumnsToContents()
        self.copy_button.setEnabled(bool(problems))
        self.import_button.setEnabled(report is not None and report.ok and report.added > 0)
        if report is None:
            return
        self.summary.setText(f"{report.file_name}: {summary_text(report, self._plural)}")
        set_tone(self.summary, Tone.NEGATIVE if problems else Tone.POSITIVE)

    def copy_problems(self) -> None:
        """The selected problems, or all, as ``file:line: field: reason``."""
        if self.report is None:
            return
        problems = list(self.report.problems)
        rows = sorted({index.row() for index in self.problems_view.selectedIndexes()})
        chosen = [problems[row] for row in rows] if rows else problems
        QGuiApplication.clipboard().setText("\n".join(str(p) for p in chosen))

    def sent_text(self) -> str:
        if self.imported is None:
            return ""
        return f"{self.imported.file_name}: {summary_text(self.imported, self._plural)}"
