"""A tab's actions as a row of buttons that wraps instead of hiding any.

A `QToolBar` that is too narrow folds its last actions into a » menu, where a
clerk does not see them (the certificates' fourteen did at 1366 pixels, and a
long notice beside a tool bar pushed any of them there). This bar puts each
action on a button with its icon and text beside it, and starts a second line
when one is not wide enough. Buttons look like buttons: framed, lighter under
the mouse, sunken while pressed, greyed while disabled (their tooltip says why).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction, QActionEvent, QHelpEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QWidget,
    QWidgetItem,
)

from desk_app.ui.action_icons import action_icon

#: Framed buttons in the palette's own colours (no fixed colour scheme).
BUTTON_STYLE = """
QToolButton {
    border: 1px solid palette(mid);
    border-radius: 4px;
    padding: 2px 5px;
    background: palette(button);
}
QToolButton:hover { border-color: palette(highlight); background: palette(light); }
QToolButton:pressed { background: palette(mid); }
QToolButton:disabled { border-color: palette(midlight); background: palette(window); }
"""
ICON_SIZE = QSize(16, 16)
#: Room around a button's icon and text: the style sheet's padding and border, each side.
_PADDING = QSize(5 + 1, 2 + 1)
_ICON_GAP = 4


class ActionButton(QToolButton):
    """A framed button for one action, as wide as its icon and text."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # The style's own hint adds a menu arrow's room that these buttons never show.
        metrics = self.fontMetrics()
        text = self.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        width = ICON_SIZE.width() + _ICON_GAP + metrics.horizontalAdvance(text)
        height = max(ICON_SIZE.height(), metrics.height())
        return QSize(width + 2 * _PADDING.width() + 2, height + 2 * _PADDING.height() + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def tooltip_text(self) -> str:
        """The tooltip shown: the action's, with its shortcut even while it is disabled
        (the action's own tooltip then says why, and nothing else)."""
        text = self.toolTip()
        action = self.defaultAction()
        if action is None or action.shortcut().isEmpty():
            return text
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        return text if f"({shortcut})" in text else f"{text} ({shortcut})"

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            QToolTip.showText(event.globalPos(), self.tooltip_text(), self)
            return True
        return super().event(event)


class ActionBar(QWidget):
    """Buttons for the actions added to it (`addAction`), wrapping onto more lines."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self._buttons: dict[QAction, QWidget] = {}
        self._flow = FlowLayout(self)
        self.setStyleSheet(BUTTON_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def addSeparator(self) -> QAction:  # noqa: N802 - QToolBar's name, which callers use
        """A thin line between groups of actions."""
        separator = QAction(self)
        separator.setSeparator(True)
        self.addAction(separator)
        return separator

    def widgetForAction(self, action: QAction) -> QWidget | None:  # noqa: N802
        """The button (or separator line) showing ``action``."""
        return self._buttons.get(action)

    def actionEvent(self, event: QActionEvent) -> None:
        action = event.action()
        if event.type() == QEvent.Type.ActionAdded:
            self._add(action, event.before())
        elif event.type() == QEvent.Type.ActionRemoved:
            widget = self._buttons.pop(action, None)
            if widget is not None:
                self._flow.removeWidget(widget)
                widget.deleteLater()
        super().actionEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            # Icons are drawn in the palette's colour: draw them again in the new one.
            for action in self._buttons:
                if not action.isSeparator():
                    action.setIcon(action_icon(action.objectName(), self.palette()))
            self.setStyleSheet(BUTTON_STYLE)  # polish again with the new palette
        super().changeEvent(event)

    def _add(self, action: QAction, before: QAction | None) -> None:
        widget: QWidget
        if action.isSeparator():
            line = QFrame(self)
            line.setFrameShape(QFrame.Shape.VLine)
            line.setFrameShadow(QFrame.Shadow.Sunken)
            line.setFixedWidth(6)
            widget = line
        else:
            if action.icon().isNull():
                action.setIcon(action_icon(action.objectName(), self.palette()))
            button = ActionButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setIconSize(ICON_SIZE)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # as on a tool bar: shortcuts
            widget = button
        self._buttons[action] = widget
        at = self._flow.count()
        if before is not None and before in self._buttons:
            at = self._flow.indexOf(self._buttons[before])
        self._flow.insert(at, widget)


class FlowLayout(QLayout):
    """Items left to right, a new line when the next one does not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(spacing)

    def insert(self, index: int, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self._items.insert(index, QWidgetItem(widget))
        self.invalidate()

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        """All on one line."""
        visible = [i.sizeHint() for i in self._items if not i.isEmpty()]
        width = sum(s.width() for s in visible) + self.spacing() * max(len(visible) - 1, 0)
        return QSize(width, max((s.height() for s in visible), default=0))

    def minimumSize(self) -> QSize:  # noqa: N802
        """The widest button: everything else can go on another line."""
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Lay the items out in ``rect`` (or only measure); the height they take."""
        x, y, line = rect.x(), rect.y(), 0
        # One height for the row: buttons alike, separator lines as tall as they are.
        tallest = max((i.sizeHint().height() for i in self._items if not i.isEmpty()), default=0)
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y, line = rect.x(), y + line + self.spacing(), 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(hint.width(), tallest)))
            x += hint.width() + self.spacing()
            line = tallest
        return y + line - rect.y()
