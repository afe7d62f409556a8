"""Why a prices file was not imported: every problem (line, field, reason), to fix in one go."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desk_app.ui.dialogs.history_dialog import _table
from desk_app.ui.dialogs.import_trades_dialog import PROBLEM_HEADERS, problem_cells
from desk_app.ui.dialogs.trade_history_dialog import AlignedTableModel
from desk_app.ui.tabs.holding_views import PriceImportView


class PriceProblemsDialog(QDialog):
    """Why a prices file was not imported: every problem, line by line."""

    def __init__(self, result: PriceImportView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("price_problems")
        self.setWindowTitle("Prices not imported")
        self.model = AlignedTableModel(PROBLEM_HEADERS, [0], self)
        self.model.set_rows([problem_cells(p) for p in result.problems])
        view = _table(self.model, self, selectable=True)
        view.setObjectName("problems")
        view.resizeColumnsToContents()
        note = QLabel(f"{result.summary()}. Fix the file and import it again.", self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(view, 1)
        layout.addWidget(buttons)
        self.resize(760, 420)
