"""``desk-app import trades``: counts on success, file:line problems on refusal, on both engines."""

from __future__ import annotations

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
    assert run(capsys, "--db", books, "import", "trades")[0] == 2
