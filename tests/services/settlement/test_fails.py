"""The fails list: aged in settlement days, Reg SHO close-outs and capital flags from the rules."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from desk_app.domain.codes import Side
from desk_app.domain.errors import NotPermitted, ValidationError
from desk_app.domain.fails import FailSide
from desk_app.domain.rule_changes import RuleKind, RuleProblems
from desk_app.services.workspace import Workspace
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _book, _obligation

AAPL = "US0378331005"
SETTLE = date(2026, 11, 25)  # a Wednesday; Thursday the 26th is Thanksgiving


@pytest.fixture
def failing(settling_desk: Desk) -> dict[str, int]:
    """A buy, a long sale and a short sale of AAPL, all settling on the 25th, none settled."""
    ids = {
        "buy": _book(settling_desk),
        "long": _book(settling_desk, side=Side.SELL),
        "short": _book(settling_desk, side=Side.SELL_SHORT),
    }
    assert {_obligation(settling_desk, i).settle_date for i in ids.values()} == {SETTLE}
    return ids


def test_fails_are_aged_in_settlement_days_with_their_close_outs(
    settling_desk: Desk, failing: dict[str, int]
) -> None:
    fails = settling_desk.ws["carl"].fails
    assert fails.fails(SETTLE) == []  # on the settlement date nothing has failed yet
    by_id = {f.id: f for f in fails.fails(date(2026, 11, 27))}
    assert {f.age for f in by_id.values()} == {1}  # Thanksgiving does not count
    buy, long, short = (by_id[failing[k]] for k in ("buy", "long", "short"))
    assert (buy.side, long.side, short.side) == (
        FailSide.TO_RECEIVE, FailSide.TO_DELIVER, FailSide.TO_DELIVER
    )  # fmt: skip
    assert buy.close_out is None  # a fail to receive has no Reg SHO close-out
    assert (short.close_out, short.close_out_rule) == (
        date(2026, 11, 27), "Reg SHO 204 close-out: short sale"
    )  # fmt: skip
    assert short.close_out_passed and short.short
    assert long.close_out == date(2026, 12, 1)  # S+3: Fri 27, Mon 30, Tue 1
    assert not long.close_out_passed and long.capital is None
    later = {f.id: f for f in fails.fails(date(2026, 12, 3))}  # S+5
    assert later[failing["long"]].age == 5
    assert later[failing["long"]].capital == "15c3-1 capital charge: fail to deliver"
    assert later[failing["buy"]].capital is None  # a fail to receive is charged at 30
    assert [(b.label, b.to_deliver, b.to_receive) for b in fails.buckets(list(later.values()))][
        :2
    ] == [("1–3", 0, 0), ("4–5", 2, 1)]


def test_settled_and_cancelled_obligations_are_not_fails(
    settling_desk: Desk, failing: dict[str, int]
) -> None:
    carl = settling_desk.ws["carl"]
    carl.settling.instruct([failing["buy"]])
    carl.settling.match([failing["buy"]])
    carl.settling.settle(failing["buy"], quantity=Decimal(40))
    left = {f.id: f for f in carl.fails.fails(date(2026, 11, 27))}
    assert left[failing["buy"]].quantity == Decimal(60)  # the residual still fails
    carl.settling.settle(failing["buy"])
    assert failing["buy"] not in {f.id for f in carl.fails.fails(date(2026, 11, 27))}


def test_the_rules_and_the_threshold_list_are_reference_data(
    settling_desk: Desk, failing: dict[str, int]
) -> None:
    sue, carl, sam = settling_desk.ws["sue"], settling_desk.ws["carl"], settling_desk.ws["sam"]

    def days(code: str, value: int, maker: Workspace = sue) -> int:
        return maker.rules.request(RuleKind.FAIL_RULE, {"code": code, "days": str(value)}, "r")

    request = days("regsho-long", 2, carl)  # a clerk asks; a principal decides
    with pytest.raises(NotPermitted):
        carl.approvals.approve(request)
    sam.approvals.approve(request)
    long = next(f for f in carl.fails.fails(date(2026, 11, 27)) if f.id == failing["long"])
    assert long.close_out == date(2026, 11, 30)
    with pytest.raises(ValidationError, match="is not a known fail rule"):
        days("NOPE", 2)
    with pytest.raises(RuleProblems, match="between 0 and 365"):
        days("REGSHO-LONG", -1)
    sam.approvals.approve(days("REGSHO-LONG", 30))
    settling_desk.ws["cora"].fails.set_threshold(AAPL, True)  # compliance keeps the list
    long = next(f for f in carl.fails.fails(date(2026, 11, 27)) if f.id == failing["long"])
    assert (long.close_out, long.close_out_rule) == (
        date(2026, 12, 15), "Reg SHO 203(b)(3) close-out: threshold security"
    )  # fmt: skip


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_report_prints_every_fail_and_the_same_fails_print_the_same_bytes(
    settling_desk: Desk, failing: dict[str, int], tmp_path: Path
) -> None:
    fails = settling_desk.ws["carl"].fails
    at = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)  # the print time is on the paper
    first = fails.report(tmp_path / "fails.pdf", date(2026, 12, 3), at)
    again = fails.report(tmp_path / "again.pdf", date(2026, 12, 3), at)
    assert first.read_bytes() == again.read_bytes()
    text = subprocess.run(
        ["pdftotext", "-layout", str(first), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Fails as of 2026-12-03" in text
    for oid in failing.values():
        assert str(oid) in text
    assert "3 fails: 2 to deliver, 1 to receive" in text
    assert "Page 1 of 1" in text
