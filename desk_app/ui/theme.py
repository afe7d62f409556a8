"""Status colours derived from the current palette, so they read in light and dark mode.

Desk follows the desktop's palette and never ships a fixed light stylesheet; the only
colours it adds are these tones, recomputed from the palette whenever it changes.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtGui import QColor, QGuiApplication, QPalette


class Tone(Enum):
    """What a cell's colour says to the clerk."""

    NEGATIVE = "negative"  # failing, lost: act now
    WARNING = "warning"  # overdue, restricted, in transit: watch
    POSITIVE = "positive"  # settled, delivered
    MUTED = "muted"  # cancelled, superseded, closed: history only


# Hues chosen to stay distinct for the common colour-vision deficiencies.
_HUES = {Tone.NEGATIVE: 4, Tone.WARNING: 32, Tone.POSITIVE: 145}


def is_dark(palette: QPalette | None = None) -> bool:
    """True when text is lighter than the background (a dark colour scheme)."""
    pal = palette or QGuiApplication.palette()
    return (
        pal.color(QPalette.ColorRole.Base).lightness()
        < pal.color(QPalette.ColorRole.Text).lightness()
    )


def foreground(tone: Tone, palette: QPalette | None = None) -> QColor:
    """Text colour for ``tone`` with enough contrast against the palette's base."""
    pal = palette or QGuiApplication.palette()
    if tone is Tone.MUTED:
        return pal.color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)
    dark = is_dark(pal)
    # Light text on dark backgrounds, dark saturated text on light ones.
    return QColor.fromHsl(_HUES[tone], 200 if dark else 230, 170 if dark else 85)


def background(tone: Tone, palette: QPalette | None = None) -> QColor | None:
    """A faint tint of the tone over the base colour, for the cells that need action."""
    if tone is not Tone.NEGATIVE:
        return None
    pal = palette or QGuiApplication.palette()
    return blend(pal.color(QPalette.ColorRole.Base), foreground(tone, pal), 0.14)


def tint(tone: Tone, palette: QPalette | None = None) -> QColor:
    """A faint wash of any tone over the base colour, to mark a cell (changed, proposed)."""
    pal = palette or QGuiApplication.palette()
    return blend(pal.color(QPalette.ColorRole.Base), foreground(tone, pal), 0.16)


def secondary_text(palette: QPalette | None = None) -> QColor:
    """Colour for secondary labels such as a row count."""
    pal = palette or QGuiApplication.palette()
    return blend(
        pal.color(QPalette.ColorRole.WindowText), pal.color(QPalette.ColorRole.Window), 0.4
    )


def blend(base: QColor, over: QColor, amount: float) -> QColor:
    """``over`` laid on ``base`` with opacity ``amount`` (0..1)."""
    keep = 1.0 - amount
    return QColor.fromRgbF(
        base.redF() * keep + over.redF() * amount,
        base.greenF() * keep + over.greenF() * amount,
        base.blueF() * keep + over.blueF() * amount,
    )
