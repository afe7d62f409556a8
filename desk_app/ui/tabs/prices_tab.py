"""The Prices tab: instruments' closing prices by day, newest first, and their import.

Searched by ISIN, symbol or description like every list. Import prices… reads and
stores a file on a worker, all or nothing: a file with problems stores none of it,
and its problems (line, field, reason) are listed for the clerk to fix in one go.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QWidget

from desk_app.domain.listing import PageSource
from desk_app.domain.permissions import Action
from desk_app.ui.guarded_actions import ActionSpec, build_actions, update_actions
from desk_app.ui.ops import Op
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.action_bar import ActionBar
from desk_app.ui.tabs.holding_views import PriceImportView
from desk_app.ui.tabs.table_tab import OPENING_TEXT, TableTab, WorkspaceView
from desk_app.ui.theme import Tone

if TYPE_CHECKING:  # the dialog is imported when first opened, not at startup
    from desk_app.ui.dialogs.price_problems_dialog import PriceProblemsDialog

ACTIONS = {
    "import": ActionSpec("Import prices…", Action.PRICE_IMPORT, "Ctrl+Shift+I",
                         "Import a prices CSV (isin, date, price, currency; optional high, "
                         "low), all or nothing"),
}  # fmt: skip
FILE_FILTER = "CSV files (*.csv *.txt);;All files (*)"


class PricesTab(TableTab):
    key = "prices"
    title = "Prices"
    empty_text = "No prices yet: import a prices file (Import prices…)."
    search_hint = "ISIN, symbol or description"

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.problems_dialog: PriceProblemsDialog | None = None
        self.price_actions = build_actions(
            self, ACTIONS, {"import": self.choose_file}, name="price_action"
        )
        self.toolbar = ActionBar("Price actions", self)
        self.toolbar.setObjectName("price_actions")
        self.add_action_bar(self.toolbar)
        separator = QAction(self.view)
        separator.setSeparator(True)
        self.view.addAction(separator)
        for action in self.price_actions.values():
            self.view.addAction(action)
            self.toolbar.addAction(action)
        self.update_actions()

    def source_from(self, workspace: WorkspaceView) -> PageSource:
        return workspace.prices.prices(self.search_text())

    def set_workspace(self, workspace: WorkspaceView) -> None:
        super().set_workspace(workspace)
        self.update_actions()

    def clear(self, message: str = OPENING_TEXT) -> None:
        super().clear(message)
        self.update_actions()

    def refusal(self, key: str) -> str | None:
        if self.workspace is None:
            return "No database open"
        return self.workspace.user.refusal(ACTIONS[key].permission)

    def update_actions(self, *_args: object) -> None:
        update_actions(self.price_actions, ACTIONS, self.refusal)

    # -- importing -------------------------------------------------------------------------
    def choose_file(self) -> None:
        if self.refusal("import") is not None:
            return
        name, _ = QFileDialog.getOpenFileName(self, "Import prices", QDir.homePath(), FILE_FILTER)
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        """Read and store ``path`` on a worker; say what it did, or list why it did nothing."""
        workspace = self.workspace
        if self.refusal("import") is not None or workspace is None:
            return
        Op(
            self,
            lambda: workspace.prices.import_file(path),
            done=self._imported,
            label=f"Importing {path.name}…",
            busy_key=f"prices.import.{id(self)}",
        ).run()

    def _imported(self, result: PriceImportView) -> None:
        if result.ok:
            self.show_notice(result.summary(), Tone.POSITIVE)
            self.reload_source()
            self.records_changed.emit()  # the accounts' market values move with it
            return
        from desk_app.ui.dialogs.price_problems_dialog import PriceProblemsDialog

        self.show_notice(result.summary(), Tone.NEGATIVE)
        if self.problems_dialog is not None:
            self.problems_dialog.deleteLater()
        self.problems_dialog = PriceProblemsDialog(result, self)
        self.problems_dialog.open()
