"""The certificate register: where every physical certificate is."""

from __future__ import annotations

from types import MappingProxyType

from desk_app.services.listing import PageSource
from desk_app.ui.tabs.table_tab import TableTab, WorkspaceView
from desk_app.ui.theme import Tone


class CertificatesTab(TableTab):
    key = "certificates"
    title = "Certificates"
    empty_text = "No certificates in the register."
    muted_statuses = frozenset({"cancelled"})
    status_tones = MappingProxyType(
        {
            "lost": Tone.NEGATIVE,
            "in_transit": Tone.WARNING,
            "returned": Tone.WARNING,
            "delivered": Tone.POSITIVE,
        }
    )

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        return workspace.certificates.certificates()
