"""The Holdings page beside the account list: positions, cash by currency, recent activity.

Read on a worker whenever the account, the day or the basis changes; a read that
comes back after the clerk moved on to another account is dropped. A position with
no price says so, never a zero value; a short one has no cost and no gain (blank).
Choosing a position shows its cost-basis lots beside it (acquired, quantity, cost per
share, cost, term as of the day shown).
"""

from __future__ import annotations

from collections.abc import Sequence
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
from desk_app.domain.lots import Lot, term
from desk_app.domain.money import canonical, format_amount, format_quantity
from desk_app.ui.dialogs.history_dialog import _table
from desk_app.ui.dialogs.trade_history_dialog import AlignedTableModel
from desk_app.ui.market_dates import qdate
from desk_app.ui.models.static_table_model import Cell
from desk_app.ui.ops import Op
from desk_app.ui.tabs.workspace_view import WorkspaceView
from desk_app.ui.theme import Tone

POSITION_HEADERS = ("ISIN", "Description", "Settled", "Trade-date qty", "Cost", "Price",
                    "Price date", "Market value", "Gain", "Ccy")  # fmt: skip
LOT_HEADERS = ("Acquired", "Quantity", "Cost/share", "Cost", "Term")
NO_LOTS = "Select a position to see its lots."
CASH_HEADERS = ("Ccy", "Settled", "Pending", "Projected")
ACTIVITY_HEADERS = ("When", "What", "Reference", "Description")
NOTHING = "Select an account to see what it holds."
DESCRIPTION_PX = 220
LOTS_PX = 400
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


def lot_cells(lot: Lot, on: date) -> list[Cell]:
    """One cost-basis lot: when acquired, how many, cost per share and in all, its term
    on ``on`` (long after a year; an inherited lot always)."""
    held = term(lot.acquired, on, inherited=lot.inherited)
    unit = lot.unit_cost
    return [
        Cell(lot.acquired.isoformat(), lot.acquired),
        Cell(format_quantity(lot.quantity), lot.quantity),
        Cell("" if unit is None else format_amount(canonical(unit), 2), unit),
        _money(lot.cost),
        Cell(held.value.capitalize(), held.value,
             tooltip="Inherited: long-term whatever its date" if lot.inherited else ""),
    ]  # fmt: skip


def cash_cells(c: CashLine) -> list[Cell]:
    return [Cell(c.currency), _money(c.settled), _money(c.pending), _money(c.projected)]


def activity_cells(a: Activity) -> list[Cell]:
    when = a.at.astimezone().strftime("%Y-%m-%d %H:%M")
    return [Cell(when, a.at), Cell(a.kind.capitalize()), Cell(a.reference), Cell(a.description)]


class AccountHoldingsPage(QWidget):
    """What one account holds, as of a day, on a basis; ``shown`` fires once it is on screen."""

    shown = Signal()
    lots_shown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("account_holdings")
        self.workspace: WorkspaceView | None = None
        self.account: str | None = None
        self.summary: AccountSummary | None = None
        self._asked = 0  # the latest read; an older one coming back is dropped
        self._lots_asked = 0
        self.lots_isin: str | None = None
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
        self.lots = AlignedTableModel(LOT_HEADERS, (1, 2, 3), self)
        self.lots_title = QLabel(NO_LOTS, self)
        self.lots_title.setObjectName("holdings_lots_title")
        self.lots_title.setWordWrap(True)
        self.cash = AlignedTableModel(CASH_HEADERS, (1, 2, 3), self)
        self.activity = AlignedTableModel(ACTIVITY_HEADERS, (), self)
        self.positions_view = self._view(self.positions, "holdings_positions")
        self.lots_view = self._view(self.lots, "holdings_lots")
        self.cash_view = self._view(self.cash, "holdings_cash")
        self.activity_view = self._view(self.activity, "holdings_activity")
        self._lay_out()
        self.positions_view.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.show_lots(current.row())
        )
        self.as_of.dateChanged.connect(lambda _d: self.reload())
        self.basis.currentIndexChanged.connect(lambda _i: self.reload())

    def _lay_out(self) -> None:
        """The controls on top; positions and their lots; cash and activity below."""
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
        upper = QSplitter(Qt.Orientation.Horizontal, self)
        upper.addWidget(_titled("Positions", self.positions_view, upper))
        lots_box = QWidget(upper)
        lots_layout = QVBoxLayout(lots_box)
        lots_layout.setContentsMargins(0, 0, 0, 0)
        lots_layout.addWidget(self.lots_title)
        lots_layout.addWidget(self.lots_view, 1)
        upper.addWidget(lots_box)
        upper.setStretchFactor(0, 2)
        upper.setStretchFactor(1, 1)
        self.lots_view.setMinimumWidth(LOTS_PX)  # its five columns, without scrolling
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(upper)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(split, 1)

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

    def show_lots(self, row: int) -> None:
        """Read and show the lots of the position in ``row`` (-1: none chosen)."""
        self._lots_asked += 1
        asked, number, workspace = self._lots_asked, self.account, self.workspace
        summary = self.summary
        if summary is None or number is None or workspace is None or row < 0:
            self._show_lots(asked, None, None, NO_LOTS)
            return
        position = summary.holdings.positions[row]
        as_of = summary.holdings.as_of
        self.lots_title.setText(f"Lots of {position.isin}: reading…")
        Op(
            self,
            lambda: workspace.holdings.lots(number, position.isin, as_of),
            done=lambda lots: self._show_lots(asked, position, lots),
            refused=lambda error: self._show_lots(asked, None, None, error.message),
        ).run()

    def _show_lots(
        self,
        asked: int,
        position: Position | None,
        lots: Sequence[Lot] | None,
        message: str = NO_LOTS,
    ) -> None:
        if asked != self._lots_asked:
            return  # another position (or account) was chosen meanwhile
        if position is None or lots is None or self.summary is None:
            self.lots_isin = None
            self.lots_title.setText(message)
            self.lots.set_rows([])
            self.lots_shown.emit()
            return
        on = self.summary.holdings.as_of
        self.lots_isin = position.isin
        count = len(lots)
        uncovered = "" if position.lots_quantity == position.quantity else (
            f"; {format_quantity(position.quantity - position.lots_quantity)} without a known lot"
        )  # fmt: skip
        self.lots_title.setText(
            f"Lots of <b>{position.isin}</b>: {count} lot{'s' if count != 1 else ''}{uncovered}"
        )
        self.lots.set_rows([lot_cells(lot, on) for lot in lots])
        self.lots_view.resizeColumnsToContents()
        self.lots_shown.emit()

    def _refused(self, asked: int, message: str) -> None:
        if asked == self._asked:
            self._show(asked, None, message)

    def _show(self, asked: int, summary: AccountSummary | None, message: str = NOTHING) -> None:
        if asked != self._asked:
            return  # the clerk has moved on
        self.summary = summary
        self.show_lots(-1)  # the lots follow the position chosen in this read
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
