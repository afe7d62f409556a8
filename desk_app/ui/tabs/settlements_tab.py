"""Settlement obligations by settlement date: the day's worklist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QSizePolicy,
    QSplitter,
    QWidget,
)

from desk_app.domain import labels
from desk_app.domain.codes import FailReason
from desk_app.domain.cutoffs import CUTOFFS
from desk_app.domain.errors import DeskError
from desk_app.domain.listing import Column, PageSource, Row
from desk_app.domain.permissions import Action
from desk_app.domain.settlement_rules import (
    DESK_MAY_FAIL,
    EXPORTABLE,
    MOVES_FROM,
    SETTLEABLE,
)
from desk_app.domain.states import ObligationStatus
from desk_app.ui.dialogs.settle_dialog import SettleDialog
from desk_app.ui.dialogs.trade_ticket_fields import set_tone
from desk_app.ui.guarded_actions import ActionSpec, build_actions, update_actions
from desk_app.ui.ops import Op
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.action_bar import ActionBar
from desk_app.ui.tabs.obligation_pane import ObligationPane
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.tabs.workspace_view import (
    ExportReportView,
    RecheckReportView,
    RunReportView,
    SettledView,
    SettlingView,
    StatusReportView,
)
from desk_app.ui.theme import Tone
from desk_app.ui.workers import Progress, run_in_background, run_with_progress_dialog

RUN_TIP = "Create the obligations of trades that have none yet (imported trades); never twice"
NO_OBLIGATION = "Select an obligation first"
ACTIONS = {
    "instruct": ActionSpec("Instruct", Action.SETTLEMENT_SETTLE, "Ctrl+Shift+I",
                           "Mark the selected pending obligations instructed"),
    "match": ActionSpec("Match", Action.SETTLEMENT_SETTLE, "Ctrl+Shift+M",
                        "Mark the selected instructed obligations matched"),
    "settle": ActionSpec("Settle…", Action.SETTLEMENT_SETTLE, "Ctrl+Shift+S",
                         "Settle the selected obligation, all that is left or a part"),
    "settle_all": ActionSpec("Settle selected", Action.SETTLEMENT_SETTLE, "Ctrl+Shift+L",
                             "Settle all that is left of each selected obligation, in one go"),
    "fail": ActionSpec("Mark failing…", Action.SETTLEMENT_SETTLE, "Ctrl+Shift+F",
                       "Mark the selected obligations failing, with the market's reason code"),
    "export": ActionSpec("Export…", Action.SETTLEMENT_SETTLE, "Ctrl+Shift+X",
                         "Write an ISO 20022 sese.023 instruction for each selected obligation "
                         "(pending ones become instructed)"),
    "statuses": ActionSpec("Statuses…", Action.SETTLEMENT_SETTLE, "",
                           "Apply the market's statuses: sese.024 files or a CSV "
                           "(instruction, status, reason, note)"),
    "recheck": ActionSpec("Re-check", Action.SETTLEMENT_RUN, "Ctrl+Shift+R",
                          "Check the selected obligations' exceptions again: those whose "
                          "cause has gone (an SSI added, the account reopened) clear"),
    "recheck_all": ActionSpec("Re-check all", Action.SETTLEMENT_RUN, "",
                              "Check the exceptions of every open obligation again, "
                              "whatever Show lists"),
}  # fmt: skip
#: The statuses each action starts from: the domain's rules, which the services enforce.
_FROM: dict[str, frozenset[str]] = {
    "instruct": MOVES_FROM[ObligationStatus.INSTRUCTED],
    "match": MOVES_FROM[ObligationStatus.MATCHED],
    "settle": SETTLEABLE,
    "export": EXPORTABLE,
    "settle_all": SETTLEABLE,
    "fail": DESK_MAY_FAIL,
    "recheck": frozenset(s for s in ObligationStatus if s.is_open),
}
#: What the Show list offers: a settlement-date window, the exceptions, or one status.
SHOW = (
    ("any", "Any date"), ("exceptions", "With an exception"), ("today", "Due today"),
    ("next", "Due next settlement day"), ("overdue", "Overdue"), ("pending", "Pending"),
    ("instructed", "Instructed"), ("matched", "Matched"),
    ("partially_settled", "Partially settled"), ("failing", "Failing"),
)  # fmt: skip
CUTOFF_REFRESH_MS = 30_000


class SettlementsTab(TableTab):
    """Open obligations by default (overdue first); settled ones on request."""

    key = "settlements"
    title = "Settlements Due"
    empty_text = "No open settlement obligations."
    search_hint = "account, ISIN, counterparty or trade"
    muted_statuses = frozenset({"cancelled"})
    status_tones = MappingProxyType({
        "failing": Tone.NEGATIVE, "partially_settled": Tone.WARNING, "pending": Tone.WARNING,
        "settled": Tone.POSITIVE,
    })  # fmt: skip

    #: A settlement run ended; the argument says how ("12 obligations created").
    run_finished = Signal(str)
    #: A bulk action (instruct, match, settle, mark failing) ended; what it did.
    bulk_finished = Signal(str)
    #: A re-check ended; what it found (or why it failed).
    recheck_finished = Signal(str)

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self._build_filters()
        self.run_action = QAction("Run settlement", self)
        self.run_action.setObjectName("run_settlement")
        self.run_action.triggered.connect(self.run_settlement)
        self._running = False
        self.obligation_actions = build_actions(
            self, ACTIONS,
            {"instruct": self.instruct, "match": self.match, "settle": self.settle,
             "settle_all": self.settle_selected, "fail": self.mark_failing,
             "export": self.export_instructions, "statuses": self.import_statuses,
             "recheck": self.recheck, "recheck_all": self.recheck_all},
            name="obligation_action",
        )  # fmt: skip
        self.toolbar = ActionBar("Obligation actions", self)
        self.toolbar.addAction(self.run_action)
        self.toolbar.addSeparator()
        for key, action in self.obligation_actions.items():
            self.toolbar.addAction(action)
            if key != "recheck_all":
                self.view.addAction(action)
        self.add_action_bar(self.toolbar)
        #: The tool bar's button for Run settlement (what a click lands on).
        self.run_button = self.toolbar.widgetForAction(self.run_action)
        self.settle_dialog: SettleDialog | None = None
        self.pane = ObligationPane(self)
        self.pane.reversed.connect(self._reversed)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.place_view_in(splitter)
        splitter.addWidget(self.pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.view.selectionModel().currentRowChanged.connect(self._show_current)
        self.model.reloaded.connect(self._reselect)  # a reload drops the selection
        self.view.selectionModel().selectionChanged.connect(self.update_actions)
        self.view.selectionModel().currentRowChanged.connect(self.update_actions)
        self.model.reloaded.connect(self.update_actions)
        self._update_run_button()

    def _build_filters(self) -> None:
        """What to list, and the day's cut-off, on a row of their own under the title."""
        self.include_closed = QCheckBox("Show closed", self)
        self.include_closed.setToolTip(
            "Show settled and cancelled obligations too, not only those still open"
        )
        self.include_closed.toggled.connect(self.reload_source)
        self.show_filter = QComboBox(self)
        self.show_filter.setObjectName("show_filter")
        self.show_filter.setToolTip("Which obligations to list: by settlement date or status")
        for key, text in SHOW:
            self.show_filter.addItem(text, key)
        # A narrow window squeezes the list and the countdown rather than growing.
        self.show_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.show_filter.setMinimumContentsLength(17)  # "With an exception" whole
        self.show_filter.currentIndexChanged.connect(self.reload_source)
        self.cutoff = CUTOFFS["US"]
        self.cutoff_label = QLabel(self)
        self.cutoff_label.setObjectName("cutoff")
        self.cutoff_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.cutoff_label.setMinimumWidth(60)
        bar = QWidget(self)
        bar.setObjectName("settlement_filters")
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Show", bar))
        row.addWidget(self.show_filter)
        row.addWidget(self.include_closed)
        row.addStretch(1)
        row.addWidget(self.cutoff_label, 2, Qt.AlignmentFlag.AlignRight)
        self.insert_header_row(bar)
        self._cutoff_timer = QTimer(self)
        self._cutoff_timer.timeout.connect(self.show_cutoff)
        self._cutoff_timer.start(CUTOFF_REFRESH_MS)
        self.show_cutoff()

    def set_workspace(self, workspace: WorkspaceView) -> None:
        self.pane.workspace = workspace
        super().set_workspace(workspace)
        self._update_run_button()
        self.update_actions()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        self.pane.workspace = None
        self.pane.show_obligation(None)
        self._update_run_button()
        self.update_actions()

    def _reselect(self, *_args: object) -> None:
        """After a reload, the pane's obligation again if the list still shows it."""
        kept = self.pane.detail.id if self.pane.detail is not None else None
        for n in range(self.model.rowCount()):
            row = self.model.loaded_row(n)
            if kept is not None and row is not None and int(row[-1]) == kept:
                self.view.selectRow(n)
                self.pane.show_obligation(kept)  # read again: it may have changed
                return
        self.pane.show_obligation(None)

    def _show_current(self, *_args: object) -> None:
        row = self.current_row()
        self.pane.show_obligation(None if row is None else int(row[-1]))

    def _reversed(self, text: str) -> None:
        self.show_notice(text, Tone.POSITIVE)
        self.refresh()
        self.records_changed.emit()

    def run_settlement(self) -> None:
        """The settlement run, on a worker; the list shows what it made."""
        workspace = self.workspace
        if workspace is None or not self.run_action.isEnabled():
            return
        self.run_action.setEnabled(False)
        self._running = True
        self.show_notice("Running settlement…")
        # Already on a worker, with its own outcome signal (run_finished) for a failure too.
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

    # -- moving obligations on --------------------------------------------------------------
    def selected_rows(self) -> list[Row]:
        rows = (self.model.loaded_row(i.row()) for i in self.view.selectionModel().selectedRows())
        chosen = [r for r in rows if r is not None]
        current = self.current_row()
        return chosen or ([current] if current is not None else [])

    def refusal(self, key: str) -> str | None:
        """Why ``key`` cannot run on the selection now (roles first)."""
        workspace = self.workspace
        if workspace is None:
            return "No database open"
        why = workspace.user.refusal(ACTIONS[key].permission)
        if why is not None or key in ("statuses", "recheck_all"):
            return why
        rows = self.selected_rows() if key != "settle" else [r for r in [self.current_row()] if r]
        if not rows:
            return NO_OBLIGATION
        wrong = {str(self.model.value_in(r, "status")) for r in rows} - _FROM[key]
        if wrong:
            shown = ", ".join(sorted(s.replace("_", " ") for s in wrong))
            return f"Not for {shown} obligations"
        if key in ("match", "recheck"):
            return None
        if any(self.model.value_in(r, "exception_reason") for r in rows):
            return "Clear the exception first"
        return None

    def update_actions(self, *_args: object) -> None:
        update_actions(self.obligation_actions, ACTIONS, self.refusal)

    def instruct(self) -> None:
        self._move("instruct")

    def match(self) -> None:
        self._move("match")

    def _move(self, key: str) -> None:
        verb = "instructed" if key == "instruct" else "matched"

        def move(settling: SettlingView, ids: list[int], _progress: Progress) -> str:
            count = settling.instruct(ids) if key == "instruct" else settling.match(ids)
            return f"{count} obligation{'' if count == 1 else 's'} {verb}"

        self._bulk(key, move)

    def settle_selected(self) -> None:
        """Settle all that is left of each selected obligation, on a worker."""

        def settle(settling: SettlingView, ids: list[int], progress: Progress) -> str:
            return settling.settle_all(ids, progress).summary

        self._bulk("settle_all", settle)

    def mark_failing(self, reason: str | None = None) -> None:
        """Mark the selection failing with a reason code (asked for if not given)."""
        if self.workspace is None or self.refusal("fail") is not None:
            return
        if reason is None:
            shown = [labels.FAIL_REASON[code.value] for code in FailReason]
            chosen, ok = QInputDialog.getItem(
                self, "Mark failing", "The market's reason code (sese.024):", shown, 0, False
            )
            if not ok:
                return
            reason = FailReason(chosen.partition(":")[0]).value
        code = reason

        def fail(settling: SettlingView, ids: list[int], _progress: Progress) -> str:
            count = settling.mark_failing(ids, code)
            return f"{count} obligation{'' if count == 1 else 's'} failing ({code})"

        self._bulk("fail", fail)

    def recheck(self) -> None:
        """Check the selected obligations' exceptions again, off the GUI thread."""
        if self.workspace is None or self.refusal("recheck") is not None:
            return
        self._recheck([int(r[-1]) for r in self.selected_rows()])

    def recheck_all(self) -> None:
        """Check every open obligation's exceptions again, off the GUI thread."""
        if self.workspace is None or self.refusal("recheck_all") is not None:
            return
        self._recheck(None)

    def _recheck(self, ids: list[int] | None) -> None:
        workspace = self.workspace
        assert workspace is not None
        settlements = workspace.settlements

        def done(report: RecheckReportView) -> None:
            tone = Tone.POSITIVE if not report.remaining else Tone.WARNING
            self.show_notice(report.summary, tone)
            self.notice.setToolTip("\n".join(f"{oid}: {why}" for oid, why in report.remaining[:30]))
            self.refresh()
            self.records_changed.emit()
            self.recheck_finished.emit(report.summary)

        def refused(exc: DeskError) -> None:
            self.show_notice(exc.message, Tone.NEGATIVE)
            self.recheck_finished.emit(exc.message)

        Op(
            self, self.reading(lambda: settlements.recheck(ids)), done=done, refused=refused,
            label="Re-checking exceptions…", busy_key="settlement_recheck",
        ).run()  # fmt: skip

    def _bulk(self, key: str, work: Callable[[SettlingView, list[int], Progress], str]) -> None:
        """Run ``work`` on the selection off the GUI thread, behind a progress dialog."""
        workspace = self.workspace
        if workspace is None or self.refusal(key) is not None:
            return
        settling = workspace.settling
        ids = [int(r[-1]) for r in self.selected_rows()]

        def finished(text: str) -> None:
            self.show_notice(text, Tone.POSITIVE)
            self.refresh()
            self.records_changed.emit()
            self.bulk_finished.emit(text)

        def failed(exc: Exception) -> None:
            text = getattr(exc, "message", None) or str(exc)
            self.show_notice(text, Tone.NEGATIVE)
            self.bulk_finished.emit(text)

        reporter: list[Progress] = []
        job = self.reading(lambda: work(settling, ids, reporter[0]))

        def run(progress: Progress) -> str:
            reporter.append(progress)
            return job()

        # A long job with its own progress dialog: already the helper's kind of worker.
        run_with_progress_dialog(
            run, finished, failed,
            parent=self, title=ACTIONS[key].text.rstrip("…"),
            label=f"{len(ids)} obligation{'' if len(ids) == 1 else 's'}…",
        )  # fmt: skip

    def settle(self) -> SettleDialog | None:
        """Settle the current obligation in a dialog (all that is left, or a part)."""
        workspace, row = self.workspace, self.current_row()
        if workspace is None or row is None or self.refusal("settle") is not None:
            return None
        value = self.model.value_in
        left = value(row, "quantity") - value(row, "settled_quantity")
        movement = str(value(row, "direction")).capitalize()
        what = (f"{int(row[-1])}: {movement} {value(row, 'isin')}, {value(row, 'account')} "
                f"with {value(row, 'counterparty')}")  # fmt: skip
        dialog = SettleDialog(
            workspace.settling, int(row[-1]), what, left,
            currency=str(value(row, "currency")), parent=self,
        )  # fmt: skip
        dialog.settled.connect(self._settled)
        self.settle_dialog = dialog
        dialog.open()
        return dialog

    def export_instructions(self, directory: Path | None = None) -> None:
        """Write the selection's sese.023 files into ``directory`` (asked for if not given)."""
        workspace = self.workspace
        if workspace is None or self.refusal("export") is not None:
            return
        ids = [int(r[-1]) for r in self.selected_rows()]
        if directory is None:
            chosen = QFileDialog.getExistingDirectory(self, "Export instructions to")
            if not chosen:
                return
            directory = Path(chosen)
        messages, target = workspace.settlement_messages, directory

        def exported(report: ExportReportView) -> None:
            self.show_notice(f"{report.summary} to {target}", Tone.POSITIVE)
            self.refresh()

        Op(
            self, self.reading(lambda: messages.export(target, ids=ids)),
            done=exported, busy_key="settlement_messages",
        ).run()  # fmt: skip

    def import_statuses(self, paths: list[Path] | None = None) -> None:
        """Apply status files (asked for if not given): all of them, or none."""
        workspace = self.workspace
        if workspace is None or self.refusal("statuses") is not None:
            return
        if paths is None:
            names, _ = QFileDialog.getOpenFileNames(
                self, "Apply statuses", "", "Status files (*.xml *.csv);;All files (*)"
            )
            paths = [Path(n) for n in names]
        if not paths:
            return
        messages, files = workspace.settlement_messages, paths
        Op(
            self, self.reading(lambda: messages.import_statuses(files)),
            done=self._statuses_applied, busy_key="settlement_messages",
        ).run()  # fmt: skip

    def _statuses_applied(self, report: StatusReportView) -> None:
        if not report.ok:
            problems = [str(p) for p in report.problems]
            self.show_notice(
                f"Nothing applied: {problems[0]}"
                + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                Tone.NEGATIVE,
            )
            self.notice.setToolTip("\n".join(problems))
            return
        self.notice.setToolTip("")
        self.show_notice(report.summary, Tone.POSITIVE)
        self.refresh()

    def _settled(self, done: SettledView) -> None:
        left = f"; {done.residual.normalize():f} left" if done.residual else ""
        self.show_notice(
            f"{done.quantity.normalize():f} settled for {done.amount_text}{left} "
            f"(posting {done.posting_id})", Tone.POSITIVE,
        )  # fmt: skip
        self.refresh()
        self.records_changed.emit()

    def _update_run_button(self) -> None:
        workspace = self.workspace
        why = (
            "No database open"
            if workspace is None
            else workspace.user.refusal(Action.SETTLEMENT_RUN)
        )
        if why is None and self._running:
            why = "A settlement run is on its way"
        self.run_action.setEnabled(why is None)
        self.run_action.setToolTip(why or RUN_TIP)

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        show = str(self.show_filter.currentData())
        today = self.market_today()
        window: dict[str, date] = {}
        if show == "today":
            window["due"] = today
        elif show == "next":
            window["due"] = workspace.calendar.calendar(self.cutoff.market).next_settlement_day(
                today
            )
        elif show == "overdue":
            window["before"] = today
        status = ObligationStatus(show) if show in {s.value for s in ObligationStatus} else None
        # Overdue means still open, whatever Show closed says.
        open_only = show == "overdue" or not self.include_closed.isChecked()
        # On the GUI thread: the source only describes the query (and the calendar is a
        # handful of rows); the model reads it a page at a time.
        obligations = workspace.settlements.obligations(
            open_only=open_only,
            status=status,
            exceptions_only=show == "exceptions",
            search=self.search_text(),
            **window,
        )
        return workspace.restrictions.badged(obligations)  # read for each page's accounts

    def market_today(self) -> date:
        """Today as the market's clock has it (the desk may be in another time zone)."""
        return self.cutoff.today(datetime.now(UTC))

    def show_cutoff(self) -> None:
        """The countdown to today's cut-off (red once passed); today's rows follow it."""
        now = datetime.now(UTC)
        passed = self.cutoff.passed(now)
        text = self.cutoff.countdown(now)
        if self.workspace is not None:  # a weekend or a holiday: the next cut-off
            # On the GUI thread: the calendar is a handful of override rows, read every 30 s.
            calendar = self.workspace.calendar.calendar(self.cutoff.market)
            state = self.cutoff.state(now, calendar)
            text, passed = state.text, state.passed
        self.cutoff_label.setText(text)
        self.cutoff_label.setToolTip(
            f"Today's {self.cutoff.name} cut-off: what is due today and not settled by then "
            "turns red"
        )
        set_tone(self.cutoff_label, Tone.NEGATIVE if passed else Tone.WARNING)
        if passed != getattr(self, "_cutoff_passed", passed):
            self.model.repaint_all()
        self._cutoff_passed = passed

    def _size_columns(self) -> None:
        """Fitted as every list is, but the exception whole: it is why a person looks
        (up to 45% of the table's width; the detail pane has it in full)."""
        super()._size_columns()
        column = self.model.column_of("exception_reason")
        if column < 0:
            return
        header = self.view.horizontalHeader()
        fitted = header.sectionSize(column)
        self.view.resizeColumnToContents(column)
        padding = 2 * self.view.fontMetrics().averageCharWidth()
        wanted = self.view.horizontalHeader().sectionSize(column) + padding
        header.resizeSection(column, max(fitted, min(wanted, int(self.view.width() * 0.45))))

    def cell_tone(self, column: Column, row: Row) -> Tone | None:
        """Besides the status colours: an open obligation's exception in red, and one past
        its settlement date (amber; red once today's cut-off has gone)."""
        status = self.model.value_in(row, "status")
        if column.key == "exception_reason" and status in _FROM["recheck"]:
            if self.model.value_in(row, column.key):
                return Tone.NEGATIVE
        if column.key == "settle_date" and status not in ("settled", "cancelled"):
            settle = self.model.value_in(row, "settle_date")
            today = self.market_today()
            if isinstance(settle, date) and settle < today:
                return Tone.WARNING
            if settle == today and self.cutoff.passed(datetime.now(UTC)):
                return Tone.NEGATIVE  # due today and the cut-off has gone
        return super().cell_tone(column, row)
