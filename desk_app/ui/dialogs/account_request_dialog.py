"""Ask for a supervised account change: open an account, amend one, or change its status.

Nothing here changes an account: the dialog files an approval request through the
account service, which validates it; a principal other than the maker decides it.
A `ValidationError` is shown beside the field it names.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from PySide6.QtCore import Qt
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

from desk_app.domain import labels
from desk_app.domain.account_rules import AMENDABLE
from desk_app.domain.codes import AccountStatus, RegistrationType
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.states import ACCOUNT
from desk_app.ui import theme
from desk_app.ui.models.record_fields import field_label
from desk_app.ui.ops import Op
from desk_app.ui.tabs.workspace_view import AccountRecordView, AccountsView
from desk_app.ui.theme import Tone

SUPERVISED_NOTE = (
    "Account changes are supervised: nothing changes until a principal other than you "
    "approves this request."
)
PLACEHOLDERS = {
    "account_number": "NYC-20417",
    "tax_id": "123-45-6789 or 12-3456789",
    "residence_state": "NY",
    "residence_country": "US",
    "base_currency": "USD",
}
DEFAULTS = {"residence_country": "US", "base_currency": "USD"}
_STATUS_VERB = {"open": "Reopen", "restricted": "Restrict", "closed": "Close"}


class RequestKind(StrEnum):
    OPEN = "open"
    AMEND = "amend"
    STATUS = "status"


class AccountRequestDialog(QDialog):
    """A form for one request; `request_id` is set once the request is filed."""

    def __init__(
        self,
        accounts: AccountsView,
        kind: RequestKind,
        record: AccountRecordView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if kind is not RequestKind.OPEN and record is None:
            raise ValueError(f"{kind} needs the account's record")
        self.setObjectName("account_request_dialog")
        self._accounts = accounts
        self._kind = kind
        self._record = record
        self.request_id: int | None = None
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        self.errors: dict[str, QLabel] = {}
        self._initial: dict[str, str] = {}

        number = record.account_number if record else ""
        self.setWindowTitle(
            {
                RequestKind.OPEN: "Request a new account",
                RequestKind.AMEND: f"Request an amendment to {number}",
                RequestKind.STATUS: f"Request a status change for {number}",
            }[kind]
        )
        note = QLabel(SUPERVISED_NOTE, self)
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._build_fields()
        self.reason = self._add_line("reason", "")
        self.reason.setPlaceholderText("Why the change is needed (required)")
        self.general_error = QLabel(self)
        self.general_error.setObjectName("general_error")
        self.general_error.setWordWrap(True)
        self._tone(self.general_error)
        self.general_error.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.send_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.send_button.setText("Send for approval")
        self.send_button.setDefault(True)  # Enter in any field sends
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        first = next(iter(self.editors.values()))
        first.setFocus()

    # -- building -------------------------------------------------------------------------
    def _build_fields(self) -> None:
        """The account (if there is one), then the status choice or the account's fields."""
        kind, record = self._kind, self._record
        if record is not None:
            shown = QLabel(f"{record.account_number}  {record.values.get('name') or ''}", self)
            shown.setObjectName("account")
            font = shown.font()
            font.setBold(True)
            shown.setFont(font)
            self.form.addRow("Account", shown)
        if kind is RequestKind.STATUS:
            self._build_status()
        else:
            if kind is RequestKind.OPEN:
                self._add_line("account_number", "")
            values = dict(record.values) if record else {}
            for name in AMENDABLE:
                value = values.get(name, DEFAULTS.get(name, "") if record is None else "")
                if name == "registration_type":
                    self._add_registration(str(value or ""))
                else:
                    self._add_line(name, "" if value is None else str(value))

    def _field_box(self, name: str, editor: QWidget) -> None:
        """The editor with its error line under it, as one form row."""
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        error = QLabel(box)
        error.setObjectName(f"{name}_error")
        error.setWordWrap(True)
        self._tone(error)
        error.hide()
        column.addWidget(error)
        self.errors[name] = error
        self.form.addRow(field_label(name) if name != "reason" else "Reason", box)

    def _add_line(self, name: str, value: str) -> QLineEdit:
        edit = QLineEdit(value, self)
        edit.setObjectName(name)
        edit.setPlaceholderText(PLACEHOLDERS.get(name, ""))
        if name == "tax_id" and "*" in value:
            edit.setToolTip("Masked: leave it as it is to keep the tax id, or type a new one")
        self.editors[name] = edit
        self._initial[name] = value
        self._field_box(name, edit)
        return edit

    def _add_registration(self, value: str) -> None:
        combo = QComboBox(self)
        combo.setObjectName("registration_type")
        for kind in RegistrationType:
            combo.addItem(labels.REGISTRATION[kind.value], kind.value)
        combo.setCurrentIndex(max(combo.findData(value or RegistrationType.INDIVIDUAL.value), 0))
        self.editors["registration_type"] = combo
        self._initial["registration_type"] = value
        self._field_box("registration_type", combo)

    def _build_status(self) -> None:
        assert self._record is not None
        current = AccountStatus(str(self._record.values.get("status", "open")))
        shown = QLabel(labels.ACCOUNT_STATUS[current.value], self)
        shown.setObjectName("current_status")
        self.form.addRow("Now", shown)
        combo = QComboBox(self)
        combo.setObjectName("status")
        for target in ACCOUNT.allowed(current):
            text = f"{_STATUS_VERB[target.value]} ({labels.ACCOUNT_STATUS[target.value]})"
            combo.addItem(text, target.value)
        self.editors["status"] = combo
        self._field_box("status", combo)

    @staticmethod
    def _tone(label: QLabel) -> None:
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, theme.foreground(Tone.NEGATIVE))
        label.setPalette(palette)

    # -- sending ----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The account fields as typed; for an amendment, only those the user changed."""
        values: dict[str, Any] = {}
        for name in AMENDABLE:
            editor = self.editors.get(name)
            if editor is None:
                continue
            text = editor.currentData() if isinstance(editor, QComboBox) else editor.text()
            if self._kind is RequestKind.AMEND and text == self._initial.get(name):
                continue  # untouched (a masked tax id stays as it is)
            values[name] = text
        return values

    def accept(self) -> None:
        """File the request; on a refusal, say why beside the field and stay open."""
        self._clear_errors()
        reason, accounts, kind, record = (
            self.reason.text(),
            self._accounts,
            self._kind,
            self._record,
        )
        if kind is RequestKind.OPEN:
            number = self.editors["account_number"]
            assert isinstance(number, QLineEdit)
            account, values = number.text(), self.values()

            def call() -> int:
                return accounts.request_open(account, values, reason)
        elif kind is RequestKind.AMEND:
            assert record is not None
            account, values = record.account_number, self.values()

            def call() -> int:
                return accounts.request_amend(account, values, reason)
        else:
            assert record is not None
            status = self.editors["status"]
            assert isinstance(status, QComboBox)
            account, new_status = record.account_number, str(status.currentData())

            def call() -> int:
                return accounts.request_status(account, new_status, reason)

        Op(
            self,
            call,
            done=self._sent,
            refused=self._refused,
            busy_key=f"account_request.{id(self)}",
        ).run()

    def _sent(self, rid: int) -> None:
        self.request_id = rid
        super().accept()

    def _refused(self, exc: DeskError) -> None:
        if isinstance(exc, ValidationError):
            self._show_error(exc.field, exc.reason, exc.message)
        else:
            self._show_error("", "", exc.message)

    def sent_text(self) -> str:
        return f"Request {self.request_id} sent for approval"

    def _show_error(self, field: str, reason: str, message: str) -> None:
        label = self.errors.get(field)
        if label is None:
            self.general_error.setText(message)
            self.general_error.show()
            return
        label.setText(reason[:1].upper() + reason[1:])
        label.show()
        editor = self.editors.get(field)
        (editor or self.reason).setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_errors(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            label.clear()
            label.hide()
