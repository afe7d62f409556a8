"""``desk-app ssi list|add|change``: requests a principal approves, on both engines."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk


def test_ssi_add_and_change_are_requests(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk
) -> None:
    settling_desk.counterparty("MSCO")
    carl = cli_as(settling_desk.url, "carl")
    sue = cli_as(settling_desk.url, "sue")
    code, _, err = run(capsys, *carl, "ssi", "add", "--counterparty", "MSCO", "--market", "US",
                       "--asset-class", "equity", "--from", "2020-01-01", "--place", "DTCYUS33",
                       "--agent", "CHASUS3", "--account", "0005", "--reason", "new")  # fmt: skip
    assert code == 1 and "agent_bic: must be 8 or 11 characters" in err
    code, out, _ = run(capsys, *carl, "ssi", "add", "--counterparty", "MSCO", "--market", "US",
                       "--asset-class", "equity", "--from", "2020-01-01", "--place", "DTCYUS33",
                       "--agent", "CHASUS33", "--account", "0005", "--reason", "new")  # fmt: skip
    assert code == 0
    assert run(capsys, *sue, "approvals", "approve", out.splitlines()[-1])[0] == 0
    code, out, _ = run(capsys, *carl, "ssi", "list", "--format", "csv")
    rows = {r["counterparty"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["MSCO"]["agent_bic"] == "CHASUS33"
    code, out, _ = run(capsys, *carl, "ssi", "change", rows["MSCO"]["id"], "--to", "2026-12-31",
                       "--reason", "ends")  # fmt: skip
    assert code == 0
    assert run(capsys, *sue, "approvals", "approve", out.splitlines()[-1])[0] == 0
    assert run(capsys, *carl, "ssi", "change", rows["MSCO"]["id"], "--reason", "x")[0] == 2
