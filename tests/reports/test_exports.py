"""Exports of the blotter read back: exact CSV, typed XLSX, nothing left after a cancel."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desk_app.demo import generate_demo_data
from desk_app.domain.errors import ValidationError
from desk_app.domain.listing import SortSpec, iter_rows
from desk_app.domain.progress import Cancelled, CancelToken
from desk_app.reports.exports import REPORT_EVERY, csv_value, export_rows
from desk_app.services.trading.trade_filter import TradeFilter
from desk_app.services.workspace import Workspace, open_workspace


@pytest.fixture
def book(db_url: str) -> Iterator[Workspace]:
    ws = open_workspace(db_url, "tester")
    generate_demo_data(ws.sessions, seed=4, trades=300, today=date(2026, 6, 30))
    yield ws
    ws.close()


def test_csv_is_exact_and_in_the_lists_order(book: Workspace, tmp_path: Path) -> None:
    source = book.blotter.trades(TradeFilter(side="buy"))
    sort = SortSpec("net_amount", descending=True)
    out = tmp_path / "trades.csv"
    assert export_rows(source, out, sort=sort) == source.count()
    with out.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    keys = [c.key for c in source.columns]
    assert lines[0] == keys
    assert keys[0] == "id"
    expected = [[csv_value(v) for v in row[:-1]] for row in iter_rows(source, sort)]
    assert lines[1:] == expected
    by_key = dict(zip(keys, lines[1], strict=True))
    assert by_key["side"] == "buy"
    assert date.fromisoformat(by_key["trade_date"])
    assert Decimal(by_key["net_amount"]) == next(iter_rows(source, sort))[keys.index("net_amount")]
    assert "," not in by_key["quantity"] and "E" not in by_key["net_amount"]


def test_xlsx_has_numbers_dates_and_a_frozen_bold_header(book: Workspace, tmp_path: Path) -> None:
    source = book.blotter.trades()
    out = tmp_path / "trades.xlsx"
    seen: list[tuple[int, int]] = []
    count = export_rows(source, out, progress=lambda d, t, _text: seen.append((d, t)))
    assert count == 300
    assert seen[0] == (0, 300) and seen[-1] == (300, 300)
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Trade", "Trade date", "Account"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.max_row == 301
    first = next(iter_rows(source))
    cells = {c.key: cell for c, cell in zip(source.columns, sheet[2], strict=True)}
    assert cells["id"].value == first[0]
    assert isinstance(cells["trade_date"].value, datetime)
    assert cells["trade_date"].value.date() == first[1]
    assert cells["trade_date"].number_format == "yyyy-mm-dd"
    for key in ("quantity", "price", "gross_amount", "net_amount"):
        assert cells[key].data_type == "n", key
        value = first[[c.key for c in source.columns].index(key)]
        assert Decimal(str(cells[key].value)) == value, key
    assert cells["net_amount"].number_format == "#,##0.00"
    assert cells["side"].value in ("Buy", "Sell", "Sell short")


def test_cancel_leaves_no_file_and_keeps_an_old_one(demo_ws: Workspace, tmp_path: Path) -> None:
    assert demo_ws.blotter.trades().count() > REPORT_EVERY
    token = CancelToken()
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "trades.csv"
    out.write_text("yesterday's export\n")

    def progress(done: int, _total: int, _text: str) -> None:
        if done > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        export_rows(demo_ws.blotter.trades(), out, progress=progress, cancel=token)
    assert out.read_text() == "yesterday's export\n"
    assert [p.name for p in folder.iterdir()] == ["trades.csv"]
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        export_rows(demo_ws.blotter.trades(), folder / "new.xlsx", cancel=token)
    assert [p.name for p in folder.iterdir()] == ["trades.csv"]


def test_an_empty_list_and_a_wrong_extension(workspace: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "none.csv"
    assert export_rows(workspace.blotter.trades(), out) == 0
    assert out.read_text(encoding="utf-8").splitlines() == [
        ",".join(c.key for c in workspace.blotter.trades().columns)
    ]
    with pytest.raises(ValidationError, match=r"\.csv or \.xlsx"):
        export_rows(workspace.blotter.trades(), tmp_path / "trades.txt")
