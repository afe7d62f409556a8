"""Place a restriction on an account (it holds at once), or ask to lift one.

Placing protects, so a clerk does it alone and it holds from the moment it is saved;
lifting lets money and securities move again, so it is a request that a principal
other than the maker approves.
"""

from __future__ import annotations

from datetime import date

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
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.codes import RestrictionKind
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError
from desk_app.domain.restrictions import PLACED_BY_HAND, PROCESS_OWNED, REG_T_FREEZE_DAYS, STOPS
from desk_app.ui.dialogs.trade_ticket_fields import error_label
from desk_app.ui.market_dates import qdate
from desk_app.ui.ops import Op
from desk_app.ui.tabs.restriction_views import RestrictionLineView, RestrictionsView

#: Why the kinds a process places are not offered.
PROCESS_NOTE = (
    "Not placed here: "
    + "; ".join(
        f"{kind.label} (placed by {process.split(' (')[0]})"
        for kind, process in PROCESS_OWNED.items()
    )
    + "."
)
PLACE_NOTE = "A restriction holds as soon as it is placed. Lifting it needs a principal."
LIFT_NOTE = (
    "Lifting is supervised: the restriction stays in force until a principal other than "
    "you approves this request."
)


def _day(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


class _Form(QDialog):
    """A note, a form, an error line and two buttons."""

    def __init__(self, note: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.note = QLabel(note, self)
        self.note.setWordWrap(True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.error = error_label("restriction_error", self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("reason")
        #: The id the service returned (the restriction's, or the lift request's).
        self.made: int | None = None

    def _done(self, made: int) -> None:
        self.made = made
        super().accept()

    def _refused(self, exc: DeskError) -> None:
        self.error.setText(exc.message)
        self.error.show()


class PlaceRestrictionDialog(_Form):
    """Kind, reason, from and (optionally) until; placed when the clerk presses Place."""

    def __init__(self, restrictions: RestrictionsView, number: str, parent: QWidget | None = None):
        super().__init__(PLACE_NOTE, "Place restriction", parent)
        self.setObjectName("place_restriction_dialog")
        self.setWindowTitle(f"Restrict {number}")
        self._restrictions, self._number = restrictions, number
        self.kind = QComboBox(self)
        self.kind.setObjectName("kind")
        for kind in PLACED_BY_HAND:
            self.kind.addItem(kind.label, kind.value)
        self.stops = QLabel(self)
        self.stops.setObjectName("stops")
        self.stops.setWordWrap(True)
        self.by_process = QLabel(PROCESS_NOTE, self)
        self.by_process.setObjectName("by_process")
        self.by_process.setWordWrap(True)
        self.by_process.setProperty("tone", "muted")
        today = market_today()
        self.starts = QDateEdit(qdate(today), self)
        self.starts.setObjectName("starts_on")
        self.starts.setCalendarPopup(True)
        self.starts.setDisplayFormat("yyyy-MM-dd")
        self.has_end = QCheckBox("Until", self)
        self.has_end.setObjectName("has_end")
        self.ends = QDateEdit(qdate(today), self)
        self.ends.setObjectName("ends_on")
        self.ends.setCalendarPopup(True)
        self.ends.setDisplayFormat("yyyy-MM-dd")
        self.ends.setEnabled(False)
        self.reason.setPlaceholderText("Why: a court order, a notice, an alert (required)")
        self.form.addRow("Account", QLabel(number, self))
        self.form.addRow("Kind", self.kind)
        self.form.addRow("Stops", self.stops)
        self.form.addRow("", self.by_process)
        self.form.addRow("From", self.starts)
        self.form.addRow(self.has_end, self.ends)
        self.form.addRow("Reason", self.reason)
        self.has_end.toggled.connect(self.ends.setEnabled)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.reason.setFocus()

    def _kind_changed(self) -> None:
        kind = RestrictionKind(self.kind.currentData())
        stops = ", ".join(sorted(m.label for m in STOPS[kind]))
        end = (
            f" Ends after {REG_T_FREEZE_DAYS} calendar days unless a date is given."
            if kind is RestrictionKind.REG_T_FREEZE
            else ""
        )
        self.stops.setText(f"May not {stops}.{end}")

    def accept(self) -> None:
        self.error.hide()
        service, number = self._restrictions, self._number
        kind, reason = str(self.kind.currentData()), self.reason.text()
        starts, ends = _day(self.starts), _day(self.ends) if self.has_end.isChecked() else None
        Op(
            self,
            lambda: service.place(number, kind, reason, starts_on=starts, ends_on=ends),
            done=self._done, refused=self._refused, busy_key=f"restrict.{id(self)}",
        ).run()  # fmt: skip


class LiftRestrictionDialog(_Form):
    """Why the restriction should end; sent for a principal's approval."""

    def __init__(
        self, restrictions: RestrictionsView, line: RestrictionLineView,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(LIFT_NOTE, "Send for approval", parent)
        self.setObjectName("lift_restriction_dialog")
        self.setWindowTitle(f"Lift restriction {line.id}")
        self._restrictions, self._id = restrictions, line.id
        since = line.starts_on.isoformat()
        self.form.addRow("Restriction", QLabel(f"{line.kind.label} since {since}", self))
        self.form.addRow("Placed because", QLabel(line.reason, self))
        self.reason.setPlaceholderText("Why it can end (required; the approver reads it)")
        self.form.addRow("Reason", self.reason)
        self.reason.setFocus()

    def accept(self) -> None:
        self.error.hide()
        service, restriction, reason = self._restrictions, self._id, self.reason.text()
        Op(
            self, lambda: service.request_lift(restriction, reason),
            done=self._done, refused=self._refused, busy_key=f"lift.{id(self)}",
        ).run()  # fmt: skip
