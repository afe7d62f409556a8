"""A titled pane: a heading over widgets that share the height (the history dialogs' parts)."""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def titled_pane(
    parent: QWidget, title: QLabel, *widgets: QWidget, fixed: Collection[QWidget] = ()
) -> QWidget:
    """``title`` over ``widgets``; those in ``fixed`` keep their height, the rest stretch."""
    pane = QWidget(parent)
    column = QVBoxLayout(pane)
    column.setContentsMargins(0, 4, 0, 0)
    column.addWidget(title)
    for widget in widgets:
        column.addWidget(widget, 0 if widget in fixed else 1)
    return pane
