"""Build a courier manifest from the certificates selected on the Certificates tab.

The manifest starts as a draft: another user verifies it before it prints (dual
control). The recipient's address and the sender default to the last manifest's,
so a clerk sending to a transfer agent again types only the courier and airbill;
the desk's default courier and sender (File → Settings…) come filled in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QDateTime
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.certificates import Dispatch
from desk_app.domain.errors import DeskError
from desk_app.ui.dialogs.submit import submit
from desk_app.ui.dialogs.trade_ticket_fields import error_label
from desk_app.ui.tabs.certificate_views import ManifestsView

COURIERS = ("FedEx", "UPS", "Brink's Global Services", "DHL Express")


class ManifestDialog(QDialog):
    """A draft manifest of ``references``; `number` is set once it is made."""

    def __init__(
        self,
        manifests: ManifestsView,
        references: Sequence[str],
        what: str,
        parent: QWidget | None = None,
        *,
        courier: str = "",
        sender: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("manifest_dialog")
        self.setWindowTitle("New courier manifest")
        self._manifests = manifests
        self._references = list(references)
        self.number: str | None = None
        self.courier = QComboBox(self)
        self.courier.setObjectName("courier")
        self.courier.setEditable(True)
        self.courier.addItems(COURIERS)
        if courier:
            self.courier.setCurrentText(courier)
        self.airbill = self._line("airbill", "Airbill or tracking number")
        self.has_pickup = QCheckBox("Booked for", self)
        self.has_pickup.setObjectName("has_pickup")
        self.pickup = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600), self)
        self.pickup.setObjectName("pickup")
        self.pickup.setCalendarPopup(True)
        self.pickup.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.pickup.setEnabled(False)
        self.has_pickup.toggled.connect(self.pickup.setEnabled)
        pickup_row = QHBoxLayout()
        pickup_row.addWidget(self.has_pickup)
        pickup_row.addWidget(self.pickup, 1)
        self.recipient = self._line("recipient", "Transfer agent, DTC or client (required)")
        self.address = QPlainTextEdit(self)
        self.address.setObjectName("address")
        self.address.setPlaceholderText("The recipient's address (the last one used, if blank)")
        self.address.setFixedHeight(74)
        self.sender_edit = self._line("sender", "As on the last manifest, if blank")
        self.sender_edit.setText(sender)
        self.declared = self._line("declared_value", "At the blotter's last prices, if blank")
        self.error = error_label("manifest_error", self)
        note = QLabel(
            f"{what}. The manifest is a draft until another user verifies it; only then "
            "does it print.",
            self,
        )
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form = self._form(pickup_row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.create_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create draft")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(500)
        self.recipient.editingFinished.connect(self.fill_address)
        self.recipient.setFocus()

    def _form(self, pickup_row: QHBoxLayout) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Courier", self.courier)
        form.addRow("Airbill", self.airbill)
        form.addRow("Pickup", pickup_row)
        form.addRow("Recipient", self.recipient)
        form.addRow("Address", self.address)
        form.addRow("Sender", self.sender_edit)
        form.addRow("Declared value", self.declared)
        return form

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def fill_address(self) -> None:
        """The address the last manifest to this recipient went to, if none is typed."""
        name = self.recipient.text().strip()
        if not name or self.address.toPlainText().strip():
            return
        # On the GUI thread: one address by the recipient's name, as the clerk leaves the field.
        try:
            known = self._manifests.known_address(name)
        except DeskError:  # none readable: the clerk types it, as for a new recipient
            return
        if known:
            self.address.setPlainText(known)

    def accept(self) -> None:
        self.error.hide()
        pickup: datetime | None = None
        if self.has_pickup.isChecked():
            pickup = self.pickup.dateTime().toPython()  # type: ignore[assignment]
        dispatch = Dispatch(
            courier=self.courier.currentText(), recipient=self.recipient.text(),
            recipient_address=self.address.toPlainText(), sender=self.sender_edit.text(),
            airbill=self.airbill.text(), pickup_at=pickup,
            declared_value=self.declared.text().strip() or None,
        )  # fmt: skip
        manifests, references = self._manifests, self._references
        submit(
            self, lambda: manifests.create(dispatch, references), done=self._created,
            refused=self._refused,
        )  # fmt: skip

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()

    def _created(self, number: str) -> None:
        self.number = number
        super().accept()
