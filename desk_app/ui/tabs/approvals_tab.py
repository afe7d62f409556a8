"""The approval queue: requests beside the record they would change, decided by a principal.

The list is the service's keyset-paged queue; the pane on the right shows the
selected request (`RequestPane`). Whether the user may decide is the service's
answer (`decision_refusal`), shown as the disabled buttons' tooltip: the maker of
a request never gets an enabled Approve or Reject.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QCheckBox, QComboBox, QSplitter, QWidget

from desk_app.domain.listing import Column, PageSource, Row
from desk_app.domain.permissions import Action
from desk_app.domain.states import ApprovalStatus
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.request_pane import RequestPane
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.theme import Tone

#: A pending request older than this is overdue for a decision.
OVERDUE = timedelta(days=1)

FILTERS: tuple[tuple[str, ApprovalStatus | None], ...] = (
    ("Pending", ApprovalStatus.PENDING),
    ("Approved", ApprovalStatus.APPROVED),
    ("Rejected", ApprovalStatus.REJECTED),
    ("Withdrawn", ApprovalStatus.WITHDRAWN),
    ("All", None),
)


class ApprovalsTab(TableTab):
    """Requests waiting for (or past) a decision, with the selected one in detail."""

    key = "approvals"
    title = "Approvals"
    empty_text = "No pending requests."
    search_hint = "request number, kind, requester or record"
    muted_statuses = frozenset({ApprovalStatus.WITHDRAWN.value})
    status_tones = MappingProxyType(
        {ApprovalStatus.APPROVED.value: Tone.POSITIVE, ApprovalStatus.REJECTED.value: Tone.NEGATIVE}
    )

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self._pending = 0
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("status_filter")
        for text, status in FILTERS:
            self.status_filter.addItem(text, status)
        self.status_filter.setToolTip("Which requests to list")
        self.status_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.only_mine = QCheckBox("Only mine", self)
        self.only_mine.setToolTip("Only the requests you made")
        self.only_mine.toggled.connect(self.reload_source)
        self.add_header_widget(self.status_filter)
        self.add_header_widget(self.only_mine)

        self.pane = RequestPane(self)
        self.pane.decided.connect(self._on_decided)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.place_view_in(self.splitter)
        self.splitter.addWidget(self.pane)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.model.reloaded.connect(self._reselect)

    # -- what the list shows --------------------------------------------------------------
    def source_from(self, workspace: WorkspaceView) -> PageSource:
        status = self.status_filter.currentData()
        # Builds the paged source only: the table model fetches its pages as it needs them.
        return workspace.approvals.requests(
            status=status, mine=self.only_mine.isChecked(), search=self.search_text()
        )

    def cell_tone(self, column: Column, row: Row) -> Tone | None:
        """Pending for more than a day: the status and age turn amber."""
        status = self.model.value_in(row, "status")
        if status == ApprovalStatus.PENDING and column.key in ("status", "made_at"):
            made = self.model.value_in(row, "made_at")
            if isinstance(made, datetime) and datetime.now(UTC) - made > OVERDUE:
                return Tone.WARNING
            return None
        return super().cell_tone(column, row)

    def tab_text(self) -> str:
        return f"{self.title} ({self._pending})" if self._pending else self.title

    def pending_count(self) -> int:
        return self._pending

    # -- workspace and refresh --------------------------------------------------------------
    def set_workspace(self, workspace: WorkspaceView) -> None:
        # The signed-in user's roles are in memory: no database read.
        sees_all = workspace.user.can(Action.APPROVAL_VIEW_ALL)
        self.only_mine.blockSignals(True)  # one query, below, not two
        self.only_mine.setChecked(not sees_all)
        self.only_mine.blockSignals(False)
        self.only_mine.setEnabled(sees_all)
        why = workspace.user.refusal(Action.APPROVAL_VIEW_ALL)
        self.only_mine.setToolTip(
            "Only the requests you made"
            if why is None
            else f"You see only your own requests: {why}"
        )
        self.pane.set_workspace(workspace)
        super().set_workspace(workspace)
        self.update_pending_count()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        self.pane.clear()
        self._pending = 0
        self.tab_text_changed.emit(self.tab_text())

    def refresh(self) -> None:
        super().refresh()
        self.update_pending_count()
        self.pane.reload()

    def update_pending_count(self) -> None:
        """Count the pending requests again; the tab's title says how many."""
        workspace = self.workspace
        # On the GUI thread: one COUNT over the pending status's index, with each refresh.
        self.set_pending_count(workspace.approvals.pending_count() if workspace else 0)

    def set_pending_count(self, count: int) -> None:
        """Show ``count`` pending requests in the tab's title (counted elsewhere, e.g. a ping)."""
        self._pending = count
        self.tab_text_changed.emit(self.tab_text())

    # -- internals ---------------------------------------------------------------------------
    def empty_message(self) -> str:
        text = self.status_filter.currentText().lower()
        return "No requests." if text == "all" else f"No {text} requests."

    def _on_filter_changed(self) -> None:
        self.reload_source()

    def _on_current_changed(self, current: object, _previous: object) -> None:
        row = self.current_row()
        if row is not None:
            self.pane.show_request(int(row[-1]))

    def _reselect(self) -> None:
        """After a reload, keep the request in the pane selected, else take the oldest.

        Deciding one request thus brings up the next in the queue.
        """
        shown = self.pane.request_id
        for r in range(self.model.rowCount()):
            if self.model.row_at(r)[-1] == shown:
                self.view.selectRow(r)
                return
        if self.model.rowCount() > 0:
            self.view.selectRow(0)

    def _on_decided(self, message: str) -> None:
        self.show_notice(message, Tone.POSITIVE)
        self.refresh()
        self.records_changed.emit()  # the window re-reads the other tabs
