"""One page of the Settlement rules window: one kind of rule, its list and its request form.

Nothing changes from here: a button files a request that a principal other than
the user approves (`desk_app.services.reference.rules`). The list is a few dozen
rows, read on the GUI thread as the page opens and as the search changes; requests
and imports run on a worker, and every problem they find is listed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.calendars import CALENDARS
from desk_app.domain.codes import InstrumentType
from desk_app.domain.permissions import Action
from desk_app.domain.rule_changes import RuleKind, RuleProblems
from desk_app.ui.dialogs.trade_ticket_fields import error_label, set_tone
from desk_app.ui.models.cell_format import format_value
from desk_app.ui.models.static_table_model import Cell, StaticTableModel
from desk_app.ui.ops import Op
from desk_app.ui.tabs.workspace_view import ActorView, RulesImportView, RulesView
from desk_app.ui.theme import Tone


@dataclass(frozen=True)
class Field:
    """A form field: its key in the request, its label, and its choices (None: typed)."""

    key: str
    label: str
    hint: str = ""
    choices: Sequence[tuple[str, str]] | None = None
    read_only: bool = False


_TYPES = tuple((t.label, t.value) for t in InstrumentType if t is not InstrumentType.FUTURE)
_CALENDARS = tuple((f"{code}: {name}", code) for code, name in CALENDARS.items())
_BACKDATE = Field("backdate_reason", "Backdate reason", "only for a date before today")
FORMS: Mapping[RuleKind, tuple[Field, ...]] = {
    RuleKind.CYCLE: (
        Field("instrument_type", "Instrument type", choices=_TYPES),
        Field("market", "Market", "US"),
        Field("effective_from", "In force from", "YYYY-MM-DD (ends the cycle before it)"),
        Field("offset_days", "Settles T+", "0 to 10 settlement days"),
        Field("calendar_code", "Calendar", choices=_CALENDARS),
        Field("note", "Note", "the rule that sets it"),
        _BACKDATE,
    ),
    RuleKind.OVERRIDE: (
        Field("calendar_code", "Calendar", choices=_CALENDARS),
        Field("day", "Day", "YYYY-MM-DD"),
        Field("settlement_day", "The day is", choices=(("Closed", "closed"), ("Open", "open"))),
        Field("reason", "Why it is open or closed", "shown wherever the day is used"),
        _BACKDATE,
    ),
    RuleKind.FAIL_RULE: (
        Field("code", "Rule", "select it in the list", read_only=True),
        Field("days", "Days", "settlement days after the settlement date (0 to 365)"),
    ),
    RuleKind.AGING_LIMIT: (
        Field("code", "Limit", "select it in the list", read_only=True),
        Field("days", "Business days", "1 to 365"),
    ),
}
BUTTONS = {
    RuleKind.CYCLE: "Request new cycle",
    RuleKind.OVERRIDE: "Request override",
    RuleKind.FAIL_RULE: "Request new days",
    RuleKind.AGING_LIMIT: "Request new days",
}
NOTE = (
    "Changes are supervised: a request is filed, and nothing changes until a principal "
    "other than you approves it."
)
DATES_NOTE = (
    " Stored settlement dates do not move by themselves: once it is approved, "
    "Check settlement dates lists the open obligations the new rule would date otherwise."
)


class RulePage(QWidget):
    """The rules of one kind, a search, and a form that files requests."""

    #: The user asked to see which obligations today's rules would date otherwise.
    check_dates_requested = Signal()

    def __init__(
        self, kind: RuleKind, rules: RulesView, user: ActorView, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"rules_{kind.value}")
        self._rules = rules
        self.sent: int | None = None
        self.columns = tuple(rules.columns(kind))
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(f"Search {kind.label}s (every word)…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self.reload())
        self.model = StaticTableModel([c.title for c in self.columns], self)
        self.table = self._table()
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        self.reason = QLineEdit(self)
        self.reason.setObjectName("request_reason")
        self.reason.setPlaceholderText("why (the approver reads it)")
        self.message = error_label(f"{kind.value}_message", self)
        self.problems = QPlainTextEdit(self)
        self.problems.setObjectName("problems")
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(110)
        self.problems.hide()
        self.request_button = self._button("request", BUTTONS[kind], self.request)
        self.remove_button = self._button("remove", "Request removal", self.request_removal)
        self.remove_button.setVisible(kind is RuleKind.OVERRIDE)
        self.import_button = self._button("import", "Import CSV…", self.choose_file)
        self.check_button = self._button(
            "check_dates", "Check settlement dates…", self.check_dates_requested.emit
        )
        self.check_button.setVisible(kind in (RuleKind.CYCLE, RuleKind.OVERRIDE))
        self._lay_out()
        why = user.refusal(Action.RULE_CHANGE)
        for button in (self.request_button, self.remove_button, self.import_button):
            button.setEnabled(why is None)
            button.setToolTip(why or "")
        self.table.selectionModel().currentRowChanged.connect(self._fill_from_selection)
        self.reload()

    # -- building --------------------------------------------------------------------------

    def _button(self, name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("rules")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.setWordWrap(False)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.check_button)
        top.addWidget(self.import_button)
        form = QFormLayout()
        for spec in FORMS[self.kind]:
            widget: QLineEdit | QComboBox
            if spec.choices is None:
                widget = QLineEdit(self)
                widget.setPlaceholderText(spec.hint)
                widget.setReadOnly(spec.read_only)
            else:
                widget = QComboBox(self)
                for text, value in spec.choices:
                    widget.addItem(text, value)
            widget.setObjectName(spec.key)
            self.inputs[spec.key] = widget
            form.addRow(spec.label, widget)
        form.addRow("Reason for the request", self.reason)
        note = QLabel(NOTE + (DATES_NOTE if self.check_button.isVisibleTo(self) else ""), self)
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.request_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)

    # -- the list ----------------------------------------------------------------------------

    def reload(self) -> None:
        rows = self._rules.rows(self.kind, self.search.text())
        self.model.set_rows(
            [
                [Cell(format_value(c, v), v) for c, v in zip(self.columns, row, strict=False)]
                for row in rows
            ]
        )
        self.table.resizeColumnsToContents()

    def _fill_from_selection(self, *_args: object) -> None:
        """The selected rule in the form, to start a change from it."""
        index = self.table.currentIndex()
        if not index.isValid():
            return
        for n, column in enumerate(self.columns):
            widget = self.inputs.get(column.key)
            value = self.model.cell(index.row(), n).value
            if isinstance(widget, QLineEdit):
                widget.setText("" if value is None else str(value))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, widget in self.inputs.items():
            if isinstance(widget, QComboBox):
                out[key] = widget.currentData()
            else:
                out[key] = widget.text().strip()
        return out

    # -- requests ----------------------------------------------------------------------------

    def request(self) -> bool:
        """File a request for the change in the form (on a worker); False if not sent."""
        rules, kind, values, reason = self._rules, self.kind, self.values(), self.reason.text()
        return self._send(lambda: rules.request(kind, values, reason))

    def request_removal(self) -> bool:
        """File a request to remove the override of the calendar and day in the form."""
        rules, values, reason = self._rules, self.values(), self.reason.text()
        return self._send(lambda: rules.request_removal(values, reason))

    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, f"Import {self.kind.label}s", "", "CSV files (*.csv);;All files (*)"
        )
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> bool:
        """Check ``path`` and file one request for all of it (on a worker)."""
        rules, kind, reason = self._rules, self.kind, self.reason.text()
        self._clear()
        return Op(
            self, lambda: rules.import_csv(kind, path, reason),
            done=self._imported, refused=self._refused, busy_key=f"rules:{id(self)}",
        ).run()  # fmt: skip

    def _send(self, send: Callable[[], int]) -> bool:
        self._clear()
        return Op(
            self, send, done=self._sent, refused=self._refused, busy_key=f"rules:{id(self)}"
        ).run()

    def _clear(self) -> None:
        self.message.hide()
        self.problems.hide()

    def _imported(self, result: RulesImportView) -> None:
        if result.problems:
            self._show(f"{len(result.problems)} problem(s) in the file; nothing was filed")
            self.problems.setPlainText("\n".join(str(p) for p in result.problems))
            self.problems.show()
        elif result.request_id is not None:
            self._sent(result.request_id, f" ({result.rows} {self.kind.label}s)")

    def _sent(self, request_id: int, what: str = "") -> None:
        self.sent = request_id
        dates = self.kind in (RuleKind.CYCLE, RuleKind.OVERRIDE)
        after = " Once approved, check settlement dates." if dates else ""
        self._show(f"Request {request_id}{what} sent for approval.{after}", error=False)

    def _refused(self, exc: Exception) -> None:
        problems = exc.problems if isinstance(exc, RuleProblems) else []
        if len(problems) > 1:
            self._show(f"{len(problems)} problems; nothing was filed")
            self.problems.setPlainText("\n".join(p.message for p in problems))
            self.problems.show()
        else:
            self._show(str(getattr(exc, "message", exc)))

    def _show(self, text: str, *, error: bool = True) -> None:
        self.message.setText(text)
        set_tone(self.message, Tone.NEGATIVE if error else Tone.POSITIVE)
        self.message.show()
