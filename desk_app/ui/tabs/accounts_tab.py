"""Client accounts, by account number, and the supervised requests to change them.

Opening, amending and closing/reopening never change an account here: each files an
approval request. Beside the list, ``account_detail`` holds the selected account's
pages (its Restrictions: placed at once, lifted on approval). Every action is
disabled, with the reason as its tooltip, when the user's roles do not allow it.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QSplitter, QTabWidget, QWidget

from desk_app.domain.listing import PageSource
from desk_app.domain.permissions import Action
from desk_app.ui.guarded_actions import ActionSpec, build_actions, update_actions
from desk_app.ui.ops import Op
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.account_client_page import AccountClientPage
from desk_app.ui.tabs.account_holdings_page import AccountHoldingsPage
from desk_app.ui.tabs.account_restrictions_page import AccountRestrictionsPage
from desk_app.ui.tabs.action_bar import ActionBar
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.tabs.workspace_view import AccountRecordView, RecordHistoryView
from desk_app.ui.theme import Tone

if TYPE_CHECKING:  # the dialogs are imported when first opened, not at startup
    from desk_app.ui.dialogs.account_request_dialog import AccountRequestDialog
    from desk_app.ui.dialogs.estate_dialogs import RecordDeathDialog
    from desk_app.ui.dialogs.history_dialog import HistoryDialog
    from desk_app.ui.dialogs.transfer_dialog import TransferDialog

NO_ACCOUNT = "Select an account first"


class DetailPage(Protocol):
    """A page of the account detail (Client, and the pages other subjects add)."""

    def set_workspace(self, workspace: WorkspaceView | None) -> None: ...
    def show_account(self, number: str | None) -> None: ...
    def reload(self) -> None: ...


ACTIONS = {
    "new": ActionSpec("New account…", Action.ACCOUNT_OPEN, "Ctrl+N",
                      "Request a new account (a principal approves it)"),
    "amend": ActionSpec("Amend…", Action.ACCOUNT_AMEND, "Ctrl+E",
                        "Request a change to the selected account's details"),
    "status": ActionSpec("Close / Reopen…", Action.ACCOUNT_SET_STATUS,
                         "Ctrl+Shift+E",
                         "Request closing or reopening the selected account (to restrict it, "
                         "place a restriction on its Restrictions page)"),
    "transfer": ActionSpec("Transfer…", Action.TRANSFER_CASH, "Ctrl+T",
                           "Request a journal of cash or securities from the selected account "
                           "(a principal approves it)"),
    "history": ActionSpec("History…", Action.VIEW_HISTORY, "Ctrl+H",
                          "Every recorded change to the selected account, and its past versions"),
    "reveal": ActionSpec("Reveal tax ID", Action.REVEAL_TAX_ID, "Ctrl+Shift+T",
                         "Show the selected account's full tax id (recorded in the audit trail)"),
    "death": ActionSpec("Record death…", Action.ESTATE_CASE, "Ctrl+Shift+D",
                        "Record the holder's death: restrict the account and open its estate "
                        "case (see the Estates tab)"),
}  # fmt: skip


class AccountsTab(TableTab):
    key = "accounts"
    title = "Accounts"
    empty_text = "No accounts yet."
    search_hint = "account number, client name, registration or rep"
    muted_statuses = frozenset({"closed"})
    status_tones = MappingProxyType({"restricted": Tone.WARNING})

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.request_dialog: AccountRequestDialog | None = None
        self.history_dialog: HistoryDialog | None = None
        self.transfer_dialog: TransferDialog | None = None
        self.reveal_box: QMessageBox | None = None
        self.death_dialog: RecordDeathDialog | None = None
        slots = {
            "new": self.new_account,
            "amend": self.amend,
            "status": self.change_status,
            "transfer": self.transfer,
            "history": self.show_history,
            "reveal": self.reveal_tax_id,
            "death": self.record_death,
        }
        self.account_actions = build_actions(self, ACTIONS, slots, name="action")
        self.toolbar = ActionBar("Account actions", self)
        self.toolbar.setObjectName("account_actions")
        self.add_action_bar(self.toolbar)
        separator = QAction(self.view)
        separator.setSeparator(True)
        self.view.addAction(separator)  # after Copy in the context menu
        for action in self.account_actions.values():
            self.view.addAction(action)
            self.toolbar.addAction(action)
        self.view.doubleClicked.connect(lambda _index: self.account_actions["history"].trigger())
        self.view.selectionModel().currentRowChanged.connect(self.update_actions)
        self.model.reloaded.connect(self.update_actions)
        # The account's detail beside the list: a page per subject (Client first), each
        # with set_workspace(ws | None), show_account(number | None) and reload().
        self.detail = QTabWidget(self)
        self.detail.setObjectName("account_detail")
        self.client_page = AccountClientPage(self.detail)
        self.detail.addTab(self.client_page, self.client_page.title)
        self.holdings_page = AccountHoldingsPage(self.detail)
        self.detail.addTab(self.holdings_page, "Holdings")
        self.restrictions_page = AccountRestrictionsPage(self.detail)
        self.detail.addTab(self.restrictions_page, "Restrictions")
        self.restrictions_page.changed.connect(self._on_restrictions_changed)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("accounts_splitter")
        self.place_view_in(splitter)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        self._shown: str | None = None  # the account the pages show
        self.view.selectionModel().currentRowChanged.connect(self.show_detail)
        self.model.reloaded.connect(self._after_reload)
        self.detail.currentChanged.connect(self.show_detail)
        self.update_actions()

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        accounts = workspace.reference.accounts(self.search_text())
        return workspace.restrictions.badged(accounts, "account_number")

    def set_workspace(self, workspace: WorkspaceView) -> None:
        super().set_workspace(workspace)
        for page in self.detail_pages():
            page.set_workspace(workspace)
        self.update_actions()
        self.show_detail()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        if hasattr(self, "detail"):  # the base class clears before the detail exists
            for page in self.detail_pages():
                page.set_workspace(None)
        self.update_actions()

    def show_detail(self, *_args: object) -> None:
        """The current detail page shows the selected account (or none)."""
        self._shown = self.selected_account()
        page = self.detail.currentWidget()
        if page is not None:
            cast(DetailPage, page).show_account(self._shown)

    def detail_pages(self) -> list[DetailPage]:
        return [cast(DetailPage, self.detail.widget(i)) for i in range(self.detail.count())]

    def _after_reload(self) -> None:
        """A list read again keeps the account it showed selected, and its page reads again."""
        shown = self._shown
        if shown is None:
            return
        for index in range(self.model.rowCount()):
            row = self.model.loaded_row(index)
            if row is not None and self.model.value_in(row, "account_number") == shown:
                self.view.selectRow(index)
                page = self.detail.currentWidget()
                if page is not None:
                    cast(DetailPage, page).reload()
                return
        self.show_detail()  # no longer in the list (a search narrowed it)

    def _on_restrictions_changed(self, text: str) -> None:
        self.show_notice(text, Tone.POSITIVE)
        self.records_changed.emit()  # a lift request: the Approvals tab counts it
        self.refresh()  # the badge

    # -- what is allowed -----------------------------------------------------------------
    def selected_account(self) -> str | None:
        row = self.current_row()
        return None if row is None else str(self.model.value_in(row, "account_number"))

    def refusal(self, key: str) -> str | None:
        """Why the action ``key`` cannot run now (roles first, then the selection)."""
        workspace = self.workspace
        if workspace is None:
            return "No database open"
        why = workspace.user.refusal(ACTIONS[key].permission)
        if why is not None or key == "new":
            return why
        row = self.current_row()
        if row is None:
            return NO_ACCOUNT
        if key == "reveal" and not self.model.value_in(row, "tax_id"):
            return "No tax id on file for this account"
        status = str(self.model.value_in(row, "status"))
        if key == "transfer" and status != "open":
            return f"{self.selected_account()} is {status}: nothing moves out of it"
        if key == "death" and status == "closed":
            return f"{self.selected_account()} is closed"
        return None

    def update_actions(self, *_args: object) -> None:
        update_actions(self.account_actions, ACTIONS, self.refusal)

    # -- the actions ---------------------------------------------------------------------------
    def new_account(self) -> None:
        self._request_for("new")

    def amend(self) -> None:
        """Read the selected account's record on a worker, then open the amend form."""
        self._request_for("amend")

    def change_status(self) -> None:
        self._request_for("status")

    def transfer(self) -> TransferDialog | None:
        """Ask for a journal from the selected account (imported on first use)."""
        row, number = self.current_row(), self.selected_account()
        if self.refusal("transfer") is not None or self.workspace is None or row is None:
            return None
        from desk_app.ui.dialogs.transfer_dialog import TransferDialog

        assert number is not None
        currency = str(self.model.value_in(row, "base_currency") or "USD")
        dialog = TransferDialog(self.workspace.transfers, number, currency=currency, parent=self)
        if self.transfer_dialog is not None:
            self.transfer_dialog.deleteLater()
        self.transfer_dialog = dialog
        dialog.accepted.connect(lambda: self._on_sent(dialog.sent_text()))
        dialog.open()
        return dialog

    def record_death(self) -> RecordDeathDialog | None:
        """Record the selected account's holder's death (the case opens in the Estates tab)."""
        number, workspace = self.selected_account(), self.workspace
        if self.refusal("death") is not None or workspace is None or number is None:
            return None
        from desk_app.ui.dialogs.estate_dialogs import RecordDeathDialog

        dialog = RecordDeathDialog(workspace.estates, number, self)
        if self.death_dialog is not None:
            self.death_dialog.deleteLater()
        self.death_dialog = dialog
        dialog.accepted.connect(
            lambda: self._on_sent(
                f"Estate case {dialog.case_id} opened for {number}; the account is restricted"
            )  # fmt: skip
        )
        dialog.open()
        return dialog

    def show_history(self) -> None:
        """The selected account's audited changes, read on a worker (imported on first use)."""
        number, workspace = self.selected_account(), self.workspace
        if self.refusal("history") is not None or workspace is None or number is None:
            return
        Op(
            self,
            lambda: workspace.history.account_history(number),
            done=self._show_history,
            busy_key=f"accounts.history.{id(self)}",
        ).run()

    def _show_history(self, history: RecordHistoryView) -> None:
        from desk_app.ui.dialogs.history_dialog import HistoryDialog

        if self.history_dialog is not None:
            self.history_dialog.deleteLater()
        self.history_dialog = HistoryDialog(history, self)
        self.history_dialog.show()

    def reveal_tax_id(self) -> None:
        """The full tax id in a small message; the service records that it was shown."""
        number, workspace = self.selected_account(), self.workspace
        if self.refusal("reveal") is not None or workspace is None or number is None:
            return
        Op(
            self,
            lambda: workspace.accounts.reveal_tax_id(number),
            done=lambda tax_id: self._show_tax_id(number, tax_id),
            busy_key=f"accounts.reveal.{id(self)}",
        ).run()

    def _show_tax_id(self, number: str, tax_id: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Tax ID", f"Tax ID of {number}: {tax_id}",
                          QMessageBox.StandardButton.Close, self)  # fmt: skip
        box.setInformativeText("Showing it was recorded in the audit trail.")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.reveal_box is not None:
            self.reveal_box.deleteLater()
        self.reveal_box = box
        box.open()

    # -- internals ------------------------------------------------------------------------------
    def _request_for(self, key: str) -> None:
        """Open the request form for ``key`` (new, amend, status), prefilled from the record."""
        workspace, number = self.workspace, self.selected_account()
        if self.refusal(key) is not None or workspace is None:
            return
        if key == "new" or number is None:
            self._open_request(key, None)
            return
        Op(
            self,
            lambda: workspace.accounts.record(number),
            done=lambda record: self._open_request(key, record),
            busy_key=f"accounts.request.{id(self)}",
        ).run()

    def _open_request(self, key: str, record: AccountRecordView | None) -> None:
        from desk_app.ui.dialogs.account_request_dialog import AccountRequestDialog, RequestKind

        workspace = self.workspace
        if workspace is None:  # closed while the record was read
            return
        kind = {"new": RequestKind.OPEN, "amend": RequestKind.AMEND}.get(key, RequestKind.STATUS)
        dialog = AccountRequestDialog(workspace.accounts, kind, record, parent=self)
        if self.request_dialog is not None:
            self.request_dialog.deleteLater()
        self.request_dialog = dialog
        dialog.accepted.connect(lambda: self._on_sent(dialog.sent_text()))
        dialog.open()

    def _on_sent(self, text: str) -> None:
        self.show_notice(text, Tone.POSITIVE)
        self.records_changed.emit()  # the Approvals tab counts it
