"""``desk-app acats``: enter, validate, reject, correct, complete, list, on both engines."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.services.conftest import Desk
from tests.services.transfers.test_acats import AAPL, acats_desk  # noqa: F401

Capsys = pytest.CaptureFixture[str]


def test_a_transfer_out_from_new_to_completed(capsys: Capsys, acats_desk: Desk) -> None:  # noqa: F811
    carl = cli_as(acats_desk.url, "carl")
    code, out, err = run(capsys, *carl, "acats", "new", "--direction", "out", "--account",
                         "ACC-200", "--contra", "164", "--contra-account", "9981-2201",
                         "--type", "partial", "--asset", f"{AAPL}=60")  # fmt: skip
    assert code == 0, err
    tid = out.splitlines()[-1]
    code, out, err = run(capsys, *carl, "acats", "validate", tid)
    assert code == 0 and "no order book" in err and "frozen" in err
    code, out, _ = run(capsys, *carl, "acats", "list", "--format", "csv", "--status", "validated")
    (row,) = csv.DictReader(io.StringIO(out))
    assert (row["id"], row["account"], row["contra_dtc"], row["days_in_status"]) == (
        tid, "ACC-200", "0164", "0")  # fmt: skip
    code, out, err = run(capsys, *carl, "acats", "complete", tid)
    assert code == 0 and "waiting for a principal's approval" in err
    request_id = out.splitlines()[-1]
    assert run(capsys, *cli_as(acats_desk.url, "sue"), "approvals", "approve", request_id)[0] == 0
    assert acats_desk.ws["carl"].transfers.available_position("ACC-200", AAPL) == 40
    code, out, _ = run(capsys, *carl, "acats", "show", tid)
    assert code == 0 and "Completed since" in out
    header, table = out.split("\n\n")
    assert header.splitlines()[0] == f"Transfer     {tid} out (Partial)"
    assert "Deadline     nothing due" in header
    lines = table.splitlines()
    assert lines[0].split() == ["Asset", "Quantity", "/", "amount", "Lots", "Status", "Reason"]
    assert lines[1].startswith("-----")
    assert lines[2].startswith(f"60 {AAPL} (") and "60 acquired" in lines[2]
    assert lines[2].rstrip().endswith("moving")


def test_a_transfer_in_with_lots_and_a_soft_reject(capsys: Capsys, acats_desk: Desk) -> None:  # noqa: F811
    carl = cli_as(acats_desk.url, "carl")
    code, out, err = run(capsys, *carl, "acats", "new", "--direction", "in", "--account",
                         "ACC-300", "--contra", "SCHW", "--contra-account", "5550-1", "--type",
                         "full", "--asset", f"{AAPL}=50", "--lot", f"{AAPL}=30:2019-05-01:3000",
                         "--lot", f"{AAPL}=20:2021-02-01:2600.00",
                         "--cash", "USD=125.40")  # fmt: skip
    assert code == 0, err
    tid = out.splitlines()[-1]
    code, _, err = run(capsys, *carl, "acats", "exception", tid, "--code", "title-mismatch")
    assert code == 0 and "soft" in err
    code, _, err = run(capsys, *carl, "acats", "correct", tid, "--note", "title fixed")
    assert code == 0, err
    assert run(capsys, *carl, "acats", "validate", tid)[0] == 0
    code, out, err = run(capsys, *carl, "acats", "complete", tid)
    assert (code, out) == (0, "") and "completed" in err
    carl_ws = acats_desk.ws["carl"]
    assert [lot.quantity for lot in carl_ws.transfers.lots("ACC-300", AAPL)] == [30, 20]
    assert carl_ws.transfers.available_cash("ACC-300", "USD") == Decimal("125.40")


def test_every_bad_value_is_named(capsys: Capsys, acats_desk: Desk) -> None:  # noqa: F811
    carl = cli_as(acats_desk.url, "carl")
    base = ("acats", "new", "--direction", "in", "--account", "ACC-300", "--contra", "164",
            "--contra-account", "1", "--type", "partial")  # fmt: skip
    code, out, err = run(capsys, *carl, *base, "--asset", f"{AAPL}=-5", "--asset", "nothing",
                         "--cash", "USD=1.005", "--lot", "US0000000000=1:2020-13-01:5")  # fmt: skip
    assert (code, out) == (1, "")
    lines = err.strip().splitlines()
    assert len(lines) == 4, lines
    assert any(f"--asset {AAPL}" in line for line in lines)
    assert any("--asset: expected KEY=VALUE, got 'nothing'" in line for line in lines)
    assert any("--cash USD" in line for line in lines)
    assert any(line.startswith("--lot") for line in lines)
    code, _, err = run(capsys, *carl, *base, "--asset", "US0378331006=5")
    assert code == 1 and "check digit" in err
    code, _, err = run(capsys, *carl, "acats", "exception", "99", "--code", "tin-mismatch")
    assert code == 1 and "transfer: is not an ACATS transfer (99)" in err
    code, _, _ = run(capsys, *carl, "acats", "exception", "1", "--code", "nope")
    assert code == 2
    code, _, err = run(capsys, *cli_as(acats_desk.url, "cora"), *base, "--asset", f"{AAPL}=5")
    assert code == 1 and "needs the" in err


def test_reversing_a_transfer_in_and_one_out(capsys: Capsys, acats_desk: Desk) -> None:  # noqa: F811
    carl, sue = cli_as(acats_desk.url, "carl"), cli_as(acats_desk.url, "sue")
    ids = []
    for direction, account in (("in", "ACC-300"), ("out", "ACC-200")):
        code, out, err = run(capsys, *carl, "acats", "new", "--direction", direction,
                             "--account", account, "--contra", "164", "--contra-account", "77",
                             "--type", "partial", "--asset", f"{AAPL}=20")  # fmt: skip
        assert code == 0, err
        tid = out.splitlines()[-1]
        assert run(capsys, *carl, "acats", "validate", tid)[0] == 0
        code, out, _ = run(capsys, *carl, "acats", "complete", tid)
        if direction == "out":
            assert run(capsys, *sue, "approvals", "approve", out.splitlines()[-1])[0] == 0
        ids.append(tid)
    into, out_of = ids
    code, _, err = run(capsys, *carl, "acats", "reverse", into)
    assert code != 0 and "--reason" in err
    code, out, err = run(capsys, *carl, "acats", "reverse", into, "--reason", "wrong account")
    assert code == 0 and "waiting for a principal's approval" in err
    assert run(capsys, *sue, "approvals", "approve", out.splitlines()[-1])[0] == 0
    code, out, err = run(capsys, *carl, "acats", "reverse", out_of, "--reason", "returned")
    assert (code, out) == (0, "") and f"ACATS transfer {out_of} reversed" in err
    ws = acats_desk.ws["carl"]
    assert ws.transfers.available_position("ACC-300", AAPL) == 0
    assert ws.transfers.available_position("ACC-200", AAPL) == 100
    code, out, _ = run(capsys, *carl, "acats", "show", out_of)
    assert code == 0 and "Reversed since" in out and "reversed 20" in out
    code, _, err = run(capsys, *carl, "acats", "reverse", out_of, "--reason", "again")
    assert code != 0 and "only a completed transfer is reversed" in err


def test_show_lists_what_is_not_moving_and_list_says_the_deadlines(
    capsys: Capsys,
    acats_desk: Desk,  # noqa: F811
) -> None:
    from desk_app.services import firm

    firm.set_firm_name(acats_desk.ws["adam"].uow, "Schwab Funds")
    acats_desk.instrument("US5949181045", issuer="Charles Schwab")
    carl = cli_as(acats_desk.url, "carl")
    code, out, err = run(capsys, *carl, "acats", "new", "--direction", "in", "--account",
                         "ACC-300", "--contra", "164", "--contra-account", "5", "--type",
                         "partial", "--asset", f"{AAPL}=10", "--asset", "US5949181045=7",
                         "--cash", "USD=12.50")  # fmt: skip
    assert code == 0, err
    tid = out.splitlines()[-1]
    assert "not moving: 7 US5949181045" in err and "(Charles Schwab): it stays there" in err
    code, out, _ = run(capsys, *carl, "acats", "show", tid)
    header, table = out.split("\n\n")
    assert "Not moving   1 of 3 assets: tell the client what stays behind" in header
    assert "1 business day(s) to validate or take exception" in header
    rows = {line.split()[1]: line for line in table.splitlines()[2:]}
    assert "not moving  proprietary product of the delivering firm" in rows["US5949181045"]
    assert rows[AAPL].rstrip().endswith("moving") and "12.50" in rows["USD"]
    code, out, err = run(capsys, *carl, "acats", "list")
    assert code == 0 and tid in out
    assert "deadlines (aging limits): review 1, settlement 3, correction 20 business days" in err
    code, out, err = run(capsys, *carl, "acats", "list", "--format", "csv")
    assert code == 0 and "deadlines" not in err


def test_the_refusals_name_their_cause(capsys: Capsys, acats_desk: Desk) -> None:  # noqa: F811
    from datetime import timedelta

    from desk_app.domain.cutoffs import market_today

    carl = cli_as(acats_desk.url, "carl")
    late = (market_today() + timedelta(days=3)).isoformat()
    base = ("acats", "new", "--account", "ACC-300", "--contra", "164", "--contra-account", "1")
    code, _, err = run(capsys, *carl, *base, "--direction", "in", "--type", "partial",
                       "--asset", f"{AAPL}=5", "--lot", f"{AAPL}=5:{late}:500")  # fmt: skip
    assert code == 1 and f"lot: {AAPL}: a lot acquired {late} is dated after the transfer" in err
    for direction, way in (("in", "in to"), ("out", "out of")):
        code, _, err = run(capsys, *carl, *base, "--direction", direction, "--type", "residual",
                           "--cash", "USD=1.00")  # fmt: skip
        why = f"completed full transfer {way} ACC-300, and there is none"
        assert (code, err.strip()) == (1, f"type: a residual credit {direction} follows a {why}")
    code, out, err = run(capsys, *carl, "acats", "new", "--direction", "out", "--account",
                         "ACC-200", "--contra", "164", "--contra-account", "2", "--type",
                         "partial", "--asset", f"{AAPL}=5")  # fmt: skip
    tid = out.splitlines()[-1]
    assert run(capsys, *carl, "accounts", "restrict", "ACC-200", "--kind", "stop-transfer",
               "--reason", "lost certificate")[0] == 0  # fmt: skip
    code, _, err = run(capsys, *carl, "acats", "validate", tid)
    assert code == 1 and "ACC-200 has a stop transfer since" in err
    assert "(lost certificate): a transfer out cannot be validated" in err
