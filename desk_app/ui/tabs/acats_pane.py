"""The current ACATS transfer: its parties, dates and deadline, and the assets it lists.

What cannot move (a proprietary fund, a restricted or non-transferable position) is
listed in red with the reason: the clerk tells the client what stays behind.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView, QVBoxLayout, QWidget

from desk_app.domain.acats import AcatsStatus, Aging
from desk_app.domain.acats_records import TransferView
from desk_app.domain.errors import DeskError
from desk_app.domain.money import format_amount, format_quantity
from desk_app.ui.models.static_table_model import Cell, StaticTableModel
from desk_app.ui.tabs.acats_views import AcatsView
from desk_app.ui.theme import Tone

HEADERS = ("Asset", "Quantity / amount", "Lots", "Moves?")
NOTHING = "Select a transfer to see its assets."
AGING_TONE = {Aging.OVERDUE: Tone.NEGATIVE, Aging.DUE_TODAY: Tone.WARNING}


class AcatsPane(QWidget):
    """One transfer in full, read as the current row changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("acats_pane")
        self.acats: AcatsView | None = None
        self.view: TransferView | None = None
        self.summary = QLabel(NOTHING, self)
        self.summary.setObjectName("acats_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.assets = StaticTableModel(HEADERS, self)
        self.table = QTableView(self)
        self.table.setObjectName("acats_assets")
        self.table.setModel(self.assets)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def show_transfer(self, transfer_id: int | None) -> None:
        self.view = None
        if transfer_id is None or self.acats is None:
            self.summary.setText(NOTHING)
            self.assets.set_rows([])
            return
        # On the GUI thread: one transfer and its few assets, as the current row changes.
        try:
            self.view = v = self.acats.view(transfer_id)
        except DeskError as exc:  # gone or not permitted: said in place of the detail
            self.summary.setText(escape(exc.message))
            self.assets.set_rows([])
            return
        due = "nothing due" if v.deadline_on is None else v.deadline_on.isoformat()
        if v.aging is not None:
            due += f" ({v.aging.value})"
        rows = [
            ("Transfer", f"{v.id} {v.direction.label}, {v.transfer_type.label.lower()}"),
            ("Account", f"{v.account} {v.account_name}"),
            ("Contra firm", f"{v.contra} (DTC {v.contra_dtc}), account {v.contra_account}"),
            ("Status", f"{v.status.label} since {v.status_since.isoformat()}, "
                       f"{v.days_in_status} business days"),
            ("Deadline", due),
        ]  # fmt: skip
        if v.reversed_on is not None:
            rows.append(("Reversed", f"{v.reversed_on.isoformat()} — {v.reject_note or ''}"))
        elif v.reject_code or v.reject_note:
            rows.append(("Reject", " — ".join(filter(None, [v.reject_code, v.reject_note]))))
        if v.approval_pending:
            what = "reversal" if v.status is AcatsStatus.COMPLETED else "completion"
            rows.append(("Request", f"{v.approval_id} (a principal approves the {what})"))
        if v.blocked:
            rows.append(("Cannot move", f"{len(v.blocked)} asset(s): tell the client"))
        html = "".join(
            f"<tr><td><b>{escape(k)}</b>&nbsp;</td><td>{escape(t)}</td></tr>" for k, t in rows
        )
        colour = AGING_TONE.get(v.aging) if v.aging else None
        self.summary.setText(f"<table>{html}</table>")
        self.summary.setProperty("tone", colour.value if colour else "")
        self.assets.set_rows([
            [Cell(a.what, a.isin or a.currency, bold=True),
             Cell(format_quantity(a.quantity) if a.quantity is not None
                  else format_amount(a.amount), a.quantity or a.amount),
             Cell(a.lots or ("—" if a.currency else "no lots stated"), a.lots),
             Cell(f"No: {a.blocked_reason}" if a.blocked_reason else "Yes", a.blocked_reason,
                  tone=Tone.NEGATIVE if a.blocked_reason else None)]
            for a in v.assets
        ])  # fmt: skip
        self.table.resizeColumnsToContents()
