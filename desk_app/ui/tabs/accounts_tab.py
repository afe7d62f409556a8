"""Client accounts, by account number."""

from __future__ import annotations

from desk_app.services.listing import Column, PageSource, Row
from desk_app.ui.tabs.table_tab import TableTab, WorkspaceView
from desk_app.ui.theme import Tone


class AccountsTab(TableTab):
    key = "accounts"
    title = "Accounts"
    empty_text = "No accounts yet."

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        return workspace.reference.accounts()

    def cell_tone(self, column: Column, row: Row) -> Tone | None:
        status = self.model.value_in(row, "status")
        if status == "closed":
            return Tone.MUTED
        if status == "restricted" and column.key == "status":
            return Tone.WARNING
        return None
