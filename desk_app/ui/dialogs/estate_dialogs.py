"""Record a holder's death; ask to re-register an estate to its new owners.

Recording a death restricts the account and opens its case at once (a sole account's
case then waits for its executor: Add executor… on the Estates tab files the retitle).
Re-registration is a supervised request: the targets are checked as they are typed
(accounts named once, percentages adding to 100, or none for equal shares), and the
service checks the rest (documents, prices) when it is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.estate_rules import SURVIVOR_JOINT, survivor_contribution, targets
from desk_app.ui.dialogs.submit import submit
from desk_app.ui.dialogs.trade_ticket_fields import error_label
from desk_app.ui.market_dates import market_qdate
from desk_app.ui.tabs.estate_views import EstateCaseView, EstatesView, OwnerLineView

REREGISTER_NOTE = (
    "Everything the account holds moves to these accounts: whole shares by percentage "
    "(largest remainder, a tie to the first listed), cash to the cent (odd cents to the "
    "first). A principal other than you approves it."
)


def _buttons(dialog: QDialog, text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(text)
    ok.setDefault(True)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def _note(text: str, parent: QWidget) -> QLabel:
    note = QLabel(text, parent)
    note.setWordWrap(True)
    note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return note


class RecordDeathDialog(QDialog):
    """The date of death and who told us; `case_id` is set once the case is open."""

    def __init__(self, estates: EstatesView, account: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("record_death_dialog")
        self.setWindowTitle(f"Record death — {account}")
        self._estates, self.account = estates, account
        self.case_id: int | None = None
        self.died = QDateEdit(market_qdate(), self)
        self.died.setObjectName("date_of_death")
        self.died.setCalendarPopup(True)
        self.died.setDisplayFormat("yyyy-MM-dd")
        self.source = QLineEdit(self)
        self.source.setObjectName("notice_source")
        self.source.setPlaceholderText("Who told us (a call from the son, a letter)")
        self.holder = QLineEdit(self)
        self.holder.setObjectName("decedent")
        self.holder.setPlaceholderText("A joint account: the owner who died (default the first)")
        self.spouses = QCheckBox("The joint owners are spouses", self)
        self.spouses.setObjectName("spouses")
        self.spouses.setChecked(True)
        self.spouses.setToolTip(
            "Spouses step up the decedent's half (community property: both); "
            "others all of it, less what the survivor shows they contributed"
        )
        self.small_estate = QCheckBox("Small estate: by affidavit, without letters", self)
        self.small_estate.setObjectName("small_estate")
        self.small_estate.setToolTip(
            "Only a sole account worth less at death than its state's small-estate limit, "
            "with no executor appointed"
        )
        self.error = error_label("record_death_error", self)
        form = QFormLayout()
        form.addRow("Date of death", self.died)
        form.addRow("Notice from", self.source)
        form.addRow("Owner who died", self.holder)
        form.addRow("", self.spouses)
        form.addRow("", self.small_estate)
        layout = QVBoxLayout(self)
        layout.addWidget(_note(
            "The account is restricted at once (nothing moves out of it) and an estate case "
            "opens with the documents its registration needs. A sole account's case then waits "
            "for its executor: Add executor\u2026 on the Estates tab files the retitle to "
            "\u201cEstate of \u2026\u201d.", self,
        ))  # fmt: skip
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, "Record death"))
        self.setMinimumWidth(440)

    def accept(self) -> None:
        self.error.hide()
        estates, account, source = self._estates, self.account, self.source.text()
        died: date = self.died.date().toPython()  # type: ignore[assignment]
        holder, spouses = self.holder.text(), self.spouses.isChecked()
        small = self.small_estate.isChecked()
        submit(self, lambda: estates.open_case(account, died, source, decedent=holder,
                                               spouses=spouses, small_estate=small),
               done=self._opened, refused=self._refused)  # fmt: skip

    def _opened(self, case_id: int) -> None:
        self.case_id = case_id
        super().accept()

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()


def parse_targets(text: str) -> list[tuple[str, Decimal | None]]:
    """One ``ACCOUNT`` or ``ACCOUNT=PERCENT`` a line (or separated by commas)."""
    given: list[tuple[str, Decimal | None]] = []
    for part in text.replace(",", "\n").splitlines():
        account, sep, percent = part.strip().partition("=")
        if not account.strip():
            continue
        try:
            value = Decimal(percent.strip().rstrip("%")) if sep else None
        except InvalidOperation:
            raise ValidationError("to", "the percentage is not a number", part.strip()) from None
        given.append((account.strip().upper(), value))
    return given


def _fraction_percent(share: Fraction) -> Decimal:
    return (
        (Decimal(share.numerator * 100) / Decimal(share.denominator))
        .quantize(Decimal("0.01"))
        .normalize()
    )


def _percent(numerator: int, denominator: int) -> str:
    return f"{(Decimal(numerator * 100) / Decimal(denominator)).quantize(Decimal('0.01'))}"


def proposal_text(owners: Sequence[OwnerLineView]) -> str:
    """The new owners the parties name, as the rules share it; the accounts are the clerk's."""
    lines = []
    for owner in owners:
        where = (f"to {owner.account} (in that name)" if owner.account else
                 "no open account in that name: type the one to receive it")  # fmt: skip
        if not owner.decided:
            where = "needs a decision"
        lines.append(f"{owner.name}: {owner.percent}% ({owner.why}); {where}")
    return "Proposed from the account's parties:\n" + "\n".join(lines) if lines else ""


def proposed_lines(owners: Sequence[OwnerLineView]) -> str:
    """The targets filled in where an account in the owner's name is open."""
    return "\n".join(f"{o.account}={o.percent.normalize():f}" for o in owners if o.account)


class ReregisterDialog(QDialog):
    """The new owners and their shares; `request_id` is set once the request is filed."""

    def __init__(
        self, estates: EstatesView, case_id: int, account: str, parent: QWidget | None = None,
        *, proposal: Sequence[OwnerLineView] = (), registration: str = "", spouses: bool = True,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("reregister_dialog")
        self._registration, self._spouses = registration, spouses
        self.setWindowTitle(f"Re-register {account} (estate case {case_id})")
        self._estates, self.case_id = estates, case_id
        self.request_id: int | None = None
        self.targets = QPlainTextEdit(self)
        self.targets.setObjectName("targets")
        self.targets.setPlaceholderText("NYC-20417=50\nNYC-20418=50")
        self.targets.setFixedHeight(90)
        self.check = QLabel(self)
        self.check.setObjectName("targets_check")
        self.alternate = QCheckBox("The executor elected the alternate valuation date", self)
        self.alternate.setObjectName("alternate_valuation")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("Why now (optional: the documents are verified)")
        self.error = error_label("reregister_error", self)
        form = QFormLayout()
        form.addRow("To accounts", self.targets)
        form.addRow("", self.check)
        form.addRow("", self.alternate)
        self._add_contribution(form, registration in SURVIVOR_JOINT and not spouses)
        form.addRow("Reason", self.reason)
        buttons = _buttons(self, "Send for approval")
        self.send_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.proposal = QLabel(proposal_text(proposal), self)
        self.proposal.setObjectName("proposal")
        self.proposal.setWordWrap(True)
        self.proposal.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(_note(REREGISTER_NOTE, self))
        layout.addWidget(self.proposal)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.targets.textChanged.connect(self.check_targets)
        self.contribution.textChanged.connect(self.check_targets)
        self.evidence.textChanged.connect(self.check_targets)
        self.targets.setPlainText(proposed_lines(proposal))
        self.proposal.setVisible(bool(proposal))
        self.check_targets()

    def _add_contribution(self, form: QFormLayout, asked: bool) -> None:
        """Joint owners who are not spouses (IRC 2040(a)): what the survivor paid, and proof."""
        self.contribution = QLineEdit(self)
        self.contribution.setObjectName("survivor_contribution")
        self.contribution.setPlaceholderText("0 (none shown: every share steps up)")
        self.contribution.setToolTip(
            "The percentage of the account the survivor shows they contributed; that part "
            "keeps its cost and date, the rest steps up to the value at death"
        )
        self.evidence = QLineEdit(self)
        self.evidence.setObjectName("contribution_evidence")
        self.evidence.setPlaceholderText("What shows it (e.g. bank statements 2015-2019)")
        self.evidence.setMaxLength(300)
        self.contribution_check = QLabel(self)
        self.contribution_check.setObjectName("contribution_check")
        self.contribution_check.setWordWrap(True)
        self.asks_contribution = asked
        if asked:
            form.addRow("Survivor's contribution %", self.contribution)
            form.addRow("Evidence", self.evidence)
            form.addRow("", self.contribution_check)
        else:
            for widget in (self.contribution, self.evidence, self.contribution_check):
                widget.hide()

    def check_targets(self) -> bool:
        """Say as the user types whether the targets add up (and the survivor's contribution
        is stated with its evidence); Send only when they do."""
        text = self.targets.toPlainText()
        good = self._check_contribution()
        try:
            found = targets(parse_targets(text))
        except ValidationError as exc:
            self.check.setText(exc.reason if text.strip() else "Name one account a line")
            self.send_button.setEnabled(False)
            return False
        shares = ", ".join(f"{t.account} {_percent(t.share.numerator, t.share.denominator)}%"
                           for t in found)  # fmt: skip
        self.check.setText(f"Shares: {shares}")
        self.send_button.setEnabled(good)
        return good

    def contribution_value(self) -> Decimal | None:
        """The survivor's contribution as typed (None: left empty); raises if not a number."""
        text = self.contribution.text().strip().rstrip("%").strip()
        if not self.asks_contribution or not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                "survivor contribution", "is not a number", self.contribution.text()
            ) from None

    def _check_contribution(self) -> bool:
        if not self.asks_contribution:
            return True
        try:
            share = survivor_contribution(
                self._registration, self._spouses, self.contribution_value(), self.evidence.text()
            )
        except ValidationError as exc:
            self.contribution_check.setText(exc.message)
            return False
        stepped = (100 - (Decimal(0) if share is None else _fraction_percent(share))).normalize()
        self.contribution_check.setText(
            f"{stepped:f}% of each lot steps up to the value at death (IRC 2040(a))"
        )
        return True

    def accept(self) -> None:
        self.error.hide()
        if not self.check_targets():
            return
        estates, case_id = self._estates, self.case_id
        given, alternate = parse_targets(self.targets.toPlainText()), self.alternate.isChecked()
        reason, percent, evidence = self.reason.text(), self.contribution_value(), ""
        if self.asks_contribution:
            evidence = self.evidence.text()
        call: Callable[[], int] = lambda: estates.request_reregistration(  # noqa: E731
            case_id, given, alternate, reason, survivor_contribution=percent, evidence=evidence
        )
        submit(self, call, done=self._sent, refused=self._refused)

    def _sent(self, request_id: int) -> None:
        self.request_id = request_id
        super().accept()

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()


class DocumentDateDialog(QDialog):
    """A document that must be recent (letters): the date it bears, before it is recorded."""

    def __init__(self, label: str, days: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("document_date_dialog")
        self.setWindowTitle("Date of the document")
        self.dated = QDateEdit(market_qdate(), self)
        self.dated.setObjectName("dated")
        self.dated.setCalendarPopup(True)
        self.dated.setDisplayFormat("yyyy-MM-dd")
        self.dated.setMaximumDate(market_qdate())
        form = QFormLayout()
        form.addRow("Issued on", self.dated)
        layout = QVBoxLayout(self)
        layout.addWidget(_note(f"{label}: a copy older than {days} days has expired. "
                               "Give the date the document bears.", self))  # fmt: skip
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "Record"))
        self.setMinimumWidth(420)

    def day(self) -> date:
        picked: date = self.dated.date().toPython()  # type: ignore[assignment]
        return picked


class BeneficiaryDiedDialog(QDialog):
    """A beneficiary who died before the holder: the shares follow (`case` is then set)."""

    def __init__(
        self,
        estates: EstatesView,
        case_id: int,
        names: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("beneficiary_died_dialog")
        self.setWindowTitle(f"Beneficiary died — estate case {case_id}")
        self._estates, self.case_id = estates, case_id
        self.case: EstateCaseView | None = None
        self.name = QComboBox(self)
        self.name.setObjectName("beneficiary")
        self.name.setEditable(True)
        self.name.addItems(list(names))
        self.died = QDateEdit(market_qdate(), self)
        self.died.setObjectName("beneficiary_date_of_death")
        self.died.setCalendarPopup(True)
        self.died.setDisplayFormat("yyyy-MM-dd")
        self.error = error_label("beneficiary_died_error", self)
        form = QFormLayout()
        form.addRow("Beneficiary", self.name)
        form.addRow("Date of death", self.died)
        layout = QVBoxLayout(self)
        layout.addWidget(_note(
            "Their share goes per stirpes if the designation says so (the executor names who "
            "takes it), else to the other primary beneficiaries pro rata, or to the contingent "
            "beneficiaries when no primary survives.", self,
        ))  # fmt: skip
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(_buttons(self, "Record"))
        self.setMinimumWidth(460)

    def accept(self) -> None:
        self.error.hide()
        estates, case_id, name = self._estates, self.case_id, self.name.currentText()
        died: date = self.died.date().toPython()  # type: ignore[assignment]
        submit(self, lambda: estates.beneficiary_deceased(case_id, name, died),
               done=self._recorded, refused=self._refused)  # fmt: skip

    def _recorded(self, case: EstateCaseView) -> None:
        self.case = case
        super().accept()

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()
