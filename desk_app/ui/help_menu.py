"""The Help menu's guide: Help → User guide, and F1 for the page of what is in front.

F1 works in the main window (the page of the tab on screen) and in each of its
dialogs (the page of the dialog's topic), modal ones included. The help window itself
is imported only when first asked for: the main window's first paint stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QWidget

from desk_app.ui.help_topics import INDEX_PAGE, dialog_page, tab_page

if TYPE_CHECKING:
    from desk_app.ui.help_window import HelpWindow

HELP_KEY = "F1"
#: Set on a dialog once it has its own F1 (see `HelpMenu._offer_help_in`).
HELP_PROPERTY = "desk_f1_help"


class HelpMenu(QObject):
    """The guide's entries of the Help menu, and F1 in the window and its dialogs."""

    def __init__(self, window: QMainWindow, menu: QMenu, current_tab: Callable[[], str]) -> None:
        super().__init__(window)
        self._window = window
        self._current_tab = current_tab
        #: The help window of the main window (a modal dialog's has its own, as its child).
        self.window: HelpWindow | None = None
        self.guide_action = self._add(menu, "&User guide", lambda: self.show(INDEX_PAGE))
        self.context_action = self._add(menu, "&Help on this tab", self.show_context_help)
        self.context_action.setShortcut(QKeySequence(HELP_KEY))
        self.context_action.setToolTip("The guide's page about the tab or dialog in front of you")
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._offer_help_in)

    def _add(self, menu: QMenu, text: str, slot: Callable[[], object]) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(lambda _checked=False: slot())
        self._window.addAction(action)  # the shortcut works with the menu bar hidden too
        return action

    def show_context_help(self) -> HelpWindow:
        """F1: the guide's page on what is in front of the user.

        In a dialog, the page of its topic (the trade ticket: the blotter's); in the
        help window, the contents; anywhere else, the page of the tab on screen.
        """
        active = QApplication.activeModalWidget() or QApplication.activeWindow()
        page = None
        if active is not None and type(active).__name__ == "HelpWindow":
            page = INDEX_PAGE
        elif active is not None and active is not self._window:
            page = dialog_page([cls.__name__ for cls in type(active).__mro__])
        return self.show(page or tab_page(self._current_tab()))

    def show(self, page: str) -> HelpWindow:
        """The help window on ``page`` of the user guide, in front."""
        from desk_app.ui.help_window import HelpWindow

        modal = QApplication.activeModalWidget()
        if modal is not None and modal is not self._window:
            # A modal dialog blocks every window but its own: the help is its own.
            found = modal.findChild(HelpWindow, "help_window")
            window = found if isinstance(found, HelpWindow) else HelpWindow(modal)
        else:
            if self.window is None:
                self.window = HelpWindow(self._window)
            window = self.window
        window.open_page(page)
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def _offer_help_in(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Give F1 to each other window of ours the first time it takes the focus.

        A shortcut of the dialog's own, because a modal dialog blocks the main window's;
        and not an application-wide one, which would clash with it (Qt then fires neither).
        """
        if new is None or not shiboken6.isValid(self._window):
            return
        top = new.window()
        if (
            top is self._window
            or top.windowType() == Qt.WindowType.Popup
            or top.property(HELP_PROPERTY)
        ):
            return
        owner = top.parentWidget()
        while owner is not None and owner is not self._window:
            owner = owner.parentWidget()
        if owner is None:
            return  # not a window of ours (another main window's, a test's)
        top.setProperty(HELP_PROPERTY, True)
        shortcut = QShortcut(QKeySequence(HELP_KEY), top)
        shortcut.activated.connect(self.show_context_help)
