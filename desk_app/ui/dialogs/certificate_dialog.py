"""Register a certificate by hand, and show why a certificates file was refused.

A certificate entered here is a receipt into the vault: the register records who
delivered it, and the blotter's receipts and deliveries list it. Every value is
checked as the CSV import checks it; a refusal names the field.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.ui.dialogs.submit import submit
from desk_app.ui.dialogs.trade_ticket_fields import error_label
from desk_app.ui.market_dates import market_qdate
from desk_app.ui.tabs.certificate_views import CertificatesView

#: (field, label, placeholder) of the text inputs, in the form's order.
TEXTS = (
    ("certificate_number", "Certificate number", "As printed on the face, e.g. NY 123456"),
    ("cusip", "CUSIP", "9 characters, check digit included"),
    ("issuer", "Issuer", ""),
    ("security_class", "Class", "Common, Preferred Series B, …"),
    ("registered_holder", "Registered holder", ""),
    ("registration_text", "Registration", "The full registration, if longer than the holder"),
    ("shares", "Shares", "Whole shares"),
    ("account", "Account", "The client account it belongs to (optional)"),
    ("location", "Location", "Vault and drawer"),
    ("received_from", "Received from", "Who delivered it (client, transfer agent, DTC)"),
)


class CertificateDialog(QDialog):
    """One certificate into the vault; `certificate_id` is set once it is registered."""

    def __init__(self, certificates: CertificatesView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("certificate_dialog")
        self.setWindowTitle("Register a certificate")
        self._certificates = certificates
        self.certificate_id: int | None = None
        self.added = 0
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, label, placeholder in TEXTS:
            edit = QLineEdit(self)
            edit.setObjectName(name)
            edit.setPlaceholderText(placeholder)
            self.edits[name] = edit
            form.addRow(label, edit)
        self.issue_date = QDateEdit(market_qdate(), self)
        self.issue_date.setObjectName("issue_date")
        self.issue_date.setCalendarPopup(True)
        self.issue_date.setDisplayFormat("yyyy-MM-dd")
        form.insertRow(7, "Issued", self.issue_date)
        self.form_kind = QComboBox(self)
        self.form_kind.setObjectName("form")
        self.form_kind.addItem("Registered", "registered")
        self.form_kind.addItem("Bearer", "bearer")
        form.addRow("Form", self.form_kind)
        self.legend = QCheckBox("Restricted legend on the face", self)
        self.legend.setObjectName("restricted_legend")
        self.stock_power = QCheckBox("A signed stock power is kept with it", self)
        self.stock_power.setObjectName("stock_power_attached")
        form.addRow("", self.legend)
        form.addRow("", self.stock_power)
        self.error = error_label("certificate_error", self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._ok_button.setText("Register")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.edits["certificate_number"].setFocus()

    def values(self) -> dict[str, str]:
        values = {name: edit.text() for name, edit in self.edits.items()}
        values["issue_date"] = self.issue_date.date().toString("yyyy-MM-dd")
        values["form"] = str(self.form_kind.currentData())
        values["restricted_legend"] = "yes" if self.legend.isChecked() else "no"
        values["stock_power_attached"] = "yes" if self.stock_power.isChecked() else "no"
        return values

    def accept(self) -> None:
        """Register the certificate on a worker; a refusal shows here, on the field it names."""
        self.error.hide()
        certificates, values = self._certificates, self.values()
        submit(
            self, lambda: certificates.add(values), done=self._added, refused=self._refused,
        )  # fmt: skip

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()
        edit = self.edits.get(getattr(exc, "field", ""))
        if edit is not None:
            edit.setFocus()

    def _added(self, certificate_id: int) -> None:
        self.certificate_id = certificate_id
        self.added = 1
        super().accept()


class ProblemsDialog(QDialog):
    """Every problem of a refused file, one per line, to fix the file in one go."""

    def __init__(self, title: str, problems: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problems_dialog")
        self.setWindowTitle(title)
        self.text = QPlainTextEdit("\n".join(problems), self)
        self.text.setObjectName("problems")
        self.text.setReadOnly(True)
        copy = QPushButton("Copy", self)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(640, 320)
