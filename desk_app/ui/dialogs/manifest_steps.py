"""The steps of a manifest after its draft: verify (dual control), pickup, receipt.

Verifying is a real, blind second count: the verifier types the certificates and
shares they counted in the envelope, and the manifest must agree; a count that does
not is told only that (the service audits it and locks the manifest after three).
The pickup records the courier's agent and the bag or seal number; the receipt
records who signed at the recipient and names any certificate that was not in the
package.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.certificates import ManifestView
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.ui.dialogs.submit import submit
from desk_app.ui.dialogs.trade_ticket_fields import error_label
from desk_app.ui.tabs.certificate_views import ManifestsView


class _StepDialog(QDialog):
    """A form, an error line, OK and Cancel; OK runs the call `step` makes, on a worker."""

    def __init__(self, title: str, note: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.error = error_label("step_error", self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        label = QLabel(note, self)
        label.setWordWrap(True)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.body = QVBoxLayout(self)
        self.body.addWidget(label)
        self.body.addLayout(self.form)
        self.body.addWidget(self.error)
        self.body.addWidget(buttons)
        self.setMinimumWidth(440)

    def line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        return edit

    def step(self) -> Callable[[], object]:
        """The service call of the form as filled in (read here, on the GUI thread)."""
        raise NotImplementedError

    def accept(self) -> None:
        self.error.hide()
        try:
            call = self.step()
        except ValidationError as exc:  # the form itself, before anything is sent
            self._refused(exc)
            return
        submit(
            self, call, done=self._stepped, refused=self._refused,
        )  # fmt: skip

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()

    def _stepped(self, _result: object) -> None:
        super().accept()


class VerifyDialog(_StepDialog):
    """The second person's count of a draft manifest."""

    def __init__(
        self, manifests: ManifestsView, view: ManifestView, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            f"Verify manifest {view.manifest_number}",
            f"Prepared by {view.prepared_by}, to {view.recipient} by {view.courier} "
            f"(airbill {view.airbill or 'none yet'}). Count the certificates in the envelope "
            "and their shares yourself; a count that does not agree is told only that, and "
            "after three such counts a supervisor verifies it. Check that no stock power "
            "travels with them.",
            "Verify",
            parent,
        )
        self.setObjectName("verify_dialog")
        self._manifests, self._view = manifests, view
        self.count = QSpinBox(self)
        self.count.setObjectName("count")
        self.count.setRange(0, 100_000)
        self.count.setSpecialValueText("—")
        self.shares = self.line("shares", "Total shares you counted")
        self.form.addRow("Certificates counted", self.count)
        self.form.addRow("Shares counted", self.shares)

    def step(self) -> Callable[[], object]:
        if not self.count.value():
            raise ValidationError("count", "type how many certificates you counted")
        try:
            shares = Decimal(self.shares.text().replace(",", "").strip())
        except InvalidOperation:
            raise ValidationError("shares", "type the total shares you counted") from None
        manifests, number, count = self._manifests, self._view.manifest_number, self.count.value()
        return lambda: manifests.verify(number, count, shares)


class PickupDialog(_StepDialog):
    """The courier's agent signed for the package."""

    def __init__(
        self, manifests: ManifestsView, view: ManifestView, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            f"Pickup of {view.manifest_number}",
            f"{view.courier} {view.airbill or ''}: the certificates go in transit.".replace(
                "  ", " "
            ),
            "Record pickup",
            parent,
        )
        self.setObjectName("pickup_dialog")
        self._manifests, self._view = manifests, view
        self.agent = self.line("agent", "The courier's agent who signed (required)")
        self.seal = self.line("seal", "Bag or seal number")
        self.form.addRow("Courier agent", self.agent)
        self.form.addRow("Bag/seal", self.seal)

    def step(self) -> Callable[[], object]:
        manifests, number = self._manifests, self._view.manifest_number
        agent, seal = self.agent.text(), self.seal.text()
        return lambda: manifests.pickup(number, agent, seal)


class ReceiptDialog(_StepDialog):
    """The recipient's acknowledgement: all items, or all but the ticked missing ones."""

    def __init__(
        self, manifests: ManifestsView, view: ManifestView, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            f"Receipt of {view.manifest_number}",
            f"{view.recipient} acknowledges the package. Tick any certificate that was not in "
            "it: each is reported missing in transit, with this manifest and the courier on "
            "its loss record.",
            "Record receipt",
            parent,
        )
        self.setObjectName("receipt_dialog")
        self._manifests, self._view = manifests, view
        self.received_by = self.line("received_by", f"Who signed (default: {view.recipient})")
        self.missing = QListWidget(self)
        self.missing.setObjectName("missing")
        for line in view.lines:
            item = QListWidgetItem(
                f"{line.certificate_number}  ({line.cusip}, {line.shares:,} sh)", self.missing
            )
            item.setData(Qt.ItemDataRole.UserRole, f"{line.cusip}:{line.certificate_number}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.missing.setMaximumHeight(160)
        self.note = self.line("difference", "The difference, in words (required if any)")
        self.form.addRow("Received by", self.received_by)
        self.form.addRow("Missing", self.missing)
        self.form.addRow("Difference", self.note)

    def ticked(self) -> list[str]:
        items = (self.missing.item(n) for n in range(self.missing.count()))
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item is not None and item.checkState() == Qt.CheckState.Checked
        ]

    def step(self) -> Callable[[], object]:
        manifests, number = self._manifests, self._view.manifest_number
        by, missing, note = self.received_by.text(), self.ticked(), self.note.text()
        return lambda: manifests.receipt(number, by, missing=missing, note=note)
