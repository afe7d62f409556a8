"""``accounts open --party``, ``accounts show`` and ``accounts party add|amend|remove``."""

from __future__ import annotations

import pytest

from tests.e2e.test_cli_supervision import ESSENTIALS, Capsys, created, desk, staff


def test_a_tod_account_and_its_parties_through_the_cli(capsys: Capsys, db_url: str) -> None:
    staff(capsys, db_url)
    anna, sam = desk(capsys, db_url, "anna"), desk(capsys, db_url, "sam")
    opening = ("accounts", "open", "NYC-30001", "--name", "Ann Lee TOD", "--registration", "tod",
               "--rep", "RR01", "--reason", "new client", "--account-type", "Margin",
               "--objective", "growth", "--income", "85000", "--mailing-address",
               "1 Main St\\nNew York NY", "--party",
               f"owner:Ann Lee;tax-id=123-45-6789;{ESSENTIALS}",
               "--party", "beneficiary:Di Lee;share=60")  # fmt: skip
    code, _, err = anna(*opening)
    assert code == 1
    assert "parties.share_percent: the primary beneficiaries' shares add to 60%" in err
    code, _, err = anna(*opening[:-2])
    assert (code, err.strip()) == (1, "parties: a transfer on death account needs at least "
                                      "one beneficiary")  # fmt: skip
    code, _, err = anna(*opening, "--party", "beneficiary:Ed Lee;shares=40")
    assert code == 1 and "unknown setting 'shares'" in err
    request = created(anna(*opening, "--party", "beneficiary:Ed Lee;share=40;per-stirpes=no"))
    assert sam("approvals", "approve", request)[0] == 0

    code, out, _ = anna("accounts", "show", "NYC-30001")
    assert code == 0
    assert "Account type          Margin" in out and "Accepted by           sam" in out
    assert "Mailing address       1 Main St, New York NY" in out
    assert "123-45-6789" not in out and "tax id ***-**-6789" in out
    party_ids = [line.split()[1] for line in out.splitlines() if line.startswith("Party ")]
    assert len(party_ids) == 3
    code, out, _ = anna("accounts", "party", "reveal", "NYC-30001", party_ids[0])
    assert (code, out.strip()) == (0, "123-45-6789")  # and the audit trail says who looked

    contact = "trusted-contact:Flo Moe;address=9 Elm St"
    request = created(anna("accounts", "party", "add", "NYC-30001", contact, "--reason", "form"))
    code, _, err = anna("approvals", "approve", request)
    assert code == 1 and "supervisor role" in err
    assert sam("approvals", "approve", request)[0] == 0
    code, _, err = anna("accounts", "party", "amend", "NYC-30001", party_ids[1], "share=50",
                        "--reason", "new form")  # fmt: skip
    assert code == 1 and "primary beneficiaries' shares add to 90%" in err
    created(anna("accounts", "party", "amend", "NYC-30001", party_ids[1], "occupation=Pilot",
                 "--reason", "new job"))  # fmt: skip
    code, _, err = anna("accounts", "party", "remove", "NYC-30001", party_ids[2],
                        "--reason", "x")  # fmt: skip
    assert code == 1 and "shares add to 60%" in err
    code, _, err = anna("accounts", "party", "add", "NYC-30001", "trusted-contact:Gus Moe",
                        "--reason", "x")  # fmt: skip
    assert code == 1 and "already asks" in err  # one pending change of an account at a time
    code, out, _ = anna("accounts", "show", "NYC-30001")
    assert "Pilot" not in out and "Flo Moe" in out  # applied only on approval


@pytest.mark.parametrize("registration", ["ugma"])
def test_a_custodial_account_names_its_missing_minor(
    capsys: Capsys, db_url: str, registration: str
) -> None:
    staff(capsys, db_url)
    anna = desk(capsys, db_url, "anna")
    code, _, err = anna("accounts", "open", "NYC-30002", "--name", "Ann Lee Cust", "--rep",
                        "RR01", "--registration", registration, "--reason", "new",
                        "--party",
                        f"custodian:Ann Lee;tax-id=123-45-6789;{ESSENTIALS}")  # fmt: skip
    assert (code, err.strip()) == (1, "parties: a custodial account has exactly one minor (has 0)")
