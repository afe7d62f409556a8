"""Settlement obligations by settlement date: the day's worklist."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from PySide6.QtWidgets import QCheckBox, QWidget

from desk_app.services.listing import Column, PageSource, Row
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.table_tab import TableTab, WorkspaceView
from desk_app.ui.theme import Tone


class SettlementsTab(TableTab):
    """Open obligations by default (overdue first); settled ones on request."""

    key = "settlements"
    title = "Settlements Due"
    empty_text = "No open settlement obligations."
    muted_statuses = frozenset({"cancelled"})
    status_tones = MappingProxyType(
        {"failing": Tone.NEGATIVE, "partially_settled": Tone.WARNING, "settled": Tone.POSITIVE}
    )

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.include_closed = QCheckBox("Include settled and cancelled", self)
        self.include_closed.setToolTip("Show every obligation, not only those still open")
        self.include_closed.toggled.connect(self.reload_source)
        self.add_header_widget(self.include_closed)

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        return workspace.settlements.obligations(open_only=not self.include_closed.isChecked())

    def cell_tone(self, column: Column, row: Row) -> Tone | None:
        """Besides the status colours: an open obligation past its settlement date."""
        status = self.model.value_in(row, "status")
        if column.key == "settle_date" and status not in ("settled", "cancelled"):
            settle = self.model.value_in(row, "settle_date")
            if isinstance(settle, date) and settle < date.today():
                return Tone.WARNING
        return super().cell_tone(column, row)
