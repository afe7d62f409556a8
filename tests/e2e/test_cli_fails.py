"""``desk-app fails ...``: the list, the report, the rules, on both engines."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk


def test_fails_list_report_and_rules(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk, tmp_path: Path
) -> None:
    carl = cli_as(settling_desk.url, "carl")
    code, _, _ = run(capsys, *carl, "trades", "book", "--account", "ACC-100", "--side",
                     "sell short", "--security", "US0378331005", "--quantity", "100",
                     "--price", "10", "--counterparty", "GSCO", "--trade-date",
                     "2026-11-24")  # fmt: skip
    assert code == 0
    code, out, _ = run(capsys, *carl, "fails", "list", "--as-of", "2026-12-03", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1
    assert (rows[0]["side"], rows[0]["age"], rows[0]["close_out"], rows[0]["short"]) == (
        "ftd", "5", "2026-11-27", "yes"
    )  # fmt: skip
    code, out, _ = run(capsys, *carl, "fails", "report", "--as-of", "2026-12-03",
                       "--out", str(tmp_path / "fails.pdf"))  # fmt: skip
    assert code == 0 and (tmp_path / "fails.pdf").read_bytes().startswith(b"%PDF")
    code, out, _ = run(capsys, *carl, "fails", "rules")
    assert code == 0 and "REGSHO-SHORT" in out and "S+1" in out
    code, out, _ = run(capsys, *carl, "fail-rules", "amend", "REGSHO-SHORT", "--days", "2",
                       "--reason", "the firm's tighter close-out")  # fmt: skip
    assert code == 0
    assert run(capsys, *carl, "approvals", "approve", out.splitlines()[-1])[0] == 1
    sue = cli_as(settling_desk.url, "sue")
    assert run(capsys, *sue, "approvals", "approve", out.splitlines()[-1])[0] == 0
    code, _, err = run(capsys, *sue, "fails", "threshold", "US0378331005", "--on")
    assert code == 0 and "is on the Reg SHO threshold list" in err
    code, out, _ = run(capsys, *carl, "fails", "list", "--as-of", "2026-12-03", "--format", "csv")
    assert next(csv.DictReader(io.StringIO(out)))["close_out"] == "2026-11-30"
