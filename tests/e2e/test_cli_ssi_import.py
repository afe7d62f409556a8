"""``desk-app ssi import``: every line a request, every problem named, all or nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk

HEADER = (
    "counterparty,market,asset_class,place_of_settlement,agent_bic,safekeeping_account,"
    "effective_from\n"
)


def test_a_file_of_instructions_is_requested_line_by_line_all_or_none(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk, tmp_path: Path
) -> None:
    settling_desk.counterparty("MSCO")
    carl, sue = cli_as(settling_desk.url, "carl"), cli_as(settling_desk.url, "sue")
    path = tmp_path / "ssis.csv"
    path.write_text(
        HEADER
        + "MSCO,US,equity,DTCYUS33,CHASUS3,0005,2031-01-02\n"
        + "NOPE,USA,crypto,DTCYUS33,CHASUS33,,2031-01-02\n"
        + "MSCO,US,treasury,FRNYUS33,CHASUS33,0005,2031-01-02\n"
        + "MSCO,US,treasury,FRNYUS33,CHASUS33,0005,2031-01-02\n"
    )
    code, _, err = run(capsys, *carl, "ssi", "import", str(path), "--reason", "MSCO onboarding")
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("ssis.csv:2: agent_bic: must be 8 or 11 characters")
    # A line that reads well is checked against the database too (NOPE is on a bad line).
    assert [line.split(":")[2].strip() for line in lines[1:4]] == [
        "market", "asset_class", "safekeeping_account",
    ]  # fmt: skip
    assert lines[4] == "ssis.csv:5: row: repeats line 4"
    assert lines[-1] == "ssis.csv: 5 problem(s); nothing was filed"
    assert run(capsys, *carl, "approvals", "list", "--format", "csv")[1].count("\n") == 1
    path.write_text(
        HEADER
        + "MSCO,US,equity,DTCYUS33,CHASUS33,0005,2031-01-02\n"
        + "MSCO,US,treasury,FRNYUS33,CHASUS33,0005,2031-01-02\n"
    )
    code, out, _ = run(capsys, *carl, "ssi", "import", str(path), "--dry-run")
    assert code == 0 and "2 instruction(s) would be requested" in out
    code, out, _ = run(capsys, *carl, "ssi", "import", str(path), "--reason", "MSCO onboarding")
    requests = out.split()
    assert code == 0 and len(requests) == 2
    for request in requests:
        assert run(capsys, *carl, "approvals", "approve", request)[0] == 1  # never the maker
        assert run(capsys, *sue, "approvals", "approve", request)[0] == 0
    out = run(capsys, *carl, "ssi", "list", "--format", "csv")[1]
    rows = [r for r in csv.DictReader(io.StringIO(out)) if r["counterparty"] == "MSCO"]
    assert sorted(r["asset_class"] for r in rows) == ["equity", "treasury"]
