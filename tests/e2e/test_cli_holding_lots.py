"""``accounts positions`` of a short, ``accounts lots`` with the term, ``transfer securities
--lot``: on both engines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk
from tests.services.transfers.test_journal_lots import NEW, OLD, buy
from tests.services.transfers.test_journals import AAPL


def test_the_cli_leaves_a_short_positions_cost_and_gain_blank(
    capsys: pytest.CaptureFixture[str], funded_desk: Desk
) -> None:
    carl = cli_as(funded_desk.url, "carl")
    code, out, _ = run(capsys, *carl, "accounts", "positions", "ACC-100", "--format", "csv")
    assert code == 0
    header, row = out.splitlines()
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert values["settled"] == "-100"
    assert (values["cost"], values["gain"]) == ("", "")
    code, out, _ = run(capsys, *carl, "accounts", "positions", "ACC-100")
    assert code == 0 and "0.00" not in out.splitlines()[-1]


def test_accounts_lots_says_each_lots_term(
    capsys: pytest.CaptureFixture[str], funded_desk: Desk
) -> None:
    buy(funded_desk, "ACC-200", OLD, 50, "100.00")
    code, out, _ = run(capsys, *cli_as(funded_desk.url, "carl"), "accounts", "lots",
                       "ACC-200", "--isin", AAPL)  # fmt: skip
    assert code == 0
    assert [line.split(",")[::3] for line in out.splitlines()] == [
        ["2025-06-02", "long"], ["2026-11-24", "short"]
    ]  # fmt: skip


def test_transfer_securities_takes_the_named_lots(
    capsys: pytest.CaptureFixture[str], funded_desk: Desk
) -> None:
    buy(funded_desk, "ACC-200", OLD, 50, "100.00")
    carl = cli_as(funded_desk.url, "carl")
    move = ("transfer", "securities", "--from", "ACC-200", "--to", "ACC-300", "--isin", AAPL,
            "--quantity", "30")  # fmt: skip
    code, out, err = run(capsys, *carl, *move, "--lot", "2026-11-24=25", "--lot", "2025-06-02=5")
    assert code == 0, err
    request_id = out.splitlines()[-1]
    assert run(capsys, *cli_as(funded_desk.url, "sue"), "approvals", "approve", request_id)[0] == 0
    lots = funded_desk.ws["carl"].transfers.lots("ACC-300", AAPL)
    assert [(x.acquired, x.quantity) for x in lots] == [(OLD, Decimal(5)), (NEW, Decimal(25))]


def test_bad_lots_are_named_each_with_its_reason(
    capsys: pytest.CaptureFixture[str], funded_desk: Desk
) -> None:
    carl = cli_as(funded_desk.url, "carl")
    move = ("transfer", "securities", "--from", "ACC-200", "--to", "ACC-300", "--isin", AAPL,
            "--quantity", "30")  # fmt: skip
    bad = ("--lot", "2026-11-31=5", "--lot", "2026-11-24=x", "--lot", "30",
           "--lot", "2026-11-24=1", "--lot", "2026-11-24=2")  # fmt: skip
    code, out, err = run(capsys, *carl, *move, *bad)
    assert (code, out) == (1, "")
    assert "lot: 2026-11-31=5: ACQUIRED is not a date (YYYY-MM-DD)" in err
    assert "2026-11-24=x: QTY " in err
    assert "30: write ACQUIRED=QTY" in err
    assert "2026-11-24=2: the lot of 2026-11-24 is named twice" in err
    code, out, err = run(capsys, *carl, *move, "--lot", "2026-11-24=20", "--lot", "2026-01-02=5")
    assert (code, out) == (1, "")
    assert "lots: 2026-01-02: no lot was acquired that day" in err
    assert "the lots add up to 25; the journal moves 30" in err


def test_any_command_lets_the_restrictions_of_the_day_act(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk
) -> None:
    """Placed yesterday to start today: the first command of the day raises its exception."""
    from datetime import timedelta

    from desk_app.domain.codes import RestrictionKind
    from desk_app.domain.cutoffs import market_today
    from tests.services.accounts.test_restriction_sweeps import (
        HOLD,
        RAISED,
        _exception,
        _restrictions_on,
        _sale,
    )

    today = market_today()
    trade = _sale(settling_desk)
    _restrictions_on(settling_desk, today - timedelta(days=1)).place(
        "ACC-100", RestrictionKind.LEGAL_HOLD, HOLD, starts_on=today
    )
    assert _exception(settling_desk, trade) is None
    code, _, _ = run(capsys, *cli_as(settling_desk.url, "carl"), "accounts", "cash", "ACC-100")
    assert code == 0
    assert _exception(settling_desk, trade) == RAISED
    assert settling_desk.ws["carl"].restriction_sweeps.swept(today)
