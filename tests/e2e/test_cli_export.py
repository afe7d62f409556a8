"""``desk-app export trades`` per CLI.md, on both engines."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from desk_app.cli import main
from desk_app.domain.listing import iter_rows
from desk_app.services.trading.trade_filter import TradeFilter
from desk_app.services.workspace import open_workspace
from tests.conftest import cli_as


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse usage errors
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _ids(url: str, f: TradeFilter) -> list[int]:
    ws = open_workspace(url, "tester")
    try:
        return [row[-1] for row in iter_rows(ws.blotter.trades(f))]
    finally:
        ws.close()


def test_export_trades_with_filters_to_csv_and_xlsx(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    code, out, err = run(capsys, *cli_as(db_url, "tester"), "demo-data", "--trades", "300")
    assert code == 0, err
    everything = _ids(db_url, TradeFilter())
    out_file = tmp_path / "all.csv"
    code, out, err = run(capsys, *cli_as(db_url, "tester"), "export", "trades",
                         "--out", str(out_file))  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[-1] == str(len(everything)) == "300"
    with out_file.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["id"]) for r in rows] == everything
    assert all(Decimal(r["net_amount"]) for r in rows)
    assert list(rows[0])[0] == "id"

    account = rows[0]["account"]
    first = date.fromisoformat(rows[len(rows) // 2]["trade_date"])
    wanted = _ids(db_url, TradeFilter(account=account, trade_from=first))
    xlsx = tmp_path / "mine.xlsx"
    code, out, err = run(capsys, *cli_as(db_url, "tester"), "export", "trades",
                         "--out", str(xlsx), "--from", first.isoformat(),
                         "--account", account.lower())  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[-1] == str(len(wanted))
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    assert [c.value for c in sheet["A"]][1:] == wanted

    code, out, err = run(capsys, *cli_as(db_url, "tester"), "export", "trades",
                         "--out", str(tmp_path / "none.csv"), "--status", "current",
                         "--side", "buy", "--to", "1990-01-01")  # fmt: skip
    assert (code, out.splitlines()[-1]) == (0, "0")


def test_export_usage_and_rejections(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    code, _, err = run(capsys, "--db", sqlite_url, "export", "trades", "--out", "x.txt")
    assert code == 2
    assert ".csv or .xlsx" in err
    code, _, err = run(capsys, "--db", sqlite_url, "export", "trades", "--out", "x.csv",
                       "--from", "2026-02-30")  # fmt: skip
    assert code == 2
    assert "not a date" in err
    assert run(capsys, "--db", sqlite_url, "export", "trades")[0] == 2  # --out is required
    code, out, err = run(capsys, "--db", sqlite_url, "export", "trades",
                         "--out", str(tmp_path / "missing" / "x.csv"))  # fmt: skip
    assert (code, out) == (1, "")
    assert "no such folder" in err


def test_an_unknown_account_instrument_or_counterparty_is_refused(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "t.csv"
    code, _, err = run(
        capsys, *cli_as(db_url, "tester"), "export", "trades", "--out", str(out),
        "--account", "NOPE-1", "--instrument", "NOPE", "--counterparty", "ZZZZ",
    )  # fmt: skip
    assert code == 1 and not out.exists()
    assert err.splitlines() == [
        "--account: no account numbered 'NOPE-1'",
        "--instrument: no instrument 'NOPE' (ISIN, CUSIP or symbol)",
        "--counterparty: no counterparty 'ZZZZ'",
    ]
