"""The current ACATS transfer: its parties, dates and deadline, and the assets it lists.

What does not move (the delivering firm's proprietary product, a restricted or
non-transferable position) is listed under **Not moving**, each with its reason, and
marked in red in the assets: the clerk tells the client what stays behind. The
deadline says what it counts, from the aging limits in force.
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

HEADERS = ("Asset", "Quantity / amount", "Lots", "Status")
NOTHING = "Select a transfer to see its assets."
AGING_TONE = {Aging.OVERDUE: Tone.NEGATIVE, Aging.DUE_TODAY: Tone.WARNING}


class AcatsPane(QWidget):
    """One transfer in full, read as the current row changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("acats_pane")
        self.acats: AcatsView | None = None
        self._deadlines = ""
        self.view: TransferView | None = None
        self.summary = QLabel(NOTHING, self)
        self.summary.setObjectName("acats_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.not_moving = QLabel(self)
        self.not_moving.setObjectName("acats_not_moving")
        self.not_moving.setWordWrap(True)
        self.not_moving.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.not_moving.setProperty("tone", Tone.NEGATIVE.value)
        self.not_moving.hide()
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
        layout.addWidget(self.not_moving)
        layout.addWidget(self.table, 1)

    def not_moving_lines(self) -> list[str]:
        """What the Not moving list says, one asset a line (empty: everything moves)."""
        if self.view is None:
            return []
        return [f"{a.what}: {a.blocked_reason}" for a in self.view.not_moving]

    def _nothing(self, text: str) -> None:
        self.summary.setText(text)
        self.not_moving.hide()
        self.assets.set_rows([])

    def show_transfer(self, transfer_id: int | None) -> None:
        self.view = None
        if transfer_id is None or self.acats is None:
            self._nothing(NOTHING + self._limits())
            return
        # On the GUI thread: one transfer and its few assets, as the current row changes.
        try:
            self.view = v = self.acats.view(transfer_id)
        except DeskError as exc:  # gone or not permitted: said in place of the detail
            self._nothing(escape(exc.message))
            return
        due = "nothing due" if v.deadline_on is None else v.deadline_on.isoformat()
        if v.aging is not None:
            due += f" ({v.aging.value})"
        if v.deadline_rule:
            due += f": {v.deadline_rule}"
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
        if v.not_moving:
            rows.append(("Not moving", f"{len(v.not_moving)} of {len(v.assets)} asset(s): "
                                       "tell the client what stays behind"))  # fmt: skip
        html = "".join(
            f"<tr><td><b>{escape(k)}</b>&nbsp;</td><td>{escape(t)}</td></tr>" for k, t in rows
        )
        colour = AGING_TONE.get(v.aging) if v.aging else None
        self.summary.setText(f"<table>{html}</table>")
        self.summary.setProperty("tone", colour.value if colour else "")
        lines = self.not_moving_lines()
        self.not_moving.setVisible(bool(lines))
        self.not_moving.setText(
            "<b>Not moving</b> (listed for the client):<ul style='margin:0'>"
            + "".join(f"<li>{escape(line)}</li>" for line in lines)
            + "</ul>"
        )
        self.assets.set_rows([
            [Cell(a.what, a.isin or a.currency, bold=True),
             Cell(format_quantity(a.quantity) if a.quantity is not None
                  else format_amount(a.amount), a.quantity or a.amount),
             Cell(a.lots or ("—" if a.currency else "no lots stated"), a.lots),
             Cell("Not moving" if a.blocked_reason else "Moving", a.blocked_reason,
                  tone=Tone.NEGATIVE if a.blocked_reason else None,
                  tooltip=a.blocked_reason or "")]
            for a in v.assets
        ])  # fmt: skip
        self.table.resizeColumnsToContents()

    def set_acats(self, acats: AcatsView | None) -> None:
        """The transfers of a newly opened database, and its deadlines, read once here: a
        list reloading later (a database being closed under it, say) reads nothing more."""
        self.acats, self._deadlines = acats, ""
        if acats is not None:
            try:
                self._deadlines = (
                    f"<br><br>Deadlines (aging limits): {escape(acats.deadlines().text())}."
                )
            except DeskError:
                pass

    def _limits(self) -> str:
        """The deadlines the aging limits set (said while no transfer is selected)."""
        return self._deadlines if self.acats is not None else ""
