"""``cycles``, ``calendar overrides``, ``fail-rules``, ``aging-limits``: requests, lists, files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk


def test_an_override_is_requested_approved_and_moves_the_settlement_date(
    capsys: pytest.CaptureFixture[str], desk: Desk
) -> None:
    carl, sue = cli_as(desk.url, "carl"), cli_as(desk.url, "sue")
    add = (
        "calendar",
        "overrides",
        "add",
        "--calendar",
        "US",
        "--date",
        "2031-01-08",
        "--closed",
        "--why",
        "national day of mourning",
        "--reason",
        "NYSE notice",
    )
    code, out, err = run(capsys, *carl, *add)
    assert code == 0 and "calendar check" in err
    request = out.splitlines()[-1]
    assert run(capsys, *carl, "approvals", "approve", request)[0] == 1  # never the maker
    settle = ("calendar", "settle-date", "--trade-date", "2031-01-07")
    assert run(capsys, *carl, *settle)[1].strip() == "2031-01-08"
    assert run(capsys, *sue, "approvals", "approve", request)[0] == 0
    assert run(capsys, *carl, *settle)[1].strip() == "2031-01-09"
    code, out, _ = run(capsys, *carl, "calendar", "overrides", "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["calendar_code"], r["day"], r["settlement_day"]) for r in rows] == [
        ("US", "2031-01-08", "closed")
    ]
    assert rows[0]["id"] == out.splitlines()[1].split(",")[0]  # the id first


def test_every_problem_is_a_line_and_nothing_is_filed(
    capsys: pytest.CaptureFixture[str], desk: Desk, tmp_path: Path
) -> None:
    carl = cli_as(desk.url, "carl")
    code, _, err = run(
        capsys,
        *carl,
        "cycles",
        "add",
        "--type",
        "equity",
        "--market",
        "USA",
        "--from",
        "2031-02-30",
        "--days",
        "11",
        "--calendar",
        "XX",
        "--reason",
        "x",
    )
    assert code == 1
    assert [line.split(":")[0] for line in err.splitlines()] == [
        "market",
        "effective_from",
        "offset_days",
        "calendar_code",
    ]
    cycles = tmp_path / "cycles.csv"
    cycles.write_text(
        "instrument_type,market,effective_from,offset_days,calendar_code\n"
        "equity,US,2031-03-03,0,US\n"
        "option,US,2031-03-03,-1,US\n"
        "bond,US,2031-03-03,1,US\n"
    )
    code, _, err = run(capsys, *carl, "cycles", "import", str(cycles), "--dry-run")
    lines = err.splitlines()
    assert code == 1 and len(lines) == 3
    assert lines[0] == "cycles.csv:3: offset_days: must be between 0 and 10 ('-1')"
    assert lines[1].startswith("cycles.csv:4: instrument_type: is not one of equity")
    assert lines[2] == "cycles.csv: 2 problem(s); the file would be refused"
    assert run(capsys, *carl, "approvals", "list", "--format", "csv")[1].count("\n") == 1
    cycles.write_text(
        "instrument_type,market,effective_from,offset_days,calendar_code,note\n"
        "equity,US,2031-03-03,0,US,T+0\n"
    )
    code, out, _ = run(capsys, *carl, "cycles", "import", str(cycles), "--dry-run")
    assert code == 0 and "1 settlement cycle(s) would be requested" in out
    code, out, _ = run(capsys, *carl, "cycles", "import", str(cycles), "--reason", "T+0")
    assert code == 0 and out.splitlines()[-1].isdigit()


def test_rule_days_are_amended_by_request(capsys: pytest.CaptureFixture[str], desk: Desk) -> None:
    carl, sue = cli_as(desk.url, "carl"), cli_as(desk.url, "sue")
    code, _, err = run(
        capsys, *carl, "fail-rules", "amend", "REGSHO-LONG", "--days", "-2", "--reason", "x"
    )
    assert code == 1 and err.startswith("days: must be between 0 and 365")
    code, out, _ = run(
        capsys,
        *carl,
        "aging-limits",
        "amend",
        "manifest_unreceipted",
        "--days",
        "5",
        "--reason",
        "December",
    )
    assert code == 0
    assert run(capsys, *sue, "approvals", "approve", out.splitlines()[-1])[0] == 0
    out = run(capsys, *carl, "aging-limits", "list", "--format", "csv")[1]
    limits = {line.split(",")[0]: line for line in out.splitlines()[1:]}
    assert limits["manifest_unreceipted"].endswith(",5")
    assert limits["acats_review"].endswith(",1") and limits["acats_correction"].endswith(",20")
    assert run(capsys, *carl, "fail-rules", "list", "--search", "short")[1].count("REGSHO") == 1
