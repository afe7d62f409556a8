"""``counterparties`` and ``instruments`` add|amend|deactivate|activate|delete|import."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from desk_app.domain.codes import InstrumentType
from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk


def test_add_amend_and_deactivate_from_the_command_line(
    capsys: pytest.CaptureFixture[str], desk: Desk
) -> None:
    carl = cli_as(desk.url, "carl")
    code, out, err = run(capsys, *carl, "counterparties", "add", "--code", "x!y", "--name", "",
                         "--kind", "bank", "--bic", "HDRSU33", "--lei", "5493001KJTIIGC8Y1R13",
                         "--dtc-participant", "12345")  # fmt: skip
    assert code == 1 and out == ""
    assert [line.split(":")[0] for line in err.splitlines()] == [
        "code", "name", "kind", "bic", "lei", "dtc_participant", "nothing was saved",
    ]  # fmt: skip
    code, out, _ = run(capsys, *carl, "counterparties", "add", "--code", "hdrs", "--name",
                       "Hudson River", "--kind", "broker", "--bic", "HDRSUS33",
                       "--dtc-participant", "417")  # fmt: skip
    assert (code, out.splitlines()[-1]) == (0, "HDRS")
    code, out, _ = run(capsys, *carl, "instruments", "add", "--cusip", "459200102",
                       "--description", "IBM", "--type", "equity", "--currency", "USD")  # fmt: skip
    assert code == 1
    code, out, _ = run(capsys, *carl, "instruments", "add", "--cusip", "459200101",
                       "--description", "IBM", "--type", "equity", "--currency", "usd")  # fmt: skip
    assert (code, out.splitlines()[-1]) == (0, "US4592001014")
    code, out, _ = run(capsys, *carl, "instruments", "amend", "459200101", "--symbol", "IBM")
    assert (code, out.splitlines()[-1]) == (0, "US4592001014")
    assert run(capsys, *carl, "counterparties", "deactivate", "HDRS")[0] == 0
    code, out, _ = run(capsys, *carl, "counterparties", "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["code"], r["dtc_participant"], r["active"]) for r in rows] == [
        ("HDRS", "0417", "no")
    ]
    assert run(capsys, *carl, "counterparties", "delete", "HDRS")[0] == 0
    # An admin keeps users, not the books' reference data.
    admin = cli_as(desk.url, "adam")
    code, _, err = run(capsys, *admin, "counterparties", "activate", "HDRS")
    assert code == 1 and "needs the clerk or supervisor role" in err


def test_a_used_counterparty_dtc_change_is_a_request(
    capsys: pytest.CaptureFixture[str], desk: Desk
) -> None:
    desk.counterparty("MSCO", ssi_for=InstrumentType.EQUITY)  # an SSI uses it
    carl, sue = cli_as(desk.url, "carl"), cli_as(desk.url, "sue")
    code, out, err = run(capsys, *carl, "counterparties", "amend", "MSCO",
                         "--dtc-participant", "0015", "--reason", "new DTC number")  # fmt: skip
    assert code == 0 and "waiting for a principal's approval" in err
    request_id = out.splitlines()[-1]
    assert run(capsys, *carl, "approvals", "approve", request_id)[0] == 1  # never one's own
    code, _, err = run(capsys, *carl, "counterparties", "delete", "MSCO")
    assert code == 1 and "cannot be deleted" in err and "Deactivate it instead" in err
    assert run(capsys, *sue, "approvals", "approve", request_id)[0] == 0
    assert desk.admin.counterparties.record("MSCO").values["dtc_participant"] == "0015"


def test_import_is_all_or_nothing_and_names_every_problem(
    capsys: pytest.CaptureFixture[str], desk: Desk, tmp_path: Path
) -> None:
    carl = cli_as(desk.url, "carl")
    bad = tmp_path / "instruments.csv"
    bad.write_text(
        "isin,cusip,description,instrument_type,currency,multiplier\n"
        "US4592001014,,IBM,equity,USD,1\n"
        ",037833101,Apple,equity,USD,1\n"
        "US5949181045,,Microsoft,stock,XXY,0\n"
        ",459200101,IBM again,equity,USD,1\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, *carl, "instruments", "import", str(bad))
    assert code == 1 and out == ""
    assert [line.rsplit(" ('", 1)[0] for line in err.splitlines()[:-1]] == [
        "instruments.csv:3: cusip: check digit is wrong",
        "instruments.csv:4: instrument_type: is not one of equity, corporate-bond, "
        "municipal-bond, treasury, option, commercial-paper, future",
        "instruments.csv:4: currency: is not an ISO 4217 currency code",
        "instruments.csv:4: multiplier: must be greater than 0",
        "instruments.csv:5: isin: US4592001014 appears again; first on line 2",
    ]
    assert desk.admin.instruments.listing().count() == 0
    good = tmp_path / "good.csv"
    good.write_text(
        "isin;description;instrument_type;currency\n"
        "US4592001014;IBM;equity;USD\nUS5949181045;Microsoft;equity;USD\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, *carl, "instruments", "import", str(good), "--dry-run")
    assert (code, desk.admin.instruments.listing().count()) == (0, 0)
    assert "would add 2" in out
    assert run(capsys, *carl, "instruments", "import", str(good))[0] == 0
    code, out, _ = run(capsys, *carl, "instruments", "import", str(good))  # again: skipped
    assert code == 0 and "added 0, skipped 2" in out
    good.write_text("isin,description,instrument_type,currency\n"
                    "US4592001014,IBM,equity,EUR\n", encoding="utf-8")  # fmt: skip
    code, _, err = run(capsys, *carl, "instruments", "import", str(good))
    assert (
        code == 1
        and "good.csv:2: currency: instrument US4592001014 is on the database "
        "with USD: an import adds, it never changes"
        in err
    )
