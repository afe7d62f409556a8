"""``desk-app import trades``: counts on success, file:line problems on refusal, on both engines."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk
from tests.services.trading.test_trade_import import GOOD_CSV, GOOD_FIX, _books

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def books(db_url: str) -> Iterator[str]:
    desk = _books(Desk(db_url))
    yield db_url
    desk.close()


def test_import_prints_counts_and_the_import_id_last(
    capsys: pytest.CaptureFixture[str], books: str
) -> None:
    code, out, err = run(capsys, *cli_as(books, "carl"), "import", "trades", str(GOOD_CSV))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "good.csv (CSV, 5 rows)"
    assert lines[1] == "5 added, 0 corrected, 0 cancelled, 0 already on the blotter"
    assert lines[-1].isdigit()
    code, out, _ = run(capsys, *cli_as(books, "carl"), "import", "trades", str(GOOD_CSV))
    assert code == 0
    assert "0 added, 0 corrected, 0 cancelled, 5 already on the blotter" in out
    assert "This file was imported before" in out


def test_dry_run_prints_what_would_happen_and_no_id(
    capsys: pytest.CaptureFixture[str], books: str
) -> None:
    code, out, _ = run(
        capsys, *cli_as(books, "carl"), "import", "trades", str(GOOD_FIX), "--dry-run"
    )
    assert code == 0
    assert out.splitlines() == [
        "good_pipe_crlf.fix (FIX, 3 rows)",
        "would be: 1 added, 1 corrected, 1 cancelled, 0 already on the blotter",
    ]


def test_a_bad_file_exits_1_naming_line_field_and_reason(
    capsys: pytest.CaptureFixture[str], books: str
) -> None:
    bad = DATA / "trades" / "bad_isin_check_digit.csv"
    code, out, err = run(capsys, *cli_as(books, "carl"), "import", "trades", str(bad))
    assert (code, out) == (1, "")
    problems = err.strip().splitlines()
    assert problems[0].startswith("bad_isin_check_digit.csv:3: isin: ")
    assert problems[-1].endswith("nothing was imported")


def test_a_missing_file_and_a_missing_argument(
    capsys: pytest.CaptureFixture[str], books: str, tmp_path: Path
) -> None:
    code, _, err = run(capsys, "--db", books, "import", "trades", str(tmp_path / "nope.csv"))
    assert code == 1 and "no such file" in err
    code, _, err = run(capsys, *cli_as(books, "carl"), "import", "trades", str(tmp_path))
    assert (code, err.strip()) == (1, f"{tmp_path}: is a folder, not a file: choose the file in it")
    assert run(capsys, "--db", books, "import", "trades")[0] == 2


def test_an_excel_workbook_and_a_windows_file_say_what_they_are_and_what_to_do(
    capsys: pytest.CaptureFixture[str], books: str, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.save(tmp_path / "fills.xlsx")
    code, out, err = run(
        capsys, *cli_as(books, "carl"), "import", "trades", str(tmp_path / "fills.xlsx")
    )
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "fills.xlsx:1: file: is an Excel workbook (.xlsx), not CSV: open it in Excel and "
        "save it as CSV UTF-8 (File > Save As), then import that",
        "fills.xlsx: 1 problem(s); nothing was imported",
    ]
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        b"external_id,trade_date,account,side,isin,quantity,price,currency,counterparty\n"
        b"A-1,2024-06-03,ACC-100,buy,US0378331005,100,189.25,USD,Z\xfcrich\n"
    )
    code, _, err = run(capsys, *cli_as(books, "carl"), "import", "trades", str(latin))
    assert code == 1
    assert err.splitlines()[0] == (
        "latin.csv:2: file: is not UTF-8 text: byte 0xFC ('ü' in Windows-1252) at byte 57 "
        "of this line; save the file as CSV UTF-8 (in Excel: File > Save As, CSV UTF-8)"
    )


def test_every_problem_of_every_line_is_printed(
    capsys: pytest.CaptureFixture[str], books: str, tmp_path: Path
) -> None:
    path = tmp_path / "day.csv"
    path.write_text(
        "external_id,trade_date,account,side,isin,quantity,price,currency,counterparty\n"
        "A-1,2024-06-03,ACC-404,buy,US0378331006,100,189.25,USD,ZZZZ\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, *cli_as(books, "carl"), "import", "trades", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "day.csv:2: isin: check digit is wrong ('US0378331006')",
        "day.csv:2: account: is not an account on this database ('ACC-404')",
        "day.csv:2: counterparty: is not a counterparty on this database ('ZZZZ')",
        "day.csv: 3 problem(s); nothing was imported",
    ]


def test_a_file_full_of_errors_shows_the_first_and_saves_them_all(
    capsys: pytest.CaptureFixture[str], books: str, tmp_path: Path
) -> None:
    path = tmp_path / "junk.csv"
    rows = "".join(
        f"J-{n},2024-06-03,ACC-404,buy,US0378331005,100,1,USD,GSCO\n" for n in range(150)
    )
    path.write_text(
        "external_id,trade_date,account,side,isin,quantity,price,currency,counterparty\n" + rows,
        encoding="utf-8",
    )
    code, out, err = run(capsys, *cli_as(books, "carl"), "import", "trades", str(path))
    lines = err.splitlines()
    assert (code, out, len(lines)) == (1, "", 102)
    assert lines[0] == "junk.csv:2: account: is not an account on this database ('ACC-404')"
    assert lines[-2:] == [
        "… and 50 more: --problems OUT.csv writes every one",
        "junk.csv: 150 problem(s); nothing was imported",
    ]
    saved = tmp_path / "problems.csv"
    code, _, err = run(
        capsys, *cli_as(books, "carl"), "import", "trades", str(path), "--dry-run",
        "--problems", str(saved),
    )  # fmt: skip
    assert code == 1
    assert err.splitlines()[-2:] == [
        f"every problem is in {saved}",
        "junk.csv: 150 problem(s); the file would be refused",
    ]
    with saved.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["file", "line", "field", "reason", "value"]
    assert len(table) == 151
    assert table[-1] == [
        "junk.csv", "151", "account", "is not an account on this database ('ACC-404')", "ACC-404"
    ]  # fmt: skip
