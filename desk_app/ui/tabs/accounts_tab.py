"""Client accounts, by account number."""

from __future__ import annotations

from types import MappingProxyType

from desk_app.services.listing import PageSource
from desk_app.ui.tabs.table_tab import TableTab, WorkspaceView
from desk_app.ui.theme import Tone


class AccountsTab(TableTab):
    key = "accounts"
    title = "Accounts"
    empty_text = "No accounts yet."
    muted_statuses = frozenset({"closed"})
    status_tones = MappingProxyType({"restricted": Tone.WARNING})

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        return workspace.reference.accounts()
