"""The detail of the current obligation: its trade, SSI, postings, and what can be done.

Beside the Settlements Due list. The postings list every settlement and reversal;
**Reverse…** undoes the selected settlement with a new, linked posting (a reason is
required), and **History…** opens the obligation's audited changes.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.money import format_amount, format_quantity
from desk_app.domain.permissions import Action
from desk_app.ui.models.static_table_model import Cell, StaticTableModel
from desk_app.ui.ops import Op
from desk_app.ui.tabs.workspace_view import (
    ObligationDetailView,
    PostingLineView,
    SettledView,
    WorkspaceView,
)
from desk_app.ui.theme import Tone

if TYPE_CHECKING:
    from desk_app.ui.dialogs.history_dialog import HistoryDialog

HEADERS = ("Posting", "Kind", "Quantity", "Amount", "Posted", "By", "Link")
NOTHING = "Select an obligation to see its trade, instruction and postings."


class ObligationPane(QWidget):
    """What one obligation is and has done; empty until one is chosen."""

    #: A settlement was reversed here; the argument says what happened.
    reversed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("obligation_pane")
        self.workspace: WorkspaceView | None = None
        self.detail: ObligationDetailView | None = None
        self.history_dialog: HistoryDialog | None = None
        self.summary = QLabel(NOTHING, self)
        self.summary.setObjectName("obligation_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.postings = StaticTableModel(HEADERS, self)
        self.table = QTableView(self)
        self.table.setObjectName("postings")
        self.table.setModel(self.postings)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.reverse_button = QPushButton("Reverse…", self)
        self.reverse_button.setObjectName("reverse")
        self.reverse_button.clicked.connect(lambda _checked=False: self.reverse())  # not a reason
        self.history_button = QPushButton("History…", self)
        self.history_button.setObjectName("obligation_history")
        self.history_button.clicked.connect(self.show_history)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reverse_button)
        buttons.addWidget(self.history_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Ledger postings", self))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.show_obligation(None)

    def show_obligation(self, obligation_id: int | None) -> None:
        """Read and show ``obligation_id`` (None: nothing chosen)."""
        self.detail = None
        if obligation_id is not None and self.workspace is not None:
            # On the GUI thread: one obligation by its id, read as the current row changes.
            try:
                self.detail = self.workspace.settling.detail(obligation_id)
            except DeskError as exc:  # gone or not permitted: said in place of the detail
                self.summary.setText(escape(exc.message))
        if self.detail is None:
            if obligation_id is None:
                self.summary.setText(NOTHING)
            self.postings.set_rows([])
        else:
            rows = "".join(
                f"<tr><td><b>{escape(label)}</b>&nbsp;</td><td>{escape(text)}</td></tr>"
                for label, text in self.detail.lines
            )
            self.summary.setText(f"<table>{rows}</table>")
            self.postings.set_rows([_cells(p) for p in self.detail.postings])
        self._update_buttons()

    def selected_posting(self) -> int | None:
        index = self.table.currentIndex()
        if self.detail is None or not index.isValid():
            return None
        return self.detail.postings[index.row()].id

    def _update_buttons(self, *_args: object) -> None:
        posting = self._current()
        allowed = self.workspace is not None and self.workspace.user.can(Action.SETTLEMENT_SETTLE)
        self.reverse_button.setEnabled(allowed and posting is not None and posting.reversible)
        self.reverse_button.setToolTip(
            "Undo the selected settlement with a new, linked posting"
            if posting is not None and posting.reversible
            else "Select a settlement posting that is not reversed yet"
        )
        self.history_button.setEnabled(self.detail is not None)

    def _current(self) -> PostingLineView | None:
        index = self.table.currentIndex()
        if self.detail is None or not index.isValid():
            return None
        return self.detail.postings[index.row()]

    def reverse(self, reason: str | None = None) -> None:
        """Reverse the selected settlement (the reason is asked for if not given)."""
        posting = self.selected_posting()
        if posting is None or self.workspace is None or self.detail is None:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(
                self, f"Reverse posting {posting}", "Why is this settlement reversed?"
            )
            if not ok:
                return
        settling, oid, why = self.workspace.settling, self.detail.id, reason

        def done(outcome: SettledView) -> None:
            self.show_obligation(oid)
            self.reversed.emit(f"Posting {posting} reversed by posting {outcome.posting_id}")

        Op(
            self, lambda: settling.reverse(posting, why), done=done,
            refused=lambda exc: self.summary.setText(escape(exc.message)), busy_key="reverse",
        ).run()  # fmt: skip

    def show_history(self) -> HistoryDialog | None:
        """The obligation's audited changes, in the history dialog."""
        if self.workspace is None or self.detail is None:
            return None
        from desk_app.ui.dialogs.history_dialog import HistoryDialog

        # On the GUI thread: one record's audited changes, a few rows.
        history = self.workspace.history.history(
            "settlement_obligations", self.detail.id, f"obligation {self.detail.id}"
        )
        if self.history_dialog is not None:
            self.history_dialog.deleteLater()
        self.history_dialog = HistoryDialog(history, self)
        self.history_dialog.show()
        return self.history_dialog


def _cells(posting: PostingLineView) -> list[Cell]:
    """One posting as a row: reversed ones and reversals muted, the reason as a tooltip."""
    link = ""
    if posting.reverses_id is not None:
        link = f"reverses {posting.reverses_id}"
    elif posting.reversed_by is not None:
        link = f"reversed by {posting.reversed_by}"
    tone = Tone.MUTED if link else None
    return [
        Cell(str(posting.id), posting.id, tone),
        Cell(posting.kind.capitalize(), posting.kind, tone),
        Cell(format_quantity(posting.quantity), posting.quantity, tone),
        Cell(f"{format_amount(posting.amount)} {posting.currency}", posting.amount, tone),
        Cell(f"{posting.posted_at.astimezone():%Y-%m-%d %H:%M %Z}", posting.posted_at, tone),
        Cell(posting.posted_by, posting.posted_by, tone),
        Cell(link, link, tone, tooltip=posting.reason or ""),
    ]
