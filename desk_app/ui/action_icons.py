"""The icons of the tabs' actions: Desk's own line drawings, in the palette's text colour.

Each action is named ``{key}_{tab's name}`` (`guarded_actions.build_actions`); its
icon is the drawing ``resources/icons/actions/{key}.svg``, or an alias's. The
drawings stroke ``currentColor``, which is replaced by the colour of button text
here, so they read in light and dark schemes alike; Qt greys them when disabled.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

_FOLDER = files("desk_app") / "resources" / "icons" / "actions"
#: Actions drawn with another action's icon.
_ALIASES = {
    "add": "new",
    "run_settlement": "run",
    "report": "print",
    "loss_report": "report",
    "receipt_form": "report",
    "pickup": "manifest",
    "recheck_all": "recheck",
    "deactivate": "stop",
    "activate": "returned",
    "delete": "cancel",
    "death": "stop",  # the account stops: restricted from the date of death
    "beneficiary_died": "stop",  # a share that stops with the beneficiary
    "receive": "receipt",
    "letter": "print",
    "reregister": "transfer",
    # ACATS: the delivering side's answer, and what follows it
    "validate": "verify",
    "exception": "fail",
    "correct": "amend",
    "complete": "settle",
    "purge": "cancel",
    "reverse": "returned",  # a completed transfer's assets go back
}
#: The sizes drawn: the tool bar's, and twice it for high-density screens.
SIZES = (16, 32)


def icon_key(object_name: str) -> str | None:
    """The drawing for an action named ``object_name`` (None if Desk has none)."""
    parts = object_name.split("_")
    for end in range(len(parts), 0, -1):
        key = "_".join(parts[:end])
        key = _ALIASES.get(key, key)
        if (_FOLDER / f"{key}.svg").is_file():
            return key
    return None


def action_icon(object_name: str, palette: QPalette | None = None) -> QIcon:
    """The icon for the action named ``object_name`` (a null icon if it has none)."""
    key = icon_key(object_name)
    if key is None:
        return QIcon()
    pal = palette or QGuiApplication.palette()
    colour = pal.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
    return _drawn(key, colour.name())


@lru_cache(maxsize=128)  # a few dozen drawings in one or two colour schemes
def _drawn(key: str, colour: str) -> QIcon:
    svg = (_FOLDER / f"{key}.svg").read_text(encoding="utf-8")
    renderer = QSvgRenderer(QByteArray(svg.replace("currentColor", colour).encode()))
    icon = QIcon()
    for size in SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor(Qt.GlobalColor.transparent))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(pixmap)
    return icon
