"""``desk-app estate reregister --survivor-contribution P --evidence T`` (IRC 2040(a)) and the
small-estate statute in ``estate show``."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk
from tests.services.estates.test_estate_parties import R, with_parties
from tests.services.estates.test_estates import BOUGHT, _holdings, _verify_all, estates, give

__all__ = ["estates"]


def test_a_non_spouse_survivor_s_contribution_from_the_command_line(
    capsys: pytest.CaptureFixture[str], estates: Desk
) -> None:
    number = estates.account(registration_type="joint-jtwros")
    give(estates, number, lots=(BOUGHT,))
    with_parties(estates, number, (R.OWNER, "Al Roe", {}), (R.JOINT_OWNER, "Bea Roe", {}))
    carl = cli_as(estates.url, "carl")
    code, out, _ = run(capsys, *carl, "estate", "open", number, "--date-of-death", "2026-03-06",
                       "--holder", "Bea Roe", "--not-spouses")  # fmt: skip
    case = out.splitlines()[-1]
    _verify_all(estates, int(case))
    survivor = estates.account()
    code, _, err = run(capsys, *carl, "estate", "reregister", case, "--to", survivor,
                       "--survivor-contribution", "40")  # fmt: skip
    assert code == 1 and "evidence: say what shows the survivor contributed it" in err
    code, _, err = run(capsys, *carl, "estate", "reregister", case, "--to", survivor,
                       "--survivor-contribution", "forty", "--evidence", "x")  # fmt: skip
    assert code != 0 and "not a percentage: 'forty'" in err
    code, out, _ = run(capsys, *carl, "estate", "reregister", case, "--to", survivor,
                       "--survivor-contribution", "40%", "--evidence", "Al's cheques")  # fmt: skip
    assert code == 0
    request_id = out.splitlines()[-1]
    assert run(capsys, *cli_as(estates.url, "sue"), "approvals", "approve", request_id)[0] == 0
    assert _holdings(estates, survivor) == [
        (40, 1600, BOUGHT.acquired, False), (60, 6000, date(2026, 3, 6), True),
    ]  # fmt: skip
