"""The blotter's filter bar: dates, codes and an external id, read as one `TradeFilter`.

Changes apply by themselves, 300 ms after the last one (Enter applies at once): every
filter is an indexed query, so the list can follow the clerk's typing, and the pause
spares the database a query per keystroke. ``filter_changed`` fires once per applied
filter, never for a change that leaves the filter as it was.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from desk_app.domain import labels
from desk_app.services.trading.trade_filter import CURRENT, TradeFilter
from desk_app.ui.market_dates import market_qdate

DEBOUNCE_MS = 300
#: The date an empty date edit holds (it shows "any" instead).
_EMPTY = QDate(1900, 1, 1)

_SIDES = (("Any side", ""), *((text, code) for code, text in labels.SIDE.items()))
_STATUSES = (
    ("All versions", ""),
    ("Current", CURRENT),
    *((text, code) for code, text in labels.TRADE_STATUS.items()),
)
_SOURCES = (("Any source", ""), *((text, code) for code, text in labels.TRADE_SOURCE.items()))


class OptionalDateEdit(QDateEdit):
    """A date edit that may be empty ("any"): the Delete key empties it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(_EMPTY)
        self.setSpecialValueText("any")
        self.setDate(_EMPTY)
        self.calendarWidget().installEventFilter(self)

    def value(self) -> date | None:
        current = self.date()
        if current == _EMPTY:
            return None
        return date(current.year(), current.month(), current.day())

    def set_value(self, value: date | None) -> None:
        self.setDate(_EMPTY if value is None else QDate(value.year, value.month, value.day))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete:
            self.set_value(None)
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The calendar of an empty edit would open in 1900: open it at today instead.
        if event.type() == QEvent.Type.Show and self.value() is None:
            today = market_qdate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)


class BlotterFilterBar(QWidget):
    """Every field of a `TradeFilter`, edited in place."""

    #: The applied filter changed (the argument is the new `TradeFilter`).
    filter_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("blotter_filter_bar")
        self._applied = TradeFilter()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.apply)

        self.trade_from = self._date("trade_from", "Trade date on or after")
        self.trade_to = self._date("trade_to", "Trade date on or before")
        self.settle_from = self._date("settle_from", "Settlement date on or after")
        self.settle_to = self._date("settle_to", "Settlement date on or before")
        self.account = self._text("account", "Account", "Account number, e.g. NYC-20417")
        self.instrument = self._text(
            "instrument", "ISIN, CUSIP, symbol", "An instrument by ISIN, CUSIP or symbol"
        )
        self.counterparty = self._text("counterparty", "Counterparty", "Counterparty code")
        self.external_id = self._text(
            "external_id",
            "External ID or trade no.",
            "External ids starting with this text (as typed); a number also finds that trade",
        )
        self.side = self._combo("side", _SIDES)
        self.status = self._combo("status", _STATUSES)
        self.status.setToolTip("Current: the latest version of each trade, cancels included")
        self.source = self._combo("source", _SOURCES)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setObjectName("clear_filter")
        self.clear_button.setToolTip("Show every trade version")
        self.clear_button.clicked.connect(self.clear)

        grid = QGridLayout(self)
        # A narrow window clips the bar rather than growing past the screen: the
        # window keeps the minimum size every other tab allows.
        grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(QLabel("Trade date", self), 0, 0)
        grid.addWidget(self.trade_from, 0, 1)
        grid.addWidget(QLabel("to", self), 0, 2)
        grid.addWidget(self.trade_to, 0, 3)
        grid.addWidget(self.account, 0, 4)
        grid.addWidget(self.instrument, 0, 5)
        grid.addWidget(self.counterparty, 0, 6)
        grid.addWidget(self.external_id, 0, 7)
        grid.addWidget(QLabel("Settles", self), 1, 0)
        grid.addWidget(self.settle_from, 1, 1)
        grid.addWidget(QLabel("to", self), 1, 2)
        grid.addWidget(self.settle_to, 1, 3)
        grid.addWidget(self.side, 1, 4)
        grid.addWidget(self.status, 1, 5)
        grid.addWidget(self.source, 1, 6)
        grid.addWidget(self.clear_button, 1, 7, Qt.AlignmentFlag.AlignLeft)
        for column in (4, 5, 6, 7):
            grid.setColumnStretch(column, 1)
        self._grid = grid

    def add_widget(self, widget: QWidget, row: int) -> None:
        """Put a control of the tab's (saved filters) at the right end of ``row``."""
        self._grid.addWidget(widget, row, 8, Qt.AlignmentFlag.AlignRight)

    # -- the filter ---------------------------------------------------------------------
    def current(self) -> TradeFilter:
        """What the fields say now (applied or not yet)."""
        return TradeFilter(
            trade_from=self.trade_from.value(),
            trade_to=self.trade_to.value(),
            settle_from=self.settle_from.value(),
            settle_to=self.settle_to.value(),
            account=self.account.text(),
            instrument=self.instrument.text(),
            side=str(self.side.currentData() or ""),
            status=str(self.status.currentData() or ""),
            counterparty=self.counterparty.text(),
            source=str(self.source.currentData() or ""),
            external_id=self.external_id.text(),
        )

    def applied(self) -> TradeFilter:
        """The filter the list shows."""
        return self._applied

    def set_filter(self, value: TradeFilter) -> None:
        """Show ``value`` in the fields and apply it at once (a preset was chosen)."""
        for widget in self._inputs():
            widget.blockSignals(True)
        try:
            self.trade_from.set_value(value.trade_from)
            self.trade_to.set_value(value.trade_to)
            self.settle_from.set_value(value.settle_from)
            self.settle_to.set_value(value.settle_to)
            self.account.setText(value.account)
            self.instrument.setText(value.instrument)
            self.counterparty.setText(value.counterparty)
            self.external_id.setText(value.external_id)
            for combo, code in ((self.side, value.side), (self.status, value.status),
                                (self.source, value.source)):  # fmt: skip
                combo.setCurrentIndex(max(combo.findData(code), 0))
        finally:
            for widget in self._inputs():
                widget.blockSignals(False)
        self.apply()

    def clear(self) -> None:
        self.set_filter(TradeFilter())

    def apply(self) -> None:
        """Apply what the fields say now, if it differs from what is applied."""
        self._timer.stop()
        value = self.current()
        if value != self._applied:
            self._applied = value
            self.filter_changed.emit(value)

    # -- internals ------------------------------------------------------------------------
    def _inputs(self) -> list[QWidget]:
        return [
            self.trade_from, self.trade_to, self.settle_from, self.settle_to, self.account,
            self.instrument, self.counterparty, self.external_id, self.side, self.status,
            self.source,
        ]  # fmt: skip

    def _changed(self, *_args: object) -> None:
        self._timer.start()

    def _date(self, name: str, tooltip: str) -> OptionalDateEdit:
        edit = OptionalDateEdit(self)
        edit.setObjectName(name)
        edit.setToolTip(f"{tooltip} (Delete empties it)")
        edit.dateChanged.connect(self._changed)
        return edit

    def _text(self, name: str, placeholder: str, tooltip: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setToolTip(tooltip)
        edit.setClearButtonEnabled(True)
        edit.textChanged.connect(self._changed)
        edit.returnPressed.connect(self.apply)
        return edit

    def _combo(self, name: str, items: tuple[tuple[str, str], ...]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        for text, code in items:
            combo.addItem(text, code)
        combo.currentIndexChanged.connect(self._changed)
        return combo
