"""Instructions out as sese.023 files, statuses back in from sese.024 or a CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from desk_app.domain.codes import FailReason, Side
from desk_app.domain.errors import DeskError
from desk_app.domain.states import ObligationStatus
from tests.iso20022 import assert_valid, text_at
from tests.services.conftest import Desk
from tests.services.settlement.test_settling import _book, _obligation

S = ObligationStatus
BODY = "SctiesSttlmTxInstr"


def _status_advice(tx: str, inner: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:sese.024.001.12">'
        f"<SctiesSttlmTxStsAdvc><TxId><AcctOwnrTxId>{tx}</AcctOwnrTxId></TxId>{inner}"
        "</SctiesSttlmTxStsAdvc></Document>"
    ).encode()


MATCHED = "<MtchgSts><Mtchd/></MtchgSts>"
FAILING_LACK = (
    "<MtchgSts><Mtchd/></MtchgSts><SttlmSts><Flng><Rsn><Cd><Cd>LACK</Cd></Cd>"
    "<AddtlRsnInf>short 40 shares</AddtlRsnInf></Rsn></Flng></SttlmSts>"
)


def test_export_writes_a_valid_instruction_per_obligation_and_instructs_it(
    settling_desk: Desk, tmp_path: Path
) -> None:
    buy, sell = _book(settling_desk), _book(settling_desk, side=Side.SELL)
    settling_desk.counterparty("MSCO")  # no SSI: its trade is an exception
    odd = _book(settling_desk, counterparty="MSCO")
    day = _obligation(settling_desk, buy).settle_date
    messages = settling_desk.ws["carl"].settlement_messages
    report = messages.export(tmp_path / "out", day=day)
    assert [p.name for p in report.files] == [f"DESK-{buy}.xml", f"DESK-{sell}.xml"]
    assert report.instructed == 2
    assert report.skipped == ((odd, "No standing settlement instruction for MSCO / US / equity"),)
    assert report.summary == "2 instructions written (2 newly instructed), 1 left out"
    for oid, code, cash, street in ((buy, "RECE", "DBIT", "Dlvrg"), (sell, "DELI", "CRDT", "Rcvg")):
        root = assert_valid("sese.023.001.11", (tmp_path / "out" / f"DESK-{oid}.xml").read_bytes())
        assert text_at(root, f"{BODY}/SttlmTpAndAddtlParams/SctiesMvmntTp") == code
        assert text_at(root, f"{BODY}/SttlmAmt/CdtDbtInd") == cash
        assert text_at(root, f"{BODY}/{street}SttlmPties/Dpstry/Id/AnyBIC") == "DTCYUS33"
        assert text_at(root, f"{BODY}/QtyAndAcctDtls/SfkpgAcct/Id") == "ACC-100"
        assert text_at(root, f"{BODY}/TradDtls/SttlmDt/Dt/Dt") == day.isoformat()
        assert _obligation(settling_desk, oid).status is S.INSTRUCTED
    first = (tmp_path / "out" / f"DESK-{buy}.xml").read_bytes()
    again = messages.export(tmp_path / "out", day=day)
    assert (len(again.files), again.instructed) == (2, 0)  # the same files, nothing new
    assert (tmp_path / "out" / f"DESK-{buy}.xml").read_bytes() == first
    assert not list((tmp_path / "out").glob("*.part"))


def test_an_export_that_cannot_write_instructs_nothing(settling_desk: Desk, tmp_path: Path) -> None:
    oid = _book(settling_desk)
    blocked = tmp_path / "a-file"
    blocked.write_text("in the way")
    with pytest.raises(DeskError, match="cannot write the instructions.*nothing was marked"):
        settling_desk.ws["carl"].settlement_messages.export(blocked, ids=[oid])
    assert _obligation(settling_desk, oid).status is S.PENDING


def test_sese024_statuses_match_and_fail_an_instruction(
    settling_desk: Desk, tmp_path: Path
) -> None:
    oid = _book(settling_desk)
    carl = settling_desk.ws["carl"]
    carl.settling.instruct([oid])
    matched = tmp_path / "matched.xml"
    matched.write_bytes(assert_valid_024(_status_advice(f"DESK-{oid}", MATCHED)))
    report = carl.settlement_messages.import_statuses([matched])
    assert report.summary == "1 file: 1 matched, 0 failing, 0 noted, 0 unchanged"
    assert _obligation(settling_desk, oid).status is S.MATCHED
    failing = tmp_path / "failing.xml"
    failing.write_bytes(assert_valid_024(_status_advice(f"DESK-{oid}", FAILING_LACK)))
    report = carl.settlement_messages.import_statuses([failing])
    assert (report.unchanged, report.failing) == (1, 1)
    o = _obligation(settling_desk, oid)
    assert (o.status, o.fail_reason, o.status_note) == (
        S.FAILING,
        FailReason.LACK,
        "Failing: LACK short 40 shares",
    )
    assert carl.settling.settle(oid).status is S.SETTLED  # a failing trade still settles


def test_an_acknowledgement_alone_changes_nothing(settling_desk: Desk, tmp_path: Path) -> None:
    oid = _book(settling_desk)
    carl = settling_desk.ws["carl"]
    carl.settling.instruct([oid])
    ack = tmp_path / "ack.xml"
    ack.write_bytes(assert_valid_024(
        _status_advice(f"DESK-{oid}", "<PrcgSts><AckdAccptd><NoSpcfdRsn>NORE</NoSpcfdRsn>"
                       "</AckdAccptd></PrcgSts>")
    ))  # fmt: skip
    report = carl.settlement_messages.import_statuses([ack])
    assert report.ok and report.unchanged == 1
    assert _obligation(settling_desk, oid).status is S.INSTRUCTED


def test_a_file_that_cannot_be_written_leaves_no_file_and_instructs_nothing(
    settling_desk: Desk, tmp_path: Path
) -> None:
    first, second = _book(settling_desk), _book(settling_desk)
    out = tmp_path / "out"
    (out / f"DESK-{second}.xml.part").mkdir(parents=True)  # in the way of the second file
    with pytest.raises(DeskError, match="nothing was marked instructed"):
        settling_desk.ws["carl"].settlement_messages.export(out, ids=[first, second])
    assert sorted(p.name for p in out.iterdir()) == [f"DESK-{second}.xml.part"]  # ours gone
    assert _obligation(settling_desk, first).status is S.PENDING


def assert_valid_024(data: bytes) -> bytes:
    assert_valid("sese.024.001.12", data)
    return data


def test_a_csv_of_statuses_applies_whole_or_not_at_all(settling_desk: Desk, tmp_path: Path) -> None:
    carl = settling_desk.ws["carl"]
    one, two, never = _book(settling_desk), _book(settling_desk), _book(settling_desk)
    carl.settling.instruct([one, two])
    bad = tmp_path / "statuses.csv"
    bad.write_text(
        "Instruction;Status;Reason;Note\n"
        f"DESK-{one};matched;;\n"
        f"DESK-{two};failing;XXXX;\n"
        f"{never};matched;;\n"
        "DESK-999999;matched;;\n"
        f"DESK-{two};failing;LACK;\n"
        "²;matched;;\n",
        encoding="utf-8-sig",
    )
    report = carl.settlement_messages.import_statuses([bad])
    assert [str(p) for p in report.problems] == [
        "statuses.csv:3: reason: must be a failing reason code "
        "(LACK, MONY, CLAC, CMON, NMAS, SSID); a failing status without one is not applied "
        "('XXXX')",
        f"statuses.csv:4: status: obligation {never} is pending: it was never instructed "
        "('matched')",
        "statuses.csv:5: instruction: is not an instruction Desk sent ('DESK-999999')",
        f"statuses.csv:6: status: obligation {two} is instructed: only a matched obligation "
        "fails to settle (a matched status comes first) ('failing')",
        "statuses.csv:7: instruction: is not an instruction Desk sent ('²')",
    ]
    assert _obligation(settling_desk, one).status is S.INSTRUCTED  # line 2 was not kept
    good = tmp_path / "good.csv"
    good.write_text(
        "instruction,status,reason,note\n"
        f"DESK-{one},matched,,\n"
        f"{two},unmatched,DQUA,quantity differs\n"
    )
    report = carl.settlement_messages.import_statuses([good])
    assert report.ok and (report.matched, report.noted) == (1, 1)
    assert _obligation(settling_desk, two).status_note == "Unmatched: DQUA quantity differs"
    assert _obligation(settling_desk, two).status is S.INSTRUCTED
