"""Settlement obligations by settlement date: the day's worklist."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QPushButton, QWidget

from desk_app.domain.permissions import Action
from desk_app.services.listing import Column, PageSource, Row
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.tabs.workspace_view import RunReportView
from desk_app.ui.theme import Tone
from desk_app.ui.workers import run_in_background

RUN_TIP = "Create the obligations of trades that have none yet (imported trades); never twice"


class SettlementsTab(TableTab):
    """Open obligations by default (overdue first); settled ones on request."""

    key = "settlements"
    title = "Settlements Due"
    empty_text = "No open settlement obligations."
    muted_statuses = frozenset({"cancelled"})
    status_tones = MappingProxyType(
        {"failing": Tone.NEGATIVE, "partially_settled": Tone.WARNING, "settled": Tone.POSITIVE}
    )

    #: A settlement run ended; the argument says how ("12 obligations created").
    run_finished = Signal(str)

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.include_closed = QCheckBox("Include settled and cancelled", self)
        self.include_closed.setToolTip("Show every obligation, not only those still open")
        self.include_closed.toggled.connect(self.reload_source)
        self.add_header_widget(self.include_closed)
        self.run_button = QPushButton("Run settlement", self)
        self.run_button.setObjectName("run_settlement")
        self.run_button.clicked.connect(self.run_settlement)
        self._running = False
        self.add_header_widget(self.run_button)
        self._update_run_button()

    def set_workspace(self, workspace: WorkspaceView) -> None:
        super().set_workspace(workspace)
        self._update_run_button()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        self._update_run_button()

    def run_settlement(self) -> None:
        """The settlement run, on a worker; the list shows what it made."""
        workspace = self.workspace
        if workspace is None or not self.run_button.isEnabled():
            return
        self.run_button.setEnabled(False)
        self._running = True
        self.show_notice("Running settlement…")
        run_in_background(self.reading(workspace.settlements.run), self._ran, self._run_failed)

    def _ran(self, report: RunReportView) -> None:
        self._running = False
        self._update_run_button()
        self.show_notice(report.summary, Tone.POSITIVE if report.created else None)
        if report.created:
            self.refresh()
            self.records_changed.emit()
        self.run_finished.emit(report.summary)

    def _run_failed(self, exc: Exception) -> None:
        self._running = False
        self._update_run_button()
        text = f"Settlement run failed: {getattr(exc, 'message', None) or exc}"
        self.show_notice(text, Tone.NEGATIVE)
        self.run_finished.emit(text)

    def _update_run_button(self) -> None:
        workspace = self.workspace
        why = (
            "No database open"
            if workspace is None
            else workspace.user.refusal(Action.SETTLEMENT_RUN)
        )
        if why is None and self._running:
            why = "A settlement run is on its way"
        self.run_button.setEnabled(why is None)
        self.run_button.setToolTip(why or RUN_TIP)

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
