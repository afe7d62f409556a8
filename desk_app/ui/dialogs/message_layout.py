"""The top of a message dialog: the style's message-box icon beside selectable text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStyle, QVBoxLayout, QWidget


def message_icon(parent: QWidget, which: QStyle.StandardPixmap) -> QLabel:
    """A label showing the style's ``which`` icon at message-box size."""
    label = QLabel(parent)
    size = parent.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
    label.setPixmap(parent.style().standardIcon(which).pixmap(size, size))
    return label


def message_label(parent: QWidget, text: str, *, min_width: int) -> QLabel:
    """The message itself, named "message", wrapped and selectable so it can be copied."""
    label = QLabel(text, parent)
    label.setObjectName("message")
    label.setWordWrap(True)
    label.setMinimumWidth(min_width)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def headed_message(
    parent: QWidget, which: QStyle.StandardPixmap, heading: str, message: str
) -> tuple[QHBoxLayout, QLabel]:
    """The ``which`` icon beside a bold ``heading`` over ``message``; and the message label."""
    label = message_label(parent, message, min_width=420)
    text = QVBoxLayout()
    text.addWidget(QLabel(f"<b>{heading}</b>", parent))
    text.addWidget(label)
    top = QHBoxLayout()
    top.addWidget(message_icon(parent, which), 0, Qt.AlignmentFlag.AlignTop)
    top.addLayout(text, 1)
    return top, label
