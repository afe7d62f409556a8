"""The trade blotter: every trade version, newest first."""

from __future__ import annotations

from desk_app.services.listing import PageSource
from desk_app.ui.tabs.table_tab import TableTab, WorkspaceView


class BlotterTab(TableTab):
    key = "blotter"
    title = "Trade Blotter"
    empty_text = "No trades on the blotter yet."
    # Superseded and cancelled versions stay on the blotter as history only.
    muted_statuses = frozenset({"amended", "cancelled"})

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        return workspace.blotter.trades()
