"""Courier manifests: verify (another user), preview and print, pickup, receipt.

*Show* lists the open manifests by default; *Unreceipted* lists those picked up
and not receipted within the limit (reference data), the exceptions to chase with
the courier. **Print…** (also File → Print) opens the in-app preview, from which
the desktop's print dialog or a PDF file takes the recorded print.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QInputDialog,
    QSplitter,
    QWidget,
)

from desk_app.domain.custody_rules import OPEN_MANIFEST
from desk_app.domain.errors import DeskError
from desk_app.domain.listing import PageSource
from desk_app.domain.permissions import Action
from desk_app.ui.guarded_actions import ActionSpec, build_actions, update_actions
from desk_app.ui.ops import Op
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.manifest_pane import ManifestPane
from desk_app.ui.tabs.tab_parts import action_toolbar, show_row
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.theme import Tone

if TYPE_CHECKING:  # printing loads QtPrintSupport and PDFium: only when asked for
    from desk_app.ui.dialogs.print_preview_dialog import PrintPreviewDialog

#: The manifests the tab lists first: not yet received, returned or cancelled.
OPEN = tuple(str(s) for s in OPEN_MANIFEST)
UNRECEIPTED = "unreceipted"
SHOW = (
    ("open", "Open"), ("draft", "To verify"), ("verified", "Verified, not printed"),
    ("printed", "Awaiting pickup"), ("in_transit", "In transit"),
    (UNRECEIPTED, "Unreceipted past the limit"), ("received", "Received"),
    ("received_with_difference", "Received with a difference"), ("returned", "Returned"),
    ("cancelled", "Cancelled"), ("", "All"),
)  # fmt: skip
A = Action
ACTIONS = {
    "airbill": ActionSpec("Airbill…", A.MANIFEST_PREPARE, "",
                          "Record the courier's airbill or tracking number (before verifying)"),
    "verify": ActionSpec("Verify…", A.MANIFEST_VERIFY, "Ctrl+Shift+V",
                         "Count the envelope and verify another user's draft (dual control)"),
    "print": ActionSpec("Print…", A.VIEW_BOOKS, "Ctrl+P",
                        "Preview the manifest, then print it or save it as PDF"),
    "receipt_form": ActionSpec("Delivery receipt…", A.VIEW_BOOKS, "",
                               "Preview and print the receipt the recipient signs"),
    "pickup": ActionSpec("Pickup…", A.MANIFEST_PREPARE, "",
                         "The courier signed for the package: in transit"),
    "receipt": ActionSpec("Receipt…", A.MANIFEST_PREPARE, "",
                          "The recipient acknowledged it: all items, or a named difference"),
    "returned": ActionSpec("Returned…", A.MANIFEST_PREPARE, "",
                           "The courier brought the package back undelivered"),
    "cancel": ActionSpec("Cancel…", A.MANIFEST_PREPARE, "",
                         "Cancel before pickup; the certificates stay prepared"),
}  # fmt: skip
_FROM = {
    "airbill": frozenset({"draft", "verified"}),
    "verify": frozenset({"draft"}),
    "print": frozenset(OPEN) | {"received", "received_with_difference", "returned"},
    "receipt_form": frozenset({"printed", "in_transit", "received", "received_with_difference"}),
    "pickup": frozenset({"printed"}),
    "receipt": frozenset({"in_transit"}),
    "returned": frozenset({"in_transit"}),
    "cancel": frozenset({"draft", "verified", "printed"}),
}


class ManifestsTab(TableTab):
    key = "manifests"
    title = "Manifests"
    empty_text = "No manifests here."
    search_hint = "manifest number, courier, destination, airbill or certificate"
    muted_statuses = frozenset({"cancelled"})
    status_tones = MappingProxyType(
        {
            "draft": Tone.WARNING,
            "in_transit": Tone.WARNING,
            "received_with_difference": Tone.NEGATIVE,
            "returned": Tone.NEGATIVE,
            "received": Tone.POSITIVE,
        }
    )

    #: A manifest moved on (verified, printed, picked up, receipted); what happened.
    changed = Signal(str)

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.show_combo = show_row(self, "manifests_show", SHOW)
        self.manifest_actions = build_actions(
            self, ACTIONS,
            {"airbill": self.set_airbill, "verify": self.verify, "print": self.print_manifest,
             "receipt_form": self.print_receipt_form, "pickup": self.pickup,
             "receipt": self.receipt, "returned": self.mark_returned, "cancel": self.cancel},
            name="manifest_action",
        )  # fmt: skip
        self.toolbar = action_toolbar(
            self, "Manifest actions", self.manifest_actions,
            separate_before=("print", "pickup", "cancel"),
        )  # fmt: skip
        self.dialog: QDialog | None = None
        self.pane = ManifestPane(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.place_view_in(splitter)
        splitter.addWidget(self.pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        selection = self.view.selectionModel()
        selection.currentRowChanged.connect(self._show_current)
        selection.currentRowChanged.connect(self.update_actions)
        self.model.reloaded.connect(self._reselect)  # a reload drops the selection
        self.model.reloaded.connect(self.update_actions)
        self.update_actions()

    # -- the list --------------------------------------------------------------------------
    @property
    def showing(self) -> str:
        return str(self.show_combo.currentData() or "")

    def show_only(self, code: str) -> None:
        self.show_combo.setCurrentIndex(self.show_combo.findData(code))

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        self.pane.manifests, self.pane.printing = workspace.manifests, workspace.manifest_printing
        code = self.showing
        # On the GUI thread: a source only describes the query (the model reads it by pages);
        # the unreceipted ones are the few manifests still in transit.
        if code == UNRECEIPTED:
            try:
                late = [view.manifest_number for view, _age in workspace.manifests.unreceipted()]
            except DeskError as exc:  # the aging limit missing from reference data, say
                self.show_notice(exc.message, Tone.NEGATIVE)
                late = []
            return workspace.manifests.manifests(numbers=late, search=self.search_text())
        if code == "open":
            return workspace.manifests.manifests(OPEN, search=self.search_text())
        return workspace.manifests.manifests((code,) if code else (), search=self.search_text())

    def set_workspace(self, workspace: WorkspaceView) -> None:
        super().set_workspace(workspace)
        self.update_actions()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        self.pane.show_manifest(None)
        self.update_actions()

    def current_number(self) -> str | None:
        row = self.current_row()
        return None if row is None else str(self.model.value_in(row, "manifest_number"))

    def select_manifest(self, number: str) -> bool:
        """Make ``number`` the current row if it is loaded (after a refresh, say)."""
        for n in range(self.model.rowCount()):
            row = self.model.loaded_row(n)
            if row is not None and self.model.value_in(row, "manifest_number") == number:
                self.view.selectRow(n)
                return True
        return False

    def _show_current(self, *_args: object) -> None:
        self.pane.show_manifest(self.current_number())

    def _reselect(self, *_args: object) -> None:
        """After a reload, the pane's manifest again if the list still shows it."""
        kept = self.pane.view.manifest_number if self.pane.view is not None else None
        if kept is None or not self.select_manifest(kept):
            self.pane.show_manifest(self.current_number())

    # -- what may be done ------------------------------------------------------------------
    def refusal(self, key: str) -> str | None:
        workspace = self.workspace
        if workspace is None:
            return "No database open"
        why = workspace.user.refusal(ACTIONS[key].permission)
        if why is not None:
            return why
        row = self.current_row()
        if row is None:
            return "Select a manifest first"
        status = str(self.model.value_in(row, "status"))
        if status not in _FROM[key]:
            return f"Not for a {status.replace('_', ' ')} manifest"
        if key == "verify" and self.model.value_in(row, "prepared_by") == workspace.actor:
            return "You prepared this manifest: another user verifies it (dual control)"
        if key == "verify" and not self.model.value_in(row, "airbill"):
            return "No airbill yet: the preparer records it (Airbill…) before verification"
        return None

    def update_actions(self, *_args: object) -> None:
        update_actions(self.manifest_actions, ACTIONS, self.refusal)

    def _done(self, text: str) -> None:
        self.show_notice(text, Tone.POSITIVE)
        self.refresh()  # the current manifest stays current (see _reselect)
        self.records_changed.emit()
        self.changed.emit(text)

    def _step(self, key: str, make: Callable[..., QDialog], said: str) -> QDialog | None:
        number = self.current_number()
        if number is None or self.workspace is None or self.refusal(key) is not None:
            return None
        # On the GUI thread: one manifest and its few lines, read to fill the step's form.
        try:
            view = self.workspace.manifests.view(number)
        except DeskError as exc:  # gone since the list was read: said in the notice
            self.show_notice(exc.message, Tone.NEGATIVE)
            return None
        dialog = make(self.workspace.manifests, view, self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._done(f"Manifest {number} {said}"))
        dialog.open()
        return dialog

    # -- the actions -----------------------------------------------------------------------
    def verify(self) -> QDialog | None:
        from desk_app.ui.dialogs.manifest_steps import VerifyDialog

        return self._step("verify", VerifyDialog, "verified; it may print")

    def pickup(self) -> QDialog | None:
        from desk_app.ui.dialogs.manifest_steps import PickupDialog

        return self._step("pickup", PickupDialog, "picked up: in transit")

    def receipt(self) -> QDialog | None:
        from desk_app.ui.dialogs.manifest_steps import ReceiptDialog

        return self._step("receipt", ReceiptDialog, "receipted")

    def print_manifest(self) -> PrintPreviewDialog | None:
        return self._preview("print", "manifest")

    def print_current(self) -> object:
        """File → Print: the selected manifest, through the preview."""
        return self.print_manifest()

    def print_receipt_form(self) -> PrintPreviewDialog | None:
        return self._preview("receipt_form", "receipt")

    def _preview(self, key: str, document: str) -> PrintPreviewDialog | None:
        number = self.current_number()
        workspace = self.workspace
        if number is None or workspace is None or self.refusal(key) is not None:
            return None
        from desk_app.ui.dialogs.print_preview_dialog import PrintPreviewDialog

        printing = workspace.manifest_printing
        status = str(self.model.value_in(self.current_row() or (), "status"))
        refusal = workspace.user.refusal(Action.MANIFEST_PREPARE)
        if refusal is None and document == "manifest" and status == "draft":
            refusal = "Not verified yet: another user verifies it before it prints"
        if refusal is None and status == "cancelled":
            refusal = "The manifest is cancelled"
        dialog = PrintPreviewDialog(
            f"{'Delivery receipt' if document == 'receipt' else 'Courier manifest'} {number}",
            lambda paper: printing.preview(number, document, paper),
            lambda paper: printing.print(number, document, paper),
            file_name=f"{number}{'-receipt' if document == 'receipt' else ''}.pdf",
            refusal=refusal, parent=self,
        )  # fmt: skip
        dialog.printed.connect(self._done)
        self.dialog = dialog
        dialog.open()
        return dialog

    def set_airbill(self, airbill: str | None = None) -> None:
        """The courier's airbill or tracking number; whoever records it prepares the manifest."""
        self._simple("airbill", airbill, "The courier's airbill or tracking number:",
                     lambda m, n, t: m.set_airbill(n, t), "has its airbill")  # fmt: skip

    def mark_returned(self, note: str | None = None) -> None:
        self._simple("returned", note, "Why did it come back?",
                     lambda m, n, t: m.returned(n, t), "returned undelivered")  # fmt: skip

    def cancel(self, reason: str | None = None) -> None:
        self._simple("cancel", reason, "Why is the manifest cancelled?",
                     lambda m, n, t: m.cancel(n, t), "cancelled")  # fmt: skip

    def _simple(
        self,
        key: str,
        text: str | None,
        question: str,
        work: Callable[..., None],
        said: str,
    ) -> None:
        number = self.current_number()
        if number is None or self.workspace is None or self.refusal(key) is not None:
            return
        if text is None:
            text, ok = QInputDialog.getText(self, f"Manifest {number}", question)
            if not ok:
                return
        manifests, why = self.workspace.manifests, text
        Op(
            self, self.reading(lambda: work(manifests, number, why)),
            done=lambda _result: self._done(f"Manifest {number} {said}"),
            busy_key=f"manifests:{key}",
        ).run()  # fmt: skip
