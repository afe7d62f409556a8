"""Add an instrument the database does not know yet, from the trade ticket.

The ISIN or CUSIP is the one the clerk typed (its check digit already verified);
the market and currency are guessed from the ISIN's country and can be changed.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.trade_ticket import MARKET_ZONES
from desk_app.ui.dialogs.trade_ticket_fields import error_label, line_edit
from desk_app.ui.ops import Op
from desk_app.ui.tabs.trade_views import InstrumentChoice, TradeLookupView

#: An ISIN's country → the market and currency it most likely trades in.
_COUNTRY_DEFAULTS = {"US": ("US", "USD"), "GB": ("GB", "GBP"), "CH": ("CH", "CHF")}
_EURO_COUNTRIES = frozenset("AT BE DE ES FI FR IE IT LU NL PT".split())


def market_and_currency(isin: str) -> tuple[str, str]:
    """The market and currency an ISIN's country suggests (US and USD otherwise)."""
    country = isin[:2].upper()
    if country in _EURO_COUNTRIES:
        return "EU", "EUR"
    return _COUNTRY_DEFAULTS.get(country, ("US", "USD"))


class AddInstrumentDialog(QDialog):
    """A small form: symbol, description, type, market, currency; `added` once saved."""

    def __init__(
        self, lookup: TradeLookupView, identifier: str, isin: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("add_instrument_dialog")
        self.setWindowTitle("Add instrument")
        self._lookup = lookup
        self._identifier = identifier
        self.added: InstrumentChoice | None = None
        market, currency = market_and_currency(isin)

        shown = isin if identifier.upper() == isin else f"{isin}  (CUSIP {identifier.upper()})"
        self.symbol = line_edit("symbol", self, "IBM")
        self.description = line_edit("description", self, "International Business Machines")
        self.instrument_type = QComboBox(self)
        self.instrument_type.setObjectName("instrument_type")
        for kind in InstrumentType:
            if kind is not InstrumentType.FUTURE:  # futures have no settlement cycle
                self.instrument_type.addItem(kind.label, kind.value)
        self.market = QComboBox(self)
        self.market.setObjectName("market")
        self.market.setEditable(True)
        self.market.addItems(sorted(MARKET_ZONES))
        self.market.setCurrentText(market)
        self.currency = line_edit("currency", self, "USD", width=80)
        self.currency.setText(currency)
        self.error = error_label("add_instrument_error", self)

        form = QFormLayout()
        form.addRow("Identifier", QLabel(shown, self))
        form.addRow("Symbol", self.symbol)
        form.addRow("Description", self.description)
        form.addRow("Type", self.instrument_type)
        form.addRow("Market", self.market)
        form.addRow("Currency", self.currency)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.add_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText("Add instrument")
        self.add_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
        self.symbol.setFocus()

    def accept(self) -> None:
        """Add the instrument; on a refusal, say why and stay open."""
        kind = InstrumentType(str(self.instrument_type.currentData()))
        lookup, identifier = self._lookup, self._identifier
        symbol, description = self.symbol.text(), self.description.text()
        currency, market = self.currency.text(), self.market.currentText()
        Op(
            self,
            lambda: lookup.add_instrument(
                identifier, symbol, description, kind, currency, market=market
            ),
            done=self._added,
            refused=self._refused,
            busy_key=f"add_instrument.{id(self)}",
        ).run()

    def _added(self, added: InstrumentChoice) -> None:
        self.added = added
        super().accept()

    def _refused(self, exc: DeskError) -> None:
        if isinstance(exc, ValidationError):
            self.error.setText(f"{exc.field.capitalize()}: {exc.reason}")
        else:
            self.error.setText(exc.message)
        self.error.show()
