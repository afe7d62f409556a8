"""``desk-app trades book|show|amend|cancel``: the ticket from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk
from tests.services.trading.test_trade_import import _books
from tests.services.trading.test_trades import computer_zone_not_new_york  # noqa: F401


@pytest.fixture
def books(db_url: str) -> Iterator[str]:
    desk = _books(Desk(db_url))
    yield db_url
    desk.close()


def _book(capsys: pytest.CaptureFixture[str], url: str, *extra: str) -> tuple[int, str, str]:
    return run(
        capsys, *cli_as(url, "carl"), "trades", "book", "--account", "ACC-100",
        "--side", "buy", "--security", "037833100", "--quantity", "100", "--price", "189.25",
        "--counterparty", "GSCO", "--trade-date", "2099-06-03", "--trade-time", "09:31",
        "--commission", "4.95", *extra,
    )  # fmt: skip


def test_book_show_amend_cancel(capsys: pytest.CaptureFixture[str], books: str) -> None:
    code, out, err = _book(capsys, books)
    assert (code, err) == (0, "")
    first = int(out.strip().splitlines()[-1])
    code, out, _ = run(capsys, *cli_as(books, "cora"), "trades", "show", str(first))
    assert code == 0
    assert "Instrument        US0378331005" in out
    assert "Net amount        18929.95" in out
    assert "Settle date       2099-06-04" in out
    code, out, err = run(
        capsys, *cli_as(books, "carl"), "trades", "amend", str(first),
        "--quantity", "150", "--reason", "Allocation was 150",
    )  # fmt: skip
    assert code == 0 and "booked" in err
    second = int(out.strip())
    code, out, err = run(
        capsys, *cli_as(books, "carl"), "trades", "cancel", str(second),
        "--reason", "Wrong account",
    )  # fmt: skip
    assert code == 0
    code, out, _ = run(capsys, *cli_as(books, "cora"), "trades", "show", str(first))
    versions = [line.split()[:4] for line in out.splitlines() if line.startswith("v")]
    assert versions == [
        ["v1", "id", str(first), "Superseded"],
        ["v2", "id", str(second), "Superseded"],
        ["v3", "id", str(second + 1), "Cancelled"],
    ]
    assert "Wrong account" in out


def test_a_wrong_ticket_names_the_field(capsys: pytest.CaptureFixture[str], books: str) -> None:
    code, out, err = _book(capsys, books, "--settle-date", "2099-06-09")
    assert (code, out) == (1, "")
    assert "settle_date_reason: is required" in err
    code, _, err = run(
        capsys, *cli_as(books, "carl"), "trades", "book", "--account", "ACC-100",
        "--side", "hold", "--security", "US0378331005", "--quantity", "-1", "--price", "1",
        "--counterparty", "GSCO",
    )  # fmt: skip
    assert code == 1 and "side" in err
    code, _, err = run(capsys, *cli_as(books, "cora"), "trades", "cancel", "1",
                       "--reason", "x")  # fmt: skip
    assert code == 1


def test_a_security_at_0_books_only_with_a_price_reason(
    capsys: pytest.CaptureFixture[str], books: str
) -> None:
    code, out, err = _book(capsys, books, "--price", "-0")
    assert (code, out) == (1, "")
    assert "price: is 0: an equity trades at 0 only with a price reason saying why" in err
    why = "Gift to the ACC-100 family trust"
    code, out, _ = _book(capsys, books, "--price", "0", "--price-reason", why)
    assert code == 0
    first = out.strip()
    code, out, _ = run(capsys, *cli_as(books, "cora"), "trades", "show", first)
    assert "Price             0 USD" in out
    assert f"Price reason      {why}" in out
    code, out, _ = run(
        capsys, *cli_as(books, "carl"), "trades", "amend", first,
        "--price", "189.25", "--reason", "Sold after all",
    )  # fmt: skip
    assert code == 0
    code, out, _ = run(capsys, *cli_as(books, "cora"), "trades", "show", out.strip())
    assert "Price reason" not in out.split("\n\n")[0]  # the new version needs none


def test_moving_the_trade_date_keeps_the_time_of_day(
    capsys: pytest.CaptureFixture[str], books: str
) -> None:
    first = int(_book(capsys, books)[1].strip().splitlines()[-1])
    code, out, _ = run(
        capsys, *cli_as(books, "carl"), "trades", "amend", str(first),
        "--trade-date", "2099-06-02", "--reason", "Booked on the wrong day",
    )  # fmt: skip
    assert code == 0
    code, out, _ = run(capsys, *cli_as(books, "cora"), "trades", "show", out.strip())
    assert "Trade date        2099-06-02 2099-06-02T13:31:00+00:00" in out  # 09:31 New York
    assert "Settle date       2099-06-03" in out


@pytest.mark.usefixtures("computer_zone_not_new_york")
def test_a_ticket_without_a_trade_date_is_dated_new_york_s_today(
    capsys: pytest.CaptureFixture[str], books: str
) -> None:
    today = datetime.now(ZoneInfo("America/New_York")).date()
    assert date.today() != today  # the computer's own date is another day
    code, out, err = run(
        capsys, *cli_as(books, "carl"), "trades", "book", "--account", "ACC-100",
        "--side", "buy", "--security", "037833100", "--quantity", "100", "--price", "189.25",
        "--counterparty", "GSCO",
    )  # fmt: skip
    assert code == 0, err
    code, shown, _ = run(capsys, *cli_as(books, "cora"), "trades", "show", out.split()[-1])
    assert code == 0 and f"Trade date        {today.isoformat()} " in shown, shown
