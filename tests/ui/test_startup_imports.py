"""The window paints before the database layer is imported (the startup budget).

Each check runs in a fresh interpreter: in this test process SQLAlchemy is long
imported already.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

HEAVY = (
    "sqlalchemy", "alembic", "holidays", "reportlab", "keyring", "psycopg", "pypdfium2",
    "PySide6.QtPrintSupport",
    # Loaded after the first paint: the other tabs, and what only they need.
    "stdnum", "pycountry", "desk_app.domain.certificates", "desk_app.ui.tabs.settlements_tab",
    "desk_app.ui.tabs.certificates_tab", "desk_app.ui.tabs.approvals_tab",
    # Only when help is asked for.
    "desk_app.ui.help_window",
)  # fmt: skip

SHOW_WINDOW = f"""
import sys
from pathlib import Path

import desk_app.app
import desk_app.opening
import desk_app.ui.launch
import desk_app.ui.main_window
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from desk_app.ui.main_window import MainWindow
from desk_app.ui.settings import DeskSettings

app = QApplication([])
store = QSettings(str(Path(sys.argv[1]) / "settings.ini"), QSettings.Format.IniFormat)
window = MainWindow(DeskSettings(store), "tester")
painted = []
window.first_painted.connect(
    lambda: (painted.append(window.isVisible()), window.hide(), app.quit())
)
window.show()
app.exec()
print("painted" if painted == [True] else "not painted")
print(sorted(m for m in {HEAVY!r} if m in sys.modules))
"""

RUN_GUI = f"""
import sys

from desk_app.app import run_window

status = run_window(None, "tester", exit_after_paint=True)
print(status)
print(sorted(m for m in {HEAVY!r} if m in sys.modules))
"""


def _run(script: str, *args: str) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_window_paints_without_the_database_layer(tmp_path: Path) -> None:
    assert _run(SHOW_WINDOW, str(tmp_path)) == ["painted", "[]"]
    assert not (tmp_path / "settings.ini").exists()  # showing the window saves nothing


def test_run_gui_reports_first_paint_and_quits() -> None:
    painted, status, heavy = _run(RUN_GUI)
    word, seconds = painted.split()
    assert word == "painted"
    assert 0 < float(seconds) < 120
    assert (status, heavy) == ("0", "[]")
