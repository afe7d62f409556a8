"""Security → Verify the audit trail…: the chain, and on request every record as well.

The same checks as ``desk-app audit verify [--records]``, run off the GUI thread
(`desk_app.ui.ops.Op`) with a progress dialog once they take a while: checking the
records reads every row of the database. The findings are listed as the command
line lists them, selectable to copy into a report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.audit_chain import ChainReport
from desk_app.domain.errors import DeskError
from desk_app.ui.ops import Op

if TYPE_CHECKING:
    from desk_app.ui.tabs.workspace_view import HistoryView, RecordsCheckView


def _chain_line(report: ChainReport) -> str:
    if report.problem is not None:
        return str(report.problem)
    return (
        f"audit trail intact: {report.entries} entries, head {report.head_seq} {report.head_hash}"
    )


def report_lines(result: ChainReport | RecordsCheckView) -> list[str]:
    """What the check found, one finding a line, as the command line prints it."""
    if isinstance(result, ChainReport):
        return [_chain_line(result)]
    lines = [_chain_line(result.chain), *(str(p) for p in result.problems)]
    if result.found > len(result.problems):
        lines.append(f"… and {result.found - len(result.problems):,} more")
    return [*lines, result.summary]


class AuditCheckDialog(QDialog):
    """A Check button, a "records too" choice, and the findings."""

    def __init__(self, checker: HistoryView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_check_dialog")
        self.setWindowTitle("Verify the audit trail")
        self.resize(720, 420)
        self._checker = checker
        intro = QLabel(
            "Checks that no audit entry was changed, removed, inserted or reordered. "
            "Checking the records as well compares every row with its last audited state "
            "and lists each one changed, added or deleted outside Desk (slower: it reads "
            "the whole database).",
            self,
        )
        intro.setWordWrap(True)
        self.records = QCheckBox("Also check every &record (slower)", self)
        self.records.setObjectName("check_records")
        self.results = QPlainTextEdit(self)
        self.results.setObjectName("audit_check_results")
        self.results.setReadOnly(True)
        self.results.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.results.setPlaceholderText("Nothing checked yet.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.check_button = QPushButton("&Check", self)
        self.check_button.setDefault(True)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.check_button.clicked.connect(self.check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.records)
        layout.addWidget(self.results, 1)
        layout.addWidget(buttons)

    def check(self) -> bool:
        """Run the chosen check on a worker; False if one is running already."""
        checker = self._checker
        if self.records.isChecked():
            op: Op[ChainReport | RecordsCheckView] = Op(
                self, with_progress=checker.verify_records,
                done=self._show, refused=self._refused, label="Checking every record…",
                busy_key="audit.verify",
            )  # fmt: skip
        else:
            op = Op(
                self, checker.verify, done=self._show, refused=self._refused,
                label="Checking the audit trail…", busy_key="audit.verify",
            )  # fmt: skip
        self.results.setPlainText("Checking…")
        return op.run()

    def _show(self, result: ChainReport | RecordsCheckView) -> None:
        self.results.setPlainText("\n".join(report_lines(result)))

    def _refused(self, exc: DeskError) -> None:
        self.results.setPlainText(exc.message)
