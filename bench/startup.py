"""Cold start of ``desk-app`` to the first painted window, against a bare PySide6 window.

Prints JSON: the median of N runs of each (seconds from spawning the process to the
first paint of its main window) and their ratio. Goal: ratio <= 2.

    python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_WINDOW = r"""
import sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow, QTabWidget, QWidget

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print("painted", flush=True)
            os._exit(0)
        return False

import os
app = QApplication(sys.argv)
window = QMainWindow()
tabs = QTabWidget()
for name in ("Trade Blotter", "Settlements Due", "Accounts", "Certificates"):
    tabs.addTab(QWidget(), name)
window.setCentralWidget(tabs)
window.resize(1400, 800)
probe = FirstPaint()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def time_to_paint(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawn until the child prints its 'painted' line."""
    start = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("painted"):
                elapsed = time.perf_counter() - start
                break
        else:
            raise RuntimeError(f"{command[:3]} exited without painting")
        proc.wait(timeout=60)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    # Byte-code cached as an installed copy has it (pip compiles on install): the first,
    # untimed run writes it, instead of every run compiling Desk's modules afresh.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "desk.db"
        desk = [sys.executable, "-m", "desk_app", "--db", f"sqlite:///{db}", "--exit-after-paint"]
        bare = [sys.executable, "-c", BARE_WINDOW]
        subprocess.run(
            [*desk[:-1], "db", "upgrade"],
            check=True,
            capture_output=True,
            env=env,
        )  # the database exists, as on any day but the first
        time_to_paint(desk, env)  # writes the byte-code cache
        time_to_paint(bare, env)  # and warms the OS file cache for both
        desk_runs, bare_runs = [], []
        for _ in range(args.runs):
            bare_runs.append(time_to_paint(bare, env))
            desk_runs.append(time_to_paint(desk, env))
    desk_median = statistics.median(desk_runs)
    bare_median = statistics.median(bare_runs)
    print(
        json.dumps(
            {
                "benchmark": "startup_to_first_paint",
                "runs": args.runs,
                "desk_app_s": round(desk_median, 4),
                "bare_pyside6_s": round(bare_median, 4),
                "ratio": round(desk_median / bare_median, 3),
                "goal_ratio": 2.0,
                "desk_app_runs_s": [round(x, 4) for x in desk_runs],
                "bare_pyside6_runs_s": [round(x, 4) for x in bare_runs],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
