"""ACATS transfers in and out, nearest deadline first, coloured by how they age.

The deadline cell is red once overdue and amber on the day it falls due. **New
transfer…** enters one; **Validate**, **Take exception…**, **Correct…** and **Purge…**
record the delivering side's answer and what follows; **Complete** posts a transfer
in, and files a transfer out for a principal's approval; **Reverse…** undoes a
completed one (out: at once; in: on a principal's approval). Beside the list, the
selected transfer and its assets (what cannot move, and why).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QInputDialog, QSplitter, QWidget

from desk_app.domain.acats import (
    ACATS,
    REJECT_CODES,
    AcatsDirection,
    AcatsStatus,
    Aging,
    aging,
    reversal_refusal,
)
from desk_app.domain.cutoffs import market_today
from desk_app.domain.listing import Column, PageSource, Row
from desk_app.domain.permissions import Action
from desk_app.ui.guarded_actions import ActionSpec, build_actions, update_actions
from desk_app.ui.ops import Op
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.acats_pane import AGING_TONE, AcatsPane
from desk_app.ui.tabs.acats_views import AcatsOutcome, AcatsView
from desk_app.ui.tabs.tab_parts import action_toolbar, show_row
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.theme import Tone

if TYPE_CHECKING:  # the dialog loads when first opened
    from desk_app.ui.dialogs.acats_dialog import AcatsDialog

S = AcatsStatus
OPEN = tuple(s.value for s in S if s.is_open)
SHOW = (("open", "Open"), *((s.value, s.label) for s in S), ("", "All"))
A = Action
ACTIONS = {
    "new": ActionSpec("New transfer…", A.ACATS_WORK, "Ctrl+N",
                      "Enter an ACATS transfer in or out"),
    "validate": ActionSpec("Validate", A.ACATS_WORK, "",
                           "The delivering side validated it (out: the account is frozen)"),
    "exception": ActionSpec("Take exception…", A.ACATS_WORK, "",
                            "The delivering side rejected it with a reject code"),
    "correct": ActionSpec("Correct…", A.ACATS_WORK, "",
                          "Correct a soft reject and resubmit it for review"),
    "complete": ActionSpec("Complete", A.ACATS_WORK, "",
                           "In: post the assets now. Out: a request a principal approves"),
    "purge": ActionSpec("Purge…", A.ACATS_WORK, "",
                        "Withdraw it: nothing moves; the account's freeze is lifted"),
    "reverse": ActionSpec("Reverse…", A.ACATS_WORK, "",
                          "Undo a completed transfer: its assets go back with their lots "
                          "(in: a request a principal approves)"),
}  # fmt: skip
#: The status each action moves a transfer to (what the state machine must allow).
_TO = {"validate": S.VALIDATED, "exception": S.REJECTED, "correct": S.REVIEW,
       "complete": S.SETTLE_PREP, "purge": S.PURGED}  # fmt: skip


class AcatsTab(TableTab):
    key = "acats"
    title = "ACATS"
    empty_text = "No ACATS transfers here."
    search_hint = "transfer, account, contra firm or DTC number, contra account, reject code"
    muted_statuses = frozenset({"purged", "reversed"})
    status_tones = MappingProxyType(
        {"rejected": Tone.NEGATIVE, "validated": Tone.WARNING, "settle_prep": Tone.WARNING,
         "completed": Tone.POSITIVE}
    )  # fmt: skip

    #: A transfer was entered or moved on; what happened.
    changed = Signal(str)

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.show_combo = show_row(self, "acats_show", SHOW)
        self.acats_actions = build_actions(
            self, ACTIONS,
            {"new": self.new_transfer, "validate": self.validate,
             "exception": self.take_exception, "correct": self.correct,
             "complete": self.complete, "purge": self.purge, "reverse": self.reverse},
            name="acats_action",
        )  # fmt: skip
        self.toolbar = action_toolbar(self, "ACATS actions", self.acats_actions,
                                      separate_before=("validate", "complete"))  # fmt: skip
        self.dialog: QDialog | None = None
        self.today = market_today
        self.pane = AcatsPane(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.place_view_in(splitter)
        splitter.addWidget(self.pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        selection = self.view.selectionModel()
        selection.currentRowChanged.connect(self._show_current)
        selection.currentRowChanged.connect(self.update_actions)
        self.model.reloaded.connect(self._reselect)
        self.model.reloaded.connect(self.update_actions)
        self.update_actions()

    # -- the list --------------------------------------------------------------------------
    def source_from(self, workspace: WorkspaceView) -> PageSource:
        self.pane.set_acats(workspace.acats)
        code = str(self.show_combo.currentData() or "")
        statuses = OPEN if code == "open" else ((code,) if code else ())
        return workspace.acats.transfers(statuses, search=self.search_text())

    def cell_tone(self, column: Column, row: Row) -> Tone | None:
        """The deadline by how it ages: red overdue, amber due today."""
        if column.key == "deadline_on" and str(self.model.value_in(row, "status")) in OPEN:
            due = self.model.value_in(row, "deadline_on")
            found = aging(due, self.today()) if isinstance(due, date) else None
            return AGING_TONE.get(found) if found is not Aging.ON_TIME and found else None
        return super().cell_tone(column, row)

    def set_workspace(self, workspace: WorkspaceView) -> None:
        super().set_workspace(workspace)
        self.update_actions()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        self.pane.show_transfer(None)
        self.update_actions()

    def current_id(self) -> int | None:
        row = self.current_row()
        return None if row is None else int(self.model.value_in(row, "id"))

    def select_transfer(self, transfer_id: int) -> bool:
        for n in range(self.model.rowCount()):
            row = self.model.loaded_row(n)
            if row is not None and self.model.value_in(row, "id") == transfer_id:
                self.view.selectRow(n)
                return True
        return False

    def _show_current(self, *_args: object) -> None:
        self.pane.show_transfer(self.current_id())

    def _reselect(self, *_args: object) -> None:
        kept = self.pane.view.id if self.pane.view is not None else None
        if kept is None or not self.select_transfer(kept):
            self.pane.show_transfer(self.current_id())

    # -- what may be done ------------------------------------------------------------------
    def refusal(self, key: str) -> str | None:
        workspace = self.workspace
        if workspace is None:
            return "No database open"
        why = workspace.user.refusal(ACTIONS[key].permission)
        if why is not None or key == "new":
            return why
        row = self.current_row()
        if row is None:
            return "Select a transfer first"
        status = S(str(self.model.value_in(row, "status")))
        if key == "complete" and status is S.SETTLE_PREP:
            return None if self.pane.view is None or not self.pane.view.approval_pending else (
                "Waiting for a principal to approve the completion request")  # fmt: skip
        if key == "reverse":
            return self._reversal_refusal(status, row)
        if not ACATS.can(status, _TO[key]):
            return f"Not for a transfer in {status.label.lower()}"
        if key == "correct":
            code = self.model.value_in(row, "reject_code")
            found = REJECT_CODES.get(str(code))
            if found is None or not found.soft:
                return f"Reject code {code} is hard: it ends the transfer (purge it)"
        return None

    def _reversal_refusal(self, status: AcatsStatus, row: Row) -> str | None:
        view = self.pane.view
        pending = view is not None and view.id == self.current_id() and view.approval_pending
        why = reversal_refusal(status, pending)
        if why is not None:
            return why[0].upper() + why[1:]
        direction = self.model.value_in(row, "direction")
        if self.workspace is not None and str(direction) == AcatsDirection.IN.value:
            return self.workspace.user.refusal(A.ACATS_REVERSE_IN)
        return None

    def update_actions(self, *_args: object) -> None:
        update_actions(self.acats_actions, ACTIONS, self.refusal)

    def _done(self, text: str) -> None:
        self.show_notice(text, Tone.POSITIVE)
        self.refresh()
        self.records_changed.emit()
        self.changed.emit(text)

    # -- the actions -----------------------------------------------------------------------
    def new_transfer(self) -> QDialog | None:
        if self.workspace is None or self.refusal("new") is not None:
            return None
        from desk_app.ui.dialogs.acats_dialog import AcatsDialog

        dialog = AcatsDialog(self.workspace.acats, self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._entered(dialog))
        dialog.open()
        return dialog

    def _entered(self, dialog: AcatsDialog) -> None:
        sent = dialog.sent
        if sent is not None:
            self._done(_said(sent, f"ACATS transfer {sent.transfer_id} entered: in review"))

    def validate(self) -> None:
        self._run("validate", lambda a, i: a.validate(i), "validated")

    def complete(self) -> None:
        self._run("complete", lambda a, i: a.complete(i), "completed")

    def take_exception(self, code: str | None = None, note: str = "") -> None:
        if self.refusal("exception") is not None:
            return
        if code is None:
            choices = [f"{c.code} — {c.label} ({'soft' if c.soft else 'hard'})"
                       for c in REJECT_CODES.values()]  # fmt: skip
            picked, ok = QInputDialog.getItem(self, "Take exception", "Reject code:", choices,
                                              0, False)  # fmt: skip
            if not ok:
                return
            code = picked.split(" ", 1)[0]
        chosen = code
        self._run("exception", lambda a, i: a.take_exception(i, chosen, note), "rejected")

    def correct(self, note: str | None = None) -> None:
        if self.refusal("correct") is not None:
            return
        if note is None:
            note, ok = QInputDialog.getText(self, "Correct", "What was corrected?")
            if not ok:
                return
        said = note
        self._run("correct", lambda a, i: a.correct(i, None, said), "corrected: back in review")

    def purge(self, reason: str | None = None) -> None:
        if self.refusal("purge") is not None:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(self, "Purge", "Why is the transfer purged?")
            if not ok:
                return
        why = reason
        self._run("purge", lambda a, i: a.purge(i, why), "purged")

    def reverse(self, reason: str | None = None) -> None:
        if self.refusal("reverse") is not None:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(self, "Reverse", "Why is the transfer reversed?")
            if not ok:
                return
        why = reason
        self._run("reverse", lambda a, i: a.reverse(i, why), "reversed")

    def _run(self, key: str, work: Callable[[AcatsView, int], AcatsOutcome], said: str) -> None:
        transfer_id = self.current_id()
        if transfer_id is None or self.workspace is None or self.refusal(key) is not None:
            return
        acats = self.workspace.acats
        Op(
            self, self.reading(lambda: work(acats, transfer_id)),
            done=lambda out: self._done(_said(out, f"ACATS transfer {transfer_id} {said}", key)),
            busy_key=f"acats:{key}",
        ).run()  # fmt: skip


def _said(outcome: AcatsOutcome, text: str, key: str = "complete") -> str:
    if outcome.request_id is not None:
        happens = "is reversed" if key == "reverse" else "completes"
        text = (f"Request {outcome.request_id} sent for approval: ACATS transfer "
                f"{outcome.transfer_id} {happens} when a principal approves it")  # fmt: skip
    return "; ".join([text, *outcome.notes[:3]])
