"""Settle an obligation, all that is left or a part: the residual stays open.

The quantity starts as everything left; a smaller one settles a part, with its
share of the cash unless the clerk types the amount that actually moved.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from desk_app.domain.errors import ValidationError
from desk_app.domain.money import format_quantity
from desk_app.domain.trade_rows import parse_charge, parse_quantity
from desk_app.ui.dialogs.submit import submit
from desk_app.ui.dialogs.trade_ticket_fields import error_label
from desk_app.ui.tabs.workspace_view import SettledView, SettlingView


class SettleDialog(QDialog):
    """Settle obligation ``obligation_id``, of which ``left`` (in ``currency``) remains."""

    #: The settlement was posted.
    settled = Signal(object)

    def __init__(
        self,
        settling: SettlingView,
        obligation_id: int,
        what: str,
        left: Decimal,
        *,
        currency: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settle_dialog")
        self.setWindowTitle(f"Settle obligation {obligation_id}")
        self._settling = settling
        self._id = obligation_id
        self.quantity = QLineEdit(format(left.normalize(), "f"), self)
        self.quantity.setObjectName("quantity")
        self.quantity.selectAll()
        self.amount = QLineEdit(self)
        self.amount.setObjectName("amount")
        self.amount.setPlaceholderText("its share of the cash left, to the cent")
        self.error = error_label("settle_error", self)
        self.outcome: SettledView | None = None
        form = QFormLayout(self)
        form.addRow("Obligation", QLabel(what, self))
        form.addRow("Left to settle", QLabel(f"{format_quantity(left)}", self))
        form.addRow("Quantity", self.quantity)
        form.addRow(f"Cash ({currency})", self.amount)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Settle")
        buttons.accepted.connect(self.settle)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def settle(self) -> None:
        """Post the settlement; a refusal shows beside the fields and nothing changes."""
        try:
            quantity = parse_quantity("quantity", self.quantity.text().strip())
            text = self.amount.text().strip()
            amount = parse_charge("amount", text) if text else None
        except ValidationError as exc:  # the fields, read here before anything is asked
            self._show_error(exc.message)
            return
        settling, oid = self._settling, self._id
        submit(
            self, lambda: settling.settle(oid, quantity=quantity, amount=amount),
            done=self._posted, refused=lambda exc: self._show_error(exc.message),
        )  # fmt: skip

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _posted(self, outcome: SettledView) -> None:
        self.outcome = outcome
        self.settled.emit(outcome)
        self.accept()
