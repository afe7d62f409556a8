"""The lots a securities journal takes: one row per acquisition date, a Take column to fill.

The clerk types how many to take from each lot; every cell is checked as it is typed
(a quantity, not more than the lot holds) and so is the total (it must equal the
journal's quantity). Left empty, the journal takes the oldest lots first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from desk_app.domain.errors import ValidationError
from desk_app.domain.lots import Lot, by_day, term
from desk_app.domain.money import canonical, format_amount, format_quantity
from desk_app.domain.trade_rows import parse_quantity
from desk_app.ui.theme import Tone, foreground

HEADERS = ("Acquired", "Available", "Cost", "Term", "Take")
TAKE = HEADERS.index("Take")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class LotPicker(QTableWidget):
    """The source's lots of one instrument; `checked` fires after every edit."""

    checked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("lot_picker")
        self.setHorizontalHeaderLabels(HEADERS)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TAKE, QHeaderView.ResizeMode.Stretch)
        self.setToolTip(
            "Type in Take how many to move from each lot (they must add up to the quantity); "
            "leave it empty to take the oldest lots first"
        )
        self.lots: list[Lot] = []
        self.quantity: Decimal | None = None  # what the journal moves
        self.problems: list[str] = []
        self.itemChanged.connect(self._changed)

    def set_lots(self, lots: Sequence[Lot], today: date) -> None:
        """Show ``lots`` (one row per day acquired), every Take empty."""
        self.lots = by_day(lots)
        self.blockSignals(True)
        self.setRowCount(len(self.lots))
        for row, lot in enumerate(self.lots):
            cells = (
                lot.acquired.isoformat(), format_quantity(lot.quantity),
                format_amount(canonical(lot.cost)),
                term(lot.acquired, today, inherited=lot.inherited).value.capitalize(), "",
            )  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column != TAKE:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if column in (1, 2, TAKE):
                    item.setTextAlignment(_RIGHT)
                self.setItem(row, column, item)
        self.blockSignals(False)
        self._check()

    def set_quantity(self, quantity: Decimal | None) -> None:
        """The journal's quantity (None: not a quantity yet), which the takes must add up to."""
        self.quantity = quantity
        self._check()

    def named(self) -> dict[date, Decimal]:
        """What the clerk typed: quantity by acquisition date (empty: the oldest first)."""
        named: dict[date, Decimal] = {}
        for row, lot in enumerate(self.lots):
            taken = self._take(row)
            if isinstance(taken, Decimal):
                named[lot.acquired] = taken
        return named

    def _take(self, row: int) -> Decimal | str | None:
        """Row's Take: a quantity, None when empty, or why it is not one."""
        item = self.item(row, TAKE)
        text = item.text().strip() if item is not None else ""
        if not text:
            return None
        try:
            return parse_quantity("Take", text)
        except ValidationError as bad:
            return bad.reason

    def _changed(self, item: QTableWidgetItem) -> None:
        if item.column() == TAKE:
            self._check()

    def _check(self) -> None:
        """Check every Take and the total; mark the bad cells and say what is wrong."""
        problems: list[str] = []
        total, named = Decimal(0), False
        self.blockSignals(True)
        for row, lot in enumerate(self.lots):
            taken, why = self._take(row), ""
            day = lot.acquired.isoformat()
            if isinstance(taken, str):
                why = f"{day}: Take {taken}"
            elif taken is not None:
                named = True
                total += taken
                if taken > lot.quantity:
                    why = (
                        f"{day}: Take {format_quantity(taken)} is more than the "
                        f"{format_quantity(lot.quantity)} the lot holds"
                    )
            item = self.item(row, TAKE)
            if item is not None:
                item.setForeground(foreground(Tone.NEGATIVE) if why else self.palette().text())
                item.setToolTip(why)
            if why:
                problems.append(why)
        if named and self.quantity is not None and total != self.quantity:
            problems.append(
                f"the lots add up to {format_quantity(total)}; "
                f"the journal moves {format_quantity(self.quantity)}"
            )
        self.blockSignals(False)
        self.problems = problems
        self.checked.emit()
