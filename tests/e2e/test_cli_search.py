"""``--search TEXT`` on the list commands, on both engines: the window's search, in a script."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.e2e.test_cli_supervision import ESSENTIALS
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _book


def _csv(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


def test_accounts_list_finds_a_client_by_part_of_the_name_and_the_rep(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk
) -> None:
    settling_desk.account("NYC-20417", name="Margaret O. Whitfield", registered_rep="Ana Ruiz")
    settling_desk.account("BOS-11111", name="Whitney Partners LP", registered_rep="Bo Li")
    carl = cli_as(settling_desk.url, "carl")
    code, out, err = run(capsys, *carl, "accounts", "list", "--search", "WHIT", "--format", "csv")
    assert code == 0, err
    assert [r["account_number"] for r in _csv(out)] == ["BOS-11111", "NYC-20417"]
    code, out, _ = run(capsys, *carl, "accounts", "list", "--search", "whit ruiz", "--format",
                       "csv")  # fmt: skip
    assert [r["account_number"] for r in _csv(out)] == ["NYC-20417"]
    code, out, err = run(capsys, *carl, "accounts", "list", "--search", "nobody-zzq")
    assert code == 0 and "0 rows" in err


def test_settlements_and_fails_list_find_obligations_by_account_and_counterparty(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk
) -> None:
    settling_desk.account("ACC-200", name="Harriet Quimby")
    ours = _book(settling_desk, "ACC-200")
    theirs = _book(settling_desk, "ACC-100")
    carl = cli_as(settling_desk.url, "carl")
    code, out, err = run(capsys, *carl, "settlements", "list", "--search", "quimby", "--format",
                         "csv")  # fmt: skip
    assert code == 0, err
    assert [int(r["id"]) for r in _csv(out)] == [ours]
    code, out, _ = run(capsys, *carl, "settlements", "list", "--search", "gsco acc-", "--format",
                       "csv")  # fmt: skip
    assert sorted(int(r["id"]) for r in _csv(out)) == sorted([ours, theirs])
    code, out, err = run(capsys, *carl, "fails", "list", "--search", "quimby", "--format", "csv")
    assert code == 0, err
    assert all(r["account"] == "ACC-200" for r in _csv(out))


def test_approvals_list_finds_a_request_by_its_kind(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk
) -> None:
    carl = cli_as(settling_desk.url, "carl")
    code, _, err = run(capsys, *carl, "accounts", "open", "NYC-90001", "--name", "Orville Wright",
                       "--registration", "individual", "--rep", "RR01", "--tax-id",
                       "123-45-6789", "--state", "NY", "--reason", "new client",
                       "--party",
                       f"owner:Orville Wright;tax-id=123-45-6789;{ESSENTIALS}")  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, *carl, "approvals", "list", "--search", "open account",
                         "--format", "csv")  # fmt: skip
    assert code == 0, err
    found = _csv(out)
    assert len(found) == 1 and "NYC-90001" in found[0]["target_key"]
    code, out, _ = run(capsys, *carl, "approvals", "list", "--search", "journal", "--format",
                       "csv")  # fmt: skip
    assert _csv(out) == []
