"""The tabs' action bars: framed buttons with icons, wrapping, never hiding an action."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPalette
from pytestqt.qtbot import QtBot

from desk_app.services.workspace import Workspace
from desk_app.ui.action_icons import action_icon, icon_key
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs.action_bar import ActionBar, ActionButton

pytestmark = pytest.mark.gui


def _window(qtbot: QtBot, ws: Workspace, tmp_path: Path, size: tuple[int, int]) -> MainWindow:
    settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, ws.actor)
    qtbot.addWidget(window)
    window.set_workspace(ws)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


def _bars(window: MainWindow) -> list[ActionBar]:
    return [bar for tab in window.tabs for bar in tab.findChildren(ActionBar)]


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_every_action_is_a_framed_button_with_an_icon_on_screen(
    qtbot: QtBot, demo_ws: Workspace, tmp_path: Path, size: tuple[int, int]
) -> None:
    window = _window(qtbot, demo_ws, tmp_path, size)
    bars = _bars(window)
    assert len(bars) >= 6  # blotter, settlements, fails, accounts, certificates, manifests
    for tab in window.tabs:
        window.tab_widget.setCurrentWidget(tab)
        # A long notice (a database error) beside the title no longer squeezes the actions.
        tab.show_notice("The database is read-only: " + "nothing can be written. " * 12)
        for bar in tab.findChildren(ActionBar):
            qtbot.waitUntil(bar.isVisible)
            for action in bar.actions():
                if action.isSeparator():
                    continue
                button = bar.widgetForAction(action)
                assert isinstance(button, ActionButton), action.text()
                assert not action.icon().isNull(), action.objectName()
                assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
                assert not button.autoRaise()  # framed, not a label until hovered
                assert button.isVisible(), action.text()
                assert bar.rect().contains(button.geometry()), action.text()
                assert button.width() >= button.fontMetrics().horizontalAdvance(
                    action.text().replace("&", "")
                ), action.text()
            # One line of buttons at these sizes: the row does not eat the table's room.
            buttons = [bar.widgetForAction(a) for a in bar.actions() if not a.isSeparator()]
            heights = {b.y() for b in buttons if b is not None}
            assert len(heights) == 1, (tab.key, size)


def test_shortcuts_are_in_the_tooltips(qtbot: QtBot, demo_ws: Workspace, tmp_path: Path) -> None:
    window = _window(qtbot, demo_ws, tmp_path, (1366, 768))
    shown = 0
    for bar in _bars(window):
        for action in bar.actions():
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button = bar.widgetForAction(action)
            if shortcut:  # enabled or not (a disabled one's tooltip says why)
                assert isinstance(button, ActionButton)
                assert f"({shortcut})" in button.tooltip_text(), action.text()
                assert button.tooltip_text().startswith(action.toolTip())
                shown += 1
    assert shown >= 15


def test_a_narrow_bar_wraps_onto_another_line_and_hides_nothing(qtbot: QtBot) -> None:
    bar = ActionBar("Many actions")
    qtbot.addWidget(bar)
    actions = []
    for n in range(10):
        if n == 5:
            bar.addSeparator()
        action = QAction(f"Action number {n}…", bar)
        action.setObjectName(f"new_action_{n}")
        bar.addAction(action)
        actions.append(action)
    bar.resize(420, bar.heightForWidth(420))
    bar.show()
    qtbot.waitExposed(bar)
    buttons = [bar.widgetForAction(a) for a in actions]
    assert all(b is not None and b.isVisible() for b in buttons)
    assert len({b.y() for b in buttons if b is not None}) > 1  # more than one line
    for b in buttons:
        assert b is not None and bar.rect().contains(b.geometry())
    one_line = bar.heightForWidth(10_000)
    assert bar.heightForWidth(420) > one_line
    bar.removeAction(actions[0])
    assert bar.widgetForAction(actions[0]) is None


def test_icons_are_drawn_in_the_palette_text_colour() -> None:
    assert icon_key("settle_all_obligation_action") == "settle_all"
    assert icon_key("add_certificate_action") == "new"
    assert icon_key("run_settlement") == "run"
    assert icon_key("no_such_thing") is None
    light, dark = QPalette(), QPalette()
    light.setColor(QPalette.ColorRole.ButtonText, QColor("#101010"))
    dark.setColor(QPalette.ColorRole.ButtonText, QColor("#f0f0f0"))

    def darkest(palette: QPalette) -> int:
        image = action_icon("new_trade_action", palette).pixmap(16, 16).toImage()
        return min(
            QColor(image.pixel(x, y)).lightness()
            for x in range(16)
            for y in range(16)
            if QColor.fromRgba(image.pixel(x, y)).alpha() > 200
        )

    assert darkest(light) < 60
    assert darkest(dark) > 200
