"""Enter an ACATS transfer: direction, account, contra firm, type and what moves.

The assets are one ``ISIN=QUANTITY`` a line and cash ``CUR=AMOUNT``; a full
transfer out left empty lists everything the account holds. Lots of a transfer in
come by the command line (``acats new --lot``); here an incoming position without
lots has no known cost basis, which the positions show.
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
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.acats import AcatsDirection, AcatsType
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.money import MONEY_SCALE
from desk_app.domain.trade_rows import parse_amount, parse_quantity
from desk_app.ui.dialogs.submit import submit
from desk_app.ui.dialogs.trade_ticket_fields import error_label
from desk_app.ui.tabs.acats_views import AcatsOutcome, AcatsView

NOTE = (
    "The transfer goes to review at once: the delivering firm validates it or takes "
    "exception within one business day. Validating a transfer out freezes the account."
)


def pairs(field: str, text: str, scale: int | None) -> list[tuple[str, Decimal]]:
    """``KEY=NUMBER`` entries, one a line or comma separated; a bad one names its line."""
    found: list[tuple[str, Decimal]] = []
    entries = [e.strip() for line in text.splitlines() for e in line.split(",") if e.strip()]
    for n, entry in enumerate(entries, 1):
        key, sep, value = entry.partition("=")
        if not sep or not key.strip():
            raise ValidationError(field, f"entry {n}: expected KEY=NUMBER", entry)
        name = f"{field} {key.strip().upper()}"
        number = (
            parse_quantity(name, value.strip())
            if scale is None
            else parse_amount(name, value.strip(), scale, zero_allowed=False)
        )
        found.append((key.strip().upper(), number))
    return found


class AcatsDialog(QDialog):
    """A new transfer; `sent` holds what the service answered once it is entered."""

    def __init__(self, acats: AcatsView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("acats_dialog")
        self.setWindowTitle("New ACATS transfer")
        self._acats = acats
        self.sent: AcatsOutcome | None = None
        self.direction = QComboBox(self)
        self.direction.setObjectName("direction")
        for d in AcatsDirection:
            self.direction.addItem(d.label, d.value)
        self.transfer_type = QComboBox(self)
        self.transfer_type.setObjectName("transfer_type")
        for t in AcatsType:
            self.transfer_type.addItem(t.label, t.value)
        self.account = self._line("account", "NYC-20417 (our client's account)")
        self.contra = self._line("contra", "DTC number, e.g. 0164, or counterparty code")
        self.contra_account = self._line("contra_account", "the account at the contra firm")
        self.assets = QPlainTextEdit(self)
        self.assets.setObjectName("assets")
        self.assets.setPlaceholderText("US0378331005=100\n(one ISIN=QUANTITY a line)")
        self.assets.setFixedHeight(80)
        self.cash = self._line("cash", "USD=2500.00")
        self.error = error_label("acats_error", self)
        note = QLabel(NOTE, self)
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, widget in (
            ("Direction", self.direction), ("Account", self.account),
            ("Contra firm", self.contra), ("Contra account", self.contra_account),
            ("Type", self.transfer_type), ("Assets", self.assets), ("Cash", self.cash),
        ):  # fmt: skip
            form.addRow(label, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.send_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.send_button.setText("Enter transfer")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.account.setFocus()

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def accept(self) -> None:
        """Enter the transfer; a refusal shows under the form and the dialog stays open."""
        self.error.hide()
        try:
            assets = pairs("asset", self.assets.toPlainText(), None)
            cash = pairs("cash", self.cash.text(), MONEY_SCALE)
        except DeskError as exc:
            self._refused(exc)
            return
        acats = self._acats
        direction = AcatsDirection(self.direction.currentData())
        kind = AcatsType(self.transfer_type.currentData())
        account, contra = self.account.text(), self.contra.text()
        contra_account = self.contra_account.text()
        submit(
            self,
            lambda: acats.new_from_text(
                direction,
                account,
                contra=contra,
                contra_account=contra_account,
                transfer_type=kind,
                assets=assets,
                cash=cash,
            ),  # fmt: skip
            done=self._sent,
            refused=self._refused,
        )

    def _sent(self, sent: AcatsOutcome) -> None:
        self.sent = sent
        super().accept()

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()
