"""Settlement obligations by settlement date: the day's worklist."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import MappingProxyType

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QFileDialog, QToolBar, QWidget

from desk_app.domain.errors import DeskError
from desk_app.domain.permissions import Action
from desk_app.services.listing import Column, PageSource, Row
from desk_app.ui.dialogs.settle_dialog import SettleDialog
from desk_app.ui.guarded_actions import ActionSpec, build_actions, update_actions
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.tabs.workspace_view import RunReportView, SettledView
from desk_app.ui.theme import Tone
from desk_app.ui.workers import run_in_background

RUN_TIP = "Create the obligations of trades that have none yet (imported trades); never twice"
NO_OBLIGATION = "Select an obligation first"
ACTIONS = {
    "instruct": ActionSpec("Instruct", Action.SETTLEMENT_SETTLE, "Ctrl+Shift+I",
                           "Mark the selected pending obligations instructed"),
    "match": ActionSpec("Match", Action.SETTLEMENT_SETTLE, "Ctrl+Shift+M",
                        "Mark the selected instructed obligations matched"),
    "settle": ActionSpec("Settle…", Action.SETTLEMENT_SETTLE, "Ctrl+Shift+S",
                         "Settle the selected obligation, all that is left or a part"),
    "export": ActionSpec("Export…", Action.SETTLEMENT_SETTLE, "Ctrl+Shift+X",
                         "Write an ISO 20022 sese.023 instruction for each selected obligation "
                         "(pending ones become instructed)"),
    "statuses": ActionSpec("Statuses…", Action.SETTLEMENT_SETTLE, "",
                           "Apply the market's statuses: sese.024 files or a CSV "
                           "(instruction, status, reason, note)"),
}  # fmt: skip
#: The statuses each action starts from (see desk_app.services.settling).
_FROM = {
    "instruct": frozenset({"pending"}),
    "match": frozenset({"instructed", "failing"}),
    "settle": frozenset({"matched", "partially_settled", "failing"}),
    "export": frozenset({"pending", "instructed"}),
}


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
        self.include_closed = QCheckBox("Show closed", self)
        self.include_closed.setToolTip(
            "Show settled and cancelled obligations too, not only those still open"
        )
        self.include_closed.toggled.connect(self.reload_source)
        self.add_header_widget(self.include_closed)
        self.run_action = QAction("Run settlement", self)
        self.run_action.setObjectName("run_settlement")
        self.run_action.triggered.connect(self.run_settlement)
        self._running = False
        self.obligation_actions = build_actions(
            self, ACTIONS,
            {"instruct": self.instruct, "match": self.match, "settle": self.settle,
             "export": self.export_instructions, "statuses": self.import_statuses},
            name="obligation_action",
        )  # fmt: skip
        # A tool bar folds what does not fit into a » menu, so a narrow window still fits.
        self.toolbar = QToolBar("Obligation actions", self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.run_action)
        self.toolbar.addSeparator()
        for action in self.obligation_actions.values():
            self.toolbar.addAction(action)
            self.view.addAction(action)
        self.add_header_widget(self.toolbar)
        #: The tool bar's button for Run settlement (what a click lands on).
        self.run_button = self.toolbar.widgetForAction(self.run_action)
        self.settle_dialog: SettleDialog | None = None
        self.view.selectionModel().selectionChanged.connect(self.update_actions)
        self.view.selectionModel().currentRowChanged.connect(self.update_actions)
        self.model.reloaded.connect(self.update_actions)
        self._update_run_button()

    def set_workspace(self, workspace: WorkspaceView) -> None:
        super().set_workspace(workspace)
        self._update_run_button()
        self.update_actions()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        self._update_run_button()
        self.update_actions()

    def run_settlement(self) -> None:
        """The settlement run, on a worker; the list shows what it made."""
        workspace = self.workspace
        if workspace is None or not self.run_action.isEnabled():
            return
        self.run_action.setEnabled(False)
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
        if why is not None or key == "statuses":
            return why
        rows = self.selected_rows() if key != "settle" else [r for r in [self.current_row()] if r]
        if not rows:
            return NO_OBLIGATION
        wrong = {str(self.model.value_in(r, "status")) for r in rows} - _FROM[key]
        if wrong:
            shown = ", ".join(sorted(s.replace("_", " ") for s in wrong))
            return f"Not for {shown} obligations"
        if key != "match" and any(self.model.value_in(r, "exception_reason") for r in rows):
            return "Clear the exception first"
        return None

    def update_actions(self, *_args: object) -> None:
        update_actions(self.obligation_actions, ACTIONS, self.refusal)

    def instruct(self) -> None:
        self._move("instruct")

    def match(self) -> None:
        self._move("match")

    def _move(self, key: str) -> None:
        workspace = self.workspace
        if workspace is None or self.refusal(key) is not None:
            return
        ids = [int(r[-1]) for r in self.selected_rows()]
        settling = workspace.settling
        try:
            done = settling.instruct(ids) if key == "instruct" else settling.match(ids)
        except DeskError as exc:
            self.show_notice(exc.message, Tone.NEGATIVE)
            return
        verb = "instructed" if key == "instruct" else "matched"
        self.show_notice(f"{done} obligation{'' if done == 1 else 's'} {verb}", Tone.POSITIVE)
        self.refresh()

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
        try:
            report = workspace.settlement_messages.export(directory, ids=ids)
        except DeskError as exc:
            self.show_notice(exc.message, Tone.NEGATIVE)
            return
        self.show_notice(f"{report.summary} to {directory}", Tone.POSITIVE)
        self.refresh()

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
        try:
            report = workspace.settlement_messages.import_statuses(paths)
        except DeskError as exc:
            self.show_notice(exc.message, Tone.NEGATIVE)
            return
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
        return workspace.settlements.obligations(open_only=not self.include_closed.isChecked())

    def cell_tone(self, column: Column, row: Row) -> Tone | None:
        """Besides the status colours: an open obligation past its settlement date."""
        status = self.model.value_in(row, "status")
        if column.key == "settle_date" and status not in ("settled", "cancelled"):
            settle = self.model.value_in(row, "settle_date")
            if isinstance(settle, date) and settle < date.today():
                return Tone.WARNING
        return super().cell_tone(column, row)
