"""The FIX 4.4 execution-report reader: framing, checksums, fields and fuzzing.

Messages are built by `build`, which computes BodyLength(9) and CheckSum(10) on its
own (with every ``|`` counted as SOH), so the test data do not trust the reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk_app.domain.codes import Side
from desk_app.domain.fix44 import FixExecution, FixResult, read_fix_executions

DATA = Path(__file__).parent.parent / "data" / "fix"
SOH = "\x01"

TRADE: dict[int, str] = {
    35: "8",
    17: "E1",
    150: "F",
    1: "ACC-001",
    54: "1",
    48: "US0378331005",
    22: "4",
    32: "100",
    31: "187.25",
    15: "USD",
    75: "20261124",
    64: "20261125",
    60: "20261124-14:30:05.123",
    76: "GSCO",
    12: "5.00",
}
CORRECT = {**TRADE, 17: "E2", 150: "G", 19: "E1", 31: "187.30"}
CANCEL = {35: "8", 17: "E3", 150: "H", 19: "E1"}

# A cancel checked by hand. Byte sums, each field with its SOH (+1):
#   "8=FIX.4.4" 56+61+70+73+88+46+52+46+52 = 544 -> 545
#   "9=23"      57+61+50+51               = 219 -> 220
#   "35=8"      51+53+61+56               = 221 -> 222
#   "17=E2"     49+55+61+69+50            = 284 -> 285
#   "19=E1"     49+57+61+69+49            = 285 -> 286
#   "150=H"     49+53+48+61+72            = 283 -> 284
# BodyLength: 5 + 6 + 6 + 6 = 23 bytes after "9=23<SOH>", up to the SOH before 10=.
# CheckSum: 545 + 220 + 222 + 285 + 286 + 284 = 1842 = 7 * 256 + 50 -> "050".
HAND_CHECKED = b"8=FIX.4.4\x019=23\x0135=8\x0117=E2\x0119=E1\x01150=H\x0110=050\x01"


def build(
    fields: Mapping[int, str | None] | list[tuple[int, str]],
    delim: str = "|",
    body_length: int | None = None,
    begin: str = "FIX.4.4",
    raw: str = "",
) -> bytes:
    """One message; a field set to None is left out, ``raw`` is added to the body as is."""
    pairs = fields.items() if isinstance(fields, Mapping) else fields
    body = "".join(f"{tag}={value}{delim}" for tag, value in pairs if value is not None) + raw
    length = len(body.encode()) if body_length is None else body_length
    head = f"8={begin}{delim}9={length}{delim}"
    checksum = sum((head + body).replace("|", SOH).encode()) % 256
    return (head + body + f"10={checksum:03d}{delim}").encode()


def read(*messages: bytes, sep: bytes = b"\n") -> FixResult:
    return read_fix_executions(sep.join(messages), "f.fix")


def problems(result: FixResult) -> list[str]:
    return [str(problem) for problem in result.problems]


def test_hand_checked_message_is_what_build_makes_and_reads_clean() -> None:
    assert build({35: "8", 17: "E2", 19: "E1", 150: "H"}, delim=SOH) == HAND_CHECKED
    result = read_fix_executions(HAND_CHECKED, "hand.fix")
    assert result.ok
    assert result.executions == (FixExecution(1, "cancel", "E2", exec_ref_id="E1"),)


def test_trade_correction_and_cancel_are_read_with_exact_values() -> None:
    result = read(build(TRADE, SOH), build(CORRECT, SOH), build(CANCEL, SOH))
    assert problems(result) == []
    trade, correction, cancel = result.executions
    assert trade == FixExecution(
        line=1,
        exec_type="trade",
        exec_id="E1",
        account="ACC-001",
        side=Side.BUY,
        isin="US0378331005",
        quantity=Decimal("100"),
        price=Decimal("187.25"),
        currency="USD",
        trade_date=date(2026, 11, 24),
        settle_date=date(2026, 11, 25),
        transact_time=datetime(2026, 11, 24, 14, 30, 5, 123000, tzinfo=UTC),
        counterparty="GSCO",
        commission=Decimal("5.00"),
    )
    assert (correction.line, correction.exec_type, correction.exec_ref_id) == (2, "correct", "E1")
    assert str(correction.price) == "187.30"
    assert (cancel.line, cancel.exec_type, cancel.exec_ref_id, cancel.side) == (
        3,
        "cancel",
        "E1",
        None,
    )


@pytest.mark.parametrize(("last_px", "read_as"), [("0", "0"), ("-0", "0"), ("-37.63", "-37.63")])
def test_a_price_of_0_or_below_reads_and_the_instrument_decides(last_px: str, read_as: str) -> None:
    """A future may fill below 0; whether this instrument may is the import's to check."""
    result = read(build({**TRADE, 31: last_px}))
    assert result.ok, problems(result)
    assert str(result.executions[0].price) == read_as


@pytest.mark.parametrize("delim", [SOH, "|"])
@pytest.mark.parametrize("sep", [b"\n", b"\r\n", b""])
def test_delimiters_line_endings_and_back_to_back(delim: str, sep: bytes) -> None:
    result = read(build(TRADE, delim), build(CORRECT, delim), build(CANCEL, delim), sep=sep)
    assert result.ok, problems(result)
    lines = [1, 1, 1] if sep == b"" else [1, 2, 3]
    assert [e.line for e in result.executions] == lines
    assert [e.exec_type for e in result.executions] == ["trade", "correct", "cancel"]


def test_pipe_checksum_counts_each_pipe_as_soh() -> None:
    pipe, soh = build(TRADE, "|"), build(TRADE, SOH)
    assert pipe[-5:-1] == soh[-5:-1]  # the same "=nnn"
    assert read(pipe.replace(b"|", b"\x01")).ok


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("good_soh_lf.fix", [1, 2, 3]),
        ("good_pipe_crlf.fix", [1, 2, 3]),
        ("good_back_to_back.fix", [1, 1, 1]),
    ],
)
def test_good_sample_files(name: str, lines: list[int]) -> None:
    result = read_fix_executions((DATA / name).read_bytes(), name)
    assert result.ok, problems(result)
    assert [e.line for e in result.executions] == lines
    assert [(e.exec_id, e.exec_ref_id) for e in result.executions] == [
        ("E1", None),
        ("E2", "E1"),
        ("E3", "E1"),
    ]


def test_bad_sample_file_lists_every_problem() -> None:
    result = read_fix_executions((DATA / "bad.fix").read_bytes(), "bad.fix")
    assert problems(result) == (DATA / "bad.expected").read_text().splitlines()
    assert [e.exec_id for e in result.executions] == ["B1"]


@pytest.mark.parametrize(
    ("name", "delim", "sep"),
    [
        ("good_soh_lf.fix", SOH, b"\n"),
        ("good_pipe_crlf.fix", "|", b"\r\n"),
        ("good_back_to_back.fix", "|", b""),
    ],
)
def test_good_sample_files_are_what_build_makes(name: str, delim: str, sep: bytes) -> None:
    expected = sep.join(build(m, delim) for m in (TRADE, CORRECT, CANCEL)) + sep
    assert (DATA / name).read_bytes() == expected


PARTIES = {**TRADE, 76: None, 453: "2", 448: "XYZ", 452: "3"}


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({54: "5"}, "side", Side.SELL_SHORT),
        ({54: "6"}, "side", Side.SELL_SHORT),
        ({54: "2"}, "side", Side.SELL),
        ({15: "usd"}, "currency", "USD"),  # as the CSV reader takes it
        ({12: "0"}, "commission", Decimal(0)),
        ({48: "037833100", 22: "1"}, "isin", "US0378331005"),
        ({32: "0.000001", 31: "0"}, "quantity", Decimal("0.000001")),
        ({64: None, 60: None, 12: None}, "settle_date", None),
        ({60: "20261124-14:30:05"}, "transact_time", datetime(2026, 11, 24, 14, 30, 5, tzinfo=UTC)),
    ],
)
def test_accepted_variants(changes: dict[int, str | None], field: str, expected: object) -> None:
    result = read(build({**TRADE, **changes}))
    assert result.ok, problems(result)
    assert getattr(result.executions[0], field) == expected


def test_counterparty_is_the_executing_firm_of_the_party_group() -> None:
    result = read(build({**PARTIES, 453: "3"}, raw="448=GSCO|452=1|448=CUST|452=24|"))
    assert result.ok, problems(result)
    assert result.executions[0].counterparty == "GSCO"


E = "f.fix:1: "


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (build({**TRADE, 35: "D"}), ["MsgType(35): is not an execution report (8) ('D')"]),
        (build({**TRADE, 35: "ZZ"}), ["MsgType(35): is not an execution report (8) ('ZZ')"]),
        (
            build({**TRADE, 150: "0"}),
            ["ExecType(150): is New, not a trade (F), correction (G) or cancel (H) ('0')"],
        ),
        (
            build({**TRADE, 150: "2"}),
            ["ExecType(150): is Fill, not a trade (F), correction (G) or cancel (H) ('2')"],
        ),
        (
            build({**TRADE, 54: "3"}),
            ["Side(54): is not buy (1), sell (2) or sell short (5, 6) ('3')"],
        ),
        (
            build({**TRADE, 48: "US0378331006"}),
            ["SecurityID(48): check digit is wrong ('US0378331006')"],
        ),
        (
            build({**TRADE, 48: "037833101", 22: "1"}),
            ["SecurityID(48): check digit is wrong ('037833101')"],
        ),
        (build({**TRADE, 22: "2"}), ["SecurityIDSource(22): is not CUSIP (1) or ISIN (4) ('2')"]),
        (build({**TRADE, 22: None}), ["SecurityIDSource(22): is missing"]),
        (build({**TRADE, 22: None, 48: None}), ["SecurityID(48): is missing"]),
        (build({**TRADE, 48: None}), ["SecurityID(48): is missing"]),
        (build({**TRADE, 32: "0"}), ["LastQty(32): must be greater than 0 ('0')"]),
        (build({**TRADE, 32: "-100"}), ["LastQty(32): must not be negative ('-100')"]),
        (
            build({**TRADE, 32: "1e3"}),
            ["LastQty(32): is not a number (write digits, with '.' as the decimal point) ('1e3')"],
        ),
        (
            build({**TRADE, 32: "1.0000001"}),
            ["LastQty(32): has more than 6 decimal places ('1.0000001')"],
        ),
        (
            build({**TRADE, 31: "-1,5"}),
            [
                "LastPx(31): has a thousands separator or decimal comma: write digits only, "
                "with '.' as the decimal point ('-1,5')"
            ],
        ),
        (
            build({**TRADE, 75: "20261131"}),
            ["TradeDate(75): is not a date (YYYYMMDD) ('20261131')"],
        ),
        (
            build({**TRADE, 75: "2026-11-24"}),
            ["TradeDate(75): is not a date (YYYYMMDD) ('2026-11-24')"],
        ),
        (build({**TRADE, 64: "20261123"}), ["SettlDate(64): is before TradeDate(75) ('20261123')"]),
        (
            build({**TRADE, 60: "20261124 14:30"}),
            ["TransactTime(60): is not a UTC time (YYYYMMDD-HH:MM:SS or .sss) ('20261124 14:30')"],
        ),
        (build({**TRADE, 15: "US"}), ["Currency(15): is not an ISO 4217 currency code ('US')"]),
        (build({**TRADE, 15: "XYZ"}), ["Currency(15): is not an ISO 4217 currency code ('XYZ')"]),
        (build({**CORRECT, 19: None}), ["ExecRefID(19): is required on a correction"]),
        (build({**CANCEL, 19: None}), ["ExecRefID(19): is required on a cancel"]),
        (
            build({**TRADE, 19: "E0"}),
            ["ExecRefID(19): is only allowed on a correction (G) or cancel (H) ('E0')"],
        ),
        (build({**CORRECT, 19: "E2"}), ["ExecRefID(19): refers to itself ('E2')"]),
        (build({**TRADE, 17: None}), ["ExecID(17): is missing"]),
        (
            build({**TRADE, 76: None}),
            ["ExecBroker(76): is missing (or a PartyID(448) with PartyRole(452) 1)"],
        ),
        (build({**PARTIES, 453: "1", 452: "1"}), []),
        (
            build({**PARTIES, 452: "1"}),
            ["NoPartyIDs(453): is 2 but the message has 1 PartyID(448)"],
        ),
        (
            build({**PARTIES, 453: "1", 452: "1", 76: "GSCO"}),
            ["ExecBroker(76): is not the executing firm's PartyID(448) XYZ ('GSCO')"],
        ),
        (
            build({**TRADE, 13: "2"}),
            ["CommType(13): only an absolute commission (3) is read ('2')"],
        ),
        (build({**TRADE, 1: "A\x02B"}), ["Account(1): contains a control character ('A\\x02B')"]),
        (build({**TRADE, 1: ""}), ["Account(1): has no value"]),
        (build({**TRADE}, begin="FIX.4.2"), ["BeginString(8): only FIX.4.4 is read ('FIX.4.2')"]),
        (
            build([(17, "E9"), *TRADE.items()]),
            ["ExecID(17): appears more than once ('E1')", "MsgType(35): must be the third field"],
        ),
        (build(TRADE, raw="99a|"), ["field 18: is not tag=value ('99a')"]),
    ],
)
def test_each_kind_of_bad_message(message: bytes, expected: list[str]) -> None:
    result = read(message)
    assert problems(result) == [E + text for text in expected]
    assert result.ok == (not expected)
    assert (len(result.executions) == 1) == (not expected)


def test_wrong_checksum() -> None:
    good = build(TRADE)
    right = int(good[-4:-1])
    wrong = good[:-4] + f"{(right + 1) % 256:03d}|".encode()
    assert problems(read(wrong)) == [
        E + f"CheckSum(10): is {(right + 1) % 256:03d} but the message adds up to {right:03d}"
    ]
    assert problems(read(good[:-4] + b"12|")) == [
        E + f"CheckSum(10): must be three digits; the message adds up to {right:03d} ('12')"
    ]


def test_missing_checksum_and_trailing_text() -> None:
    good = build(TRADE)
    assert problems(read(good[: good.rindex(b"10=")], build(CORRECT))) == [
        E + "CheckSum(10): is missing; a message must end with 10=nnn"
    ]
    assert problems(read(good + b"58=late|")) == [
        E + "CheckSum(10): is followed by more text; it must be the last field"
    ]


def test_wrong_body_length() -> None:
    assert build(TRADE).startswith(b"8=FIX.4.4|9=142|") and build(TRADE).endswith(b"|10=074|")
    assert problems(read(build(TRADE, body_length=99))) == [
        E + "BodyLength(9): is 99 but the body has 142 bytes"
    ]
    # An "x" (120) slipped into the header: 74 + 120 = 194, and 9= is no number.
    assert problems(read(build(TRADE).replace(b"|9=", b"|9=x", 1))) == [
        E + "BodyLength(9): is not a whole number ('x142')",
        E + "CheckSum(10): is 074 but the message adds up to 194",
    ]


def test_duplicate_exec_id_names_the_earlier_line() -> None:
    result = read(build(TRADE), build(CANCEL), build({**TRADE, 31: "1"}))
    assert problems(result) == ["f.fix:3: ExecID(17): repeats the ExecID of line 1 ('E1')"]
    assert [e.exec_id for e in result.executions] == ["E1", "E3"]


def test_reference_to_a_later_message_in_the_file() -> None:
    result = read(build(CANCEL), build(TRADE))
    assert problems(result) == [
        "f.fix:1: ExecRefID(19): refers to a later message (line 2); "
        "it must follow its trade ('E1')"
    ]
    assert [e.exec_id for e in result.executions] == ["E1"]


def test_not_fix_at_all() -> None:
    assert problems(read_fix_executions(b"", "e.fix")) == [
        "e.fix:1: BeginString(8): holds no FIX message (none starts with 8=FIX.4.4)"
    ]
    assert problems(read_fix_executions(b"hello\n" + build(TRADE), "g.fix")) == [
        "g.fix:1: BeginString(8): text before the first message is not FIX "
        "(messages start with 8=FIX.4.4)"
    ]
    assert problems(read_fix_executions(b"8=FIX.4.4", "n.fix")) == [
        "n.fix:1: BeginString(8): is not followed by a field delimiter (SOH or |)"
    ]


def test_ten_thousand_messages_are_all_read_with_their_lines() -> None:
    # Speed is measured in bench/, never asserted here.
    messages = [build({**TRADE, 17: f"E{n}"}, SOH) for n in range(10_000)]
    result = read_fix_executions(b"\n".join(messages), "big.fix")
    assert result.ok and len(result.executions) == 10_000
    assert result.executions[-1].line == 10_000


# -- fuzzing -------------------------------------------------------------------

GOOD_FILE = {
    delim: b"\n".join(build(m, delim) for m in (TRADE, CORRECT, CANCEL)) + b"\n"
    for delim in (SOH, "|")
}


def body_spans(data: bytes, delim: bytes) -> list[range]:
    """Byte positions from after the 9= field's delimiter to before the 10= field."""
    spans = []
    start = data.find(b"8=FIX")
    while start >= 0:
        body = data.index(delim, data.index(b"9=", start)) + 1
        trailer = data.index(delim + b"10=", body)
        spans.append(range(body, trailer + 1))
        start = data.find(b"8=FIX", trailer)
    return spans


@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    result = read_fix_executions(data, "r.fix")
    assert result.ok == (not result.problems)


@given(
    st.sampled_from([SOH, "|"]),
    st.data(),
)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_one_changed_byte_is_caught(delim: str, data: st.DataObject) -> None:
    good = GOOD_FILE[delim]
    position = data.draw(st.integers(0, len(good) - 1), label="position")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != good[position]), label="byte")
    mutated = good[:position] + bytes([byte]) + good[position + 1 :]
    result = read_fix_executions(mutated, "m.fix")
    assert result.ok == (not result.problems)
    if any(position in span for span in body_spans(good, delim.encode())):
        assert not result.ok


SOME_FIELDS = [*TRADE.items(), (19, "E1"), (453, "1"), (448, "X"), (452, "1"), (9, "1")]


@given(st.lists(st.sampled_from(SOME_FIELDS), max_size=25), st.sampled_from([SOH, "|"]))
def test_random_field_lists_never_raise(fields: list[tuple[int, str]], delim: str) -> None:
    result = read_fix_executions(build(fields, delim), "l.fix")
    assert result.ok == (not result.problems)
    assert len(result.executions) <= 1
