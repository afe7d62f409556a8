"""The blotter's totals row: count, quantity, gross and net of the filtered trades, by currency.

The sums come from the database (exact decimals over every matching row, not just
those loaded); the tab computes them off the GUI thread and shows them here.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from desk_app.domain.money import format_amount, format_quantity
from desk_app.services.trading.trade_filter import CurrencyTotals

HEADINGS = ("Totals", "Trades", "Quantity", "Gross", "Net")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class BlotterTotals(QWidget):
    """One line per currency under the table; a note while the sums are being read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("blotter_totals")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 2, 0, 0)
        self._grid.setHorizontalSpacing(24)
        self._grid.setVerticalSpacing(0)
        self._cells: list[QLabel] = []
        self._totals: list[CurrencyTotals] = []
        self.note = QLabel("", self)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._grid.setColumnStretch(len(HEADINGS), 1)
        self.show_note("")

    def totals(self) -> list[CurrencyTotals]:
        """What the row shows now (empty while reading or after a failure)."""
        return list(self._totals)

    def text(self) -> str:
        """The row as plain text, one line per currency (for tests and copying)."""
        if not self._totals:
            return self.note.text()
        return "\n".join(
            f"{t.currency} {t.count:,} {format_quantity(t.quantity)} "
            f"{format_amount(t.gross)} {format_amount(t.net)}"
            for t in self._totals
        )

    def show_totals(self, totals: Sequence[CurrencyTotals]) -> None:
        self._clear()
        self._totals = list(totals)
        if not self._totals:
            self.show_note("Totals: no trades")
            return
        self.note.hide()
        for column, heading in enumerate(HEADINGS):
            self._add(heading, 0, column, bold=True, right=column > 0)
        for r, t in enumerate(self._totals, start=1):
            cells = (t.currency, f"{t.count:,}", format_quantity(t.quantity),
                     format_amount(t.gross), format_amount(t.net))  # fmt: skip
            for column, text in enumerate(cells):
                self._add(text, r, column, bold=False, right=column > 0)

    def show_note(self, text: str) -> None:
        """A line instead of the sums ("Adding up…", or why they could not be read)."""
        self._clear()
        self._totals = []
        self.note.setText(text)
        self._grid.addWidget(self.note, 0, 0, 1, len(HEADINGS))
        self.note.show()

    def _add(self, text: str, row: int, column: int, *, bold: bool, right: bool) -> None:
        label = QLabel(text, self)
        label.setAlignment(_RIGHT if right else _LEFT)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if bold:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        self._grid.addWidget(label, row, column)
        self._cells.append(label)

    def _clear(self) -> None:
        for label in self._cells:
            self._grid.removeWidget(label)
            label.deleteLater()
        self._cells = []
