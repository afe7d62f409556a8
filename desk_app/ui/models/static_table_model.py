"""A small in-memory table of ready-made cells: field comparisons, a record's changes.

These tables hold a few dozen rows read in one go, so there is nothing to page;
the caller decides each cell's text, raw value, colour and tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont

from desk_app.ui import theme
from desk_app.ui.models.read_only_table_model import Index, ReadOnlyTableModel
from desk_app.ui.theme import Tone


@dataclass(frozen=True)
class Cell:
    """One cell: its text, the raw value behind it, and how it stands out."""

    text: str
    value: Any = None
    #: Coloured text in this tone.
    tone: Tone | None = None
    #: A faint background wash in this tone (a changed or proposed value).
    tint: Tone | None = None
    bold: bool = False
    tooltip: str = ""


class StaticTableModel(ReadOnlyTableModel):
    """Rows of `Cell` under fixed headers; replaced as a whole by `set_rows`."""

    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = tuple(headers)
        self._rows: list[tuple[Cell, ...]] = []

    def set_rows(self, rows: Sequence[Sequence[Cell]]) -> None:
        """Show ``rows`` (each as long as the headers) instead of what was there."""
        width = len(self._headers)
        if any(len(row) != width for row in rows):
            raise ValueError(f"every row needs {width} cells")
        self.beginResetModel()
        self._rows = [tuple(row) for row in rows]
        self.endResetModel()

    def cell(self, row: int, column: int) -> Cell:
        return self._rows[row][column]

    def column_texts(self, column: int) -> list[str]:
        """Every row's text in ``column`` (what a test or a copy reads)."""
        return [row[column].text for row in self._rows]

    # -- QAbstractItemModel --------------------------------------------------------------
    def _row_total(self) -> int:
        return len(self._rows)

    def _column_total(self) -> int:
        return len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        cell = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == Qt.ItemDataRole.UserRole:
            return cell.value
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.tooltip or None
        if role == Qt.ItemDataRole.ForegroundRole:
            return theme.foreground(cell.tone) if cell.tone else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return theme.tint(cell.tint) if cell.tint else None
        if role == Qt.ItemDataRole.FontRole and cell.bold:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None
