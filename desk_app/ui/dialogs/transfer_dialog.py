"""Ask for a journal of cash or securities from one account to another.

Nothing moves here: the dialog files an approval request through the transfer
service, which checks the source's settled balance (shown live as "Available") now
and again when a principal other than the maker approves it. A securities journal
shows the source's lots of the instrument; the clerk may name how many to take from
each (checked as typed), else the oldest go first.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.money import MONEY_SCALE, format_amount, format_quantity
from desk_app.domain.trade_rows import parse_amount, parse_quantity
from desk_app.ui.dialogs.lot_picker import LotPicker
from desk_app.ui.dialogs.trade_ticket_fields import error_label
from desk_app.ui.ops import Op
from desk_app.ui.tabs.workspace_view import JournalRequestView, TransfersView

CASH, SECURITIES = "cash", "securities"
NOTE = (
    "Journals are supervised: nothing moves until a principal other than you approves "
    "this request, and only if the source still holds enough then."
)


class TransferDialog(QDialog):
    """A journal from ``from_account`` (editable); `sent` is set once it is filed."""

    def __init__(
        self,
        transfers: TransfersView,
        from_account: str,
        *,
        currency: str = "USD",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("transfer_dialog")
        self.setWindowTitle(f"Transfer from {from_account}")
        self._transfers = transfers
        self.sent: JournalRequestView | None = None
        self.kind = QComboBox(self)
        self.kind.setObjectName("kind")
        self.kind.addItem("Cash", CASH)
        self.kind.addItem("Securities", SECURITIES)
        self.source = self._line("from", from_account)
        self.target = self._line("to", "", "NYC-20417")
        self.currency = self._line("currency", currency)
        self.isin = self._line("isin", "", "US0378331005")
        self.amount = self._line("amount", "", "2500.00")
        self.available = QLabel(self)
        self.available.setObjectName("available")
        self.reason = self._line("reason", "", "Why the journal is needed (required)")
        self.lots = LotPicker(self)
        self.lots.setMinimumHeight(130)
        self.lot_problems = error_label("lot_problems", self)
        self.error = error_label("transfer_error", self)

        note = QLabel(NOTE, self)
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, widget in (
            ("What", self.kind), ("From account", self.source), ("To account", self.target),
            ("Currency", self.currency), ("ISIN", self.isin), ("Amount", self.amount),
            ("Available", self.available), ("Lots", self.lots), ("", self.lot_problems),
            ("Reason", self.reason),
        ):  # fmt: skip
            self.form.addRow(label, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.send_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.send_button.setText("Send for approval")
        self.send_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(600)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        for edit in (self.source, self.currency, self.isin):
            edit.editingFinished.connect(self.show_available)
        self.amount.textChanged.connect(self._quantity_changed)
        self.lots.checked.connect(self._lots_checked)
        self._kind_changed()
        self.target.setFocus()

    def _line(self, name: str, text: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(text, self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    @property
    def is_cash(self) -> bool:
        return bool(self.kind.currentData() == CASH)

    def _kind_changed(self) -> None:
        """Cash asks for a currency and an amount; securities for an ISIN and a quantity."""
        cash = self.is_cash
        self.form.setRowVisible(self.currency, cash)
        self.form.setRowVisible(self.isin, not cash)
        self.form.setRowVisible(self.lots, not cash)
        label = self.form.labelForField(self.amount)
        assert isinstance(label, QLabel)
        label.setText("Amount" if cash else "Quantity")
        self.amount.setPlaceholderText("2500.00" if cash else "100")
        self.show_available()

    def show_available(self) -> None:
        """What the source holds now, settled (blank until the source and asset are known)."""
        source = self.source.text().strip()
        # On the GUI thread: one account's settled balance by index, as the user leaves a field.
        try:
            if self.is_cash:
                code = self.currency.text().strip().upper()
                held = self._transfers.available_cash(source, code) if source and code else None
                text = "" if held is None else f"{format_amount(held)} {code}"
            else:
                isin = self.isin.text().strip()
                held = self._transfers.available_position(source, isin) if source and isin else None
                text = "" if held is None else format_quantity(held)
        except DeskError as exc:  # shown in place of the figure, as the user types
            text = exc.message
        self.available.setText(text)
        self.show_lots()

    def show_lots(self) -> None:
        """The source's lots of the instrument, to take from (empty until both are known)."""
        source, isin = self.source.text().strip(), self.isin.text().strip()
        lots = []
        if not self.is_cash and source and isin:
            try:  # one account's lots of one instrument, as the user leaves a field
                lots = list(self._transfers.lots(source, isin))
            except DeskError:
                lots = []  # "Available" says why
        self.lots.set_lots(lots, market_today())
        self._quantity_changed()

    def _quantity_changed(self) -> None:
        try:
            quantity = parse_quantity("quantity", self.amount.text().strip())
        except ValidationError:
            quantity = None
        self.lots.set_quantity(quantity)

    def _lots_checked(self) -> None:
        """Every problem of the Take column under the table; none may be sent."""
        problems = self.lots.problems if not self.is_cash else []
        self.lot_problems.setText("\n".join(problems))
        self.form.setRowVisible(self.lot_problems, bool(problems))
        self.send_button.setEnabled(not problems)

    def accept(self) -> None:
        """File the request; a refusal shows under the form and the dialog stays open."""
        self.error.hide()
        transfers, cash = self._transfers, self.is_cash
        source, target, reason = self.source.text(), self.target.text(), self.reason.text()
        raw, currency, isin = self.amount.text().strip(), self.currency.text(), self.isin.text()
        named = self.lots.named() or None

        def send() -> JournalRequestView:
            if cash:
                amount = parse_amount("amount", raw, MONEY_SCALE, zero_allowed=False)
                return transfers.request_cash(source, target, amount, currency, reason)
            quantity: Decimal = parse_quantity("quantity", raw)
            return transfers.request_securities(source, target, isin, quantity, reason, lots=named)

        # A ValidationError is a DeskError too: its message names the field.
        Op(
            self, send, done=self._sent, refused=self._refused, busy_key=f"transfer.{id(self)}"
        ).run()

    def _sent(self, sent: JournalRequestView) -> None:
        self.sent = sent
        super().accept()

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()

    def sent_text(self) -> str:
        assert self.sent is not None
        return f"Request {self.sent.request_id} sent for approval: {self.sent.summary}"
