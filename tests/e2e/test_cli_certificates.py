"""``certificates``, ``manifest`` and ``box-count`` as CLI.md has them, on both engines."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest

from tests.conftest import cli_as
from tests.e2e.test_cli import run
from tests.pdf_tools import barcodes, pdf_text
from tests.services.conftest import Desk

IBM = "459200101"
HEADER = ("certificate_number,cusip,issuer,security_class,registered_holder,shares,issue_date,"
          "location,received_from")  # fmt: skip


def _csv(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


def _import(capsys: pytest.CaptureFixture[str], desk: Desk, tmp_path: Path) -> tuple[str, ...]:
    carl = cli_as(desk.url, "carl")
    path = tmp_path / "certs.csv"
    rows = [f"NY {n},{IBM},IBM,Common,John Smith,{n},1999-01-04,Vault A,Client" for n in
            (100, 200, 300)]  # fmt: skip
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    code, _, err = run(capsys, *carl, "certificates", "import", str(path))
    assert code == 0, err
    return carl


def test_a_bad_csv_is_refused_whole_naming_file_line_and_field(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\nA1,{IBM},IBM,Common,J,10,1999-01-04,Vault A,x\n"
                    f"A2,459200109,IBM,Common,J,10,1999-01-04,Vault A,x\n")  # fmt: skip
    carl = cli_as(settling_desk.url, "carl")
    code, _, err = run(capsys, *carl, "certificates", "import", str(path))
    assert code == 1
    assert "bad.csv:3: cusip: check digit is wrong ('459200109')" in err
    assert "nothing was registered" in err
    code, out, _ = run(capsys, *carl, "certificates", "list", "--format", "csv")
    assert _csv(out) == []


def test_a_manifest_from_create_to_receipt(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk, tmp_path: Path
) -> None:
    carl = _import(capsys, settling_desk, tmp_path)
    sue = cli_as(settling_desk.url, "sue")
    code, out, _ = run(capsys, *carl, "certificates", "list", "--status", "in_vault",
                       "--format", "csv")  # fmt: skip
    assert [r["certificate_number"] for r in _csv(out)] == ["NY 100", "NY 200", "NY 300"]
    code, out, err = run(capsys, *carl, "manifest", "create", "--courier", "FedEx", "--to",
                         "Computershare", "--address", r"150 Royall St\nCanton, MA 02021",
                         "--sender", "Ops, 55 Water St", "--airbill", "7712 3456 7890", "NY 100",
                         "NY 200")  # fmt: skip
    assert code == 0, err
    number = out.strip()
    assert "2 certificates, 300 shares" in err
    code, _, err = run(capsys, *carl, "manifest", "verify", number)
    assert (code, err.strip()) == (
        1, f"dual control: carl prepared manifest {number}; another user must verify it"
    )  # fmt: skip
    pdf = tmp_path / "m.pdf"
    code, _, err = run(capsys, *carl, "manifest", "print", number, "--out", str(pdf))
    assert code == 1 and "not verified yet" in err and not pdf.exists()
    code, _, err = run(capsys, *sue, "manifest", "verify", number, "--count", "3",
                       "--shares", "300")  # fmt: skip
    assert (code, err.strip()) == (1, (
        f"count: the certificates you counted do not agree with manifest {number}; count the "
        "envelope again (2 attempts left before a supervisor must)"
    ))  # fmt: skip
    recount = ("--count", "2", "--shares", "300")  # after a count that disagreed: both
    assert run(capsys, *sue, "manifest", "verify", number, *recount)[0] == 0
    code, out, err = run(capsys, *carl, "manifest", "print", number, "--out", str(pdf))
    assert code == 0 and "(original), 1 page" in err
    assert out.strip() == hashlib.sha256(pdf.read_bytes()).hexdigest()
    text = pdf_text(pdf)
    assert "NY 100" in text and "NY 200" in text and "COPY" not in text
    assert set(barcodes(pdf, tmp_path)) == {number, "NY 100", "NY 200"}
    again = tmp_path / "again.pdf"
    code, out, err = run(capsys, *carl, "manifest", "print", number, "--out", str(again),
                         "--paper", "a4")  # fmt: skip
    assert code == 0 and "(COPY)" in err and "COPY" in pdf_text(again)
    code, _, err = run(capsys, *carl, "manifest", "receipt", number)
    assert code == 1 and "record the courier's pickup first" in err
    assert run(capsys, *carl, "manifest", "pickup", number, "--agent", "J Doe")[0] == 0
    code, _, err = run(capsys, *carl, "manifest", "receipt", number)
    assert (code, err.strip()) == (0, f"manifest {number}: received")
    code, out, _ = run(capsys, *carl, "manifest", "show", number)
    assert "Received by     Computershare" in out and out.count("Delivered") == 2
    assert "original, 1 pages" in out and "COPY, 1 pages" in out
    code, out, _ = run(capsys, *carl, "certificates", "movements", "--format", "csv")
    kinds = sorted((r["kind"], r["certificate_number"]) for r in _csv(out))
    assert kinds.count(("delivery", "NY 100")) == 1 and len(kinds) == 5  # 3 receipts, 2 out
    code, out, _ = run(capsys, *carl, "certificates", "show", "NY 100")
    assert "Delivered" in out and "J Doe" in out
    code, out, _ = run(capsys, *carl, "manifest", "list", "--format", "csv")
    assert [(r["manifest_number"], r["status"]) for r in _csv(out)] == [(number, "received")]


def test_a_lost_certificate_and_a_box_count(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk, tmp_path: Path
) -> None:
    carl = _import(capsys, settling_desk, tmp_path)
    sue = cli_as(settling_desk.url, "sue")
    code, out, err = run(capsys, *carl, "certificates", "lost", "NY 300", "--discovered",
                         "2026-11-02", "--circumstances", "not in its drawer")  # fmt: skip
    assert code == 0 and "NOT YET PLACED" in out and "certificates stop" in err
    assert run(capsys, *carl, "certificates", "stop", "NY 300", "--agent", "Computershare",
               "--on", "2026-11-02")[0] == 0  # fmt: skip
    code, out, _ = run(capsys, *carl, "certificates", "loss-report", "NY 300")
    assert "2026-11-02 with Computershare" in out and "Certificate number  NY 300" in out
    code, out, _ = run(capsys, *carl, "box-count", "start", "--quarter", "2026-Q4")
    count_id = out.strip()
    sheet = tmp_path / "sheet.pdf"
    assert run(capsys, *carl, "box-count", "sheet", count_id, "--out", str(sheet))[0] == 0
    assert "NY 100" in pdf_text(sheet) and "NY 300" not in pdf_text(sheet)
    assert run(capsys, *carl, "box-count", "record", count_id, "--found", "NY 100")[0] == 0
    code, _, err = run(capsys, *carl, "box-count", "finish", count_id)
    assert code == 1 and "1 certificate is not counted yet: NY 200" in err
    assert run(capsys, *carl, "box-count", "record", count_id, "--missing", "NY 200")[0] == 0
    code, out, _ = run(capsys, *carl, "box-count", "finish", count_id, "--counted-on",
                       "2026-11-25")  # fmt: skip
    assert out.strip() == f"box count {count_id}: 1 difference(s); record them by 2026-12-07"
    code, out, _ = run(capsys, *carl, "box-count", "differences", count_id, "--format", "csv")
    assert [(r["certificate_number"], r["result"]) for r in _csv(out)] == [("NY 200", "missing")]
    code, _, err = run(capsys, *carl, "box-count", "resolve", count_id, "NY 200", "--note", "x")
    assert code == 1 and "supervisor or compliance" in err
    assert run(capsys, *sue, "box-count", "resolve", count_id, "NY 200", "--note",
               "found in drawer 4")[0] == 0  # fmt: skip
    assert run(capsys, *sue, "box-count", "close", count_id)[0] == 0


def test_a_print_that_cannot_be_written_is_not_on_record(
    capsys: pytest.CaptureFixture[str], settling_desk: Desk, tmp_path: Path
) -> None:
    carl = _import(capsys, settling_desk, tmp_path)
    sue = cli_as(settling_desk.url, "sue")
    code, out, err = run(capsys, *carl, "manifest", "create", "--courier", "UPS", "--to", "DTC",
                         "--address", "55 Water St", "--sender", "Ops", "--pickup",
                         "2026-11-26T16:30-05:00", "NY 100")  # fmt: skip
    assert code == 0, err
    number = out.strip()
    code, _, err = run(capsys, *sue, "manifest", "verify", number, "--shares", "100")
    assert code == 1 and "airbill or tracking number of manifest" in err, err
    assert run(capsys, *sue, "manifest", "verify", number, "--shares", "abc")[0] == 2
    code, _, err = run(capsys, *carl, "manifest", "airbill", number, "7712 3456 7890")
    assert code == 1 and "is not a UPS tracking number" in err, err
    assert run(capsys, *carl, "manifest", "airbill", number, "1Z999AA10123456784")[0] == 0
    assert run(capsys, *sue, "manifest", "verify", number, "--shares", "100")[0] == 0
    missing = tmp_path / "no-such-folder" / "m.pdf"
    code, _, err = run(capsys, *carl, "manifest", "print", number, "--out", str(missing))
    assert code == 1 and "No such file" in err
    good = tmp_path / "m.pdf"
    code, _, err = run(capsys, *carl, "manifest", "print", number, "--out", str(good))
    assert code == 0 and "(original)" in err  # the refused attempt printed nothing
    assert "Pickup 2026-11-26 16:30 EST" in " ".join(pdf_text(good).split())
    code, out, _ = run(capsys, *carl, "certificates", "movements", "--since", "2026-01-01",
                       "--format", "csv")  # fmt: skip
    assert code == 0 and len(_csv(out)) == 3
