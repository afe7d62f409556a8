"""Pieces several tabs build the same way: a *Show:* list, a bar of actions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from desk_app.ui.tabs.action_bar import ActionBar
from desk_app.ui.tabs.table_tab import TableTab


def show_row(tab: TableTab, name: str, choices: Sequence[tuple[str, str]]) -> QComboBox:
    """A *Show:* list of (code, label) on a row of its own under the title; choosing one
    reads the list again."""
    combo = QComboBox(tab)
    combo.setObjectName(name)
    for code, label in choices:
        combo.addItem(label, code)
    combo.currentIndexChanged.connect(lambda _i: tab.reload_source())
    row = QHBoxLayout()
    row.addWidget(QLabel("Show:", tab))
    row.addWidget(combo)
    row.addStretch(1)
    bar = QWidget(tab)
    bar.setLayout(row)
    tab.insert_header_row(bar)
    return combo


def action_toolbar(
    tab: TableTab, title: str, actions: Mapping[str, QAction], separate_before: Iterable[str] = ()
) -> ActionBar:
    """The tab's actions as buttons on a row under its title (also on the table's
    context menu). The row wraps rather than hide an action (see `ActionBar`)."""
    gaps = set(separate_before)
    bar = ActionBar(title, tab)
    for key, action in actions.items():
        if key in gaps:
            bar.addSeparator()
        bar.addAction(action)
        tab.view.addAction(action)
    tab.add_action_bar(bar)
    return bar
