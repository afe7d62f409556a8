"""The guide's keyboard page lists exactly the shortcuts the window has.

The shortcuts are read from the widgets themselves (every QAction and QShortcut of
the main window with all its tabs built, the Security menu and the help window), so
a shortcut added, changed or dropped anywhere in the code without the page following
fails here, and so does a line on the page that no longer does anything. Keys that
widgets handle themselves (Esc in a search box, Enter in the ticket) are under the
page's "Other keys" and are not checked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from desk_app.ui.help_topics import guide_folder
from desk_app.ui.help_window import HelpWindow
from desk_app.ui.idle_lock import IdleLock
from desk_app.ui.main_window import TABS, MainWindow
from desk_app.ui.security_menu import SecurityMenu
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.table_tab import TableTab

pytestmark = pytest.mark.gui

EVERYWHERE = "Everywhere"
EVERY_LIST = "Every list"
HELP_WINDOW = "Help window"
#: The page's sections that this test checks; any other section is free text.
PLACES = (EVERYWHERE, EVERY_LIST, *(spec.title for spec in TABS), HELP_WINDOW)
ROW = re.compile(r"^\|\s*([^|]+?)\s*\|")


def _keys(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def documented() -> dict[str, set[str]]:
    """The keys of each checked section of keyboard.md."""
    found: dict[str, set[str]] = defaultdict(set)
    place = None
    for line in (guide_folder() / "keyboard.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            place = line[3:].strip() if line[3:].strip() in PLACES else None
            continue
        match = ROW.match(line)
        if place is None or match is None or match[1] in ("Keys", "---"):
            continue
        keys = _keys(QKeySequence(match[1]))
        assert keys, f"keyboard.md, {place}: {match[1]!r} is not a key sequence"
        found[place].add(keys)
    return dict(found)


def _tab_of(obj: QObject) -> TableTab | None:
    parent = obj.parent()
    while parent is not None and not isinstance(parent, TableTab):
        parent = parent.parent()
    return parent


def _reaches_menu_bar(action: QAction, window: MainWindow) -> bool:
    """In a menu of the window's menu bar: its shortcut works on every tab."""
    bar_menus = {a.menu() for a in window.menuBar().actions()}
    return any(isinstance(w, QMenu) and w in bar_menus for w in action.associatedObjects())


def in_the_code(window: MainWindow, help_window: HelpWindow) -> dict[str, set[str]]:
    """The shortcuts the widgets have, by where they work."""
    found: dict[str, set[str]] = defaultdict(set)
    by_tab: dict[str, set[str]] = defaultdict(set)
    objects: list[QAction | QShortcut] = [
        *window.findChildren(QAction),
        *window.findChildren(QShortcut),
    ]
    for obj in objects:
        keys = _keys(obj.key() if isinstance(obj, QShortcut) else obj.shortcut())
        if not keys:
            continue
        tab = _tab_of(obj)
        if isinstance(obj, QAction) and (
            obj in window.actions()
            or (
                obj.shortcutContext() != Qt.ShortcutContext.WidgetWithChildrenShortcut
                and _reaches_menu_bar(obj, window)
            )
        ):
            found[EVERYWHERE].add(keys)
        elif tab is not None:
            by_tab[tab.title].add(keys)
        else:
            raise AssertionError(f"{keys} ({obj.objectName() or obj}) works where?")
    # What most tabs have (copy; the search box, which the blotter's filter bar replaces).
    # A key only some share (Ctrl+N, a new record of the tab's kind: half the tabs) is
    # listed under each of them.
    every = [keys for spec in TABS for keys in by_tab[spec.title]]
    common = {keys for keys in every if every.count(keys) > len(TABS) // 2}
    found[EVERY_LIST] = common
    for spec in TABS:
        if by_tab[spec.title] - common:
            found[spec.title] = by_tab[spec.title] - common
    found[HELP_WINDOW] = {
        _keys(action.shortcut())
        for action in help_window.actions()
        if not action.shortcut().isEmpty()
    }
    return {place: keys for place, keys in found.items() if keys}


def test_keyboard_page_lists_every_shortcut_and_only_those(qtbot: QtBot, tmp_path: Path) -> None:
    store = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(DeskSettings(store), "tester")
    qtbot.addWidget(window)
    SecurityMenu(window, DeskSettings(store), IdleLock(window, 0))
    assert len(window.tabs) == len(TABS)  # every tab built, with its actions
    help_window = HelpWindow()
    qtbot.addWidget(help_window)

    code, page = in_the_code(window, help_window), documented()
    for place in PLACES:
        missing = code.get(place, set()) - page.get(place, set())
        extra = page.get(place, set()) - code.get(place, set())
        assert not missing, f"keyboard.md, section {place!r}, lacks {sorted(missing)}"
        assert not extra, f"keyboard.md, section {place!r}: no such shortcut {sorted(extra)}"
