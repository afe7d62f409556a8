"""The parties of an account in a request form: a table, and a small form for one party.

The party form checks as you type (`registration_rules.party_problems`, and FINRA
4512's essentials for an owner, joint owner, custodian or trustee): each problem is
listed under the form and OK stays disabled until there is none. The table's
parties are plain values, as the account service takes them; an existing party keeps
its ``id`` (and its masked tax id and birth year, which mean "as on file").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.codes import PartyKind, PartyRole
from desk_app.domain.cutoffs import market_today
from desk_app.domain.identifiers import mask_tax_id
from desk_app.domain.registration_rules import essentials, party_problems

TEXTS = (
    ("name", "Name", "Full legal name"),
    ("date_of_birth", "Date of birth", "YYYY-MM-DD"),
    ("tax_id", "Tax ID", "SSN, ITIN or EIN"),
    ("share_percent", "Share (%)", "A beneficiary's percentage"),
    ("citizenship", "Citizenship", "US"),
    ("occupation", "Occupation", ""),
    ("employer", "Employer", ""),
    ("address", "Address", "Street, city, state, zip"),
)
FLAGS = (
    ("associated_person", "Associated person (works for a broker-dealer)"),
    ("contingent", "Contingent beneficiary"),
    ("per_stirpes", "Per stirpes"),
)
COLUMNS = ("Role", "Name", "Born", "Tax ID", "Share")


class PartyDialog(QDialog):
    """One party's fields; `party` holds them once OK is pressed."""

    def __init__(self, party: Mapping[str, Any] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("party_dialog")
        self.setWindowTitle("Party" if party is None else f"Party: {party.get('name')}")
        self._id = None if party is None else party.get("id")
        party = party or {}
        form = QFormLayout()
        self.role = QComboBox(self)
        self.role.setObjectName("role")
        for role in PartyRole:
            self.role.addItem(role.label, role.value)
        self.role.setCurrentIndex(max(self.role.findData(party.get("role", "owner")), 0))
        self.kind = QComboBox(self)
        self.kind.setObjectName("kind")
        for kind in PartyKind:
            self.kind.addItem(kind.label, kind.value)
        self.kind.setCurrentIndex(max(self.kind.findData(party.get("kind", "person")), 0))
        form.addRow("Role", self.role)
        form.addRow("Person or entity", self.kind)
        self.edits: dict[str, QLineEdit] = {}
        self._original = dict(party)
        for name, label, hint in TEXTS:
            value = party.get(name)
            edit = QLineEdit(_one_line(value), self)
            edit.setObjectName(name)
            edit.setPlaceholderText(hint)
            edit.textChanged.connect(self.check)
            self.edits[name] = edit
            form.addRow(label, edit)
        self.flags: dict[str, QCheckBox] = {}
        for name, label in FLAGS:
            box = QCheckBox(label, self)
            box.setObjectName(name)
            box.setChecked(bool(party.get(name)))
            box.toggled.connect(self.check)
            self.flags[name] = box
            form.addRow("", box)
        self.role.currentIndexChanged.connect(self.check)
        self.kind.currentIndexChanged.connect(self.check)
        self.problems = QLabel(self)
        self.problems.setObjectName("party_problems")
        self.problems.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
        self.check()

    @property
    def party(self) -> dict[str, Any]:
        values: dict[str, Any] = {"role": self.role.currentData(), "kind": self.kind.currentData()}
        for name, edit in self.edits.items():
            text, was = edit.text().strip(), self._original.get(name)
            values[name] = was if text == _one_line(was) and was else (text or None)
        values.update({name: box.isChecked() for name, box in self.flags.items()})
        if self._id is not None:
            values["id"] = self._id
        return values

    def check(self, *_args: object) -> None:
        """List what is wrong with the party as typed; OK only when nothing is."""
        values = self.party
        if "*" in str(values.get("date_of_birth") or ""):
            values["date_of_birth"] = None  # as on file
        problems = [*party_problems(values, 0, market_today()), *essentials(values, 0)]
        self.problems.setText(
            "\n".join(f"{p.field.partition('.')[2]}: {p.reason}" for p in problems)
        )
        self.problems.setVisible(bool(problems))
        self.ok_button.setEnabled(not problems)


class PartiesPanel(QWidget):
    """The account's parties in a table, with Add, Edit and Remove; `changed` on each edit."""

    changed = Signal()

    def __init__(self, parties: Sequence[Mapping[str, Any]] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("parties_panel")
        self.parties: list[dict[str, Any]] = [dict(p) for p in parties]
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("parties")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.add_button = QPushButton("Add party…", self)
        self.add_button.setObjectName("add_party")
        self.edit_button = QPushButton("Edit…", self)
        self.edit_button.setObjectName("edit_party")
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("remove_party")
        self.add_button.clicked.connect(self._add_clicked)
        self.edit_button.clicked.connect(self._edit_clicked)
        self.remove_button.clicked.connect(self.remove)
        self.dialog: PartyDialog | None = None
        #: The party Add party… starts from when the table is empty (the account's holder).
        self.start_from: Callable[[], Mapping[str, Any] | None] | None = None
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.table.itemSelectionChanged.connect(self._enable)
        self._fill()

    def _add_clicked(self) -> None:
        start = self.start_from() if self.start_from and not self.parties else None
        self.add(start)

    def _edit_clicked(self) -> None:
        self.edit()

    def _fill(self) -> None:
        self.table.setRowCount(len(self.parties))
        for row, party in enumerate(self.parties):
            born = str(party.get("date_of_birth") or "")
            share = f"{party['share_percent']}%" if party.get("share_percent") else ""
            if share and party.get("contingent"):
                share += " (contingent)"
            cells = (
                PartyRole(party["role"]).label if party.get("role") in set(PartyRole) else "",
                str(party.get("name") or ""),
                f"{born[:4]}-**-**" if born else "",
                mask_tax_id(str(party.get("tax_id") or "")),
                share,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self._enable()

    def _enable(self) -> None:
        chosen = bool(self.table.selectionModel().selectedRows())
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    def _selected(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def add(self, party: Mapping[str, Any] | None = None) -> PartyDialog:
        """Open the party form; a party it accepts is added (``party``: to start from)."""
        return self._open(party, None)

    def edit(self) -> PartyDialog | None:
        row = self._selected()
        return None if row is None else self._open(self.parties[row], row)

    def remove(self) -> None:
        row = self._selected()
        if row is not None:
            del self.parties[row]
            self._fill()
            self.changed.emit()

    def _open(self, party: Mapping[str, Any] | None, row: int | None) -> PartyDialog:
        dialog = PartyDialog(party, self)
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._put(dialog.party, row))
        dialog.open()
        return dialog

    def _put(self, party: dict[str, Any], row: int | None) -> None:
        if row is None:
            self.parties.append(party)
        else:
            self.parties[row] = party
        self._fill()
        self.changed.emit()


def _one_line(value: Any) -> str:
    """A value as one line (an address's lines joined by commas)."""
    return "" if value is None else str(value).replace("\n", ", ")
