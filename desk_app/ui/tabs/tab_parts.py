"""Pieces several tabs build the same way: a *Show:* list, a tool bar of actions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolBar, QWidget

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
) -> QToolBar:
    """The tab's actions as a tool bar in its header (also on the table's context menu).

    A tool bar folds what does not fit into a » menu, so a narrow window still fits.
    """
    gaps = set(separate_before)
    toolbar = QToolBar(title, tab)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for key, action in actions.items():
        if key in gaps:
            toolbar.addSeparator()
        toolbar.addAction(action)
        tab.view.addAction(action)
    tab.add_header_widget(toolbar)
    return toolbar
