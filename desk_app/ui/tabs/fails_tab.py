"""Fails: open obligations past their settlement date, aged, with a chart of them by age.

The list is read fresh on every refresh (as of today): the Reg SHO close-out date
first (red once passed, amber when it is close), the market's reason code with its
meaning and the capital-charge flags, then age in settlement days and the rest.
Beside it, narrower and collapsible, the fails by aging bucket, each way, as a
stacked bar chart; the splitter remembers its place. **Print report…** writes the
same list as a PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QMargins, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QLabel, QSplitter, QVBoxLayout, QWidget

from desk_app.domain.cutoffs import CUTOFFS
from desk_app.domain.listing import Column, PageSource, Row
from desk_app.domain.permissions import Action
from desk_app.ui.guarded_actions import ActionSpec, build_actions, update_actions
from desk_app.ui.ops import Op
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.action_bar import ActionBar
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.tabs.workspace_view import BucketView, FailView
from desk_app.ui.theme import Tone

if TYPE_CHECKING:  # QtCharts loads when the chart is first drawn, not at startup
    from PySide6.QtCharts import QChartView

ACTIONS = {
    "report": ActionSpec("Print report…", Action.VIEW_BOOKS, "Ctrl+P",
                         "Write the fails report (aging buckets and every fail) as a PDF"),
}  # fmt: skip
SIDES = ("To deliver", "To receive")
#: A close-out date this many days ahead (or nearer) shows amber; a passed one red.
CLOSE_OUT_SOON_DAYS = 3
#: Where the splitter between the list and the chart is remembered.
SPLITTER_KEY = "tables/fails/splitter"


class FailsTab(TableTab):
    key = "fails"
    title = "Fails"
    empty_text = "No fails: every obligation due has settled."
    search_hint = "account, ISIN, counterparty or trade"

    #: The fails report was written; the argument is where.
    report_written = Signal(object)

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.fails: Sequence[FailView] = ()
        self.buckets: Sequence[BucketView] = ()
        self.as_of = CUTOFFS["US"].today(datetime.now(UTC))
        self.fail_actions = build_actions(
            self, ACTIONS, {"report": self.print_report}, name="fails_action"
        )
        self.toolbar = ActionBar("Fails actions", self)
        for action in self.fail_actions.values():
            self.toolbar.addAction(action)
        # Named before it is added: the bar picks the icon by the action's name.
        self.chart_action = QAction("Chart", self)
        self.chart_action.setObjectName("chart_fails_action")
        self.chart_action.setCheckable(True)
        self.chart_action.setToolTip("Show or hide the chart of the fails by age")
        self.toolbar.addAction(self.chart_action)
        self.add_action_bar(self.toolbar)
        self.side = QWidget(self)
        self.side.setObjectName("fails_by_age")
        column = self._side_layout = QVBoxLayout(self.side)
        column.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel(self.side)
        self.summary.setObjectName("fails_summary")
        self.summary.setWordWrap(True)
        column.addWidget(self.summary)
        self.chart_view: QChartView | None = None
        # The list is the main thing: the chart takes what the clerk leaves it, and folds away.
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("fails_splitter")
        self.place_view_in(splitter)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        splitter.setSizes([1000, 280])
        saved = settings.store.value(SPLITTER_KEY)
        if isinstance(saved, QByteArray | bytes) and saved:
            splitter.restoreState(QByteArray(saved))
        self.chart_action.setChecked(splitter.sizes()[1] > 0)
        splitter.splitterMoved.connect(self._splitter_moved)
        self.chart_action.toggled.connect(self._show_chart)
        self._update_actions()

    # -- the list ---------------------------------------------------------------------------
    def source_from(self, workspace: WorkspaceView) -> PageSource:
        self.as_of = CUTOFFS["US"].today(datetime.now(UTC))  # the market's date
        # On the GUI thread: the model asks for its source here; the fails are the open
        # obligations past their date, a short list, and the chart is drawn from them.
        self.fails = workspace.fails.fails(self.as_of, self.search_text())
        self.buckets = workspace.fails.buckets(self.fails)
        self._draw()
        return workspace.fails.source_of(self.fails)

    def refresh(self) -> None:
        """Read the fails again (they age with the calendar, not with edits)."""
        self.reload_source()

    def set_workspace(self, workspace: WorkspaceView) -> None:
        super().set_workspace(workspace)
        self._update_actions()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        self.fails, self.buckets = (), ()
        self._draw()
        self._update_actions()

    def cell_tone(self, column: Column, row: Row) -> Tone | None:
        """The close-out deadline colours its date and the reason (red once passed, amber
        when close); a capital charge amber, fails older than 13 settlement days red."""
        value = self.model.value_in
        close_out = value(row, "close_out")
        if column.key in ("close_out", "fail_reason") and isinstance(close_out, date):
            if close_out <= self.as_of:
                return Tone.NEGATIVE
            if close_out <= self.as_of + timedelta(days=CLOSE_OUT_SOON_DAYS):
                return Tone.WARNING
        if column.key == "capital" and value(row, "capital"):
            return Tone.WARNING
        if column.key == "age" and (value(row, "age") or 0) > 13:
            return Tone.NEGATIVE
        return super().cell_tone(column, row)

    # -- the chart --------------------------------------------------------------------------
    def _draw(self) -> None:
        """The fails by age, each way: a summary line and a stacked bar chart."""
        to_deliver = sum(b.to_deliver for b in self.buckets)
        to_receive = sum(b.to_receive for b in self.buckets)
        self.summary.setText(
            f"As of {self.as_of.isoformat()}: {to_deliver} to deliver, {to_receive} to "
            "receive, by age in settlement days"
            if self.buckets
            else ""
        )
        if not self.buckets and self.chart_view is None:
            return
        chart = self._chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self._fill(chart)

    def _chart(self) -> Any:
        from PySide6.QtCharts import QChart, QChartView

        if self.chart_view is None:
            chart = QChart()
            chart.setTitle("Fails by age (settlement days)")
            chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
            chart.setMargins(QMargins(2, 2, 2, 2))
            chart.layout().setContentsMargins(0, 0, 0, 0)
            self.chart_view = QChartView(chart, self.side)
            self.chart_view.setObjectName("fails_chart")
            self.chart_view.setMinimumSize(200, 180)
            self._side_layout.addWidget(self.chart_view, 1)
        return self.chart_view.chart()

    def _fill(self, chart: Any) -> None:
        from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QStackedBarSeries, QValueAxis

        series = QStackedBarSeries()
        for name, counts in zip(SIDES, (
            [b.to_deliver for b in self.buckets], [b.to_receive for b in self.buckets]
        ), strict=True):  # fmt: skip
            bars = QBarSet(name)
            bars.append([float(n) for n in counts])
            series.append(bars)
        tallest = max((b.to_deliver + b.to_receive for b in self.buckets), default=0)
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append([b.label for b in self.buckets])
        small = categories.labelsFont()  # five buckets side by side in a narrow pane
        small.setPointSizeF(small.pointSizeF() * 0.85)
        categories.setLabelsFont(small)
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        step = max(1, -(-tallest // 5))  # whole fails per grid line, at most 5 lines
        top = step * max(1, -(-tallest // step))
        scale = QValueAxis()
        scale.setRange(0, top)
        scale.setLabelFormat("%d")
        scale.setTickCount(top // step + 1)
        chart.addAxis(scale, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(scale)

    def _splitter_moved(self, *_args: object) -> None:
        """Remember where the clerk left the splitter; dragged shut, the chart is off."""
        self._settings.store.setValue(SPLITTER_KEY, self.splitter.saveState())
        shown = self.splitter.sizes()[1] > 0
        if shown != self.chart_action.isChecked():
            self.chart_action.blockSignals(True)
            self.chart_action.setChecked(shown)
            self.chart_action.blockSignals(False)

    def _show_chart(self, shown: bool) -> None:
        """Fold the chart away (the list takes the width) or bring it back."""
        total = sum(self.splitter.sizes()) or self.width()
        side = max(self.side.minimumSizeHint().width(), 280) if shown else 0
        self.splitter.setSizes([total - side, side])
        self._settings.store.setValue(SPLITTER_KEY, self.splitter.saveState())

    # -- the report -------------------------------------------------------------------------
    def print_current(self) -> object:
        """File → Print: the fails report."""
        return self.print_report()

    def print_report(self, path: Path | None = None) -> bool:
        """Write the fails report to ``path`` (asked for if not given), on a worker; say where.

        False when nothing was started (refused, cancelled, or a report already on its way).
        """
        workspace = self.workspace
        if workspace is None or self._refusal() is not None:
            return False
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, "Print the fails report", f"fails-{self.as_of.isoformat()}.pdf",
                "PDF files (*.pdf)",
            )  # fmt: skip
            if not name:
                return False
            path = Path(name)
        fails, target, as_of = workspace.fails, path, self.as_of
        return Op(
            self, self.reading(lambda: fails.report(target, as_of)),
            done=self._report_written, label="Writing the fails report…", busy_key="fails_report",
        ).run()  # fmt: skip

    def _report_written(self, written: Path) -> None:
        self.show_notice(f"Fails report written to {written}", Tone.POSITIVE)
        self.report_written.emit(written)

    def _refusal(self, _key: str = "report") -> str | None:
        if self.workspace is None:
            return "No database open"
        return self.workspace.user.refusal(Action.VIEW_BOOKS)

    def _update_actions(self) -> None:
        update_actions(self.fail_actions, ACTIONS, self._refusal)
