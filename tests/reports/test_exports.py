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
from desk_app.domain.codes import Role
from desk_app.domain.errors import ValidationError
from desk_app.domain.listing import SortSpec, iter_rows
from desk_app.domain.progress import Cancelled, CancelToken
from desk_app.reports.exports import REPORT_EVERY, csv_value, export_rows, neutralised
from desk_app.services.trading.trade_filter import TradeFilter
from desk_app.services.workspace import Workspace, open_workspace
from tests.conftest import add_staff, sign_in


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


#: External ids as a hostile file gives them (a leading tab or CR is trimmed on import).
HOSTILE = ("=cmd|' /C calc'!A0", "+SUM(A1:A9)", "-2+3", "@SUM(1)")


@pytest.mark.parametrize("text", [*HOSTILE, "\tTAB", "\rCR"])
def test_every_formula_start_is_neutralised_and_nothing_else(text: str) -> None:
    assert neutralised(text) == "'" + text and csv_value(text) == "'" + text
    assert neutralised("Acme " + text) == "Acme " + text  # only at the start


@pytest.fixture
def hostile_book(book: Workspace, tmp_path: Path) -> Iterator[Workspace]:
    """Trades a clerk imported from a counterparty's file whose external ids are formulas."""
    first = next(iter_rows(book.blotter.trades()))
    keys = [c.key for c in book.blotter.trades().columns]
    account, isin, firm = (first[keys.index(k)] for k in ("account", "isin", "counterparty"))
    path = tmp_path / "hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["external_id", "trade_date", "account", "side", "isin", "quantity",
                      "price", "currency", "counterparty"])  # fmt: skip
        for n, external_id in enumerate(HOSTILE):
            out.writerow([external_id, "2026-06-29", account, "buy", isin, 10 + n, "12.5", "USD",
                          firm])  # fmt: skip
    add_staff(book, "clerk9", {Role.CLERK})
    with sign_in(book.url, "clerk9") as clerk:
        assert clerk.imports.import_file(path).added == len(HOSTILE)
        yield clerk


def test_a_csv_export_never_carries_a_live_formula(hostile_book: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "trades.csv"
    export_rows(hostile_book.blotter.trades(), out)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    ids = {r["external_id"] for r in rows if r["external_id"].lstrip("'") in HOSTILE}
    assert ids == {"'" + text for text in HOSTILE}  # readable, an apostrophe first
    starts = ("=", "+", "-", "@", "\t", "\r")
    text_keys = ("account", "isin", "symbol", "description", "counterparty", "external_id")
    assert not [r[k] for r in rows for k in text_keys if r[k].startswith(starts)]
    # numbers are numbers, not text: a negative amount keeps its sign as it is
    assert csv_value(Decimal("-12.50")) == "-12.5" and csv_value("-12.50") == "'-12.50"


def test_an_xlsx_export_holds_no_formula(hostile_book: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "trades.xlsx"
    export_rows(hostile_book.blotter.trades(), out)
    sheet = load_workbook(out).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    hostile = [c for c in cells if c.value in HOSTILE]
    assert {c.value for c in hostile} == set(HOSTILE)  # exactly as they read
    assert all(c.data_type == "s" for c in hostile)
