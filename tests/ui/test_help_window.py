"""Help → User guide and F1: the guide's pages, shown inside Desk, offline."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

import desk_app.ui.dialogs
from desk_app.services.workspace import Workspace
from desk_app.ui.help_topics import (
    DIALOG_PAGES,
    INDEX_PAGE,
    TAB_PAGES,
    dialog_page,
    guide_folder,
    tab_page,
)
from desk_app.ui.help_window import HelpWindow
from desk_app.ui.main_window import TABS, MainWindow
from desk_app.ui.settings import DeskSettings
from tests.ui.conftest import wait_ops

# The offscreen platform cannot raise a window; the help window asks it to.
pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support")]


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> Iterator[MainWindow]:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(DeskSettings(store), "tester")
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()  # shortcuts go to the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    yield window
    if window.help.window is not None:
        window.help.window.close()


def _showing(help_window: HelpWindow | None, page: str) -> bool:
    return (
        help_window is not None
        and help_window.isVisible()
        and help_window.page() == guide_folder() / page
    )


def test_f1_on_each_tab_opens_that_tabs_page(qtbot: QtBot, window: MainWindow) -> None:
    for index, spec in enumerate(TABS):
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        window.tab_widget.setCurrentIndex(index)
        qtbot.keyClick(window.tab_widget, Qt.Key.Key_F1)
        qtbot.waitUntil(lambda s=spec: _showing(window.help.window, tab_page(s.key)))
        assert window.help.window is not None
        source = window.help.window.browser.source().toLocalFile()
        assert Path(source).name == TAB_PAGES[spec.key]


def test_help_menu_user_guide_opens_the_contents(qtbot: QtBot, window: MainWindow) -> None:
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    guide = next(a for a in help_menu.actions() if a.text() == "&User guide")
    guide.trigger()
    qtbot.waitUntil(lambda: _showing(window.help.window, INDEX_PAGE))
    assert window.help.window is not None
    assert window.help.window.windowTitle() == "Desk — Desk user guide"


def test_links_back_forward_and_pictures(qtbot: QtBot, window: MainWindow) -> None:
    help_window = window.help.show(INDEX_PAGE)
    browser = help_window.browser
    assert not help_window.back_action.isEnabled()
    browser.setSource(browser.source().resolved(QUrl("fails.md")))  # as a click on its link
    assert help_window.page() == guide_folder() / "fails.md"
    assert help_window.back_action.isEnabled()
    help_window.back_action.trigger()
    assert help_window.page() == guide_folder() / INDEX_PAGE
    help_window.forward_action.trigger()
    assert help_window.page() == guide_folder() / "fails.md"
    help_window.contents_action.trigger()
    assert help_window.page() == guide_folder() / INDEX_PAGE
    browser.setSource(browser.source().resolved(QUrl("no-such-page.md")))  # not installed
    assert browser.toPlainText().startswith("No such page")
    assert help_window.windowTitle() == "Desk — No such page"
    help_window.back_action.trigger()
    assert help_window.page() == guide_folder() / INDEX_PAGE
    assert browser.toPlainText().startswith("Desk user guide")

    # The tab's picture is drawn, no wider than the page.
    help_window.open_page("fails.md")
    picture = browser.loadResource(
        QTextDocument.ResourceType.ImageResource.value, QUrl("images/fails.png")
    )
    assert isinstance(picture, QImage) and not picture.isNull()
    assert picture.width() <= browser.picture_width()


def test_find_on_the_page(qtbot: QtBot, window: MainWindow) -> None:
    help_window = window.help.show("settlements.md")
    qtbot.waitUntil(lambda: QApplication.activeWindow() is help_window)
    qtbot.keyClick(help_window.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    bar = help_window.find_bar
    qtbot.waitUntil(lambda: bar.isVisible() and bar.box.hasFocus())
    qtbot.keyClicks(bar.box, "cut-off")
    assert help_window.browser.textCursor().selectedText().lower() == "cut-off"
    assert bar.status.text() == ""
    first = help_window.browser.textCursor().position()
    qtbot.keyClick(bar.box, Qt.Key.Key_Return)  # the next match
    assert help_window.browser.textCursor().position() != first
    bar.box.setText("no such words on this page")
    assert bar.status.text() == "Not on this page"
    qtbot.keyClick(bar.box, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    qtbot.keyClick(help_window.browser, Qt.Key.Key_F1)  # F1 in the help: its contents
    qtbot.waitUntil(lambda: help_window.page() == guide_folder() / INDEX_PAGE)


def test_f1_in_a_modal_dialog_opens_help_beside_it(qtbot: QtBot, window: MainWindow) -> None:
    """A modal dialog blocks the main window's keys; F1 still answers, in a window of its own."""
    window.tab_widget.setCurrentIndex(2)  # Fails
    about = window.show_about()  # modal, and no page of its own: the tab's page
    qtbot.waitUntil(lambda: QApplication.activeWindow() is about)
    qtbot.keyClick(about, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: _showing(about.findChild(HelpWindow, "help_window"), "fails.md"))
    found = about.findChild(HelpWindow, "help_window")
    assert isinstance(found, HelpWindow) and found is not window.help.window
    qtbot.keyClick(about, Qt.Key.Key_F1)  # again: the same window, not a second one
    assert len(about.findChildren(HelpWindow)) == 1
    found.close()
    about.close()


def test_f1_in_a_dialog_opens_the_page_of_its_topic(
    qtbot: QtBot, tmp_path: Path, sqlite_workspace: Workspace
) -> None:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(DeskSettings(store), "tester")
    qtbot.addWidget(window)
    window.show()
    window.set_workspace(sqlite_workspace)
    try:
        window.tab_widget.setCurrentIndex(3)  # Accounts: not the dialog's topic
        dialog = window.show_date_check()  # Reference → Check settlement dates…
        assert dialog is not None
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_F1)
        qtbot.waitUntil(lambda: _showing(window.help.window, "settlements.md"))
        dialog.close()
        assert window.help.window is not None
        window.help.window.close()
    finally:
        window.clear_workspace()
        wait_ops(qtbot)
        qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0)


def test_a_copy_without_its_guide_says_so(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed without the guide (a bundle built wrong): a plain message, not a blank page."""
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert guide_folder() == tmp_path / "docs" / "guide"
    help_window = HelpWindow()
    qtbot.addWidget(help_window)
    help_window.open_page("fails.md")
    text = help_window.browser.toPlainText()
    assert text.startswith("The user guide is missing") and str(guide_folder()) in text
    # In the bundle, the guide is found beside the program.
    (tmp_path / "docs" / "guide").mkdir(parents=True)
    (tmp_path / "docs" / "guide" / "index.md").write_text("# Bundled\n", encoding="utf-8")
    help_window.open_page("fails.md")  # no such page there: the contents
    assert help_window.page() == tmp_path / "docs" / "guide" / "index.md"


def test_every_dialog_named_for_help_exists() -> None:
    """A dialog renamed or removed must not leave its help entry behind."""
    classes: dict[str, type] = {}
    for info in pkgutil.iter_modules(desk_app.ui.dialogs.__path__):
        module = importlib.import_module(f"desk_app.ui.dialogs.{info.name}")
        classes |= {
            name: value
            for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, QDialog)
        }
    assert set(DIALOG_PAGES) <= set(classes)
    ticket = classes["TradeTicketDialog"]
    assert dialog_page([cls.__name__ for cls in ticket.__mro__]) == "blotter.md"
    verify = classes["VerifyDialog"]  # through its base class
    assert dialog_page([cls.__name__ for cls in verify.__mro__]) == "manifests.md"
    assert dialog_page(["QDialog", "QWidget"]) is None


def test_every_tab_has_its_page_and_picture() -> None:
    for spec in TABS:
        page = guide_folder() / tab_page(spec.key)
        assert page.name != INDEX_PAGE, f"the {spec.title} tab has no page in the guide"
        assert page.is_file(), page
        assert f"](images/{spec.key}.png)" in page.read_text(encoding="utf-8"), page.name
        assert page.read_text(encoding="utf-8").startswith(f"# {spec.title}\n")
