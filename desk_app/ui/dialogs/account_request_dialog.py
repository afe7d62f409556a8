"""Ask for a supervised account change: open an account, amend one, or change its status.

Nothing here changes an account: the dialog files an approval request through the
account service, which validates it; a principal other than the maker decides it.
The form checks as you type: a field's problem shows beside it, the parties' problems
(by registration type and FINRA 4512's essentials, `registration_rules`) under their
table, every one, and Send stays disabled until there are none. A refusal from the
service is shown the same way, every problem it names.
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
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import account_rules, labels, registration_rules
from desk_app.domain.account_rules import AMENDABLE, CHOICES
from desk_app.domain.codes import AccountStatus, RegistrationType
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, ValidationError, ValidationProblems
from desk_app.domain.states import ACCOUNT
from desk_app.ui import theme
from desk_app.ui.dialogs.party_dialog import PartiesPanel
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
    "liquid_net_worth": "250000",
    "annual_income": "120000",
    "mailing_address": "Street, city, state, zip",
}
DEFAULTS = {"residence_country": "US", "base_currency": "USD"}
IMPLIED_HINT = (
    "Add the owner with Add party… (it starts from the account's name, tax id and address) "
    "and give what is missing."
)
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
        self.parties_panel: PartiesPanel | None = None

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
        if kind is RequestKind.STATUS:
            layout.addLayout(self.form)
        else:
            layout.addLayout(self._with_parties())
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460 if self.parties_panel is None else 980)
        first = next(iter(self.editors.values()))
        first.setFocus()
        self.check()

    def _with_parties(self) -> QHBoxLayout:
        """The account's fields beside its parties, each change checked at once."""
        record = self._record
        self.parties_panel = PartiesPanel(record.parties if record else (), self)
        self.parties_panel.start_from = self.implied_owner
        self._initial_parties = [dict(p) for p in self.parties_panel.parties]
        self.problems = QLabel(self)
        self.problems.setObjectName("problems")
        self.problems.setWordWrap(True)
        self._tone(self.problems)
        side = QVBoxLayout()
        heading = QLabel("<b>Parties</b> (owners, beneficiaries, custodian, trustees…)", self)
        side.addWidget(heading)
        side.addWidget(self.parties_panel, 1)
        side.addWidget(self.problems)
        body = QHBoxLayout()
        body.addLayout(self.form, 1)
        body.addLayout(side, 1)
        self.parties_panel.changed.connect(self.check)
        for editor in self.editors.values():
            if isinstance(editor, QComboBox):
                editor.currentIndexChanged.connect(self.check)
            else:
                editor.textChanged.connect(self.check)
        return body

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
                elif name in CHOICES:
                    self._add_choice(name, str(value or ""))
                else:  # one line: an address's lines separated by commas
                    self._add_line(name, "" if value is None else str(value).replace("\n", ", "))

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

    def _add_choice(self, name: str, value: str) -> None:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.addItem("(not recorded)", "")
        for code in CHOICES[name]:
            combo.addItem(str(getattr(code, "label", code.value)), code.value)
        combo.setCurrentIndex(max(combo.findData(value), 0))
        self.editors[name] = combo
        self._initial[name] = value
        self._field_box(name, combo)

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

    # -- checking as you type ----------------------------------------------------------------
    def _typed(self, name: str) -> str:
        editor = self.editors[name]
        return str(editor.currentData() or "") if isinstance(editor, QComboBox) else editor.text()

    def party_list(self) -> list[dict[str, Any]] | None:
        """The parties to send: None when they stay as they are (an amendment)."""
        panel = self.parties_panel
        if panel is None:
            return None
        if self._kind is RequestKind.AMEND and panel.parties == self._initial_parties:
            return None
        if self._kind is RequestKind.OPEN and not panel.parties:
            return None  # the account's holder is its owner, where the registration allows
        return panel.parties

    def check(self, *_args: object) -> list[str]:
        """Show each problem of the form as it stands; Send only when there is none."""
        if self.parties_panel is None:
            return []
        self._clear_errors()
        problems: list[str] = []
        fields = {name: self._typed(name) for name in AMENDABLE if name in self.editors}
        if self._kind is RequestKind.OPEN:
            fields["account_number"] = self._typed("account_number")
        for name, text in fields.items():
            if self._kind is RequestKind.AMEND and text == self._initial.get(name):
                continue  # as on file (a masked tax id stays as it is)
            try:
                if name == "account_number":
                    account_rules.clean_account_number(text)
                elif text or name in ("name", "registered_rep"):
                    account_rules.clean_fields({name: text})
            except ValidationError as error:
                self._show_error(error.field, error.reason, error.message, focus=False)
                problems.append(error.message)
        parties = self.party_list()
        registration = fields.get("registration_type", "")
        registration_changed = registration != self._initial.get("registration_type")
        if parties is not None or self._kind is RequestKind.OPEN or registration_changed:
            given = self.parties_panel.parties
            implied = [] if given else registration_rules.implied_owner(fields)
            checked = given or implied  # the holder as owner: checked as the service will
            found = registration_rules.record_problems(
                registration, [_as_on_file(p) for p in checked], market_today()
            )
            holder = {**self._on_file(), **fields}
            for problem in registration_rules.holder_problems(registration, holder):
                self._show_error(problem.field, problem.reason, str(problem), focus=False)
                problems.append(str(problem))
            problems += [str(p) for p in found]
            lines = [str(p) for p in found]
            if implied and found:
                lines.append(IMPLIED_HINT)
            self.problems.setText("\n".join(lines))
            self.problems.setVisible(bool(found))
        self.send_button.setEnabled(not problems)
        self.send_button.setToolTip("\n".join(problems) or "")
        return problems

    # -- sending ----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The account fields as typed; for an amendment, only those the user changed."""
        values: dict[str, Any] = {}
        for name in AMENDABLE:
            editor = self.editors.get(name)
            if editor is None:
                continue
            text = self._typed(name)
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
            account, values, parties = number.text(), self.values(), self.party_list()

            def call() -> int:
                return accounts.request_open(account, values, reason, parties)
        elif kind is RequestKind.AMEND:
            assert record is not None
            account, values, parties = record.account_number, self.values(), self.party_list()

            def call() -> int:
                return accounts.request_amend(account, values, reason, parties)
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
        """Every problem of the refusal: beside its field, or under the form."""
        if isinstance(exc, ValidationProblems):
            elsewhere = []
            for problem in exc.problems:
                if problem.field in self.errors:
                    self._show_error(problem.field, problem.reason, problem.message, focus=False)
                else:
                    elsewhere.append(problem.message)
            if elsewhere:
                self._show_error("", "", "\n".join(elsewhere))
        elif isinstance(exc, ValidationError):
            self._show_error(exc.field, exc.reason, exc.message)
        else:
            self._show_error("", "", exc.message)

    def _on_file(self) -> dict[str, Any]:
        """The account's values as on file (an amendment's; nothing for a new account)."""
        return dict(self._record.values) if self._record else {}

    def implied_owner(self) -> dict[str, Any] | None:
        """The holder as the owner to start from: name, tax id and address as typed."""
        fields = {name: self._typed(name) for name in AMENDABLE if name in self.editors}
        implied = registration_rules.implied_owner({**self._on_file(), **fields})
        if not implied:
            return None
        owner = dict(implied[0])
        if owner.get("tax_id") and "*" in str(owner["tax_id"]):
            owner["tax_id"] = None  # a masked number is not one a party can carry
        return owner

    def sent_text(self) -> str:
        return f"Request {self.request_id} sent for approval"

    def _show_error(self, field: str, reason: str, message: str, *, focus: bool = True) -> None:
        label = self.errors.get(field)
        if label is None:
            self.general_error.setText(message)
            self.general_error.show()
            return
        label.setText(reason[:1].upper() + reason[1:])
        label.show()
        editor = self.editors.get(field)
        if focus:
            (editor or self.reason).setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_errors(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            label.clear()
            label.hide()


def _as_on_file(party: dict[str, Any]) -> dict[str, Any]:
    """A party as the rules can read it: a birth date shown to the year only ("as on
    file") is taken as that year's middle; the service checks the real one."""
    born = str(party.get("date_of_birth") or "")
    if "*" in born:
        return {**party, "date_of_birth": f"{born[:4]}-07-01"}
    return party
