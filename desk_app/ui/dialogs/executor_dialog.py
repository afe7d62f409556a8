"""Add executor…: name a sole holder's executor, which files the retitle to "Estate of ...".

One supervised amendment carries the retitle, the executor as a party and the estate's
own EIN (checked as it is typed; kept in the tax-id vault, shown masked). The service
checks the rest when it is sent and names every problem; the dialog stays open on a
refusal. `request_id` is set once the request is filed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.identifiers import validate_tax_id
from desk_app.ui.dialogs.submit import submit
from desk_app.ui.dialogs.trade_ticket_fields import error_label


class ExecutorService(Protocol):
    """What the dialog needs of the estate service (`EstateService.add_executor`)."""

    def add_executor(
        self, case_id: int, party: Mapping[str, Any], ein: str = ..., reason: str = ...
    ) -> int: ...


class AddExecutorDialog(QDialog):
    """The executor the letters name, and the estate's EIN."""

    def __init__(
        self,
        estates: ExecutorService,
        case_id: int,
        decedent: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("add_executor_dialog")
        self.setWindowTitle(f"Add executor — estate case {case_id}")
        self._estates, self.case_id, self.decedent = estates, case_id, decedent
        self.request_id: int | None = None
        self.name = self._line("executor_name", "As the letters testamentary name them")
        self.kind = QComboBox(self)
        self.kind.setObjectName("executor_kind")
        self.kind.addItem("Person", "person")
        self.kind.addItem("Entity (a trust company)", "entity")
        self.address = QPlainTextEdit(self)
        self.address.setObjectName("executor_address")
        self.address.setPlaceholderText("Where the deficiency letter goes")
        self.address.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.date_of_birth = self._line("executor_date_of_birth", "YYYY-MM-DD (optional)")
        self.tax_id = self._line("executor_tax_id", "The executor's own SSN (optional)")
        self.ein = self._line("estate_ein", "12-3456789: the estate's own, from the IRS")
        self.ein.textChanged.connect(self.check_ein)
        self.reason = self._line("executor_reason", "Default: the letters name the executor")
        self.ein_error = error_label("estate_ein_error", self)
        self.error = error_label("add_executor_error", self)
        form = QFormLayout()
        form.addRow("Executor", self.name)
        form.addRow("Kind", self.kind)
        form.addRow("Address", self.address)
        form.addRow("Date of birth", self.date_of_birth)
        form.addRow("Tax id", self.tax_id)
        form.addRow("Estate's EIN", self.ein)
        form.addRow("", self.ein_error)
        form.addRow("Reason", self.reason)
        note = QLabel(
            f"One request, approved by a principal other than you: the account is retitled "
            f"\u201cEstate of {decedent}\u201d (registration estate), the executor is added "
            "to its parties and the estate's EIN becomes its tax id (shown masked).",
            self,
        )
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Send for approval")
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(500)
        self.name.textChanged.connect(self._enable)
        self._enable()

    def _line(self, name: str, hint: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setObjectName(name)
        line.setPlaceholderText(hint)
        return line

    def _enable(self) -> None:
        named = bool(self.name.text().strip())
        self.ok.setEnabled(named and not self.ein_error.isVisibleTo(self))
        self.ok.setToolTip("" if named else "Name the executor first")

    def check_ein(self) -> bool:
        """The EIN as it is typed: empty, or a valid EIN (python-stdnum)."""
        text = self.ein.text().strip()
        problem = ""
        if text:
            try:
                validate_tax_id(text, "ein", kind="ein")
            except ValidationError as bad:
                problem = f"EIN: {bad.reason}"
        self.ein_error.setText(problem)
        self.ein_error.setVisible(bool(problem))
        self._enable()
        return not problem

    def party(self) -> dict[str, Any]:
        return {
            "name": self.name.text().strip(),
            "kind": self.kind.currentData(),
            "address": self.address.toPlainText().strip() or None,
            "date_of_birth": self.date_of_birth.text().strip() or None,
            "tax_id": self.tax_id.text().strip() or None,
        }

    def accept(self) -> None:
        self.error.hide()
        if not self.check_ein() or not self.name.text().strip():
            return
        estates, case_id, party = self._estates, self.case_id, self.party()
        ein, reason = self.ein.text().strip(), self.reason.text().strip()
        submit(self, lambda: estates.add_executor(case_id, party, ein, reason),
               done=self._sent, refused=self._refused)  # fmt: skip

    def _sent(self, request_id: int) -> None:
        self.request_id = request_id
        super().accept()

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()
