"""The Client page of the account detail: the client record and the account's parties.

Read on a worker each time the selection moves; tax ids are masked and dates of birth
show their year only (revealing a tax id is an audited act of its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.codes import PartyRole
from desk_app.domain.errors import DeskError
from desk_app.domain.permissions import Action
from desk_app.ui.ops import Op
from desk_app.ui.tabs.table_tab import WorkspaceView
from desk_app.ui.tabs.workspace_view import PartyView

NONE_SELECTED = "Select an account to see its client record."
#: The record's lines this page shows, in this order (the list shows the rest).
SHOWN = (
    "Registration", "Account type", "Registered rep", "Accepted by", "Tax ID",
    "Mailing address", "Investment objective", "Risk tolerance", "Time horizon",
    "Liquid net worth", "Annual income", "Tax status", "Opened",
)  # fmt: skip
COLUMNS = ("Role", "Name", "Born", "Tax ID", "Share", "Details")


class AccountClientPage(QWidget):
    """One account's client record (FINRA 4512) and its parties."""

    title = "Client"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("account_client_page")
        self._workspace: WorkspaceView | None = None
        self.number: str | None = None
        self.heading = QLabel(NONE_SELECTED, self)
        self.heading.setObjectName("client_heading")
        self.heading.setWordWrap(True)
        self.form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for label in SHOWN:
            value = QLabel(self)
            value.setObjectName(label.lower().replace(" ", "_"))
            value.setWordWrap(True)
            self.values[label] = value
            self.form.addRow(label, value)
        self.parties = QTableWidget(0, len(COLUMNS), self)
        self.parties.setObjectName("client_parties")
        self.parties.setHorizontalHeaderLabels(COLUMNS)
        self.parties.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.parties.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.parties.verticalHeader().hide()
        self.parties.horizontalHeader().setSectionResizeMode(
            len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch
        )
        self.record_box = QWidget(self)  # hidden while no account is shown
        inner = QVBoxLayout(self.record_box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(self.form)
        inner.addWidget(QLabel("<b>Parties</b>", self.record_box))
        inner.addWidget(self.parties, 1)
        self.reveal_button = QPushButton("Reveal party's tax ID", self.record_box)
        self.reveal_button.setObjectName("reveal_party")
        self.reveal_button.clicked.connect(self.reveal_tax_id)
        self.parties.itemSelectionChanged.connect(self._enable)
        inner.addWidget(self.reveal_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.shown: list[PartyView] = []
        self.reveal_box: QMessageBox | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.record_box, 1)
        layout.addStretch(0)
        self._show_lines(None)

    def set_workspace(self, workspace: WorkspaceView | None) -> None:
        self._workspace = workspace
        self.show_account(None)

    def show_account(self, number: str | None) -> None:
        """Show ``number``'s record (read on a worker), or nothing; the one shown stays."""
        if number == self.number and number is not None:
            return
        self.number = number
        self.reload()

    def reload(self) -> None:
        """Read the record shown again (the list was read again: it may have changed)."""
        number = self.number
        workspace = self._workspace
        if workspace is None or number is None:
            self._show(None, None, ())
            return

        def read() -> tuple[list[tuple[str, str]] | None, Sequence[PartyView]]:
            lines = workspace.reference.account(number)
            return lines, ([] if lines is None else workspace.accounts.parties(number))

        Op(
            self,
            read,
            done=lambda found: self._show(number, *found),
            refused=self._refused,
            busy_key=f"accounts.client.{id(self)}",
        ).run()

    def _refused(self, error: DeskError) -> None:
        self.heading.setText(error.message)

    def _show(
        self, number: str | None, lines: list[tuple[str, str]] | None, parties: Sequence[PartyView]
    ) -> None:
        if number != self.number:
            return  # the selection moved on while this was read
        record = dict(lines or [])
        if number is None or lines is None:
            self.heading.setText(NONE_SELECTED)
        else:
            status = record.get("Status", "")
            self.heading.setText(f"<b>{number}</b>  {record.get('Name', '')}  ({status})")
        self._show_lines(record if lines else None)
        self.shown = list(parties)
        self.parties.setRowCount(len(parties))
        for row, party in enumerate(parties):
            for column, text in enumerate(_cells(party.values)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # the details can be longer than the pane is wide
                self.parties.setItem(row, column, item)
        self.parties.resizeColumnsToContents()
        self._enable()

    def refusal(self) -> str | None:
        """Why the selected party's tax id cannot be revealed now (None: it can)."""
        if self._workspace is None:
            return "No database open"
        why = self._workspace.user.refusal(Action.REVEAL_TAX_ID)
        rows = self.parties.selectionModel().selectedRows()
        if why is None and not rows:
            return "Select a party first"
        if why is None and not self.shown[rows[0].row()].values.get("tax_id"):
            return "No tax id on file for this party"
        return why

    def _enable(self) -> None:
        why = self.refusal()
        self.reveal_button.setEnabled(why is None)
        self.reveal_button.setToolTip(
            why or "Show the party's full tax id (recorded in the audit trail)"
        )

    def reveal_tax_id(self) -> None:
        """The selected party's full tax id in a small message; the service records it."""
        workspace, number = self._workspace, self.number
        rows = self.parties.selectionModel().selectedRows()
        if self.refusal() is not None or workspace is None or number is None or not rows:
            return
        party = self.shown[rows[0].row()]
        Op(
            self,
            lambda: workspace.accounts.reveal_party_tax_id(number, party.id),
            done=lambda tax_id: self._show_tax_id(party, tax_id),
            busy_key=f"accounts.reveal_party.{id(self)}",
        ).run()

    def _show_tax_id(self, party: PartyView, tax_id: str) -> None:
        name = party.values.get("name")
        box = QMessageBox(QMessageBox.Icon.Information, "Tax ID", f"Tax ID of {name}: {tax_id}",
                          QMessageBox.StandardButton.Close, self)  # fmt: skip
        box.setInformativeText("Showing it was recorded in the audit trail.")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.reveal_box is not None:
            self.reveal_box.deleteLater()
        self.reveal_box = box
        box.open()

    def _show_lines(self, record: dict[str, str] | None) -> None:
        self.record_box.setVisible(record is not None)
        for label, value in self.values.items():
            value.setText("" if record is None else record.get(label, ""))


def _cells(values: Any) -> tuple[str, ...]:
    """Role, name, birth year, masked tax id, share, and the rest in a few words."""
    role = PartyRole(values["role"]).label
    share = f"{values['share_percent']}%" if values.get("share_percent") else ""
    if share and values.get("contingent"):
        share += " contingent"
    if share and values.get("per_stirpes"):
        share += ", per stirpes"
    details = [str(values[k]) for k in ("occupation", "employer") if values.get(k)]
    if values.get("associated_person"):
        details.append("associated person")
    if values.get("citizenship"):
        details.append(f"citizen of {values['citizenship']}")
    if values.get("address"):
        details.append(str(values["address"]).replace("\n", ", "))
    born = str(values.get("date_of_birth") or "")
    return (role, str(values["name"]), born[:4], str(values.get("tax_id") or ""), share,
            " · ".join(details))  # fmt: skip
