"""The certificate register: where every physical certificate is."""

from __future__ import annotations

from desk_app.services.listing import Column, PageSource, Row
from desk_app.ui.tabs.table_tab import TableTab, WorkspaceView
from desk_app.ui.theme import Tone

_STATUS_TONES = {
    "lost": Tone.NEGATIVE,
    "in_transit": Tone.WARNING,
    "returned": Tone.WARNING,
    "delivered": Tone.POSITIVE,
    "cancelled": Tone.MUTED,
}


class CertificatesTab(TableTab):
    key = "certificates"
    title = "Certificates"
    empty_text = "No certificates in the register."

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        return workspace.certificates.certificates()

    def cell_tone(self, column: Column, row: Row) -> Tone | None:
        status = self.model.value_in(row, "status")
        if status == "cancelled":
            return Tone.MUTED
        if column.key == "status":
            return _STATUS_TONES.get(str(status))
        return None
