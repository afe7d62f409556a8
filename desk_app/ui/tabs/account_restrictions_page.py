"""The Accounts tab's Restrictions page: the selected account's restrictions, in force,
ended and lifted, with *Place restriction…* and *Request lift…*.

A page of the tab's ``account_detail`` (`set_workspace`, `show_account`): the tab
tells it which account is selected, and it reads that account's few restrictions.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.permissions import Action
from desk_app.ui.models.static_table_model import Cell, StaticTableModel
from desk_app.ui.tabs.restriction_views import RestrictionLineView
from desk_app.ui.tabs.workspace_view import WorkspaceView
from desk_app.ui.theme import Tone

HEADERS = ("Kind", "State", "From", "Until", "Reason", "Placed by", "Lift", "Lifted by",
           "Why lifted")  # fmt: skip
NOTHING = "Select an account to see its restrictions."
REASON_WIDTH = 220
STATE_TONES = {"in force": Tone.WARNING, "to start": Tone.WARNING, "ended": Tone.MUTED,
               "lifted": Tone.MUTED}  # fmt: skip


class AccountRestrictionsPage(QWidget):
    """One account's restrictions; placing one holds at once, lifting one is a request."""

    #: A restriction was placed or a lift requested: the outcome, for the tab's notice.
    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("account_restrictions")
        self.workspace: WorkspaceView | None = None
        self.number: str | None = None
        self.lines: list[RestrictionLineView] = []
        self.dialog: QWidget | None = None
        self.summary = QLabel(NOTHING, self)
        self.summary.setObjectName("restrictions_summary")
        self.summary.setWordWrap(True)
        self.model = StaticTableModel(HEADERS, self)
        self.table = QTableView(self)
        self.table.setObjectName("restrictions")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.place_button = QPushButton("Place restriction…", self)
        self.place_button.setObjectName("place_restriction")
        self.lift_button = QPushButton("Request lift…", self)
        self.lift_button.setObjectName("request_lift")
        buttons = QHBoxLayout()
        buttons.addWidget(self.place_button)
        buttons.addWidget(self.lift_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 0, 0)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.place_button.clicked.connect(self.place)
        self.lift_button.clicked.connect(self.request_lift)
        self.table.selectionModel().currentRowChanged.connect(self.update_buttons)
        self.update_buttons()

    # -- the contract with the Accounts tab ---------------------------------------------------
    def set_workspace(self, workspace: WorkspaceView | None) -> None:
        self.workspace = workspace
        self.show_account(None)

    def show_account(self, number: str | None) -> None:
        """Read and show ``number``'s restrictions (None: nothing selected)."""
        self.number, self.lines = number, []
        if number is not None and self.workspace is not None:
            # On the GUI thread: an account's few restrictions by its indexed id.
            try:
                self.lines = list(self.workspace.restrictions.restrictions(number))
            except DeskError as exc:
                self.summary.setText(escape(exc.message))
        self.model.set_rows([_cells(line) for line in self.lines])
        self.table.resizeColumnsToContents()
        for column in (HEADERS.index("Reason"), HEADERS.index("Why lifted")):
            # A long reason in full is its tooltip: the columns after it stay in view.
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), REASON_WIDTH))
        if number is None or self.workspace is None:
            self.summary.setText(NOTHING)
        else:
            in_force = [line for line in self.lines if line.state == "in force"]
            self.summary.setText(_summary(number, in_force))
        if self.lines:
            self.table.selectRow(0)
        self.update_buttons()

    def reload(self) -> None:
        """Read the account shown again (the list was read again: it may have changed)."""
        self.show_account(self.number)

    # -- what is allowed --------------------------------------------------------------------
    def selected(self) -> RestrictionLineView | None:
        row = self.table.currentIndex().row()
        return self.lines[row] if 0 <= row < len(self.lines) else None

    def refusal(self, key: str) -> str | None:
        """Why *place* or *lift* cannot run now: roles, then the selection."""
        if self.workspace is None:
            return "No database open"
        action = Action.ACCOUNT_RESTRICT if key == "place" else Action.ACCOUNT_LIFT_RESTRICTION
        why = self.workspace.user.refusal(action)
        if why is not None:
            return why
        if self.number is None:
            return "Select an account first"
        if key == "place":
            return None
        line = self.selected()
        if line is None:
            return "Select a restriction first"
        if not line.open:
            return f"Restriction {line.id} is {line.state}: there is nothing to lift"
        if line.lift_request is not None:
            return f"Request {line.lift_request} already asks to lift it"
        return None

    def update_buttons(self, *_args: object) -> None:
        for key, button, tip in (
            ("place", self.place_button, "Restrict the account now (no approval needed)"),
            ("lift", self.lift_button, "Ask a principal to lift the selected restriction"),
        ):
            why = self.refusal(key)
            button.setEnabled(why is None)
            button.setToolTip(why or tip)

    # -- the actions ----------------------------------------------------------------------------
    def place(self) -> None:
        from desk_app.ui.dialogs.restriction_dialog import PlaceRestrictionDialog

        if self.refusal("place") is not None or self.workspace is None or self.number is None:
            return
        dialog = PlaceRestrictionDialog(self.workspace.restrictions, self.number, self)
        number = self.number
        dialog.accepted.connect(
            lambda: self._after(f"Restriction {dialog.made} placed on {number}: in force now")
        )
        self._open(dialog)

    def request_lift(self) -> None:
        from desk_app.ui.dialogs.restriction_dialog import LiftRestrictionDialog

        line = self.selected()
        if self.refusal("lift") is not None or self.workspace is None or line is None:
            return
        dialog = LiftRestrictionDialog(self.workspace.restrictions, line, self)
        dialog.accepted.connect(
            lambda: self._after(f"Request {dialog.made} sent for approval: lift {line.id}")
        )
        self._open(dialog)

    def _open(self, dialog: QWidget) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.show()

    def _after(self, text: str) -> None:
        self.show_account(self.number)
        self.changed.emit(text)


def _summary(number: str, in_force: list[RestrictionLineView]) -> str:
    if not in_force:
        return f"<b>{escape(number)}</b>: no restriction in force."
    names = ", ".join(escape(line.kind.label) for line in in_force)
    return f"<b>{escape(number)}</b>: ⚠ {names} in force."


def _when(value: datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _cells(line: RestrictionLineView) -> list[Cell]:
    tone = STATE_TONES.get(line.state)
    lift = f"request {line.lift_request}" if line.lift_request else ""
    placed = f"{line.placed_by} {_when(line.placed_at)}"
    lifted = f"{line.lifted_by} {_when(line.lifted_at)}" if line.lifted_by else ""
    return [
        Cell(line.kind.label, line.kind.value, tone, bold=line.state == "in force"),
        Cell(line.state.capitalize(), line.state, tone),
        Cell(line.starts_on.isoformat(), line.starts_on),
        Cell(line.ends_on.isoformat() if line.ends_on else "", line.ends_on),
        Cell(line.reason, line.reason, tooltip=line.reason),
        Cell(placed, line.placed_by),
        Cell(lift, line.lift_request),
        Cell(lifted, line.lifted_by),
        Cell(line.lift_reason or "", line.lift_reason, tooltip=line.lift_reason or ""),
    ]
