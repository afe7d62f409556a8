"""The Counterparties and Instruments tabs: reference data listed, kept and imported.

Each lists its records (searched, sorted and paged in SQL like every tab), filtered
to active, inactive or all, with Add…, Amend…, Deactivate, Reactivate, Delete…,
Import CSV… and History…. Every action is disabled, with the reason as its tooltip,
when the user's roles or the selected record do not allow it; the services decide
again (a used record is never deleted; a change to where it settles is a request).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QMessageBox, QWidget

from desk_app.domain.listing import PageSource
from desk_app.domain.permissions import Action
from desk_app.ui.guarded_actions import ActionSpec, build_actions, update_actions
from desk_app.ui.ops import Op
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.action_bar import ActionBar
from desk_app.ui.tabs.reference_views import ReferenceDataView, ReferenceRecordView
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.tabs.workspace_view import RecordHistoryView
from desk_app.ui.theme import Tone

if TYPE_CHECKING:  # the dialogs are imported when first opened, not at startup
    from desk_app.ui.dialogs.history_dialog import HistoryDialog
    from desk_app.ui.dialogs.reference_import_dialog import ReferenceImportDialog
    from desk_app.ui.dialogs.reference_record_dialog import ReferenceRecordDialog

STATUS_FILTERS = (("Active", True), ("Inactive", False), ("All", None))


def _specs(noun: str, plural: str) -> dict[str, ActionSpec]:
    edit = Action.REFERENCE_EDIT
    return {
        "new": ActionSpec(f"Add {noun}…", edit, "Ctrl+N", f"Add a {noun}"),
        "amend": ActionSpec("Amend…", edit, "Ctrl+E",
                            f"Change the selected {noun} (where a used one settles: a request "
                            "a principal approves)"),
        "deactivate": ActionSpec("Deactivate", edit, "",
                                 f"The selected {noun} takes no new trades; what is booked "
                                 "settles as before"),
        "activate": ActionSpec("Reactivate", edit, "", f"The selected {noun} takes trades again"),
        "delete": ActionSpec("Delete…", edit, "",
                             f"Remove the selected {noun}, if nothing uses it (a mistaken entry)"),
        "import": ActionSpec("Import CSV…", edit, "Ctrl+Shift+I",
                             f"Add {plural} from a CSV file, all or none"),
        "history": ActionSpec("History…", Action.VIEW_HISTORY, "Ctrl+H",
                              f"Every recorded change to the selected {noun}"),
    }  # fmt: skip


class ReferenceTab(TableTab):
    """A list of counterparties or instruments and what may be done to them."""

    noun: ClassVar[Literal["counterparty", "instrument"]]
    plural: ClassVar[Literal["counterparties", "instruments"]]
    key_column: ClassVar[str]
    table_name: ClassVar[str]
    specs: ClassVar[dict[str, ActionSpec]]

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.record_dialog: ReferenceRecordDialog | None = None
        self.import_dialog: ReferenceImportDialog | None = None
        self.history_dialog: HistoryDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("status_filter")
        for text, _ in STATUS_FILTERS:
            self.status_filter.addItem(text)
        self.status_filter.setToolTip(f"Show active, inactive or all {self.plural}")
        self.status_filter.currentIndexChanged.connect(lambda _i: self.reload_source())
        self.add_header_widget(self.status_filter)
        slots = {
            "new": self.add_record,
            "amend": self.amend,
            "deactivate": lambda: self.set_active(False),
            "activate": lambda: self.set_active(True),
            "delete": self.delete,
            "import": self.import_csv,
            "history": self.show_history,
        }
        self.actions_by_key = build_actions(self, self.specs, slots, name=self.noun)
        self.toolbar = ActionBar(f"{self.noun.capitalize()} actions", self)
        self.toolbar.setObjectName(f"{self.noun}_actions")
        self.add_action_bar(self.toolbar)
        separator = QAction(self.view)
        separator.setSeparator(True)
        self.view.addAction(separator)
        for action in self.actions_by_key.values():
            self.view.addAction(action)
            self.toolbar.addAction(action)
        self.view.doubleClicked.connect(lambda _index: self.actions_by_key["amend"].trigger())
        self.view.selectionModel().currentRowChanged.connect(self.update_actions)
        self.model.reloaded.connect(self.update_actions)
        self.update_actions()

    # -- the list --------------------------------------------------------------------------
    def service(self, workspace: WorkspaceView) -> ReferenceDataView:
        raise NotImplementedError

    def active_filter(self) -> bool | None:
        return STATUS_FILTERS[self.status_filter.currentIndex()][1]

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        return self.service(workspace).listing(self.search_text(), self.active_filter())

    def set_workspace(self, workspace: WorkspaceView) -> None:
        super().set_workspace(workspace)
        self.update_actions()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        self.update_actions()

    def selected_key(self) -> str | None:
        row = self.current_row()
        return None if row is None else str(self.model.value_in(row, self.key_column))

    def selected_active(self) -> bool | None:
        row = self.current_row()
        return None if row is None else bool(self.model.value_in(row, "active"))

    def refusal(self, key: str) -> str | None:
        """Why the action ``key`` cannot run now (roles first, then the selection)."""
        workspace = self.workspace
        if workspace is None:
            return "No database open"
        why = workspace.user.refusal(self.specs[key].permission)
        if why is not None or key in ("new", "import"):
            return why
        chosen = self.selected_key()
        if chosen is None:
            return f"Select a {self.noun} first"
        active = self.selected_active()
        if key == "deactivate" and not active:
            return f"{chosen} is inactive already"
        if key == "activate" and active:
            return f"{chosen} is active already"
        return None

    def update_actions(self, *_args: object) -> None:
        update_actions(self.actions_by_key, self.specs, self.refusal)

    # -- the actions -----------------------------------------------------------------------
    def add_record(self) -> ReferenceRecordDialog | None:
        """Open the empty form (also the getting-started panel's step)."""
        if self.refusal("new") is not None or self.workspace is None:
            return None
        return self._open_form(None)

    def amend(self) -> None:
        """Read the selected record (and what uses it) on a worker, then open the form."""
        workspace, chosen = self.workspace, self.selected_key()
        if self.refusal("amend") is not None or workspace is None or chosen is None:
            return
        service = self.service(workspace)
        Op(self, lambda: service.record(chosen), done=self._open_form,
           busy_key=f"{self.noun}.record.{id(self)}").run()  # fmt: skip

    def _open_form(self, record: ReferenceRecordView | None) -> ReferenceRecordDialog | None:
        from desk_app.ui.dialogs.reference_record_dialog import ReferenceRecordDialog

        workspace = self.workspace
        if workspace is None:  # closed while the record was read
            return None
        dialog = ReferenceRecordDialog(self.service(workspace), self.noun, record, parent=self)
        if self.record_dialog is not None:
            self.record_dialog.deleteLater()
        self.record_dialog = dialog
        dialog.accepted.connect(lambda: self._on_done(dialog.sent_text()))
        dialog.open()
        return dialog

    def set_active(self, active: bool) -> None:
        workspace, chosen = self.workspace, self.selected_key()
        key = "activate" if active else "deactivate"
        if self.refusal(key) is not None or workspace is None or chosen is None:
            return
        service = self.service(workspace)
        verb = "reactivated" if active else "deactivated: it takes no new trades"
        Op(self, lambda: service.set_active(chosen, active),
           done=lambda _none: self._on_done(f"{chosen} {verb}"),
           busy_key=f"{self.noun}.active.{id(self)}").run()  # fmt: skip

    def delete(self) -> QMessageBox | None:
        """Ask first; the service refuses a record in use (deactivate it instead)."""
        chosen = self.selected_key()
        if self.refusal("delete") is not None or chosen is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question, f"Delete {self.noun}",
            f"Delete {self.noun} {chosen}? Only one that nothing uses can be deleted; "
            "the deletion is recorded in the audit trail.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self,
        )  # fmt: skip
        box.setObjectName("confirm_delete")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(lambda: self._delete(chosen))
        if self.confirm_box is not None:
            self.confirm_box.deleteLater()
        self.confirm_box = box
        box.open()
        return box

    def _delete(self, chosen: str) -> None:
        workspace = self.workspace
        if workspace is None:
            return
        service = self.service(workspace)
        Op(self, lambda: service.delete(chosen),
           done=lambda _none: self._on_done(f"{chosen} deleted"),
           refused=lambda exc: self.show_notice(exc.message, Tone.NEGATIVE),
           busy_key=f"{self.noun}.delete.{id(self)}").run()  # fmt: skip

    def import_csv(self) -> ReferenceImportDialog | None:
        from desk_app.ui.dialogs.reference_import_dialog import ReferenceImportDialog

        workspace = self.workspace
        if self.refusal("import") is not None or workspace is None:
            return None
        dialog = ReferenceImportDialog(self.service(workspace), self.plural, parent=self)
        if self.import_dialog is not None:
            self.import_dialog.deleteLater()
        self.import_dialog = dialog
        dialog.accepted.connect(lambda: self._on_done(dialog.sent_text()))
        dialog.open()
        return dialog

    def show_history(self) -> None:
        workspace, chosen = self.workspace, self.selected_key()
        if self.refusal("history") is not None or workspace is None or chosen is None:
            return
        service, table = self.service(workspace), self.table_name

        def read() -> RecordHistoryView:
            record = service.record(chosen)
            return workspace.history.history(table, record.id, f"{self.noun} {record.key}")

        Op(self, read, done=self._show_history,
           busy_key=f"{self.noun}.history.{id(self)}").run()  # fmt: skip

    def _show_history(self, history: RecordHistoryView) -> None:
        from desk_app.ui.dialogs.history_dialog import HistoryDialog

        if self.history_dialog is not None:
            self.history_dialog.deleteLater()
        self.history_dialog = HistoryDialog(history, self)
        self.history_dialog.show()

    def _on_done(self, text: str) -> None:
        self.show_notice(text, Tone.POSITIVE)
        self.reload_source()
        self.records_changed.emit()  # the getting-started panel and the Approvals tab count


class CounterpartiesTab(ReferenceTab):
    key = "counterparties"
    title = "Counterparties"
    noun = "counterparty"
    plural = "counterparties"
    key_column = "code"
    table_name = "counterparties"
    empty_text = "No counterparties yet: Add counterparty… or Import CSV…"
    search_hint = "code, name, BIC, LEI, DTC number or kind"
    specs = _specs("counterparty", "counterparties")

    def service(self, workspace: WorkspaceView) -> ReferenceDataView:
        return workspace.counterparties


class InstrumentsTab(ReferenceTab):
    key = "instruments"
    title = "Instruments"
    noun = "instrument"
    plural = "instruments"
    key_column = "isin"
    table_name = "instruments"
    empty_text = "No instruments yet: Add instrument… or Import CSV…"
    search_hint = "ISIN, CUSIP, symbol, description, issuer or type"
    specs = _specs("instrument", "instruments")

    def service(self, workspace: WorkspaceView) -> ReferenceDataView:
        return workspace.instruments
