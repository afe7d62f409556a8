"""A lost certificate, step by step: report it, place the stop, ask for a replacement,
and read back the facts Form X-17F-1A asks for.

Each form dialog calls one `CertificateMovesView` method on OK; a refusal (the
service's `DeskError`, which names the field) shows under the form and the dialog
stays open, so the clerk corrects the value instead of typing it all again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
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

from desk_app.domain.certificates import LossKind
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.ui.dialogs.submit import submit
from desk_app.ui.dialogs.trade_ticket_fields import error_label, set_tone
from desk_app.ui.market_dates import market_qdate
from desk_app.ui.tabs.certificate_views import CertificateMovesView, LossReportView
from desk_app.ui.theme import Tone

REPLACEMENT_NOTE = (
    "A replacement is supervised: this files a request, and nothing changes until a "
    "principal other than you approves it. The approval cancels the lost certificate "
    "(the stop transfer stands) and registers the replacement."
)
NO_STOP_WARNING = (
    "No stop transfer is recorded: place one with the transfer agent and record it "
    "with Stop transfer… before asking for a replacement."
)


def line_edit(parent: QWidget, name: str, placeholder: str = "", longest: int = 0) -> QLineEdit:
    """A named line edit (tests find it by name), capped at the column's length."""
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    if longest:
        edit.setMaxLength(longest)
    return edit


def date_edit(parent: QWidget, name: str) -> QDateEdit:
    """Today, ISO-formatted, with a calendar; no later than today (nothing is found tomorrow)."""
    edit = QDateEdit(market_qdate(), parent)
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMaximumDate(market_qdate())
    return edit


def picked(edit: QDateEdit) -> date:
    day = edit.date()
    return date(day.year(), day.month(), day.day())


def fit_height(dialog: QDialog, *, grow_only: bool = False) -> None:
    """As tall as the wrapped texts need at the dialog's width: the size hint guesses taller
    on opening, and a top-level window does not grow by itself when an error shows."""
    needed = dialog.heightForWidth(dialog.width())
    if needed > 0 and (needed > dialog.height() or not grow_only):
        dialog.resize(dialog.width(), needed)


class MoveDialog(QDialog):
    """A form, a note above it, an error under it, and OK (renamed) / Cancel.

    Subclasses add rows to ``form`` and implement `_submit`, which calls the service.
    """

    def __init__(
        self, moves: CertificateMovesView, reference: str, parent: QWidget | None, *,
        name: str, title: str, ok_text: str, note: str = "",
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self._moves = moves
        self.reference = reference
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.error = error_label(f"{name}_error", self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("ok_button")
        self.ok_button.setText(ok_text)
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("cancel_button")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        self.note = QLabel(note, self)
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.note.setVisible(bool(note))
        layout.addWidget(self.note)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def accept(self) -> None:
        """Call the service on a worker; a refusal shows under the form, the dialog stays open."""
        self.error.hide()
        try:
            call = self._submit()
        except ValidationError as exc:  # the form itself, before anything is sent
            self._refused(exc)
            return
        submit(self, call, done=self._accepted, refused=self._refused)

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()
        fit_height(self, grow_only=True)

    def _accepted(self, result: Any) -> None:
        self._record(result)
        super().accept()

    def _submit(self) -> Callable[[], Any]:
        """The service call of the form as filled in (read here, on the GUI thread)."""
        raise NotImplementedError

    def _record(self, result: Any) -> None:
        """Keep what the service answered (an id), if the dialog says it."""

    def showEvent(self, event: QShowEvent) -> None:
        if not event.spontaneous():
            fit_height(self)
        super().showEvent(event)


class ReportLostDialog(MoveDialog):
    """Report a certificate lost, stolen, missing or counterfeit; `loss_id` once recorded."""

    def __init__(
        self, moves: CertificateMovesView, reference: str, title: str,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(
            moves, reference, parent, name="report_lost_dialog", title=f"Report {title} lost",
            ok_text="Report", note="Report it the day it is discovered. If a stop transfer is "
            "already placed with the transfer agent, say with whom; it is recorded as placed "
            "on the day of discovery.",
        )  # fmt: skip
        self.loss_id: int | None = None
        self.kind = QComboBox(self)
        self.kind.setObjectName("kind")
        for kind in LossKind:
            self.kind.addItem(kind.label, kind.value)  # Qt keeps a StrEnum as str
        self.discovered_on = date_edit(self, "discovered_on")
        self.circumstances = QPlainTextEdit(self)
        self.circumstances.setObjectName("circumstances")
        self.circumstances.setPlaceholderText(
            "Where it was last seen, how it was missed (required)"
        )
        self.circumstances.setTabChangesFocus(True)
        self.circumstances.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.stop_agent = line_edit(self, "stop_agent", "Transfer agent, if already placed", 200)
        self.stop_reference = line_edit(self, "stop_reference", "The agent's reference", 40)
        for label, widget in (
            ("Kind of loss", self.kind), ("Discovered on", self.discovered_on),
            ("Circumstances", self.circumstances), ("Stop transfer placed with", self.stop_agent),
            ("Stop reference", self.stop_reference),
        ):  # fmt: skip
            self.form.addRow(label, widget)
        self.circumstances.setFocus()

    def _submit(self) -> Callable[[], Any]:
        agent, ref = self.stop_agent.text().strip(), self.stop_reference.text().strip()
        if ref and not agent:  # the service would drop the reference without a word
            raise ValidationError("stop_agent", "name the transfer agent the stop is placed with")
        moves, reference, kind = self._moves, self.reference, LossKind(self.kind.currentData())
        on, what = picked(self.discovered_on), self.circumstances.toPlainText()
        return lambda: moves.report_lost(
            reference, kind, on, what, stop_agent=agent, stop_reference=ref
        )

    def _record(self, result: Any) -> None:
        self.loss_id = result


class StopTransferDialog(MoveDialog):
    """Record the stop transfer placed with the transfer agent on a lost certificate."""

    def __init__(
        self, moves: CertificateMovesView, reference: str, title: str,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(
            moves, reference, parent, name="stop_transfer_dialog",
            title=f"Stop transfer on {title}", ok_text="Record",
        )  # fmt: skip
        self.agent = line_edit(self, "agent", "Transfer agent (required)", 200)
        self.placed_on = date_edit(self, "placed_on")
        self.stop_reference = line_edit(self, "stop_reference", "The agent's reference", 40)
        for label, widget in (
            ("Placed with", self.agent), ("Placed on", self.placed_on),
            ("Reference", self.stop_reference),
        ):  # fmt: skip
            self.form.addRow(label, widget)
        self.agent.setFocus()

    def _submit(self) -> Callable[[], Any]:
        moves, reference, agent = self._moves, self.reference, self.agent.text()
        on, ref = picked(self.placed_on), self.stop_reference.text()
        return lambda: moves.place_stop(reference, agent, on, ref)


class ReplacementDialog(MoveDialog):
    """Ask a principal to approve replacing a lost certificate; `request_id` once filed."""

    def __init__(
        self, moves: CertificateMovesView, reference: str, title: str,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(
            moves, reference, parent, name="replacement_dialog",
            title=f"Replace lost certificate {title}", ok_text="Send for approval",
            note=REPLACEMENT_NOTE,
        )  # fmt: skip
        self.request_id: int | None = None
        self.new_number = line_edit(self, "new_number", "As printed on the replacement", 20)
        self.indemnity_bond = line_edit(self, "indemnity_bond", "Bond number (required)", 40)
        self.surety = line_edit(self, "surety", "Surety company (required)", 200)
        self.location = line_edit(self, "location", "Where the replacement will be kept", 80)
        self.reason = line_edit(self, "reason", "Why the replacement is needed (required)")
        for label, widget in (
            ("New certificate number", self.new_number), ("Indemnity bond", self.indemnity_bond),
            ("Surety company", self.surety), ("Location", self.location),
            ("Reason", self.reason),
        ):  # fmt: skip
            self.form.addRow(label, widget)
        self.new_number.setFocus()

    def _submit(self) -> Callable[[], Any]:
        moves, reference = self._moves, self.reference
        fields = {
            "new_number": self.new_number.text(), "indemnity_bond": self.indemnity_bond.text(),
            "surety": self.surety.text(), "location": self.location.text(),
            "reason": self.reason.text(),
        }  # fmt: skip
        return lambda: moves.request_replacement(reference, **fields)

    def _record(self, result: Any) -> None:
        self.request_id = result


class LossReportDialog(QDialog):
    """The Form X-17F-1A facts to type into the SEC's program, read-only, with Copy."""

    def __init__(self, report: LossReportView, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loss_report_dialog")
        self.setWindowTitle(f"Loss report for {title}")
        self._report = report
        layout = QVBoxLayout(self)
        self.warning = QLabel(NO_STOP_WARNING, self)
        self.warning.setObjectName("stop_warning")
        self.warning.setWordWrap(True)
        set_tone(self.warning, Tone.NEGATIVE)
        self.warning.setVisible(not report.stop_placed)
        layout.addWidget(self.warning)
        layout.addSpacing(6)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        #: The value shown for each field, by the field's name.
        self.values: dict[str, QLabel] = {}
        for row, (name, value) in enumerate(report.fields):
            shown = QLabel(value, self)
            shown.setObjectName(f"value_{row}")
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[name] = shown
            form.addRow(f"{name}:", shown)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("close_button")
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setObjectName("copy_button")
        self.copy_button.setToolTip("Copy the report as text, to paste into the SEC's program")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def showEvent(self, event: QShowEvent) -> None:
        if not event.spontaneous():
            fit_height(self)
        super().showEvent(event)

    def copy(self) -> None:
        """Put the report on the clipboard as aligned plain text."""
        QGuiApplication.clipboard().setText(self._report.text())
