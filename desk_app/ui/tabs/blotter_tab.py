"""The trade blotter: every trade version, newest first, narrowed, totalled and live.

Above the table a filter bar (applied in SQL) and the user's saved filters; below it
the totals of everything the filter matches, per currency. Export… writes the list
as it is filtered and sorted to CSV or XLSX on a worker. Every few seconds the tab
asks the database for its change marker (the audit chain's head, which every write
moves) off the GUI thread, and reads the list again when it moved, keeping the
clerk's current row, selection and scroll position. Ctrl+End shows the last rows
without reading the million before them (`PagedTableModel.load_tail`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QPushButton, QWidget

from desk_app.domain.cutoffs import market_today
from desk_app.domain.listing import Column, PageSource, Row
from desk_app.domain.progress import Cancelled, CancelToken, Progress
from desk_app.domain.states import TradeStatus
from desk_app.services.trading.trade_filter import CurrencyTotals, TradeFilter
from desk_app.ui.action_icons import action_icon
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.action_bar import ActionBar
from desk_app.ui.tabs.blotter_actions import BlotterActions, TradeServices
from desk_app.ui.tabs.blotter_filter_bar import BlotterFilterBar
from desk_app.ui.tabs.blotter_presets import PresetPicker
from desk_app.ui.tabs.blotter_totals import BlotterTotals
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.theme import Tone
from desk_app.ui.workers import run_cancellable_with_progress_dialog, run_in_background

#: How often the tab asks whether anything was written (milliseconds).
LIVE_INTERVAL_MS = 3000
#: Up to this many matching trades the totals are added up at once (a few ms);
#: beyond, on a worker, so a big book never holds up the window.
SYNC_TOTALS_LIMIT = 2_000
_SELECT = QItemSelectionModel.SelectionFlag


class BlotterTab(TableTab):
    key = "blotter"
    title = "Trade Blotter"
    empty_text = "No trades on the blotter yet."
    # Superseded and cancelled versions stay on the blotter as history only.
    muted_statuses = frozenset({TradeStatus.AMENDED.value, TradeStatus.CANCELLED.value})
    status_tones = MappingProxyType({TradeStatus.CANCELLED.value: Tone.NEGATIVE})

    #: An export ended; the argument says how ("1,204 trades written to …").
    export_finished = Signal(str)
    #: The totals row shows new sums.
    totals_updated = Signal()

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.filter_bar = BlotterFilterBar(self)
        self.filter_bar.filter_changed.connect(self._on_filter_changed)
        self.presets = PresetPicker(self.filter_bar.current, self)
        self.presets.preset_chosen.connect(self.filter_bar.set_filter)
        self.presets.failed.connect(lambda text: self.show_notice(text, Tone.NEGATIVE))
        self.export_button = QPushButton("Export…", self)
        self.export_button.setObjectName("export_trades")
        self.export_button.setIcon(action_icon("export"))
        self.export_button.setToolTip("Write the trades as filtered and sorted to CSV or XLSX")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.filter_bar.add_widget(self.presets, 0)
        self.trade_actions = BlotterActions(
            self, self.current_trade_id, current_status=self._current_status
        )
        self.trade_actions.trades_changed.connect(self.refresh)
        self.trade_actions.trades_changed.connect(self.records_changed)  # settlements, approvals
        self.trade_actions.notice.connect(self.show_notice)
        self.toolbar = ActionBar("Trade actions", self)
        self.toolbar.setObjectName("trade_actions")
        separator = QAction(self.view)
        separator.setSeparator(True)
        self.view.addAction(separator)  # after Copy in the context menu
        for key in ("new", "amend", "cancel", "history"):
            self.toolbar.addAction(self.trade_actions.actions[key])
            self.view.addAction(self.trade_actions.actions[key])
        self.add_action_bar(self.toolbar)
        self.add_header_widget(self.export_button)
        self.view.doubleClicked.connect(lambda _index: self.trade_actions.show_history())
        self.view.selectionModel().currentRowChanged.connect(self.trade_actions.update_actions)
        self.model.reloaded.connect(self.trade_actions.update_actions)
        # Fit columns to the first screenful, not to every loaded row: the blotter's
        # widths are set by dates, codes and amounts that look alike all the way down.
        self.view.horizontalHeader().setResizeContentsPrecision(40)
        self.totals = BlotterTotals(self)
        self.insert_header_row(self.filter_bar)
        self._layout.addWidget(self.totals)

        self._marker: int | None = None
        self._polling: WorkspaceView | None = None
        self._totals_generation = 0
        self._export_path: Path | None = None
        self.live_timer = QTimer(self)
        self.live_timer.setInterval(LIVE_INTERVAL_MS)
        self.live_timer.timeout.connect(self.poll_changes)

    # -- what the list shows --------------------------------------------------------------
    def source_from(self, workspace: WorkspaceView) -> PageSource:
        # A restricted account's badge, read for each page's accounts (never per row).
        return workspace.restrictions.badged(workspace.blotter.trades(self.filter_bar.applied()))

    def cell_tone(self, column: Column, row: Row) -> Tone | None:
        """A cancel's status cell in red; the rest of a cancelled or superseded row muted."""
        if column.key == "status":
            tone = self.status_tones.get(str(self.model.value_in(row, "status")))
            if tone is not None:
                return tone
        return super().cell_tone(column, row)

    def empty_message(self) -> str:
        applied = self.filter_bar.applied()
        if applied.is_empty:
            return self.empty_text
        return f"No trades match: {applied.describe()}."

    # -- workspace and refresh --------------------------------------------------------------
    def _current_status(self) -> str | None:
        row = self.current_row()
        return None if row is None else str(self.model.value_in(row, "status"))

    def current_trade_id(self) -> int | None:
        """The id of the trade version in the current row (None without one)."""
        row = self.current_row()
        return None if row is None else int(row[-1])

    def set_workspace(self, workspace: WorkspaceView) -> None:
        self.trade_actions.bind(
            TradeServices(
                workspace.trades, workspace.trade_lookup, workspace.imports, workspace.user
            )
        )
        super().set_workspace(workspace)

        def load_presets() -> None:
            if self.workspace is workspace:
                self.presets.set_presets(workspace.presets)

        # The saved filters are read once the first page has painted: not on its way.
        self.after_paint(load_presets)
        self.export_button.setEnabled(True)
        # On the GUI thread: the marker to compare against, one tiny read as the tab opens.
        try:
            self._marker = workspace.blotter.change_marker()
        except Exception:
            self._marker = None  # the first poll learns it
        self.live_timer.start()
        self.update_totals(announce=True)

    def clear(self, message: str = OPENING_TEXT) -> None:
        self.live_timer.stop()
        self._marker = None
        self._totals_generation += 1  # sums still on their way are for another database
        super().clear(message)
        self.trade_actions.bind(None)
        self.presets.set_presets(None)
        self.export_button.setEnabled(False)
        self.totals.show_note("")

    def refresh(self) -> None:
        """Read the list and its totals again, keeping the clerk's place."""
        self._keep_place(super().refresh)
        self.update_totals()

    def update_totals(self, *, announce: bool = False) -> None:
        """Add up the filtered trades again, off the GUI thread."""
        workspace = self.workspace
        if workspace is None:
            return
        self._totals_generation += 1
        generation = self._totals_generation
        applied = self.filter_bar.applied()
        count, exact = self.model.quick_count()
        if exact and count <= SYNC_TOTALS_LIMIT:
            # On the GUI thread: a few rows only, summed so the totals show with the table.
            try:
                self._on_totals((generation, workspace.blotter.totals(applied)))
            except Exception as exc:  # the database went away; the table says so too
                self._on_totals_failed(exc)
            return
        if not self.totals.totals():
            self.totals.show_note("Adding up…")
        elif announce:
            self.totals.setEnabled(False)  # greyed until the new sums arrive; no relayout

        def add_up() -> tuple[int, list[CurrencyTotals]]:
            return generation, workspace.blotter.totals(applied)

        def failed(exc: Exception) -> None:
            if generation == self._totals_generation:  # not for a filter since replaced
                self._on_totals_failed(exc)

        self.after_paint(lambda: run_in_background(self.reading(add_up), self._on_totals, failed))

    # -- live -----------------------------------------------------------------------------
    def poll_changes(self) -> None:
        """Ask (off the GUI thread) whether anything was written since the last look."""
        workspace = self.workspace
        if workspace is None or self._polling is not None:
            return
        self._polling = workspace
        run_in_background(
            self.reading(workspace.blotter.change_marker), self._on_marker, self._on_poll_failed
        )

    def _on_marker(self, marker: int) -> None:
        polled, self._polling = self._polling, None
        if polled is None or polled is not self.workspace:
            return  # the database changed while we asked
        if self._marker is not None and marker != self._marker:
            self._marker = marker
            self.refresh()
        self._marker = marker

    def _on_poll_failed(self, _exc: Exception) -> None:
        self._polling = None  # the status bar's ping reports a lost database

    # -- end of the list ---------------------------------------------------------------------
    def jump_to_end(self) -> None:
        """Show the last rows (Ctrl+End), reading only them."""
        self.model.load_tail()
        last = self.model.rowCount() - 1
        if last < 0:
            return
        column = max(self.view.currentIndex().column(), 0)
        self.view.setCurrentIndex(self.model.index(last, column))
        self.view.scrollToBottom()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_End
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.jump_to_end()
            return True
        return super().eventFilter(watched, event)

    # -- export ---------------------------------------------------------------------------------
    def choose_export_path(self) -> str:
        """Where to export to, asked of the user ("" if they cancel)."""
        suggested = f"trades-{market_today().isoformat()}.csv"
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export trades", suggested, "CSV (*.csv);;Excel workbook (*.xlsx)"
        )
        if path and not Path(path).suffix:
            path += ".xlsx" if "xlsx" in chosen else ".csv"
        return path

    def export_to(self, path: Path) -> None:
        """Write the list as filtered and sorted now to ``path``, behind a progress dialog."""
        from desk_app.reports.exports import export_rows

        source = self.model.source()
        if source is None:
            return
        sort = self.model.sort_spec()
        self._export_path = path
        self.export_button.setEnabled(False)
        done = threading.Event()  # a reader too: clear() waits for it (see reading)
        readers = self._readers
        readers.add(done)

        def export(progress: Progress, cancel: CancelToken) -> int:
            try:
                return export_rows(source, path, sort=sort, progress=progress, cancel=cancel)
            finally:
                done.set()
                readers.discard(done)

        run_cancellable_with_progress_dialog(
            export,
            self._on_exported,
            self._on_export_failed,
            parent=self,
            title="Export trades",
            label=f"Exporting to {path.name}…",
        )

    def _on_export_clicked(self) -> None:
        path = self.choose_export_path()
        if path:
            self.export_to(Path(path))

    def _on_exported(self, count: int) -> None:
        self.export_button.setEnabled(self.workspace is not None)
        text = f"{count:,} trade{'s' if count != 1 else ''} written to {self._export_path}"
        self.show_notice(text, Tone.POSITIVE)
        self.export_finished.emit(text)

    def _on_export_failed(self, exc: Exception) -> None:
        self.export_button.setEnabled(self.workspace is not None)
        if isinstance(exc, Cancelled):
            text = "Export cancelled; no file was written."
            self.show_notice(text)
        else:
            text = f"Export failed: {getattr(exc, 'message', None) or exc}"
            self.show_notice(text, Tone.NEGATIVE)
        self.export_finished.emit(text)

    # -- internals ---------------------------------------------------------------------------------
    def _on_filter_changed(self, _applied: TradeFilter) -> None:
        self.reload_source()
        self.view.scrollToTop()
        self.update_totals(announce=True)

    def _on_totals(self, result: tuple[int, list[CurrencyTotals]]) -> None:
        generation, totals = result
        if generation == self._totals_generation:
            self.totals.setEnabled(True)
            self.totals.show_totals(totals)
            self.totals_updated.emit()

    def _on_totals_failed(self, exc: Exception) -> None:
        self.totals.setEnabled(True)
        self.totals.show_note(f"Totals could not be read: {exc}")

    def _keep_place(self, reload: Callable[[], None]) -> None:
        """Run ``reload`` and put back the current row, selection and scroll position."""
        model, view = self.model, self.view
        current = view.currentIndex()
        current_row = model.loaded_row(current.row()) if current.isValid() else None
        selected = [model.loaded_row(i.row()) for i in view.selectionModel().selectedRows()]
        selected_ids = {row[-1] for row in selected if row is not None}
        at_top = view.verticalScrollBar().value() == 0
        top = model.loaded_row(view.rowAt(0)) if view.rowAt(0) >= 0 else None
        reload()
        selection = QItemSelection()
        last_column = model.columnCount() - 1
        for row_id in selected_ids:
            r = model.row_of_id(row_id)
            if r >= 0:
                selection.select(model.index(r, 0), model.index(r, last_column))
        view.selectionModel().select(selection, _SELECT.ClearAndSelect)
        if current_row is not None:
            r = model.row_of_id(current_row[-1])
            if r >= 0:
                view.selectionModel().setCurrentIndex(
                    model.index(r, current.column()), _SELECT.NoUpdate
                )
        if at_top:
            view.scrollToTop()  # new trades at the top come into view
        elif top is not None and (r := model.row_of_id(top[-1])) >= 0:
            view.scrollTo(model.index(r, 0), QAbstractItemView.ScrollHint.PositionAtTop)
