"""Actions a tab offers as far as the user's roles and the selection allow.

Built from one table per tab (text, permission, shortcut, tooltip); a disabled
action's tooltip says why it is disabled ("Select a trade first", "Needs the
supervisor role"), so nothing is greyed out without a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from desk_app.domain.permissions import Action


@dataclass(frozen=True)
class ActionSpec:
    text: str
    permission: Action
    shortcut: str  # "" for none
    tip: str  # the tooltip while it is allowed


def build_actions(
    parent: QWidget,
    specs: Mapping[str, ActionSpec],
    slots: Mapping[str, Callable[[], object]],
    *,
    name: str,
) -> dict[str, QAction]:
    """One QAction per spec on ``parent``, named ``{key}_{name}`` (what tests look up)."""
    actions = {}
    for key, spec in specs.items():
        action = QAction(spec.text, parent)
        action.setObjectName(f"{key}_{name}")
        if spec.shortcut:
            action.setShortcut(QKeySequence(spec.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False, slot=slots[key]: slot())
        parent.addAction(action)
        actions[key] = action
    return actions


def update_actions(
    actions: Mapping[str, QAction],
    specs: Mapping[str, ActionSpec],
    refusal: Callable[[str], str | None],
) -> None:
    """Enable what is allowed; a disabled action's tooltip says why."""
    for key, action in actions.items():
        why = refusal(key)
        action.setEnabled(why is None)
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        tip = specs[key].tip + (f" ({shortcut})" if shortcut else "")
        action.setToolTip(why or tip)
