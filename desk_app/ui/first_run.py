"""The first run: no database chosen yet, so the window welcomes the user and asks where.

Loaded only when it is needed (after the first paint, and only on a first run), so the
welcome costs a normal start nothing. What is chosen is opened like any other
database, and remembered only once it has opened: a refused server, a wrong password
or a cancelled form saves nothing, and the next start welcomes again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desk_app.domain.db_address import DatabaseAddress
from desk_app.domain.first_user import FirstUser
from desk_app.ui.dialogs.welcome_dialog import WelcomeDialog
from desk_app.ui.opening import OpenRequest

if TYPE_CHECKING:
    from desk_app.ui.launch import DeskController

SHARED_NOTE = (
    "Whoever runs your firm's database server gives you these. Connect tries them "
    "first: nothing is saved until the connection works."
)
NOTHING_CHOSEN = "No database open: choose one from the File menu (Open, New or Connect)."


class WelcomeFlow(QObject):
    """Drives the welcome dialog for the controller: each choice becomes an `OpenRequest`."""

    def __init__(self, controller: DeskController, default_file: str) -> None:
        super().__init__(controller)
        self.controller = controller
        self.dialog = WelcomeDialog(default_file, controller.actor, controller.window)
        self.dialog.local_chosen.connect(self.open_local)
        self.dialog.shared_chosen.connect(self.connect_shared)
        self.dialog.demo_chosen.connect(self.open_demo)
        self.dialog.rejected.connect(self._nothing_chosen)

    def show(self) -> WelcomeDialog:
        self.dialog.show_choices()
        self.dialog.open()
        return self.dialog

    def open_local(self, path: str, first_user: object) -> None:
        """A new file is created with its first user; an existing one is opened as it is."""
        profile = first_user if isinstance(first_user, FirstUser) else None
        new = not Path(path).exists()
        url = DatabaseAddress.sqlite_file(Path(path)).url
        self.controller.open(
            OpenRequest(
                url, self.controller.actor, remember=True, create=new,
                first_user=profile if new else None,
            )
        )  # fmt: skip

    def connect_shared(self) -> None:
        """The connect dialog, testing before it connects; Cancel comes back here."""
        dialog = self.controller.show_connect_dialog(verify=True, note=SHARED_NOTE)
        dialog.rejected.connect(self.show)

    def open_demo(self) -> None:
        """The separate demo file; not remembered, so the next start asks again."""
        self.controller.open(OpenRequest(None, self.controller.actor, demo=True))

    def _nothing_chosen(self) -> None:
        window = self.controller.window
        if self.controller.workspace is None:
            window.clear_workspace(NOTHING_CHOSEN)
        window.statusBar().showMessage(NOTHING_CHOSEN)
