"""``desk-app estate``: open, show, receive, letter, reregister, approved by another principal."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.pdf_tools import pdf_text
from tests.services.conftest import Desk
from tests.services.estates.test_estates import AAPL, BOUGHT, estates, give

__all__ = ["estates"]  # the fixture, shared with the service tests


def test_an_estate_from_the_command_line(
    capsys: pytest.CaptureFixture[str], estates: Desk, tmp_path: Path
) -> None:
    number = estates.account("NYC-JOHN", name="John Roe", registration_type="tod")
    give(estates, number, lots=(BOUGHT,), cash=Decimal("10.01"))
    carl = cli_as(estates.url, "carl")
    code, out, _ = run(capsys, *carl, "estate", "open", number, "--date-of-death", "2026-03-06",
                       "--source", "letter from the beneficiary")  # fmt: skip
    assert code == 0
    case = out.splitlines()[-1]
    assert "Beneficiaries by share" in out and "Retitle" not in out  # a TOD is not retitled
    code, out, _ = run(capsys, *carl, "estate", "show", case)
    assert code == 0 and "death-certificate" in out and "required" in out
    assert "letters" not in out.split()  # no letters testamentary on the beneficiary's path
    letter = tmp_path / "letter.pdf"
    assert run(capsys, *carl, "estate", "letter", case, "--out", str(letter))[0] == 0
    assert "Affidavit of domicile" in pdf_text(letter)
    code, _, err = run(capsys, *carl, "estate", "reregister", case, "--to", "NYC-A=60",
                       "--to", "NYC-B=40")  # fmt: skip
    assert code == 1 and "still needs: Certified death certificate (required)" in err
    for kind in ("death-certificate", "affidavit-of-domicile", "w9-new-owners", "stock-power"):
        code, out, _ = run(capsys, *carl, "estate", "receive", case, kind, "--verified")
        assert code == 0 and out.strip().endswith(": verified")
    code, _, err = run(capsys, *carl, "estate", "reregister", case, "--to", "NYC-A=60",
                       "--to", "NYC-B=30")  # fmt: skip
    assert code == 1 and "the shares add to 90%, not 100%" in err
    code, out, err = run(capsys, *carl, "estate", "reregister", case, "--to", "NYC-A=60",
                         "--to", "NYC-B=40")  # fmt: skip
    assert code == 0 and "waiting for a principal's approval" in err
    request_id = out.splitlines()[-1]
    assert run(capsys, *carl, "approvals", "approve", request_id)[0] == 1  # a clerk decides nothing
    assert run(capsys, *cli_as(estates.url, "sue"), "approvals", "approve", request_id)[0] == 0
    transfers = estates.ws["carl"].transfers
    assert transfers.available_position("NYC-A", AAPL) == 60
    assert transfers.available_position("NYC-B", AAPL) == 40
    assert transfers.available_cash("NYC-A", "USD") == Decimal("6.01")  # 60% is 6.006: down
    assert transfers.available_cash("NYC-B", "USD") == Decimal("4.00")
    code, out, _ = run(capsys, *carl, "estate", "show", case)
    assert "status: closed" in out


def test_the_parties_from_the_command_line(
    capsys: pytest.CaptureFixture[str], estates: Desk
) -> None:
    from desk_app.domain.codes import PartyRole as R
    from tests.services.estates.test_estate_parties import with_parties

    joint = estates.account(registration_type="joint-jtwros")
    with_parties(estates, joint, (R.OWNER, "Al Roe", {}), (R.JOINT_OWNER, "Bea Roe", {}))
    carl = cli_as(estates.url, "carl")
    code, out, _ = run(capsys, *carl, "estate", "open", joint, "--date-of-death", "2026-03-06",
                       "--holder", "Bea Roe", "--not-spouses")  # fmt: skip
    assert code == 0
    code, out, _ = run(capsys, *carl, "estate", "show", out.splitlines()[-1])
    assert "Decedent: Bea Roe; the joint owners are not spouses" in out
    assert "  100.00% Al Roe (surviving joint owner)" in out
    assert "W-9 of Al Roe (surviving joint owner)" in out
    tod = estates.account(registration_type="tod")
    heir = estates.account(name="Bo Lee")
    with_parties(estates, tod, (R.OWNER, "Max Roe", {}),
                 (R.BENEFICIARY, "Ann Lee", {"share_percent": Decimal(60), "per_stirpes": True}),
                 (R.BENEFICIARY, "Bo Lee", {"share_percent": Decimal(40)}))  # fmt: skip
    code, out, _ = run(capsys, *carl, "estate", "open", tod, "--date-of-death", "2026-03-06")
    case = out.splitlines()[-1]
    code, out, err = run(capsys, *carl, "estate", "beneficiary-deceased", case, "Ann Lee",
                         "--date-of-death", "2026-03-07")  # fmt: skip
    assert code == 1 and "after the holder's (2026-03-06)" in err
    code, out, _ = run(capsys, *carl, "estate", "beneficiary-deceased", case, "Ann Lee",
                       "--date-of-death", "2025-01-31")  # fmt: skip
    assert code == 0
    assert f"  40.00% Bo Lee (primary beneficiary) -> {heir}" in out
    assert "Needs a decision: Descendants of Ann Lee (per stirpes): 60.00%" in out
    code, out, _ = run(capsys, *carl, "estate", "show", case)
    assert "Predeceased: Ann Lee died 2025-01-31" in out
    lone = estates.account(residence_state="NY")
    give(estates, lone, lots=(BOUGHT,))
    code, out, _ = run(capsys, *carl, "estate", "open", lone, "--date-of-death", "2026-03-06",
                       "--small-estate")  # fmt: skip
    assert code == 0 and "Small-estate affidavit (no letters)" in out and "Retitle" not in out


def test_the_executor_from_the_command_line(
    capsys: pytest.CaptureFixture[str], estates: Desk
) -> None:
    number = estates.account(name="Jane Doe")
    carl, sue = cli_as(estates.url, "carl"), cli_as(estates.url, "sue")
    code, out, _ = run(capsys, *carl, "estate", "open", number, "--date-of-death", "2026-03-06")
    case = out.splitlines()[-1]
    assert code == 0 and "Executor: waiting for the executor" in out
    code, _, err = run(capsys, *carl, "estate", "executor", case, "Carl Doe;dob=1970-02-30",
                       "--ein", "00-0000000")  # fmt: skip
    assert code == 1 and "executor.date_of_birth: must be a date" in err
    assert "ein: is not a valid EIN" in err
    code, _, err = run(capsys, *carl, "estate", "executor", case, "Carl Doe;share=50")
    assert code == 1 and "share-percent: not a setting of an executor" in err
    spec = "Carl Doe;address=4 Elm St;tax-id=123-45-6780"
    code, out, err = run(capsys, *carl, "estate", "executor", case, spec, "--ein", "12-3456789")
    assert code == 0 and "waiting for a principal's approval" in err
    request_id = out.splitlines()[-1]
    code, out, _ = run(capsys, *carl, "estate", "show", case)
    assert f"Executor: executor retitle pending in request {request_id} (Carl Doe)" in out
    code, _, err = run(capsys, *carl, "estate", "executor", case, "Rita Doe")
    assert code == 1 and f"already waits for approval in request {request_id}" in err
    assert run(capsys, *carl, "approvals", "approve", request_id)[0] == 1  # not their own
    assert run(capsys, *sue, "approvals", "approve", request_id)[0] == 0
    code, out, _ = run(capsys, *carl, "estate", "show", case)
    assert f"Estate case {case}: {number} Estate of Jane Doe (individual)" in out
    assert "Executor: retitled to the estate; executor Carl Doe" in out
    assert "signed by its executor Carl Doe" in out
    code, out, _ = run(capsys, *carl, "accounts", "show", number)
    assert "**-***6789" in out and "12-3456789" not in out
