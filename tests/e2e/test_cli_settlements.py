"""``desk-app settlements generate`` and ``settlements list``, on both engines."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.iso20022 import assert_valid
from tests.services.conftest import Desk
from tests.services.trading.test_trade_import import GOOD_CSV, _books


@pytest.fixture
def books(db_url: str) -> Iterator[str]:
    desk = _books(Desk(db_url))
    yield db_url
    desk.close()


def test_generate_prints_how_many_and_makes_none_twice(
    capsys: pytest.CaptureFixture[str], books: str
) -> None:
    carl = cli_as(books, "carl")
    assert run(capsys, *carl, "import", "trades", str(GOOD_CSV))[0] == 0
    code, out, err = run(capsys, *carl, "settlements", "generate", "--as-of", "2024-06-03")
    assert code == 0
    early = int(out.splitlines()[-1])
    assert 0 < early < 5
    assert err.startswith(f"{early} obligation")
    code, out, err = run(capsys, *carl, "settlements", "generate")
    assert (code, out.splitlines()[-1]) == (0, str(5 - early))
    assert run(capsys, *carl, "settlements", "generate")[1].splitlines()[-1] == "0"

    code, out, _ = run(capsys, *carl, "settlements", "list", "--status", "pending",
                       "--format", "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and out.startswith("exception_reason,status,settle_date,") and len(rows) == 5
    assert {r["status"] for r in rows} == {"pending"}
    due = rows[0]["settle_date"]
    code, out, _ = run(capsys, *carl, "settlements", "list", "--due", due, "--format", "csv")
    assert {r["settle_date"] for r in csv.DictReader(io.StringIO(out))} == {due}


def test_generate_is_refused_to_whoever_may_not_run_it(
    capsys: pytest.CaptureFixture[str], books: str
) -> None:
    code, _, err = run(capsys, *cli_as(books, "cora"), "settlements", "generate")
    assert code == 1
    assert "settlement" in err.lower()


def _booked(capsys: pytest.CaptureFixture[str], carl: tuple[str, ...]) -> dict[str, str]:
    """Book 100 AAPL at 10 from GSCO for ACC-100; its obligation as ``settlements list`` has it."""
    code, _, _ = run(capsys, *carl, "trades", "book", "--account", "ACC-100", "--side",
                     "buy", "--security", "US0378331005", "--quantity", "100", "--price",
                     "10", "--counterparty", "GSCO")  # fmt: skip
    assert code == 0
    _, out, _ = run(capsys, *carl, "settlements", "list", "--format", "csv")
    return next(csv.DictReader(io.StringIO(out)))


def test_instruct_match_settle_in_part_and_reverse(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk
) -> None:
    carl = cli_as(settling_desk.url, "carl")
    oid = _booked(capsys, carl)["id"]
    code, _, err = run(capsys, *carl, "settlements", "settle", oid)
    assert code == 1 and "instruct and match it first" in err
    assert run(capsys, *carl, "settlements", "instruct", oid)[1].strip() == "1"
    assert run(capsys, *carl, "settlements", "match", oid)[1].strip() == "1"
    code, out, err = run(capsys, *carl, "settlements", "settle", oid, "--quantity", "40")
    assert code == 0 and out.strip().isdigit()
    assert err.strip() == f"obligation {oid}: 40 settled for 400.00 (partially settled, 60 left)"
    code, out, err = run(capsys, *carl, "settlements", "reverse", out.strip(),
                         "--reason", "DTC reversal")  # fmt: skip
    assert code == 0 and err.strip() == f"obligation {oid}: 40 reversed (matched)"
    code, _, err = run(capsys, *carl, "settlements", "settle", oid, "--quantity", "-5")
    assert code == 1 and "quantity" in err


def test_export_writes_the_days_instructions_and_status_applies_a_csv(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk, tmp_path: Path
) -> None:
    carl = cli_as(settling_desk.url, "carl")
    row = _booked(capsys, carl)
    oid, day = row["id"], row["settle_date"]
    code, out, err = run(capsys, *carl, "settlements", "export", "--date", day,
                         "--out", str(tmp_path / "out"))  # fmt: skip
    assert (code, out.strip()) == (0, "1")
    assert err.strip() == "1 instruction written (1 newly instructed)"
    assert_valid("sese.023.001.11", (tmp_path / "out" / f"DESK-{oid}.xml").read_bytes())
    statuses = tmp_path / "statuses.csv"
    statuses.write_text(f"instruction,status\nDESK-{oid},matched\n")
    code, out, err = run(capsys, *carl, "settlements", "status", str(statuses))
    assert (code, out.strip()) == (0, "1") and "1 matched" in err
    statuses.write_text(f"instruction,status\nDESK-{oid},lost\n")
    code, out, err = run(capsys, *carl, "settlements", "status", str(statuses))
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "statuses.csv:2: status: must be one of matched, unmatched, pending, failing ('lost')",
        "1 problem(s); nothing applied",
    ]
    code, _, err = run(capsys, *carl, "settlements", "export", "--out", str(tmp_path))
    assert code == 2  # --date is required


def test_settle_several_at_once_names_what_it_left(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk
) -> None:
    carl = cli_as(settling_desk.url, "carl")
    first = _booked(capsys, carl)["id"]
    _, out, _ = run(capsys, *carl, "trades", "book", "--account", "ACC-100", "--side", "sell",
                    "--security", "US0378331005", "--quantity", "5", "--price", "10",
                    "--counterparty", "GSCO", "--trade-date", "2026-11-02")  # fmt: skip
    _, out, _ = run(capsys, *carl, "settlements", "list", "--format", "csv")
    second = [r["id"] for r in csv.DictReader(io.StringIO(out)) if r["id"] != first][0]
    assert run(capsys, *carl, "settlements", "instruct", first)[0] == 0
    assert run(capsys, *carl, "settlements", "match", first)[0] == 0
    code, _, err = run(capsys, *carl, "settlements", "settle", first, second, "--quantity", "1")
    assert code == 2 and "give one ID" in err
    code, out, err = run(capsys, *carl, "settlements", "settle", first, second)
    assert (code, out.strip()) == (0, "1")
    settled_err = err
    assert settled_err.splitlines() == [
        f"obligation {second}: left as it was: {second} is pending: only a matched obligation "
        "settles (instruct and match it first)",
        "1 obligation settled, 1 left as they were",
    ]
    code, _, err = run(capsys, *carl, "settlements", "fail", second, "--reason", "LACK")
    assert code == 1 and "only instructed, matched or partly settled obligations fail" in err
    assert run(capsys, *carl, "settlements", "instruct", first, second)[0] == 1  # first settled
    assert run(capsys, *carl, "settlements", "instruct", second)[0] == 0
    code, out, err = run(capsys, *carl, "settlements", "fail", second, "--reason", "LACK")
    assert (code, out.strip(), err.strip()) == (0, "1", "1 obligation failing (LACK)")
    # (it settled on 2026-11-03, long past: a day not yet reached cannot fail)


def test_net_and_unnet_a_day(capsys: pytest.CaptureFixture[str], settling_desk: Desk) -> None:
    carl = cli_as(settling_desk.url, "carl")
    day = _booked(capsys, carl)["settle_date"]
    _booked(capsys, carl)
    code, out, err = run(capsys, *carl, "settlements", "net", "--date", day)
    assert (code, out.strip(), err.strip()) == (
        0, "1", "2 obligations netted into 1 net instruction"
    )  # fmt: skip
    code, out, _ = run(capsys, *carl, "settlements", "list", "--format", "csv")
    nets = {r["net_id"] for r in csv.DictReader(io.StringIO(out))}
    assert len(nets) == 1 and nets != {""}
    code, out, err = run(capsys, *carl, "settlements", "unnet", nets.pop())
    assert (code, out.strip()) == (0, "2") and "gross again" in err


def test_recheck_clears_an_exception_once_its_ssi_is_approved(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk
) -> None:
    settling_desk.counterparty("MSCO")
    carl = cli_as(settling_desk.url, "carl")
    code, _, _ = run(capsys, *carl, "trades", "book", "--account", "ACC-100", "--side", "buy",
                     "--security", "US0378331005", "--quantity", "100", "--price", "10",
                     "--counterparty", "MSCO")  # fmt: skip
    assert code == 0
    _, out, _ = run(capsys, *carl, "settlements", "list", "--format", "csv")
    oid = next(csv.DictReader(io.StringIO(out)))["id"]
    why = "No standing settlement instruction for MSCO / US / equity"
    code, out, err = run(capsys, *carl, "settlements", "recheck", oid)
    assert code == 0
    assert out.splitlines() == [f"obligation {oid}: {why}", "0 cleared, 1 remains"]
    assert err.strip() == "1 open obligation checked: 0 exceptions cleared, 1 remains"
    # An SSI loaded straight into the database (not through Desk): only a re-check sees it.
    with settling_desk.admin.uow.write("test") as session:
        from desk_app.db import models as m

        o = session.get(m.SettlementObligation, int(oid))
        assert o is not None
        session.add(m.StandingSettlementInstruction(
            counterparty_id=o.counterparty_id, account_id=None, market="US",
            asset_class=o.instrument.instrument_type, place_of_settlement="DTCYUS33",
            agent_bic="CHASUS33", safekeeping_account="0005", effective_from=o.settle_date,
        ))  # fmt: skip
    code, out, err = run(capsys, *carl, "settlements", "recheck", "--all")
    assert (code, out.splitlines()) == (0, ["1 cleared, 0 remain"])
    assert err.strip() == "1 open obligation checked: 1 exception cleared, 0 remain"
    assert run(capsys, *carl, "settlements", "instruct", oid)[1].strip() == "1"
    code, _, err = run(capsys, *carl, "settlements", "recheck")
    assert code == 2 and "give obligation IDs or --all" in err
    code, _, err = run(capsys, *cli_as(settling_desk.url, "cora"), "settlements", "recheck",
                       "--all")  # fmt: skip
    assert code == 1 and "settlement" in err.lower()
