"""The trade blotter: every trade version, newest first."""

from __future__ import annotations

from desk_app.services.listing import Column, PageSource, Row
from desk_app.ui.tabs.table_tab import TableTab, WorkspaceView
from desk_app.ui.theme import Tone


class BlotterTab(TableTab):
    key = "blotter"
    title = "Trade Blotter"
    empty_text = "No trades on the blotter yet."

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        return workspace.blotter.trades()

    def cell_tone(self, column: Column, row: Row) -> Tone | None:
        # Superseded and cancelled versions stay on the blotter as history only.
        if self.model.value_in(row, "status") in ("amended", "cancelled"):
            return Tone.MUTED
        return None
