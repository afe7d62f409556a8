"""Cancel a trade: the trade summarised, a required reason, and who must approve it.

A cancel never deletes: it adds a version that settles nothing. Once the trade's
settlement has started, or its settlement date has passed, the cancel goes to a
principal as an approval request instead (the banner says so before the clerk asks).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.money import format_amount, format_quantity
from desk_app.domain.trade_ticket import market_zone
from desk_app.ui.dialogs.trade_ticket_fields import error_label, supervision_banner
from desk_app.ui.ops import Op
from desk_app.ui.tabs.trade_views import TradeRecordView, TradesView


def trade_summary(record: TradeRecordView) -> list[tuple[str, str]]:
    """The lines that identify a trade to a clerk: who, what, how much, when, with whom."""
    t, inst = record.terms, record.instrument
    local = t.trade_time.astimezone(market_zone(inst.market))
    name = f"{inst.symbol}  " if inst.symbol else ""
    return [
        ("Account", f"{t.account}  {record.account_name}"),
        ("Trade", f"{t.side.label} {format_quantity(t.quantity)} {name}{inst.isin} "
                  f"at {format_amount(t.price)} {t.currency}"),
        ("Instrument", inst.description),
        ("Counterparty", t.counterparty),
        ("Traded", f"{t.trade_date.isoformat()} {local:%H:%M:%S %Z}"),
        ("Settles", "" if t.settle_date is None else t.settle_date.isoformat()),
        ("Net amount", f"{format_amount(record.net_amount)} {t.currency}"),
    ]  # fmt: skip


class TradeCancelDialog(QDialog):
    """Confirm cancelling ``record``'s trade; `outcome_text` says what happened."""

    #: The cancel was made or sent for approval (the outcome, as the user reads it).
    trade_cancelled = Signal(str)

    def __init__(
        self, trades: TradesView, record: TradeRecordView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trade_cancel_dialog")
        self.setWindowTitle(f"Cancel trade {record.trade_key}")
        self._trades = trades
        self._record = record
        self.outcome_text = ""
        self.banner = supervision_banner(record.supervised_because, self)
        heading = QLabel(f"Cancel trade {record.trade_key} (version {record.version_no})?", self)
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        heading.setFont(font)
        form = QFormLayout()
        for label, text in trade_summary(record):
            value = QLabel(text, self)
            value.setWordWrap(True)
            form.addRow(label, value)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("Why the trade is being cancelled (required)")
        self.reason.textChanged.connect(self._update)
        form.addRow("Reason", self.reason)
        note = QLabel(
            "The trade stays on the blotter as a cancelled version; its history keeps "
            "every version.",
            self,
        )
        note.setWordWrap(True)
        self.error = error_label("cancel_error", self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("cancel_trade")
        self.ok_button.setText(
            "Send for &approval" if record.supervised_because else "Cancel &trade"
        )
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Keep trade")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self._update()
        self.reason.setFocus()

    def _update(self, *_args: object) -> None:
        self.ok_button.setEnabled(bool(self.reason.text().strip()))
        self.error.hide()

    def accept(self) -> None:
        """Cancel the trade (or ask a principal to); on a refusal, say why and stay open."""
        if not self.reason.text().strip():
            return
        reason, record, trades = self.reason.text(), self._record, self._trades

        def done(outcome_text: str) -> None:
            self.outcome_text = outcome_text
            self.trade_cancelled.emit(outcome_text)
            super(TradeCancelDialog, self).accept()

        Op(
            self,
            lambda: trades.cancel(record.id, reason, expected_version=record.row_version).text,
            done=done,
            refused=self._show_error,
            busy_key=f"trade_cancel.{id(self)}",
        ).run()

    def _show_error(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()
