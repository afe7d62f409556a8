"""The blotter tab over real databases: filter, sort, totals, presets, export, live, Ctrl+End."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QModelIndex, QPoint, QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.demo import generate_demo_data
from desk_app.domain.listing import SortSpec, iter_rows
from desk_app.services.trading.trade_filter import TradeFilter
from desk_app.services.workspace import Workspace, open_workspace
from desk_app.ui.models.paged_table_model import PAGE_SIZE, PagedTableModel
from desk_app.ui.settings import DeskSettings
from desk_app.ui.tabs import blotter_tab
from desk_app.ui.tabs.blotter_tab import BlotterTab
from desk_app.ui.theme import Tone
from tests.conftest import settle_workers
from tests.ui.conftest import wait_ops

pytestmark = pytest.mark.gui


@pytest.fixture
def book(db_url: str) -> Iterator[Workspace]:
    """A 300-version demo book on each engine."""
    ws = open_workspace(db_url, "tester")
    generate_demo_data(ws.sessions, seed=3, trades=300, today=date(2026, 6, 30))
    yield ws
    settle_workers()
    ws.close()


@pytest.fixture
def make_tab(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Workspace], BlotterTab]]:
    """Blotter tabs that poll often; stopped, and their workers done, before the database closes."""
    monkeypatch.setattr(blotter_tab, "LIVE_INTERVAL_MS", 100)
    made: list[BlotterTab] = []

    def make(ws: Workspace) -> BlotterTab:
        settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        tab = BlotterTab(settings)
        qtbot.addWidget(tab)
        tab.resize(1200, 700)
        tab.show()
        with qtbot.waitSignal(tab.totals_updated, timeout=10_000):
            tab.set_workspace(ws)
        made.append(tab)
        return tab

    yield make
    for tab in made:
        tab.clear()
    QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()  # deliver what the workers reported


def _ids(tab: BlotterTab) -> list[int]:
    model = tab.model
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return [model.row_at(r)[-1] for r in range(model.rowCount())]


def _expected(ws: Workspace, f: TradeFilter, sort: SortSpec | None = None) -> list[int]:
    return [row[-1] for row in iter_rows(ws.blotter.trades(f), sort)]


def _type(qtbot: QtBot, tab: BlotterTab, field: str, text: str) -> None:
    edit = getattr(tab.filter_bar, field)
    edit.setFocus()
    with qtbot.waitSignal(tab.filter_bar.filter_changed, timeout=5000):
        qtbot.keyClicks(edit, text)
    qtbot.waitUntil(lambda: tab.totals.totals() != [] or "no trades" in tab.totals.text())


def test_typing_in_the_filter_bar_narrows_the_table(
    qtbot: QtBot, book: Workspace, make_tab: Callable[[Workspace], BlotterTab]
) -> None:
    tab = make_tab(book)
    assert tab.row_count_text() == "300 rows"
    account = tab.model.row_at(0)[tab.model.column_of("account")]
    _type(qtbot, tab, "account", account.lower())
    wanted = TradeFilter(account=account)
    assert _ids(tab) == _expected(book, wanted)
    assert tab.row_count_text() == f"{len(_expected(book, wanted))} rows"
    side = tab.filter_bar.side
    side.setCurrentIndex(side.findData("sell"))
    qtbot.waitUntil(lambda: tab.filter_bar.applied().side == "sell")
    both = TradeFilter(account=account, side="sell")
    assert _ids(tab) == _expected(book, both)
    tab.filter_bar.external_id.setText("no-such-id")
    qtbot.keyClick(tab.filter_bar.external_id, Qt.Key.Key_Return)  # Enter applies at once
    assert tab.model.rowCount() == 0
    assert tab._placeholder.text().startswith("No trades match: account ")
    qtbot.mouseClick(tab.filter_bar.clear_button, Qt.MouseButton.LeftButton)
    assert tab.filter_bar.applied().is_empty
    assert tab.row_count_text() == "300 rows"


def _counting_tab(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BlotterTab:
    """A tab that counts 250 rows at once and no more (the rest on a worker), not polling."""
    monkeypatch.setattr(blotter_tab, "LIVE_INTERVAL_MS", 3_600_000)
    settings = DeskSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    tab = BlotterTab(settings)
    qtbot.addWidget(tab)
    tab.model.quick_count_limit = 250
    return tab


def test_a_long_list_is_counted_on_a_worker(
    qtbot: QtBot, book: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the quick count's limit the label says "N+ rows" until the worker's count."""
    tab = _counting_tab(qtbot, tmp_path, monkeypatch)
    with qtbot.waitSignal(tab.counted, timeout=10_000):
        tab.set_workspace(book)
        assert tab.row_count_text() == "250+ rows"
        assert tab.model.rowCount() == PAGE_SIZE  # the first page is there meanwhile
    assert tab.row_count_text() == "300 rows"
    qtbot.waitUntil(lambda: tab.totals.totals() != [])  # added up on a worker too
    assert sum(t.count for t in tab.totals.totals()) == sum(
        t.count for t in book.blotter.totals(TradeFilter())
    )
    narrow = TradeFilter(side="buy")
    tab.filter_bar.set_filter(narrow)
    qtbot.waitUntil(lambda: tab.row_count_text() == f"{len(_expected(book, narrow))} rows")
    tab.clear()


def test_a_count_from_before_a_refresh_is_not_shown(
    qtbot: QtBot, book: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trades booked while the worker counted: the refresh counts again, and that shows."""
    tab = _counting_tab(qtbot, tmp_path, monkeypatch)
    gate = threading.Event()
    real_trades = book.blotter.trades

    def slow_source(f: TradeFilter | None = None) -> Any:
        source = real_trades(f)
        real_count = source.count

        def count() -> int:
            n = real_count()
            gate.wait(10)  # counted before the new trades, answered after them
            return n

        source.count = count  # type: ignore[method-assign]
        return source

    monkeypatch.setattr(book.blotter, "trades", slow_source)
    tab.set_workspace(book)
    qtbot.waitUntil(lambda: tab._counting is not None, timeout=10_000)
    added = [_add_trade(book, external_id=f"LATE-{n}") for n in range(3)]
    tab.refresh()  # the same source, read again
    gate.set()
    qtbot.waitUntil(lambda: tab.row_count_text() == "303 rows", timeout=10_000)
    assert len(added) == 3
    tab.clear()


def test_date_filters_and_the_empty_date(
    qtbot: QtBot, book: Workspace, make_tab: Callable[[Workspace], BlotterTab]
) -> None:
    tab = make_tab(book)
    day = tab.model.row_at(150)[1]
    tab.filter_bar.trade_from.set_value(day)
    qtbot.waitUntil(lambda: tab.filter_bar.applied().trade_from == day)
    assert _ids(tab) == _expected(book, TradeFilter(trade_from=day))
    assert tab.filter_bar.trade_from.text() == day.isoformat()
    tab.filter_bar.trade_from.setFocus()
    qtbot.keyClick(tab.filter_bar.trade_from, Qt.Key.Key_Delete)
    assert tab.filter_bar.trade_from.text() == "any"
    qtbot.waitUntil(lambda: tab.filter_bar.applied().is_empty)
    assert tab.row_count_text() == "300 rows"


def test_header_click_sorts_in_sql_within_the_filter(
    qtbot: QtBot, book: Workspace, make_tab: Callable[[Workspace], BlotterTab]
) -> None:
    tab = make_tab(book)
    tab.filter_bar.set_filter(TradeFilter(side="buy"))
    header = tab.view.horizontalHeader()
    section = tab.model.column_of("net_amount")
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    spec = tab.model.sort_spec()
    assert spec.key == "net_amount"
    assert _ids(tab) == _expected(book, TradeFilter(side="buy"), spec)
    nets = [tab.model.row_at(r)[section] for r in range(tab.model.rowCount())]
    assert nets == sorted(nets, reverse=spec.descending)


@pytest.mark.parametrize("on_a_worker", [False, True])
def test_totals_row_sums_the_filter_exactly(
    qtbot: QtBot,
    book: Workspace,
    make_tab: Callable[[Workspace], BlotterTab],
    monkeypatch: pytest.MonkeyPatch,
    on_a_worker: bool,
) -> None:
    if on_a_worker:  # as for a big book
        monkeypatch.setattr(blotter_tab, "SYNC_TOTALS_LIMIT", 0)
    tab = make_tab(book)
    f = TradeFilter(status="current", source="fix")
    with qtbot.waitSignal(tab.totals_updated, timeout=10_000):
        tab.filter_bar.set_filter(f)
    rows = list(iter_rows(book.blotter.trades(f)))
    usd = [r for r in rows if r[9] == "USD"]
    shown = {t.currency: t for t in tab.totals.totals()}
    assert shown["USD"].count == len(usd)
    assert shown["USD"].net == sum((r[11] for r in usd), Decimal(0))
    assert shown["USD"].quantity == sum((r[7] for r in usd), Decimal(0))
    assert f"USD {len(usd):,} " in tab.totals.text()


def test_save_and_reload_a_preset(
    qtbot: QtBot, book: Workspace, make_tab: Callable[[Workspace], BlotterTab]
) -> None:
    tab = make_tab(book)
    mine = TradeFilter(side="sell", status="current")
    tab.filter_bar.set_filter(mine)
    tab.presets.ask_name = lambda: "My sells"  # type: ignore[method-assign]
    qtbot.waitUntil(tab.presets.save_button.isEnabled)  # read once the first page painted
    qtbot.mouseClick(tab.presets.save_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert tab.presets.names() == ["My sells"]
    tab.filter_bar.clear()
    assert tab.row_count_text() == "300 rows"
    other = make_tab(book)  # another window of the same user reads it from the database
    qtbot.waitUntil(lambda: other.presets.names() == ["My sells"])  # after the first paint
    other.presets.choose("My sells")
    assert other.filter_bar.applied() == mine
    assert other.filter_bar.status.currentData() == "current"
    assert _ids(other) == _expected(book, mine)
    qtbot.mouseClick(other.presets.delete_button, Qt.MouseButton.LeftButton)
    wait_ops(qtbot)
    assert other.presets.names() == []


def test_cancelled_rows_are_muted_with_a_red_status(
    book: Workspace, make_tab: Callable[[Workspace], BlotterTab]
) -> None:
    tab = make_tab(book)
    tab.filter_bar.set_filter(TradeFilter(status="cancelled"))
    assert tab.model.rowCount() > 0
    row = tab.model.row_at(0)
    columns = tab.model.columns()
    assert tab.cell_tone(columns[tab.model.column_of("status")], row) is Tone.NEGATIVE
    assert tab.cell_tone(columns[0], row) is Tone.MUTED


def _export(qtbot: QtBot, tab: BlotterTab, path: Path) -> str:
    tab.choose_export_path = lambda: str(path)  # type: ignore[method-assign]
    with qtbot.waitSignal(tab.export_finished, timeout=20_000) as done:
        qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    return str(done.args[0])


def test_export_the_filtered_list_to_csv_and_xlsx(
    qtbot: QtBot, book: Workspace, make_tab: Callable[[Workspace], BlotterTab], tmp_path: Path
) -> None:
    tab = make_tab(book)
    f = TradeFilter(side="buy")
    tab.filter_bar.set_filter(f)
    expected = _expected(book, f)
    message = _export(qtbot, tab, tmp_path / "buys.csv")
    assert message.startswith(f"{len(expected):,} trades written to ")
    lines = (tmp_path / "buys.csv").read_text(encoding="utf-8").splitlines()
    assert [int(line.split(",")[0]) for line in lines[1:]] == expected
    _export(qtbot, tab, tmp_path / "buys.xlsx")
    sheet = load_workbook(tmp_path / "buys.xlsx").active
    assert sheet is not None
    assert [c.value for c in sheet["A"]][1:] == expected
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())


def test_cancelling_an_export_writes_nothing(
    qtbot: QtBot,
    demo_ws: Workspace,
    make_tab: Callable[[Workspace], BlotterTab],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desk_app.reports import exports as trade_export

    monkeypatch.setattr(trade_export, "REPORT_EVERY", 1)
    gate = threading.Event()  # the export waits after its first row until the user cancels
    real_iter_rows = trade_export.iter_rows

    def slow_rows(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for n, row in enumerate(real_iter_rows(*args, **kwargs)):
            if n == 1:
                gate.wait(10)
            yield row

    monkeypatch.setattr(trade_export, "iter_rows", slow_rows)
    tab = make_tab(demo_ws)
    tab.choose_export_path = lambda: str(tmp_path / "all.csv")  # type: ignore[method-assign]
    try:
        with qtbot.waitSignal(tab.export_finished, timeout=20_000) as done:
            qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
            dialog = tab.findChild(QProgressDialog)
            assert dialog is not None
            button = dialog.findChild(QPushButton)
            assert button is not None and button.text() == "Cancel"
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            gate.set()
    finally:
        gate.set()
    assert done.args[0] == "Export cancelled; no file was written."
    assert not any(p.name.startswith(("all.csv", ".all.csv")) for p in tmp_path.iterdir())


def _add_trade(ws: Workspace, **values: Any) -> int:
    with ws.uow.read() as session:
        first = session.scalars(select(m.Trade).order_by(m.Trade.id).limit(1)).one()
        row = {c.key: getattr(first, c.key) for c in m.Trade.__table__.c if c.key != "id"}
    row.update(values)
    with ws.uow.write("test.setup") as session:
        trade = m.Trade(**row)
        session.add(trade)
        session.flush()
        return trade.id


def test_a_trade_booked_elsewhere_appears_keeping_the_selection(
    qtbot: QtBot, book: Workspace, make_tab: Callable[[Workspace], BlotterTab]
) -> None:
    tab = make_tab(book)
    tab.view.selectRow(3)
    chosen = tab.model.row_at(3)[-1]
    elsewhere = open_workspace(book.url, "tester")  # another workstation
    try:
        new_id = _add_trade(
            elsewhere, external_id="LIVE-1", source="manual", trade_date=date(2026, 7, 1)
        )
    finally:
        elsewhere.close()
    qtbot.waitUntil(lambda: tab.model.row_at(0)[-1] == new_id, timeout=10_000)
    assert tab.row_count_text() == "301 rows"
    assert tab.current_row() is not None and tab.current_row()[-1] == chosen  # type: ignore[index]
    assert tab.model.row_at(tab.view.currentIndex().row())[-1] == chosen
    settled = sum(t.count for t in book.blotter.totals())  # cancels are left out
    qtbot.waitUntil(lambda: sum(t.count for t in tab.totals.totals()) == settled)


def test_live_refresh_does_not_yank_a_scrolled_view(
    qtbot: QtBot, demo_ws: Workspace, make_tab: Callable[[Workspace], BlotterTab]
) -> None:
    tab = make_tab(demo_ws)
    tab.view.scrollTo(tab.model.index(120, 0), tab.view.ScrollHint.PositionAtTop)
    top = tab.model.row_at(tab.view.rowAt(0))[-1]
    _add_trade(demo_ws, external_id="LIVE-2", source="manual", trade_date=date(2030, 1, 1))
    qtbot.waitUntil(lambda: tab.row_count_text() == "601 rows", timeout=10_000)
    assert tab.model.row_at(tab.view.rowAt(0))[-1] == top


def test_ctrl_end_reads_only_the_last_rows(
    qtbot: QtBot, demo_ws: Workspace, make_tab: Callable[[Workspace], BlotterTab]
) -> None:
    tab = make_tab(demo_ws)
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    model = tab.model
    assert model.rowCount() == 600
    assert model.has_gap()
    everything = _expected(demo_ws, TradeFilter())
    assert tab.current_row() is not None
    assert tab.view.currentIndex().row() == 599
    assert model.loaded_row(599)[-1] == everything[-1]  # type: ignore[index]
    assert [model.row_at(r)[-1] for r in range(600)] == everything  # gap rows read on demand
    assert not model.has_gap()


def test_tail_model_passes_the_model_tester(qtmodeltester: Any, demo_ws: Workspace) -> None:
    model = PagedTableModel(demo_ws.blotter.trades(), page_size=50)
    model.load_tail()
    assert model.rowCount() == 600 and model.has_gap()
    assert model.index(300, 1).data() == ""  # not read yet
    qtmodeltester.check(model)
    everything = _expected(demo_ws, TradeFilter())
    model.refresh()  # keeps the tail after a refresh
    assert model.rowCount() == 600 and model.has_gap()
    assert model.loaded_row(599)[-1] == everything[-1]  # type: ignore[index]
    assert model.loaded_row(0)[-1] == everything[0]  # type: ignore[index]
    assert PAGE_SIZE == 200
    QApplication.processEvents()


def test_a_restricted_accounts_trades_wear_its_badge_read_per_page(
    book: Workspace, make_tab: Callable[[Workspace], BlotterTab], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The badge and its tooltip come from one read for the page's accounts, not per row."""
    from desk_app.db import restriction_book

    with book.uow.read() as session:
        found = session.execute(
            select(m.Account.account_number, m.AccountRestriction.kind)
            .join(m.AccountRestriction, m.AccountRestriction.account_id == m.Account.id)
            .join(m.Trade, m.Trade.account_id == m.Account.id)
            .where(m.AccountRestriction.lifted_at.is_(None), m.AccountRestriction.ends_on.is_(None))
        ).first()  # in force today, whatever the book's date (no 90-day end)
    assert found is not None
    held, kind = found
    reads: list[int] = []
    real = restriction_book.badges_of
    monkeypatch.setattr(
        restriction_book, "badges_of", lambda *a: reads.append(1) or real(*a)
    )  # counts the reads; the real one answers
    tab = make_tab(book)
    tab.filter_bar.set_filter(TradeFilter(account=held))
    assert tab.model.rowCount() > 0 and len(reads) >= 1
    column = tab.model.column_of("restriction")
    badge = tab.model.index(0, column)
    assert badge.data() == f"⚠ {kind.label}"
    assert f"{kind.label} since" in str(badge.data(Qt.ItemDataRole.ToolTipRole))
    columns = tab.model.columns()
    assert tab.cell_tone(columns[column], tab.model.row_at(0)) is Tone.WARNING
    before = len(reads)
    for r in range(tab.model.rowCount()):  # painting asks nothing more of the database
        tab.model.index(r, column).data(Qt.ItemDataRole.ToolTipRole)
    assert len(reads) == before
