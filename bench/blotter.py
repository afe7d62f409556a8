"""The blotter tab over a million trades, against a plain 200-row model in the same view.

Builds (once, then reuses) an SQLite database of N trade versions: a demo book of
20,000, copied in SQL with shifted dates and fresh external ids until N, each copy
in a unit of work and sealed at its commit as a bulk import is (so ``audit verify
--records`` finds nothing written outside Desk). Then, in
one process and offscreen, takes the median of ``--runs`` runs of each step, from
the user's action until the table has painted:

- first page: a new Blotter tab given the workspace (the first page and the count);
- filter: one account (and, separately, a trade date range);
- sort: a click on another column's header (settlement date, net amount, account);
- end: Ctrl+End, which loads the last page without the rows before it;
- baseline: a plain QStandardItemModel of 200 rows in the same kind of view, once
  in each run just before its first page (a busy machine loads both alike).

The exact row count (beyond the first 10,000) and the totals are read off the GUI
thread and not part of a step; their times are shown apart. Prints JSON with each
median, its ratio to the baseline and the peak RSS.
Goal: the first page within 1.5 times the baseline, each step < 150 ms, peak RSS
< 250 MB.

    python bench/blotter.py [--trades 1000000] [--db PATH] [--runs 7] [--pg URL]

``--pg URL`` fills an empty PostgreSQL database the same way (slow the first time).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, Qt, QThreadPool  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

SEED_TRADES = 20_000
#: Read on workers while the table is already usable: the exact count and the totals.
_OFF_GUI = ("count_all", "totals_all", "totals_account")
SIZE = (1400, 800)


def build(url: str, trades: int) -> None:
    """Fill an empty database with ``trades`` versions (a no-op if it has them already)."""
    from sqlalchemy import func, select, text

    from desk_app.db import models as m
    from desk_app.db.sealing import note_written
    from desk_app.demo import generate_demo_data
    from desk_app.services.workspace import open_workspace

    ws = open_workspace(url, "bench")
    try:
        with ws.sessions() as session:
            have = int(session.scalar(select(func.count()).select_from(m.Trade)) or 0)
        if have >= trades:
            return
        if have:
            raise SystemExit(f"{url} has {have} trades, fewer than {trades}: give another --db")
        started = time.perf_counter()
        print(f"building {trades:,} trades in {url} …", file=sys.stderr)
        generate_demo_data(ws.sessions, seed=11, trades=SEED_TRADES, today=date(2026, 11, 25))
        columns = [c.key for c in m.Trade.__table__.c if c.key != "id"]
        shifted = {
            "external_id": "CASE WHEN external_id IS NULL THEN NULL "
            "ELSE external_id || '-' || :copy END",
            "trade_date": _shift(url, "trade_date"),
            "settle_date": _shift(url, "settle_date"),
        }
        select_list = ", ".join(shifted.get(c, c) for c in columns)
        insert = text(
            f"INSERT INTO trades ({', '.join(columns)}) "  # noqa: S608 - names from the model
            f"SELECT {select_list} FROM trades WHERE id <= :seed ORDER BY id LIMIT :take "
            "RETURNING id"
        )
        have, copy = SEED_TRADES, 1
        while have < trades:
            take = min(SEED_TRADES, trades - have)
            # In a unit of work, sealed as it commits like a bulk import, so that
            # `audit verify --records` finds every copy written by Desk.
            with ws.uow.write("bench.copy_trades") as session:
                made = session.execute(
                    insert, {"copy": copy, "days": 190 * copy, "seed": SEED_TRADES, "take": take}
                ).scalars()
                note_written(session, "trades", list(made))
            have, copy = have + take, copy + 1
        print(f"built and sealed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        ws.close()


def _shift(url: str, column: str) -> str:
    """``column`` moved back by ``:days`` days (older copies of the book)."""
    if url.startswith("sqlite"):
        return f"date({column}, '-' || :days || ' days')"
    return f"({column} - CAST(:days AS integer))"


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


class _PaintCounter(QObject):
    """Counts the paint events of the widget it watches."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def painted(view: QTableView) -> None:
    """Run what is queued (the view paints there once it changed), or paint it now.

    Reads the tab leaves for after its paint (the exact count, the totals) start on
    workers at the end of the queue; they are not part of the step.
    """
    counter = _PaintCounter()
    view.viewport().installEventFilter(counter)
    QApplication.processEvents()
    view.viewport().removeEventFilter(counter)
    if not counter.paints:
        view.viewport().repaint()


def settle_workers() -> None:
    """A quiet start for the next step: what the last one left to do after painting
    (the exact count, the totals) has started and finished."""
    deadline = time.perf_counter() + 1.0  # the tab starts such reads within 300 ms
    while time.perf_counter() < deadline:
        QThreadPool.globalInstance().waitForDone(60_000)
        QApplication.processEvents()
        time.sleep(0.02)


def timed(action: Callable[[], Any], view: QTableView) -> float:
    settle_workers()
    start = time.perf_counter()
    action()
    painted(view)
    return time.perf_counter() - start


def baseline(runs: int, columns: int) -> list[float]:
    """A plain model of 200 short texts a row, set on a fresh view and painted."""
    samples = []
    for _ in range(runs):
        settle_workers()
        view = QTableView()
        view.resize(*SIZE)
        view.show()
        QApplication.processEvents()
        start = time.perf_counter()
        model = QStandardItemModel(200, columns)
        for r in range(200):
            for c in range(columns):
                model.setItem(r, c, QStandardItem(f"{r * columns + c:,}"))
        view.setModel(model)
        painted(view)
        samples.append(time.perf_counter() - start)
        view.close()
        view.deleteLater()
        gone()
    return samples


def gone() -> None:
    """Delete what was closed and handed to ``deleteLater`` now: outside a running event
    loop Qt would keep it, and every run's tab would add to the peak memory."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def ctrl_end(tab: Any) -> None:
    QTest.keyClick(tab.view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)


def click_header(tab: Any, key: str) -> None:
    header = tab.view.horizontalHeader()
    section = tab.model.column_of(key)
    tab.view.scrollTo(tab.model.index(0, section))
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def off_gui(tab: Any, ws: Any, account: str, steps: dict[str, list[float]]) -> None:
    """Time what the tab reads on workers: the exact count, the totals (all, one account)."""
    from desk_app.services.trading.trade_filter import TradeFilter

    start = time.perf_counter()
    tab.model.source().count()
    steps["count_all"].append(time.perf_counter() - start)
    for key, f in (("totals_all", TradeFilter()), ("totals_account", TradeFilter(account=account))):
        start = time.perf_counter()
        ws.blotter.totals(f)
        steps[key].append(time.perf_counter() - start)


def measure(url: str, runs: int) -> dict[str, Any]:
    from desk_app.services.trading.trade_filter import TradeFilter
    from desk_app.services.workspace import open_workspace
    from desk_app.ui.settings import DeskSettings
    from desk_app.ui.tabs.blotter_tab import BlotterTab

    app = QApplication.instance() or QApplication(sys.argv[:1])
    base = baseline(2, 17)  # warm up; then one sample in each run, beside its steps
    base.clear()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ws = open_workspace(url, "bench")
    steps: dict[str, list[float]] = {k: [] for k in (
        "first_page", "filter_account", "filter_trade_dates", "sort_settle_date",
        "sort_net_amount", "sort_account", "jump_to_end", "count_all", "totals_all",
        "totals_account",
    )}  # fmt: skip
    account = ""
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            settings = DeskSettings(QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat))
            settings.clear_header_layout("blotter")
            tab = BlotterTab(settings)
            tab.live_timer.setInterval(3_600_000)  # no refresh in the middle of a step
            tab.resize(*SIZE)
            tab.show()
            QApplication.processEvents()
            base.extend(baseline(1, 17))  # on a busy machine, the load of this run
            steps["first_page"].append(timed(lambda t=tab: t.set_workspace(ws), tab.view))
            account = account or tab.model.row_at(0)[tab.model.column_of("account")]
            mine = TradeFilter(account=account)
            steps["filter_account"].append(
                timed(lambda t=tab, f=mine: t.filter_bar.set_filter(f), tab.view)
            )
            window = TradeFilter(trade_from=date(2026, 3, 1), trade_to=date(2026, 3, 31))
            steps["filter_trade_dates"].append(
                timed(lambda t=tab, f=window: t.filter_bar.set_filter(f), tab.view)
            )
            tab.filter_bar.clear()
            steps["sort_settle_date"].append(
                timed(lambda t=tab: click_header(t, "settle_date"), tab.view)
            )
            tab.view.setFocus()
            steps["jump_to_end"].append(timed(lambda t=tab: ctrl_end(t), tab.view))
            assert tab.model.rowCount() == tab.model.total_count()
            steps["sort_net_amount"].append(
                timed(lambda t=tab: click_header(t, "net_amount"), tab.view)
            )
            steps["sort_account"].append(timed(lambda t=tab: click_header(t, "account"), tab.view))
            off_gui(tab, ws, account, steps)
            settle_workers()
            tab.clear()
            tab.close()
            tab.deleteLater()
            gone()
        total = ws.blotter.trades().count()
    ws.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    base_ms = median_ms(base)
    result: dict[str, Any] = {
        "trades": total,
        "runs": runs,
        "engine": url.split(":", 1)[0],
        "baseline_200_rows_ms": base_ms,
        "steps_ms": {k: median_ms(v) for k, v in steps.items() if k not in _OFF_GUI},
        "off_gui_thread_ms": {k: median_ms(v) for k, v in steps.items() if k in _OFF_GUI},
        "every_run_ms": {
            "baseline": [round(v * 1000, 1) for v in base],
            **{k: [round(v * 1000, 1) for v in steps[k]] for k in steps if k not in _OFF_GUI},
        },
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_before_blotter_mb": round(rss_before / 1024, 1),
    }
    result["ratio_to_baseline"] = {k: round(v / base_ms, 2) for k, v in result["steps_ms"].items()}
    result["goal_met"] = (
        all(v < 150 for v in result["steps_ms"].values())
        and result["ratio_to_baseline"]["first_page"] <= 1.5
        and result["peak_rss_mb"] < 250
    )
    del app
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trades", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="the SQLite file to build or reuse")
    parser.add_argument("--pg", metavar="URL", help="an empty PostgreSQL database instead")
    args = parser.parse_args()
    if args.pg:
        url = args.pg
    else:
        path = args.db or Path(tempfile.gettempdir()) / f"desk-bench-blotter-{args.trades}.db"
        url = f"sqlite:///{path}"
    build(url, args.trades)
    print(json.dumps(measure(url, args.runs), indent=2))


if __name__ == "__main__":
    main()
