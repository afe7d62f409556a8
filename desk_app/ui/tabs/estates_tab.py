"""Estates: the open cases of deceased holders by age, and the selected case's checklist.

A case opens from the Accounts tab (**Record death…**). A sole account's case waits
for its executor: **Add executor…** files the retitle to "Estate of ..." with the
executor and the estate's EIN (one request a principal approves). Here the clerk
receives and verifies its documents, prints the deficiency letter (what is still missing or has
expired) and, once every document is verified, asks for re-registration to the new
owners, which a principal other than them approves in the Approvals tab.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.estate_rules import DocumentStatus, EstatePath
from desk_app.domain.listing import PageSource
from desk_app.domain.permissions import Action
from desk_app.ui.guarded_actions import ActionSpec, build_actions, update_actions
from desk_app.ui.ops import Op
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.action_bar import ActionBar
from desk_app.ui.tabs.estate_views import EstateCaseView
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.theme import Tone, foreground

if TYPE_CHECKING:
    from desk_app.ui.dialogs.estate_dialogs import (
        BeneficiaryDiedDialog,
        DocumentDateDialog,
        ReregisterDialog,
    )
    from desk_app.ui.dialogs.executor_dialog import AddExecutorDialog

NO_CASE = "Select a case first"
NO_DOCUMENT = "Select a document of the checklist first"
ACTIONS = {
    "receive": ActionSpec("Receive", Action.ESTATE_CASE, "Ctrl+R",
                          "Record the selected document as received (a newer copy replaces "
                          "the last)"),
    "verify": ActionSpec("Verify", Action.ESTATE_CASE, "Ctrl+Shift+V",
                         "Record the selected document as checked and in order"),
    "executor": ActionSpec("Add executor…", Action.ESTATE_CASE, "",
                           "Name the executor the letters name: files the retitle to "
                           "\u201cEstate of \u2026\u201d with the estate's EIN (a principal "
                           "approves)"),
    "beneficiary_died": ActionSpec("Beneficiary died…", Action.ESTATE_CASE, "",
                                   "Record that a beneficiary died before the holder: their "
                                   "share follows the designation"),
    "letter": ActionSpec("Print deficiency letter…", Action.ESTATE_CASE, "Ctrl+P",
                         "Write the letter listing what is missing or expired, and open it"),
    "reregister": ActionSpec("Re-register…", Action.ESTATE_REREGISTER, "Ctrl+Shift+R",
                             "Ask to move everything to the new owners (a principal approves)"),
}  # fmt: skip
_DOCUMENT_COLUMNS = ("Document", "Status", "Received", "Verified", "Expires")
_TONES = {DocumentStatus.VERIFIED: Tone.POSITIVE, DocumentStatus.EXPIRED: Tone.NEGATIVE,
          DocumentStatus.REQUIRED: Tone.WARNING}  # fmt: skip


class EstatesTab(TableTab):
    key = "estates"
    title = "Estates"
    empty_text = "No open estate cases."
    search_hint = "case, account, name or path"

    #: The deficiency letter was written; the argument is where.
    letter_written = Signal(object)
    #: The selected case was read again (its checklist is up to date).
    case_shown = Signal(object)

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.case: EstateCaseView | None = None
        self.reregister_dialog: ReregisterDialog | None = None
        self.date_dialog: DocumentDateDialog | None = None
        self.died_dialog: BeneficiaryDiedDialog | None = None
        self.executor_dialog: AddExecutorDialog | None = None
        slots = {"receive": lambda: self.receive(False), "verify": lambda: self.receive(True),
                 "letter": self.print_letter, "reregister": self.reregister,
                 "beneficiary_died": self.beneficiary_died,
                 "executor": self.add_executor}  # fmt: skip
        self.estate_actions = build_actions(self, ACTIONS, slots, name="estate_action")
        self.toolbar = ActionBar("Estate actions", self)
        for action in self.estate_actions.values():
            self.toolbar.addAction(action)
        self.add_action_bar(self.toolbar)
        self.pane = QWidget(self)
        self.pane.setObjectName("estate_case_pane")
        column = QVBoxLayout(self.pane)
        column.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(self.pane)
        self.heading.setObjectName("estate_case_heading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.checklist = QTableWidget(0, len(_DOCUMENT_COLUMNS), self.pane)
        self.checklist.setObjectName("estate_checklist")
        self.checklist.setHorizontalHeaderLabels(_DOCUMENT_COLUMNS)
        self.checklist.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.checklist.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.checklist.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.checklist.verticalHeader().hide()
        header = self.checklist.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for n in range(1, len(_DOCUMENT_COLUMNS)):
            header.setSectionResizeMode(n, QHeaderView.ResizeMode.ResizeToContents)
        column.addWidget(self.heading)
        column.addWidget(self.checklist, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.place_view_in(self.splitter)
        self.splitter.addWidget(self.pane)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.selectionModel().currentRowChanged.connect(self._show_selected)
        self.model.reloaded.connect(self._reselect)
        self.checklist.itemSelectionChanged.connect(self.update_actions)
        self.update_actions()

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        return workspace.estates.cases_source(self.search_text())

    def refresh(self) -> None:
        """Read the cases again (the list is read whole; cases age with the calendar)."""
        self.reload_source()

    def set_workspace(self, workspace: WorkspaceView) -> None:
        super().set_workspace(workspace)
        self.update_actions()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        self._show(None)

    # -- the selected case ------------------------------------------------------------------
    def selected_case(self) -> int | None:
        row = self.current_row()
        return None if row is None else int(self.model.value_in(row, "id"))

    def selected_document(self) -> str | None:
        rows = self.checklist.selectionModel().selectedRows()
        if not rows or self.case is None:
            return None
        return self.case.documents[rows[0].row()].kind

    def _reselect(self) -> None:
        """After the list is read again: the case shown stays selected and is read again too
        (its heading and checklist may have changed elsewhere: an approval, a party change)."""
        shown = self.case.id if self.case is not None else None
        for r in range(self.model.rowCount()):
            if self.model.value_in(self.model.row_at(r), "id") == shown:
                before = self.view.currentIndex().row()
                self.view.selectRow(r)
                if self.view.currentIndex().row() == before:  # no signal: nothing read it yet
                    self._show_selected()
                return
        if self.model.rowCount() > 0:
            self.view.selectRow(0)
        else:
            self._show(None)

    def _show_selected(self, *_args: object) -> None:
        case_id, workspace = self.selected_case(), self.workspace
        if case_id is None or workspace is None:
            self._show(None)
            return
        estates = workspace.estates
        Op(self, self.reading(lambda: estates.case(case_id)), done=self._show,
           busy_key=f"estates.case.{id(self)}").run()  # fmt: skip

    def _show(self, case: EstateCaseView | None, keep: str | None = None) -> None:
        """Show ``case`` and its checklist (the document ``keep``, or the one selected, stays
        selected when the same case is shown again)."""
        same = case is not None and self.case is not None and case.id == self.case.id
        keep = keep or (self.selected_document() if same else None)
        self.case = case
        self.checklist.setRowCount(0 if case is None else len(case.documents))
        if case is None:
            self.heading.setText("Select a case to see its documents.")
        else:
            retitle = f"; {case.executor_state}" if case.executor_state else ""
            who = case.decedent or case.name
            owners = ", ".join(f"{o.name} {o.percent}%" for o in case.new_owners)
            gone = "".join(f" {line} (before the holder)." for line in case.predeceased)
            self.heading.setText(
                f"Case {case.id}: {case.account} {case.name} ({case.registration}); {who} "
                f"died {case.date_of_death.isoformat()}. {case.path.label}{retitle}. "
                f"Notice: {case.notice_source}. Open {case.age_days} days.\n"
                f"New owners: {owners}.{gone}"
                + (" Needs a decision: " + "; ".join(case.decisions) if case.decisions else "")
                + (f"\nSmall-estate affidavit: {case.small_estate}." if case.small_estate else "")
            )
            for r, doc in enumerate(case.documents):
                texts = (doc.label, doc.status.value, doc.received, doc.verified,
                         doc.expires_on.isoformat() if doc.expires_on else "")  # fmt: skip
                for c, text in enumerate(texts):
                    item = QTableWidgetItem(text)
                    if c == 1 and doc.status in _TONES:
                        item.setForeground(foreground(_TONES[doc.status]))
                    self.checklist.setItem(r, c, item)
                if doc.kind == keep:
                    self.checklist.selectRow(r)
        self.update_actions()
        self.case_shown.emit(case)

    # -- what is allowed ----------------------------------------------------------------------
    def refusal(self, key: str) -> str | None:
        workspace = self.workspace
        if workspace is None:
            return "No database open"
        why = workspace.user.refusal(ACTIONS[key].permission)
        if why is not None:
            return why
        if self.case is None:
            return NO_CASE
        if key in ("receive", "verify") and self.selected_document() is None:
            return NO_DOCUMENT
        if key == "executor" and not self.case.executor_state:
            return "Only a sole account's case is retitled to its estate under an executor"
        if key == "executor" and self.case.executor_pending is not None:
            return (
                f"The executor retitle waits for approval in request "
                f"{self.case.executor_pending}: a principal approves or rejects it first"
            )
        if key == "beneficiary_died" and self.case.path is not EstatePath.BENEFICIARY:
            return "Only a case that passes to beneficiaries (TOD, IRA) has beneficiaries"
        if key == "reregister" and self.case.not_ready:
            return "Documents not yet verified: " + "; ".join(self.case.not_ready)
        return None

    def update_actions(self, *_args: object) -> None:
        update_actions(self.estate_actions, ACTIONS, self.refusal)

    # -- the actions ----------------------------------------------------------------------------
    def receive(self, verified: bool, dated: date | None = None) -> bool:
        """Record the selected document received (or verified), then show the case again.

        A new copy of a document that must be recent (letters) asks for the date it bears.
        """
        key = "verify" if verified else "receive"
        workspace, case, kind = self.workspace, self.case, self.selected_document()
        if self.refusal(key) is not None or workspace is None or case is None or kind is None:
            return False
        doc = next(d for d in case.documents if d.kind == kind)
        new_copy = not verified or doc.status in (DocumentStatus.REQUIRED, DocumentStatus.EXPIRED)
        if dated is None and new_copy and doc.recency_days is not None:
            self._ask_date(doc.label, doc.recency_days, verified)
            return False
        estates, case_id = workspace.estates, case.id

        def work() -> EstateCaseView:
            estates.receive(case_id, kind, verified=verified, dated=dated)
            return estates.case(case_id)

        return Op(self, work, done=lambda shown: self._received(shown, kind),
                  busy_key=f"estates.receive.{id(self)}").run()  # fmt: skip

    def _ask_date(self, label: str, days: int, verified: bool) -> None:
        from desk_app.ui.dialogs.estate_dialogs import DocumentDateDialog

        dialog = DocumentDateDialog(label, days, self)
        if self.date_dialog is not None:
            self.date_dialog.deleteLater()
        self.date_dialog = dialog
        dialog.accepted.connect(lambda: self.receive(verified, dialog.day()))
        dialog.open()

    def _received(self, case: EstateCaseView, kind: str) -> None:
        self._show(case, keep=kind)
        doc = next(d for d in case.documents if d.kind == kind)
        self.show_notice(f"{doc.label}: {doc.status.value}", Tone.POSITIVE)
        self.reload_source()  # the list's outstanding count

    def print_current(self) -> object:
        """File → Print: the selected case's deficiency letter."""
        return self.print_letter()

    def print_letter(self, path: Path | None = None) -> bool:
        """Write the deficiency letter (asked where, if not given) and open it."""
        workspace, case = self.workspace, self.case
        if self.refusal("letter") is not None or workspace is None or case is None:
            return False
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, "Print the deficiency letter", f"estate-case-{case.id}-letter.pdf",
                "PDF files (*.pdf)",
            )  # fmt: skip
            if not name:
                return False
            path = Path(name)
        estates, case_id, target = workspace.estates, case.id, path
        return Op(self, lambda: estates.letter(case_id, target), done=self._letter_written,
                  label="Writing the deficiency letter…",
                  busy_key=f"estates.letter.{id(self)}").run()  # fmt: skip

    def _letter_written(self, written: Path) -> None:
        self.show_notice(f"Deficiency letter written to {written}", Tone.POSITIVE)
        if QGuiApplication.platformName() != "offscreen":  # no desktop to show it on
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(written)))
        self.letter_written.emit(written)

    def reregister(self) -> ReregisterDialog | None:
        workspace, case = self.workspace, self.case
        if self.refusal("reregister") is not None or workspace is None or case is None:
            return None
        from desk_app.ui.dialogs.estate_dialogs import ReregisterDialog

        dialog = ReregisterDialog(
            workspace.estates,
            case.id,
            case.account,
            self,
            proposal=case.new_owners,
            registration=case.registration,
            spouses=case.spouses,
        )
        if self.reregister_dialog is not None:
            self.reregister_dialog.deleteLater()
        self.reregister_dialog = dialog
        dialog.accepted.connect(lambda: self._requested(dialog))
        dialog.open()
        return dialog

    def beneficiary_died(self) -> BeneficiaryDiedDialog | None:
        workspace, case = self.workspace, self.case
        if self.refusal("beneficiary_died") is not None or workspace is None or case is None:
            return None
        from desk_app.ui.dialogs.estate_dialogs import BeneficiaryDiedDialog

        names = [o.name for o in case.new_owners if o.decided]
        dialog = BeneficiaryDiedDialog(workspace.estates, case.id, names, self)
        if self.died_dialog is not None:
            self.died_dialog.deleteLater()
        self.died_dialog = dialog
        dialog.accepted.connect(lambda: self._beneficiary_recorded(dialog))
        dialog.open()
        return dialog

    def add_executor(self) -> AddExecutorDialog | None:
        workspace, case = self.workspace, self.case
        if self.refusal("executor") is not None or workspace is None or case is None:
            return None
        from desk_app.ui.dialogs.executor_dialog import AddExecutorDialog

        decedent = case.decedent or case.name.removeprefix("Estate of ")
        dialog = AddExecutorDialog(workspace.estates, case.id, decedent, self)
        if self.executor_dialog is not None:
            self.executor_dialog.deleteLater()
        self.executor_dialog = dialog
        dialog.accepted.connect(lambda: self._executor_sent(dialog))
        dialog.open()
        return dialog

    def _executor_sent(self, dialog: AddExecutorDialog) -> None:
        self.show_notice(
            f"Request {dialog.request_id} sent for approval: retitle to \u201cEstate of "
            f"{dialog.decedent}\u201d, executor {dialog.party()['name']}", Tone.POSITIVE,
        )  # fmt: skip
        self._show_selected()  # the heading says the retitle waits; the action is off
        self.records_changed.emit()  # the Approvals tab counts it

    def _beneficiary_recorded(self, dialog: BeneficiaryDiedDialog) -> None:
        self._show(dialog.case)
        self.show_notice(f"Recorded: {dialog.name.currentText()} died before the holder; "
                         "the shares follow", Tone.POSITIVE)  # fmt: skip
        self.reload_source()

    def _requested(self, dialog: ReregisterDialog) -> None:
        self.show_notice(
            f"Request {dialog.request_id} sent for approval: re-register estate case "
            f"{dialog.case_id}", Tone.POSITIVE,
        )  # fmt: skip
        self._show_selected()
        self.records_changed.emit()  # the Approvals tab counts it
