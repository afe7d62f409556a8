"""``desk-app calendar check``: dates booked under old rules, listed and corrected."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _obligation
from tests.services.trading.test_settle_date_check import OLD_RULE, old_dates

__all__ = ["old_dates"]  # the fixture, used by name


def test_check_lists_and_a_supervisor_corrects(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk, old_dates: dict[str, int]
) -> None:
    url = settling_desk.url
    window = ("calendar", "check", "--from", "2026-10-01", "--to", "2026-10-31")
    code, out, _ = run(capsys, *cli_as(url, "carl"), *window, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["obligation"]) for r in rows] == [old_dates["pending"], old_dates["instructed"]]
    assert rows[0]["trade_date"] == "2026-10-12"
    assert (rows[0]["stored"], rows[0]["rules_date"]) == ("2026-10-14", "2026-10-13")
    assert "Columbus Day" in rows[0]["why"] and rows[0]["kept_because"] == ""
    assert "re-instruct" in rows[1]["kept_because"]

    code, _, err = run(capsys, *cli_as(url, "carl"), *window, "--correct")
    assert code == 1 and "needs the" in err  # a clerk may not
    assert _obligation(settling_desk, old_dates["pending"]).settle_date == OLD_RULE

    code, out, err = run(capsys, *cli_as(url, "sue"), *window, "--correct")
    assert code == 0
    assert "corrected 1 obligation(s); 1 kept" in err
    code, out, _ = run(capsys, *cli_as(url, "sue"), *window, "--format", "csv")
    assert [int(r["obligation"]) for r in csv.DictReader(io.StringIO(out))] == [
        old_dates["instructed"]
    ]


def test_check_refuses_a_window_backwards(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk
) -> None:
    code, _, err = run(
        capsys, *cli_as(settling_desk.url, "carl"), "calendar", "check",
        "--from", "2026-10-31", "--to", "2026-10-01",
    )  # fmt: skip
    assert code == 1 and "--from: is after --to (2026-10-01)" in err
    code, _, err = run(
        capsys, *cli_as(settling_desk.url, "carl"), "calendar", "check", "--from", "someday",
        "--to", "2026-10-01",
    )  # fmt: skip
    assert code == 2 and "'someday' is not a date" in err


def test_holidays_lists_the_settlement_or_the_trading_calendar(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    base = ("--db", db_url, "calendar", "holidays", "--year", "2025", "--format", "csv")
    code, settling, _ = run(capsys, *base)
    assert code == 0
    assert "2025-10-13,Columbus Day" in settling and "2025-11-11,Veterans Day" in settling
    assert "2025-01-09" not in settling  # DTC and Fedwire settled
    code, trading, _ = run(capsys, *base, "--trading")
    assert code == 0
    assert "2025-01-09,National Day of Mourning for former President Jimmy Carter" in trading
    assert "2025-10-13" not in trading and "2025-04-18,Good Friday" in trading
