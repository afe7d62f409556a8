"""The certificate register: where every physical certificate is, and the work on them.

*Show* narrows the register to one status (or to those in the firm's hands), or
switches to the receipts and deliveries the blotter records. The tool bar adds
certificates (by hand or CSV), prepares them, builds a manifest from the
selection, reports a loss and follows it through the stop transfer to a
supervised replacement, reissues on transfer, and opens the quarterly box count.
Beside the list: the current certificate and its chain of custody.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QSplitter,
    QWidget,
)

from desk_app.domain.errors import DeskError
from desk_app.domain.listing import PageSource, Row
from desk_app.domain.permissions import Action
from desk_app.ui.guarded_actions import ActionSpec, build_actions, update_actions
from desk_app.ui.ops import Op
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.certificate_pane import CertificatePane
from desk_app.ui.tabs.certificate_views import ImportResultView, LossReportView
from desk_app.ui.tabs.tab_parts import action_toolbar, show_row
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.theme import Tone

if TYPE_CHECKING:
    from desk_app.ui.dialogs.manifest_dialog import ManifestDialog

IN_HANDS = ("in_vault", "prepared", "on_manifest", "returned")
MOVEMENTS = "movements"
SHOW = (
    ("", "All certificates"), ("hands", "In the firm's hands"), ("in_vault", "In vault"),
    ("prepared", "Prepared for delivery"), ("on_manifest", "On a manifest"),
    ("in_transit", "In transit"), ("delivered", "Delivered"), ("returned", "Returned"),
    ("lost", "Lost"), ("cancelled", "Cancelled"), (MOVEMENTS, "Receipts and deliveries"),
)  # fmt: skip
A = Action
ACTIONS = {
    "add": ActionSpec("Add…", A.CERTIFICATE_REGISTER, "Ctrl+N",
                      "Register a certificate received into the vault"),
    "import": ActionSpec("Import…", A.CERTIFICATE_REGISTER, "",
                         "Register the certificates of a CSV file, all or none"),
    "prepare": ActionSpec("Prepare", A.CERTIFICATE_MOVE, "Ctrl+Shift+P",
                          "Take the selected certificates out of the vault for delivery"),
    "vault": ActionSpec("To vault…", A.CERTIFICATE_MOVE, "",
                        "Put the selected certificates (back) in the vault"),
    "manifest": ActionSpec("New manifest…", A.MANIFEST_PREPARE, "Ctrl+M",
                           "Build a courier manifest of the selected certificates"),
    "lost": ActionSpec("Report lost…", A.CERTIFICATE_MOVE, "",
                       "Report the certificate lost, stolen, missing or counterfeit"),
    "stop": ActionSpec("Stop transfer…", A.CERTIFICATE_MOVE, "",
                       "Record the stop transfer placed with the transfer agent"),
    "loss_report": ActionSpec("Loss report…", A.VIEW_BOOKS, "",
                              "The facts SEC Form X-17F-1A asks for"),
    "replace": ActionSpec("Replace…", A.CERTIFICATE_REPLACE, "",
                          "Ask a principal to approve a replacement under an indemnity bond"),
    "reissue": ActionSpec("Reissue…", A.CERTIFICATE_MOVE, "",
                          "A transfer: cancel the certificate, register the new ones"),
    "stock_power": ActionSpec("Stock power", A.CERTIFICATE_MOVE, "",
                              "Record that a signed stock power is kept with it, or not"),
    "returned": ActionSpec("Returned…", A.CERTIFICATE_MOVE, "",
                           "The recipient sent a delivered certificate back"),
    "box_count": ActionSpec("Box count…", A.VIEW_BOOKS, "",
                            "The quarterly count of the vault (SEC 17a-13)"),
}  # fmt: skip
#: The statuses each action starts from; None: any, or no selection needed.
_FROM: dict[str, frozenset[str] | None] = {
    "add": None, "import": None, "box_count": None,
    "prepare": frozenset({"in_vault"}),
    "vault": frozenset({"prepared", "returned", "lost"}),
    "manifest": frozenset({"in_vault", "prepared"}),
    "lost": frozenset({"in_vault", "prepared", "in_transit", "returned"}),
    "stop": frozenset({"lost"}), "replace": frozenset({"lost"}),
    "loss_report": frozenset({"lost", "cancelled"}),
    "reissue": frozenset({"in_vault", "delivered"}),
    "stock_power": frozenset({"in_vault", "prepared", "returned"}),
    "returned": frozenset({"delivered"}),
}  # fmt: skip
_ONE = frozenset({"lost", "stop", "loss_report", "replace", "reissue", "stock_power", "returned"})


class CertificatesTab(TableTab):
    key = "certificates"
    title = "Certificates"
    empty_text = "No certificates here."
    search_hint = "certificate number, CUSIP or ISIN, issuer or holder"
    muted_statuses = frozenset({"cancelled"})
    status_tones = MappingProxyType(
        {
            "lost": Tone.NEGATIVE,
            "in_transit": Tone.WARNING,
            "returned": Tone.WARNING,
            "delivered": Tone.POSITIVE,
        }
    )

    #: A certificate or manifest changed; the argument says what (for the notice line).
    changed = Signal(str)

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.show_combo = show_row(self, "certificates_show", SHOW)
        self.certificate_actions = build_actions(
            self, ACTIONS,
            {"add": self.add_certificate, "import": self.import_file, "prepare": self.prepare,
             "vault": self.to_vault, "manifest": self.new_manifest, "lost": self.report_lost,
             "stop": self.place_stop, "loss_report": self.show_loss_report,
             "replace": self.request_replacement, "reissue": self.reissue,
             "stock_power": self.toggle_stock_power, "returned": self.mark_returned,
             "box_count": self.open_box_count},
            name="certificate_action",
        )  # fmt: skip
        self.toolbar = action_toolbar(
            self, "Certificate actions", self.certificate_actions,
            separate_before=("prepare", "lost", "reissue", "box_count"),
        )  # fmt: skip
        self.dialog: QDialog | None = None
        self.manifest_dialog: ManifestDialog | None = None
        self.pane = CertificatePane(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.place_view_in(splitter)
        splitter.addWidget(self.pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        selection = self.view.selectionModel()
        selection.currentRowChanged.connect(self._show_current)
        selection.selectionChanged.connect(self.update_actions)
        selection.currentRowChanged.connect(self.update_actions)
        self.model.reloaded.connect(self.update_actions)
        self.update_actions()

    # -- the list --------------------------------------------------------------------------
    @property
    def showing(self) -> str:
        return str(self.show_combo.currentData() or "")

    def show_only(self, code: str) -> None:
        """Switch *Show* to ``code`` (a status, ``hands``, ``movements``, or "" for all)."""
        self.show_combo.setCurrentIndex(self.show_combo.findData(code))

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        self.pane.certificates = workspace.certificates
        code = self.showing
        # On the GUI thread: a source only describes the query; the model reads it by pages.
        search = self.search_text()
        if code == MOVEMENTS:
            source = workspace.certificates.movements(search=search)
        elif code == "hands":
            source = workspace.certificates.certificates(statuses=IN_HANDS, search=search)
        else:
            source = workspace.certificates.certificates(status=code or None, search=search)
        return workspace.restrictions.badged(source)  # read for each page's accounts

    def set_workspace(self, workspace: WorkspaceView) -> None:
        super().set_workspace(workspace)
        self.update_actions()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        self.pane.show_certificate(None)
        self.update_actions()

    def _show_current(self, *_args: object) -> None:
        row = self.current_row()
        self.pane.show_certificate(self._id(row) if row is not None else None)

    def _id(self, row: Row) -> int | None:
        if self.showing == MOVEMENTS:
            return None  # a custody entry: its certificate is one click away in the register
        return int(row[-1])

    def selected_rows(self) -> list[Row]:
        rows = (self.model.loaded_row(i.row()) for i in self.view.selectionModel().selectedRows())
        chosen = [r for r in rows if r is not None]
        current = self.current_row()
        return chosen or ([current] if current is not None else [])

    def reference(self, row: Row) -> str:
        """CUSIP:NUMBER: what every service accepts, whatever other issuers number alike."""
        value = self.model.value_in
        return f"{value(row, 'cusip')}:{value(row, 'certificate_number')}"

    def references(self) -> list[str]:
        return [self.reference(r) for r in self.selected_rows()]

    def _name_of(self, row: Row) -> str:
        value = self.model.value_in
        return f"{value(row, 'certificate_number')} ({value(row, 'cusip')})"

    # -- what may be done ------------------------------------------------------------------
    def refusal(self, key: str) -> str | None:
        workspace = self.workspace
        if workspace is None:
            return "No database open"
        needed = Action.BOX_COUNT if key == "box_count" else ACTIONS[key].permission
        why = workspace.user.refusal(needed)
        if why is not None or _FROM[key] is None:
            return why
        if self.showing == MOVEMENTS:
            return "Show the register to work on certificates"
        rows = self.selected_rows()
        if not rows:
            return "Select a certificate first"
        if key in _ONE and len(rows) > 1:
            return "Select one certificate"
        wrong = {str(self.model.value_in(r, "status")) for r in rows} - (_FROM[key] or set())
        if wrong:
            shown = ", ".join(sorted(s.replace("_", " ") for s in wrong))
            return f"Not for {shown} certificates"
        return None

    def update_actions(self, *_args: object) -> None:
        update_actions(self.certificate_actions, ACTIONS, self.refusal)
        action = self.certificate_actions["stock_power"]
        row = self.current_row()
        attached = (
            row is not None
            and self.showing != MOVEMENTS
            and bool(self.model.value_in(row, "stock_power_attached"))
        )
        action.setText("Detach stock power" if attached else "Attach stock power")

    @property
    def _who(self) -> str:
        return self.workspace.actor if self.workspace is not None else ""

    def _done(self, text: str) -> None:
        self.show_notice(text, Tone.POSITIVE)
        self.refresh()
        self.records_changed.emit()
        self.changed.emit(text)
        self._show_current()

    def _run(self, key: str, work: Callable[[], str]) -> None:
        """``work`` on a worker if ``key`` is allowed; its text shown (a refusal: the notice).

        ``work`` must not touch widgets or the model: read what it needs before.
        """
        if self.workspace is None or self.refusal(key) is not None:
            return
        Op(self, self.reading(work), done=self._done, busy_key=f"certificates:{key}").run()

    # -- the actions -----------------------------------------------------------------------
    def prepare(self) -> None:
        if self.workspace is None:
            return
        refs, moves = self.references(), self.workspace.certificate_moves
        self._run("prepare", lambda: f"{moves.prepare(refs)} prepared for delivery")

    def to_vault(self, location: str | None = None) -> None:
        if self.workspace is None or self.refusal("vault") is not None:
            return
        if location is None:
            location, ok = QInputDialog.getText(self, "To the vault", "Vault and drawer:")
            if not ok:
                return
        refs, moves, where = self.references(), self.workspace.certificate_moves, location
        self._run("vault", lambda: f"{moves.to_vault(refs, where)} put in {where}")

    def toggle_stock_power(self) -> None:
        row = self.current_row()
        if row is None or self.workspace is None:
            return
        attach = not bool(self.model.value_in(row, "stock_power_attached"))
        ref, moves, name = self.reference(row), self.workspace.certificate_moves, self._name_of(row)

        def work() -> str:
            moves.set_stock_power(ref, attach)
            verb = "attached to" if attach else "detached from"
            return f"Stock power {verb} {name}"

        self._run("stock_power", work)

    def mark_returned(self, by: str | None = None, note: str | None = None) -> None:
        row = self.current_row()
        if row is None or self.workspace is None or self.refusal("returned") is not None:
            return
        if by is None or note is None:
            by, ok = QInputDialog.getText(self, "Returned", "Sent back by:")
            if not ok:
                return
            note, ok = QInputDialog.getText(self, "Returned", "Why:")
            if not ok:
                return
        ref, moves, who, why = self.reference(row), self.workspace.certificate_moves, by, note
        name = self._name_of(row)

        def work() -> str:
            moves.mark_returned(ref, who, why)
            return f"{name} returned by {who}"

        self._run("returned", work)

    def add_certificate(self) -> QDialog | None:
        if self.workspace is None or self.refusal("add") is not None:
            return None
        from desk_app.ui.dialogs.certificate_dialog import CertificateDialog

        dialog = CertificateDialog(self.workspace.certificates, self)
        return self._open(dialog, lambda _d: f"Certificate registered in the vault by {self._who}")

    def import_file(self, path: str | None = None) -> None:
        if self.workspace is None or self.refusal("import") is not None:
            return
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import certificates", str(Path.home()), "CSV files (*.csv);;All files (*)"
            )
            if not path:
                return
        certificates, name = self.workspace.certificates, Path(path).name

        def read() -> ImportResultView:
            try:
                return certificates.import_csv(path)
            except OSError as exc:  # the file itself: the clerk's to fix, not a bug
                raise DeskError(str(exc)) from None

        Op(
            self, self.reading(read), done=lambda result: self._imported(name, result),
            busy_key="certificates:import",
        ).run()  # fmt: skip

    def _imported(self, name: str, result: ImportResultView) -> None:
        if not result.ok:
            from desk_app.ui.dialogs.certificate_dialog import ProblemsDialog

            self.dialog = ProblemsDialog(
                f"{name}: nothing was registered", [str(p) for p in result.problems],
                self,
            )  # fmt: skip
            self.dialog.open()
            self.show_notice(
                f"{name}: {len(result.problems)} problem(s); nothing was registered",
                Tone.NEGATIVE,
            )
            return
        self._done(f"{name}: {result.added} certificates registered in the vault")

    def new_manifest(self) -> ManifestDialog | None:
        """Build a manifest of the selection (a draft another user verifies)."""
        if self.workspace is None or self.refusal("manifest") is not None:
            return None
        from desk_app.ui.dialogs.manifest_dialog import ManifestDialog

        rows = self.selected_rows()
        shares = sum((Decimal(self.model.value_in(r, "shares")) for r in rows), Decimal(0))
        what = f"{len(rows)} certificate{'s' if len(rows) != 1 else ''}, {shares:,} shares"
        dialog = ManifestDialog(
            self.workspace.manifests, self.references(), what, self,
            courier=self._settings.default_courier(), sender=self._settings.default_sender(),
        )  # fmt: skip
        self.manifest_dialog = dialog
        dialog.accepted.connect(lambda: self._done(f"Manifest {dialog.number} drafted: {what}; "
                                                   "another user verifies it"))  # fmt: skip
        dialog.open()
        return dialog

    def report_lost(self) -> QDialog | None:
        return self._loss_dialog("lost", "ReportLostDialog", "reported lost")

    def place_stop(self) -> QDialog | None:
        return self._loss_dialog("stop", "StopTransferDialog", "stop transfer recorded")

    def request_replacement(self) -> QDialog | None:
        return self._loss_dialog("replace", "ReplacementDialog", "replacement sent for approval")

    def _loss_dialog(self, key: str, name: str, done: str) -> QDialog | None:
        row = self.current_row()
        if row is None or self.workspace is None or self.refusal(key) is not None:
            return None
        from desk_app.ui.dialogs import loss_dialogs

        make = getattr(loss_dialogs, name)
        title = self._name_of(row)
        dialog = make(self.workspace.certificate_moves, self.reference(row), title, parent=self)
        return self._open(dialog, lambda _d: f"{title}: {done}")

    def show_loss_report(self) -> bool:
        """Read the loss report on a worker, then show it (``dialog``); False if not started."""
        row = self.current_row()
        if row is None or self.workspace is None or self.refusal("loss_report") is not None:
            return False
        moves, ref, name = self.workspace.certificate_moves, self.reference(row), self._name_of(row)
        return Op(
            self, self.reading(lambda: moves.loss_report(ref)),
            done=lambda report: self._show_loss_report(report, name),
            busy_key="certificates:loss_report",
        ).run()  # fmt: skip

    def _show_loss_report(self, report: LossReportView, name: str) -> None:
        from desk_app.ui.dialogs.loss_dialogs import LossReportDialog

        dialog = LossReportDialog(report, name, parent=self)
        self.dialog = dialog
        dialog.open()

    def reissue(self) -> QDialog | None:
        row = self.current_row()
        if row is None or self.workspace is None or self.refusal("reissue") is not None:
            return None
        from desk_app.ui.dialogs.reissue_dialog import ReissueDialog

        value = self.model.value_in
        title = self._name_of(row)
        dialog = ReissueDialog(
            self.workspace.certificate_moves, self.reference(row), title,
            Decimal(value(row, "shares")), str(value(row, "registered_holder")), parent=self,
        )  # fmt: skip
        return self._open(
            dialog,
            lambda _d: (
                f"{title} cancelled on transfer; {len(dialog.new_ids)} new certificates registered"
            ),
        )

    def open_box_count(self) -> QDialog | None:
        if self.workspace is None or self.refusal("box_count") is not None:
            return None
        from desk_app.ui.dialogs.box_count_dialog import BoxCountDialog

        dialog = BoxCountDialog(self.workspace.box_counts, self.workspace.user, self)
        dialog.finished.connect(lambda _r: self.refresh())
        self.dialog = dialog
        dialog.open()
        return dialog

    def _open(self, dialog: QDialog, said: Callable[[QDialog], str]) -> QDialog:
        """Open ``dialog`` window-modal; when it is accepted, say ``said(dialog)``."""
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._done(said(dialog)))
        dialog.open()
        return dialog
