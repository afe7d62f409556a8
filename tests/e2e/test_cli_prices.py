"""``prices import|list`` and ``accounts positions|cash`` as a clerk runs them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.codes import Side
from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _book, settle_booked

DATA = Path(__file__).parent.parent / "data" / "prices"


def test_a_bad_prices_file_names_every_problem_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk
) -> None:
    carl = cli_as(settling_desk.url, "carl")
    code, out, err = run(capsys, *carl, "prices", "import", str(DATA / "bad.csv"))
    assert (code, out) == (1, "")
    assert err == (DATA / "bad.expected").read_text(encoding="utf-8")
    code, out, _ = run(capsys, *carl, "prices", "list", "--format", "csv")
    assert out.splitlines() == [
        "isin,symbol,description,price_date,price,currency,high,low,source,loaded_by"
    ]


def test_import_again_changes_nothing_and_a_changed_day_replaces_it_audited(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk, tmp_path: Path
) -> None:
    carl = cli_as(settling_desk.url, "carl")
    good = str(DATA / "good.csv")
    assert run(capsys, *carl, "prices", "import", good)[1] == (
        "good.csv: 3 added, 0 replaced, 0 unchanged\n"
    )
    assert run(capsys, *carl, "prices", "import", good)[1] == (
        "good.csv: 0 added, 0 replaced, 3 unchanged\n"
    )
    seq = settling_desk.audit_entries()[-1].seq
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("isin,date,price,currency\nUS0378331005,2026-11-24,214.50,USD\n")
    assert run(capsys, *carl, "prices", "import", str(fixed))[1] == (
        "fixed.csv: 0 added, 1 replaced, 0 unchanged\n"
    )
    (changed,) = [
        e for e in settling_desk.audit_entries(seq) if e.table_name == "instrument_prices"
    ]
    assert (changed.change, changed.app_user) == ("update", "carl")
    assert '"215' in (changed.before or "") and '"214.5' in (changed.after or "")
    code, out, _ = run(capsys, *carl, "prices", "list", "--isin", "us0378331005", "--format",
                       "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["price_date"], r["price"], r["high"], r["source"]) for r in rows] == [
        ("2026-11-24", "214.5", "", "fixed.csv"),
        ("2026-11-23", "200", "201", "good.csv"),
        ("2026-11-20", "210.1", "211", "good.csv"),
    ]
    with settling_desk.admin.uow.read() as session:
        assert session.scalars(select(m.InstrumentPrice.loaded_by)).all() == ["carl"] * 3
    # The replaced row is sealed with its new state: the records check finds nothing amiss.
    code, out, _ = run(capsys, *cli_as(settling_desk.url, "cora"), "audit", "verify", "--records")
    assert code == 0 and "records intact" in out


def test_positions_and_cash_print_exact_decimals(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk
) -> None:
    settle_booked(settling_desk, "ACC-100", Side.BUY)
    _book(settling_desk, "ACC-100", quantity=Decimal(50))
    carl = cli_as(settling_desk.url, "carl")
    code, out, _ = run(capsys, *carl, "accounts", "positions", "ACC-100", "--format", "csv")
    assert code == 0
    assert out.splitlines() == [
        "isin,description,settled,trade_date_quantity,cost,price,price_date,market_value,gain,"
        "currency",
        "US0378331005,Instrument US0378331005,100,150,21030.5,,,,,USD",
    ]
    code, out, err = run(capsys, *carl, "accounts", "positions", "ACC-100")
    assert "no price" in out and "valued on the settlement basis" in err
    run(capsys, *carl, "prices", "import", str(DATA / "good.csv"))
    code, out, _ = run(capsys, *carl, "accounts", "positions", "ACC-100", "--basis", "trade",
                       "--as-of", "2026-11-24", "--format", "csv")  # fmt: skip
    assert out.splitlines()[1] == (
        "US0378331005,Instrument US0378331005,0,150,31548.5,215,2026-11-24,32250,701.5,USD"
    )
    code, out, _ = run(capsys, *carl, "accounts", "cash", "acc-100", "--format", "csv")
    assert out.splitlines() == [
        "currency,settled,pending,projected",
        "USD,-21030.5,-10518,-31548.5",
    ]
    code, _, err = run(capsys, *carl, "accounts", "cash", "NOPE-9")
    assert (code, err.strip()) == (1, "account: is not an account ('NOPE-9')")
