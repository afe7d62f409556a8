"""Check settlement dates: open obligations that today's calendar rules would date otherwise.

The same check as ``desk-app calendar check``: pick the trade dates, **Check**, filter
and sort the list; **Correct** (supervisors and compliance) corrects the pending ones
shown, each by a new trade version, in one audited transaction. Instructed or matched
obligations stay as the street holds them; their last column says what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.permissions import Action
from desk_app.ui.dialogs.trade_ticket_fields import error_label, set_tone
from desk_app.ui.models.static_table_model import Cell, StaticTableModel
from desk_app.ui.ops import Op
from desk_app.ui.tabs.workspace_view import ActorView, DateDifferenceView, SettleDatesView
from desk_app.ui.theme import Tone

#: In `settle_date_check.COLUMNS` order: what needs a person first.
HEADERS = ("Obligation", "Status", "Trade date", "Stored date", "By today's rules", "Account",
           "Counterparty", "ISIN", "Trade", "Why", "Not corrected because")  # fmt: skip
_STATUS, _RULES, _WHY, _KEPT = 1, 4, 9, 10
#: Columns too long to show whole: their text is in the tooltip too.
_LONG = (_WHY, _KEPT)


class SettleDateCheckDialog(QDialog):
    """The differences between stored settlement dates and today's rules, and Correct."""

    def __init__(
        self, checks: SettleDatesView, user: ActorView, today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settle_date_check_dialog")
        self.setWindowTitle("Check settlement dates")
        self._checks = checks
        self._shown: list[DateDifferenceView] = []
        self.first = self._date_edit("check_from", today - timedelta(days=365))
        self.last = self._date_edit("check_to", today)
        self.check_button = QPushButton("&Check", self)
        self.check_button.setObjectName("check")
        self.check_button.clicked.connect(self.check)
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Filter: account, counterparty, ISIN, holiday…")
        self.search.setClearButtonEnabled(True)
        self.model = StaticTableModel(HEADERS, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = self._table()
        self.summary = QLabel("Pick the trade dates and press Check.", self)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.error = error_label("check_error", self)
        self.correct_button = QPushButton("C&orrect pending", self)
        self.correct_button.setObjectName("correct")
        self.correct_button.clicked.connect(self.correct)
        self._refusal = user.refusal(Action.SETTLEMENT_DATES_CORRECT)
        self.correct_button.setEnabled(False)
        self.correct_button.setToolTip(
            self._refusal
            or "Correct the pending obligations the filter shows: each gets a new trade "
            "version with the rules' date (audited, all or none)"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.correct_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        window = QHBoxLayout()
        window.addWidget(QLabel("Trades dated from", self))
        window.addWidget(self.first)
        window.addWidget(QLabel("to", self))
        window.addWidget(self.last)
        window.addWidget(self.check_button)
        window.addSpacing(16)
        window.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(window)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(1200, 560)

    def _date_edit(self, name: str, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day), self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("differences")
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # Qt would start descending
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().hide()
        table.setWordWrap(False)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def window_dates(self) -> tuple[date, date]:
        return self.first.date().toPython(), self.last.date().toPython()  # type: ignore[return-value]

    # -- checking ------------------------------------------------------------------------
    def check(self) -> bool:
        """Read the differences for the chosen trade dates (on a worker)."""
        return self._check()

    def _check(self, then: str = "") -> bool:
        """`check`, then show ``then`` (what was just done) under the list."""
        self.error.hide()
        checks, (first, last) = self._checks, self.window_dates()

        def shown(found: Sequence[DateDifferenceView]) -> None:
            self.show_differences(found)
            if then:
                self._show(then, error=False)

        return Op(
            self, lambda: checks.differences(first, last), done=shown,
            refused=lambda exc: self._show(exc.message), busy_key=f"date_check:{id(self)}",
        ).run()  # fmt: skip

    def show_differences(self, found: Sequence[DateDifferenceView]) -> None:
        self._shown = list(found)
        rows = []
        for diff in self._shown:
            values = diff.row()[: len(HEADERS)]
            kept = not diff.correctable
            tips = {_STATUS: str(values[_KEPT]) if kept else "Correct pending corrects it"}
            rows.append([
                Cell(
                    "" if v is None else str(v),
                    v if isinstance(v, int) else ("" if v is None else str(v)),
                    tone=Tone.WARNING if kept and n in (_STATUS, _KEPT) else None,
                    tint=Tone.WARNING if n == _RULES else None,
                    tooltip=str(v) if n in _LONG else tips.get(n, ""),
                )
                for n, v in enumerate(values)
            ])  # fmt: skip
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        for column in _LONG:
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 420))
        pending = sum(d.correctable for d in self._shown)
        held = len(self._shown) - pending
        if not self._shown:
            self.summary.setText("Every open obligation of these trade dates has today's date.")
        else:
            self.summary.setText(
                f"{len(self._shown)} open obligation(s) differ from today's rules: {pending} "
                f"pending can be corrected, {held} kept (see the last column)."
            )
        self.correct_button.setEnabled(self._refusal is None and pending > 0)

    # -- correcting ----------------------------------------------------------------------
    def visible_ids(self) -> list[int]:
        """The obligations the filter lets through, in the order shown."""
        proxy = self.proxy
        return [
            int(proxy.index(r, 0).data(Qt.ItemDataRole.UserRole)) for r in range(proxy.rowCount())
        ]

    def correct(self) -> bool:
        """Correct the pending obligations the filter shows (on a worker); all or none."""
        visible = set(self.visible_ids())
        ids = [d.obligation_id for d in self._shown if d.correctable and d.obligation_id in visible]
        if not ids:
            self._show("Nothing the filter shows can be corrected")
            return False
        self.error.hide()
        checks, (first, last) = self._checks, self.window_dates()
        return Op(
            self, lambda: checks.correct(first, last, only=ids), done=self._corrected,
            refused=lambda exc: self._show(exc.message), busy_key=f"date_correct:{id(self)}",
            label="Correcting settlement dates…",
        ).run()  # fmt: skip

    def _corrected(self, done: Sequence[DateDifferenceView]) -> None:
        self._check(f"Corrected {len(done)} obligation(s); each has a new trade version")

    def _show(self, text: str, *, error: bool = True) -> None:
        self.error.setText(text)
        set_tone(self.error, Tone.NEGATIVE if error else Tone.POSITIVE)
        self.error.show()
