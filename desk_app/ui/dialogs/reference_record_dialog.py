"""Add or amend a counterparty or an instrument, each field checked as the clerk types.

The note beside a field says why its value is refused (BIC, LEI, DTC participant,
ISIN, CUSIP, currency...) or what it becomes (a CUSIP's ISIN, ``417`` -> ``0417``).
The checks are the domain's own (`desk_app.domain.reference_data`), so the form
refuses exactly what the service would. An amendment sends only what changed; for a
record in use, the identifiers that cannot change are read-only and a reason is asked
for, since a change to where or how it settles goes to a principal for approval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import labels
from desk_app.domain.codes import CounterpartyKind, InstrumentType
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.reference_data import (
    SUPERVISED_COUNTERPARTY_FIELDS,
    SUPERVISED_INSTRUMENT_FIELDS,
    clean_counterparty,
    clean_instrument,
)
from desk_app.domain.trade_ticket import MARKET_ZONES
from desk_app.ui.dialogs.submit import submit
from desk_app.ui.dialogs.trade_ticket_fields import (
    FieldRow,
    error_label,
    line_edit,
    note_label,
    supervision_banner,
)
from desk_app.ui.tabs.reference_views import AmendedView, ReferenceDataView, ReferenceRecordView

Kind = Literal["counterparty", "instrument"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    editable: bool = False
    width: int = 0


COUNTERPARTY_FORM = (
    FieldSpec("code", "Code", "HDRS (up to 16 letters or digits)", width=200),
    FieldSpec("name", "Name", "Hudson River Securities LLC"),
    FieldSpec(
        "kind",
        "Kind",
        choices=tuple((k.value, labels.COUNTERPARTY_KIND[k.value]) for k in CounterpartyKind),
    ),  # fmt: skip
    FieldSpec("bic", "BIC", "HDRSUS33 (8 or 11 characters)", width=200),
    FieldSpec("lei", "LEI", "20 characters, ending in 2 check digits", width=260),
    FieldSpec("dtc_participant", "DTC participant", "0417 (up to 4 digits)", width=200),
)
INSTRUMENT_FORM = (
    FieldSpec("isin", "ISIN", "US4592001014 (or give the CUSIP)", width=200),
    FieldSpec("cusip", "CUSIP", "459200101", width=200),
    FieldSpec("symbol", "Symbol", "IBM", width=200),
    FieldSpec("description", "Description", "International Business Machines common"),
    FieldSpec("issuer", "Issuer", "International Business Machines Corp (default: description)"),
    FieldSpec(
        "instrument_type",
        "Type",
        choices=tuple((t.value, t.label) for t in InstrumentType if t is not InstrumentType.FUTURE),
    ),  # fmt: skip
    FieldSpec(
        "market", "Market", choices=tuple((m, m) for m in sorted(MARKET_ZONES)), editable=True
    ),  # fmt: skip
    FieldSpec("currency", "Currency", "USD", width=90),
    FieldSpec("multiplier", "Multiplier", "1 (100 for a US listed option)", width=200),
)
_FORMS = {"counterparty": COUNTERPARTY_FORM, "instrument": INSTRUMENT_FORM}
_CLEAN: dict[Kind, Callable[..., tuple[dict[str, Any], list[ValidationError]]]] = {
    "counterparty": clean_counterparty,
    "instrument": clean_instrument,
}
_SUPERVISED = {"counterparty": SUPERVISED_COUNTERPARTY_FIELDS,
               "instrument": SUPERVISED_INSTRUMENT_FIELDS}  # fmt: skip
_FIXED = {"counterparty": ("code",), "instrument": ("isin", "cusip")}
_DEFAULTS = {"instrument": {"market": "US", "currency": "USD", "multiplier": "1"}}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class ReferenceRecordDialog(QDialog):
    """The form; `added` holds the key added, or `amended` the amendment, once saved."""

    def __init__(
        self,
        service: ReferenceDataView,
        kind: Kind,
        record: ReferenceRecordView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{kind}_dialog")
        self._service, self._kind, self._record = service, kind, record
        self.added: str | None = None
        self.amended: AmendedView | None = None
        noun = kind.capitalize()
        self.setWindowTitle(f"Add {kind}" if record is None else f"Amend {kind} {record.key}")
        self.rows: dict[str, FieldRow] = {}
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        grid = self._build_grid()
        self.reason = line_edit("reason", self, "Why the change is needed (for the approver)")
        reason_row = len(_FORMS[kind])
        self.reason_label = QLabel("Reason", self)
        grid.addWidget(self.reason_label, reason_row, 0)
        grid.addWidget(self.reason, reason_row, 1)
        in_use = record is not None and record.in_use
        self.reason.setVisible(in_use)
        self.reason_label.setVisible(in_use)
        banner_text = None
        if record is not None and record.in_use:
            fields = ", ".join(sorted(f.replace("_", " ") for f in _SUPERVISED[kind]))
            banner_text = (
                f"{record.key} is used by {', '.join(record.used_by)}: a change of {fields} "
                "goes to a principal for approval"
            )
        self.banner = supervision_banner(None, self)  # the style; the words are ours
        if banner_text:
            self.banner.setText(f"{banner_text}; nothing changes until one approves it.")
            self.banner.show()
        self.error = error_label(f"{kind}_error", self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.save_button.setText(f"Add {kind}" if record is None else "Save changes")
        self.save_button.setObjectName("save")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(860)
        self._fill(record)
        self.check()
        first = _FORMS[kind][0].name if record is None else _FORMS[kind][1].name
        self.editors[first].setFocus()
        self.setAccessibleName(noun)

    # -- the form --------------------------------------------------------------------------
    def _build_grid(self) -> QGridLayout:
        """Label, editor and the note beside it, a row per field."""
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for line, spec in enumerate(_FORMS[self._kind]):
            editor = self._editor(spec)
            label = QLabel(spec.label, self)
            label.setBuddy(editor)
            note = note_label(spec.name, self)
            self.rows[spec.name] = FieldRow(spec.name, label, editor, note)
            self.editors[spec.name] = editor
            grid.addWidget(label, line, 0)
            grid.addWidget(editor, line, 1)
            grid.addWidget(note, line, 2)
        return grid

    def _editor(self, spec: FieldSpec) -> QLineEdit | QComboBox:
        if spec.choices:
            combo = QComboBox(self)
            combo.setObjectName(spec.name)
            combo.setEditable(spec.editable)
            for value, text in spec.choices:
                combo.addItem(text, value)
            combo.currentTextChanged.connect(lambda _t, n=spec.name: self._edited(n))
            return combo
        edit = line_edit(spec.name, self, spec.placeholder)
        if spec.width:
            edit.setMinimumWidth(spec.width)
        edit.textEdited.connect(lambda _t, n=spec.name: self._edited(n))
        return edit

    def _fill(self, record: ReferenceRecordView | None) -> None:
        values = dict(_DEFAULTS.get(self._kind, {}))
        if record is not None:
            values = {k: _text(v) for k, v in record.values.items()}
        for name in self.editors:
            self.set_value(name, values.get(name, ""))
        if record is not None and record.in_use:
            for name in _FIXED[self._kind]:
                editor = self.editors[name]
                editor.setEnabled(False)
                editor.setToolTip(f"Used by {', '.join(record.used_by)}: cannot change")

    def set_value(self, name: str, value: str) -> None:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            index = editor.findData(value)
            if index >= 0:
                editor.setCurrentIndex(index)
            elif editor.isEditable():
                editor.setCurrentText(value)
        else:
            editor.setText(value)

    def value(self, name: str) -> str:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            data = editor.currentData()
            typed = editor.currentText()
            if editor.isEditable() or data is None:
                return typed.strip()
            return str(data)
        return editor.text().strip()

    def values(self) -> dict[str, str]:
        return {name: self.value(name) for name in self.editors}

    def _edited(self, name: str) -> None:
        self.rows[name].touched = True
        self.error.hide()
        self.check()

    # -- checking --------------------------------------------------------------------------
    def check(self, *, every: bool = False) -> dict[str, str]:
        """Check every field; show a field's reason once it was touched (or ``every``).

        Returns the reasons by field (empty: the form may be saved).
        """
        cleaned, problems = _CLEAN[self._kind](self.values())
        reasons: dict[str, str] = {}
        for problem in problems:
            reasons.setdefault(problem.field, problem.reason)
        for name, row in self.rows.items():
            if name in reasons and (row.touched or every):
                row.show_error(reasons[name])
            else:
                row.show_info(self._resolved(name, cleaned))
        return reasons

    def _resolved(self, name: str, cleaned: Mapping[str, Any]) -> str:
        """What a good value becomes, when that is not what was typed."""
        typed, stored = self.value(name), cleaned.get(name)
        if stored is None or not typed:
            if name in ("isin", "cusip") and cleaned.get(name) and not typed:
                return f"From the {'CUSIP' if name == 'isin' else 'ISIN'}: {cleaned[name]}"
            return ""
        shown = _text(getattr(stored, "value", stored))
        if name in ("kind", "instrument_type", "market", "multiplier"):
            return ""
        return "" if shown == typed else f"Stored as {shown}"

    # -- saving ----------------------------------------------------------------------------
    def changes(self) -> dict[str, str]:
        """What differs from the record (everything, for a new one)."""
        values = self.values()
        if self._record is None:
            return {k: v for k, v in values.items() if v}
        cleaned, _ = _CLEAN[self._kind](values)
        now = self._record.values
        out = {}
        for name, typed in values.items():
            new = cleaned.get(name)
            new_text = _text(getattr(new, "value", new))
            if name == "multiplier" and new is not None and now.get(name) is not None:
                if Decimal(str(now[name])) == new:  # 1 and 1.000000 are one multiplier
                    continue
            if new_text != _text(now.get(name)):
                out[name] = typed
        return out

    def accept(self) -> None:
        """Save through the service (off the GUI thread); a refusal shows and the form stays."""
        reasons = self.check(every=True)
        if reasons:
            first = next(iter(reasons))
            self.editors[first].setFocus()
            return
        changes = self.changes()
        service, record = self._service, self._record
        if record is None:
            submit(self, lambda: service.add(changes), done=self._added, refused=self._refused)
            return
        if not changes:
            self.error.setText("Nothing has changed.")
            self.error.show()
            return
        reason = self.reason.text()
        submit(
            self,
            lambda: service.amend(record.key, changes, record.version, reason),
            done=self._amended,
            refused=self._refused,
        )

    def _added(self, key: str) -> None:
        self.added = key
        super().accept()

    def _amended(self, amended: AmendedView) -> None:
        self.amended = amended
        super().accept()

    def _refused(self, exc: DeskError) -> None:
        if isinstance(exc, ValidationError) and exc.field in self.rows:
            self.rows[exc.field].show_error(exc.reason)
        if isinstance(exc, ValidationError) and exc.field == "reason":
            self.reason.setFocus()
        self.error.setText(
            f"{exc.field.replace('_', ' ').capitalize()}: {exc.reason}"
            if isinstance(exc, ValidationError)
            else exc.message
        )
        self.error.show()

    def sent_text(self) -> str:
        """What the tab's notice says once the dialog closed."""
        if self.added is not None:
            return f"{self._kind.capitalize()} {self.added} added"
        amended = self.amended
        if amended is None:
            return ""
        fields = ", ".join(f.replace("_", " ") for f in amended.changed)
        if amended.request_id is not None:
            return (
                f"Request {amended.request_id} sent: change {fields} of {amended.key} "
                "(a principal approves it)"
            )
        return f"{amended.key}: {fields} changed"
