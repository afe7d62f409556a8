"""``desk-app transfer cash`` and ``transfer securities``: a request each, on both engines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk
from tests.services.transfers.test_journals import AAPL


def test_transfer_cash_files_a_request_that_a_principal_approves(
    capsys: pytest.CaptureFixture[str], funded_desk: Desk
) -> None:
    carl = cli_as(funded_desk.url, "carl")
    code, out, err = run(capsys, *carl, "transfer", "cash", "--from", "ACC-100", "--to",
                         "ACC-300", "--amount", "2500.00")  # fmt: skip
    assert code == 0
    request_id = out.splitlines()[-1]
    assert err.strip() == (
        f"request {request_id}: Journal 2,500.00 USD from ACC-100 to ACC-300; "
        "waiting for a principal's approval"
    )
    assert funded_desk.ws["carl"].transfers.available_cash("ACC-300", "USD") == 0
    sue = cli_as(funded_desk.url, "sue")
    assert run(capsys, *sue, "approvals", "approve", request_id)[0] == 0
    assert funded_desk.ws["carl"].transfers.available_cash("ACC-300", "USD") == Decimal("2500.00")


def test_transfer_securities_and_what_is_refused(
    capsys: pytest.CaptureFixture[str], funded_desk: Desk
) -> None:
    carl = cli_as(funded_desk.url, "carl")
    gift = ("--isin", AAPL, "--quantity", "25", "--reason", "gift")
    code, out, _ = run(capsys, *carl, "transfer", "securities", "--from", "ACC-200", "--to",
                       "ACC-300", *gift)  # fmt: skip
    assert code == 0 and out.splitlines()[-1].isdigit()
    code, out, err = run(capsys, *carl, "transfer", "securities", "--from", "ACC-200", "--to",
                         "ACC-300", "--isin", AAPL, "--quantity", "250")  # fmt: skip
    assert (code, out) == (1, "")
    assert "quantity: ACC-200 has 100" in err and "the journal needs 250" in err
    code, _, err = run(capsys, *carl, "transfer", "cash", "--from", "ACC-100", "--to",
                       "ACC-300", "--amount", "1,000")  # fmt: skip
    assert code == 1 and "amount" in err and "thousands separator" in err
    code, _, err = run(capsys, *cli_as(funded_desk.url, "cora"), "transfer", "cash",
                       "--from", "ACC-100", "--to", "ACC-300", "--amount", "1")  # fmt: skip
    assert code == 1 and "cash journal" in err.lower()
    code, _, _ = run(capsys, *carl, "transfer", "cash", "--from", "ACC-100")
    assert code == 2


def test_accounts_lots_lists_the_cost_basis(
    capsys: pytest.CaptureFixture[str], funded_desk: Desk
) -> None:
    code, out, err = run(capsys, *cli_as(funded_desk.url, "carl"), "accounts", "lots",
                         "ACC-200", "--isin", AAPL)  # fmt: skip
    assert (code, out.splitlines()) == (0, ["2026-11-24,100,21030.5,short"])
    assert err.strip() == "1 lots: 100 for 21030.5"
