"""The Holdings page beside the account list: positions, cash by currency, recent activity.

Read on a worker whenever the account, the day or the basis changes; a read that
comes back after the clerk moved on to another account is dropped. A position with
no price says so, never a zero value.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.cutoffs import market_today
from desk_app.domain.holdings import NO_PRICE, AccountSummary, Activity, CashLine, Position
from desk_app.domain.money import format_amount, format_quantity
from desk_app.ui.dialogs.history_dialog import _table
from desk_app.ui.dialogs.trade_history_dialog import AlignedTableModel
from desk_app.ui.market_dates import qdate
from desk_app.ui.models.static_table_model import Cell
from desk_app.ui.ops import Op
from desk_app.ui.tabs.workspace_view import WorkspaceView
from desk_app.ui.theme import Tone

POSITION_HEADERS = ("ISIN", "Description", "Settled", "Trade-date qty", "Cost", "Price",
                    "Price date", "Market value", "Gain", "Ccy")  # fmt: skip
CASH_HEADERS = ("Ccy", "Settled", "Pending", "Projected")
ACTIVITY_HEADERS = ("When", "What", "Reference", "Description")
NOTHING = "Select an account to see what it holds."
DESCRIPTION_PX = 220
BASES = (("Settlement basis", "settlement"), ("Trade basis", "trade"))


def _money(value: Decimal | None) -> Cell:
    """To the cent on screen (a lot's cost keeps 4 places; the raw value keeps them)."""
    if value is None:
        return Cell("")
    return Cell(f"{value:,.2f}", value, Tone.NEGATIVE if value < 0 else None)


def position_cells(p: Position) -> list[Cell]:
    """One position as the table shows it; an unpriced one says "no price"."""
    quote = p.quote
    price = (
        Cell(format_amount(quote.price, 2), quote.price)
        if quote
        else Cell(NO_PRICE, None, Tone.WARNING, tooltip="No price on or before this day")
    )
    return [
        Cell(p.isin, p.isin),
        Cell(p.description, tooltip=p.description),
        Cell(format_quantity(p.settled), p.settled),
        Cell(format_quantity(p.trade_date_quantity), p.trade_date_quantity,
             Tone.WARNING if p.pending else None,
             tooltip=f"{format_quantity(p.pending)} traded, not settled" if p.pending else ""),
        _money(p.cost),
        price,
        Cell(quote.price_date.isoformat() if quote else "", quote.price_date if quote else None),
        _money(p.market_value),
        _money(p.gain),
        Cell(p.currency),
    ]  # fmt: skip


def cash_cells(c: CashLine) -> list[Cell]:
    return [Cell(c.currency), _money(c.settled), _money(c.pending), _money(c.projected)]


def activity_cells(a: Activity) -> list[Cell]:
    when = a.at.astimezone().strftime("%Y-%m-%d %H:%M")
    return [Cell(when, a.at), Cell(a.kind.capitalize()), Cell(a.reference), Cell(a.description)]


class AccountHoldingsPage(QWidget):
    """What one account holds, as of a day, on a basis; ``shown`` fires once it is on screen."""

    shown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("account_holdings")
        self.workspace: WorkspaceView | None = None
        self.account: str | None = None
        self.summary: AccountSummary | None = None
        self._asked = 0  # the latest read; an older one coming back is dropped
        self.title = QLabel(NOTHING, self)
        self.title.setObjectName("holdings_title")
        self.title.setWordWrap(True)
        self.as_of = QDateEdit(self)
        self.as_of.setObjectName("holdings_as_of")
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setToolTip("The day whose end the positions are as of (New York)")
        self.as_of.setDate(qdate(market_today()))
        self.basis = QComboBox(self)
        self.basis.setObjectName("holdings_basis")
        for text, code in BASES:
            self.basis.addItem(text, code)
        self.basis.setToolTip("Value the settled quantity, or the quantity as traded")
        self.positions = AlignedTableModel(POSITION_HEADERS, (2, 3, 4, 5, 7, 8), self)
        self.cash = AlignedTableModel(CASH_HEADERS, (1, 2, 3), self)
        self.activity = AlignedTableModel(ACTIVITY_HEADERS, (), self)
        self.positions_view = self._view(self.positions, "holdings_positions")
        self.cash_view = self._view(self.cash, "holdings_cash")
        self.activity_view = self._view(self.activity, "holdings_activity")
        controls = QHBoxLayout()
        controls.addWidget(self.title, 1)
        controls.addWidget(QLabel("As of", self))
        controls.addWidget(self.as_of)
        controls.addWidget(self.basis)
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(_titled("Cash by currency", self.cash_view, lower))
        lower.addWidget(_titled("Recent activity", self.activity_view, lower))
        lower.setStretchFactor(0, 2)
        lower.setStretchFactor(1, 3)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(_titled("Positions", self.positions_view, split))
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(split, 1)
        self.as_of.dateChanged.connect(lambda _d: self.reload())
        self.basis.currentIndexChanged.connect(lambda _i: self.reload())

    def _view(self, model: AlignedTableModel, name: str) -> QTableView:
        view = _table(model, self, selectable=True)
        view.setObjectName(name)
        return view

    # -- the contract with the Accounts tab ------------------------------------------------
    def set_workspace(self, workspace: WorkspaceView | None) -> None:
        self.workspace = workspace
        self.show_account(None)

    def show_account(self, number: str | None) -> None:
        """Read and show ``number``'s holdings (None: nothing chosen)."""
        if number == self.account and number is not None:
            return
        self.account = number
        self.reload()

    def reload(self) -> None:
        self._asked += 1
        asked, number, workspace = self._asked, self.account, self.workspace
        if number is None or workspace is None:
            self._show(asked, None)
            return
        self.title.setText(f"{number}: reading…")
        as_of = self.as_of.date().toPython()
        basis = str(self.basis.currentData())
        assert isinstance(as_of, date)
        Op(
            self,
            lambda: workspace.holdings.summary(number, as_of, basis),
            done=lambda summary: self._show(asked, summary),
            refused=lambda error: self._refused(asked, error.message),
        ).run()

    def _refused(self, asked: int, message: str) -> None:
        if asked == self._asked:
            self._show(asked, None, message)

    def _show(self, asked: int, summary: AccountSummary | None, message: str = NOTHING) -> None:
        if asked != self._asked:
            return  # the clerk has moved on
        self.summary = summary
        if summary is None:
            self.title.setText(message)
            for model in (self.positions, self.cash, self.activity):
                model.set_rows([])
            self.shown.emit()
            return
        held = summary.holdings
        count = len(held.positions)
        self.title.setText(
            f"<b>{held.account}</b> {held.name}: {count} position{'s' if count != 1 else ''} "
            f"as of {held.as_of.isoformat()}"
        )
        self.positions.set_rows([position_cells(p) for p in held.positions])
        self.cash.set_rows([cash_cells(c) for c in summary.cash])
        self.activity.set_rows([activity_cells(a) for a in summary.activity])
        for view in (self.positions_view, self.cash_view, self.activity_view):
            view.resizeColumnsToContents()
        # A long description must not push the values out of sight (its tooltip is the cell).
        self.positions_view.setColumnWidth(
            1, min(self.positions_view.columnWidth(1), DESCRIPTION_PX)
        )
        self.shown.emit()


def _titled(title: str, view: QWidget, parent: QWidget) -> QWidget:
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(QLabel(title, box))
    layout.addWidget(view, 1)
    return box
