"""The trades CSV reader: golden files in tests/data/trades, edge cases, vectors, fuzzing.

Identifier vectors are numbers "found online" listed in python-stdnum's own test files
(tests/test_isin.doctest, tests/test_cusip.doctest; the package does not ship them),
plus DOMAIN.md's invalid examples.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk_app.domain.codes import InstrumentType, Side
from desk_app.domain.trade_csv import CsvResult, read_trades_csv
from desk_app.domain.trade_rows import RowProblem

DATA = Path(__file__).parent.parent / "data" / "trades"
HEADER = "external_id,trade_date,account,side,isin,quantity,price,currency,counterparty"
ROW = "T-1,2024-06-03,ACC-100,buy,US0378331005,100,189.25,USD,GSCO"


def read(name: str) -> CsvResult:
    return read_trades_csv((DATA / name).read_bytes(), name)


def read_text(text: str, name: str = "t.csv") -> CsvResult:
    return read_trades_csv(text.encode(), name)


def problems(result: CsvResult) -> list[str]:
    return [str(problem) for problem in result.problems]


# -- good files ------------------------------------------------------------------


def test_good_file_reads_every_column_exactly() -> None:
    result = read("good.csv")
    assert result.ok, problems(result)
    assert [row.line for row in result.rows] == [2, 3, 5, 6, 7]  # line 4 is blank
    first, second, short, bond, yen = result.rows
    assert first.external_id == "T-1001"
    assert first.trade_date == datetime.date(2024, 6, 3)
    assert first.account == "ACC-100"
    assert first.side is Side.BUY
    assert first.isin == "US0378331005"
    assert first.quantity == Decimal("100")
    assert first.price == Decimal("189.25")
    assert first.currency == "USD"
    assert first.counterparty == "GSCO"
    assert first.settle_date == datetime.date(2024, 6, 4)
    assert first.trade_time == datetime.time(9, 31)
    assert (first.commission, first.fees) == (Decimal("4.95"), Decimal("0.02"))
    assert first.instrument_type is InstrumentType.EQUITY

    assert second.side is Side.SELL  # "Sell", short_sale "no"
    assert second.quantity == Decimal("25.5")
    assert str(second.price) == "415.123456"  # exact, never through float
    assert second.currency == "USD"  # "usd"
    assert (second.commission, second.fees) == (Decimal(0), Decimal(0))  # empty means 0
    assert second.settle_date is None
    assert second.trade_time == datetime.time(14, 5, 9)
    assert second.instrument_type is None

    assert short.side is Side.SELL_SHORT  # "SS"
    assert short.isin == "GB0002405495"
    assert short.instrument_type is InstrumentType.EQUITY  # "Equity"

    assert bond.side is Side.SELL_SHORT  # sell with short_sale "yes"
    assert bond.instrument_type is InstrumentType.TREASURY
    assert bond.quantity == Decimal(25000)

    assert yen.side is Side.SELL_SHORT  # "sell_short"
    assert yen.price == 0
    assert yen.price_reason == "Worthless position closed out at no consideration"
    assert yen.currency == "JPY"


def test_cusip_column_is_converted_to_the_us_isin() -> None:
    result = read("good_cusip.csv")
    assert result.ok, problems(result)
    assert [row.isin for row in result.rows] == ["US0378331005", "US5949181045", "US912828EG12"]


def test_bom_is_ignored() -> None:
    assert (DATA / "good_bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result = read("good_bom.csv")
    assert result.ok, problems(result)
    assert result.rows[0].external_id == "T-1001"


def test_semicolon_separated_file_with_quoted_semicolons() -> None:
    result = read("good_semicolon.csv")
    assert result.ok, problems(result)
    assert [row.account for row in result.rows] == ["ACC-100", "ACC;200"]
    assert result.rows[1].counterparty == "DEUT; FRANKFURT"
    assert result.rows[0].commission == Decimal("1.5")


def test_crlf_file_reads_like_lf() -> None:
    crlf = (DATA / "good_crlf.csv").read_bytes()
    assert b"\r\n" in crlf
    assert read("good_crlf.csv").rows == read_trades_csv(crlf.replace(b"\r\n", b"\n"), "x").rows
    assert [row.line for row in read("good_crlf.csv").rows] == [2, 3]


def test_quoted_fields_with_commas_and_doubled_quotes() -> None:
    result = read("good_quoted.csv")
    assert result.ok, problems(result)
    assert [row.counterparty for row in result.rows] == ["SMITH, BARNEY & CO", 'THE "BEST" BROKER']


def test_line_numbers_after_a_value_spanning_two_lines() -> None:
    result = read("quoted_newline.csv")
    assert problems(result) == [
        "quoted_newline.csv:3: counterparty: contains a line break or control character "
        "('GOLDMAN\\nSACHS')",
        "quoted_newline.csv:6: trade_date: is not a real date ('2024-06-31')",
    ]
    assert [row.line for row in result.rows] == [2, 5]


# -- bad files: one kind of bad row each ------------------------------------------

BAD_FILES = {
    "bad_isin_check_digit.csv": [
        "bad_isin_check_digit.csv:3: isin: check digit is wrong ('US0378331006')",
    ],
    "bad_cusip.csv": [
        "bad_cusip.csv:3: cusip: check digit is wrong ('037833101')",
        "bad_cusip.csv:4: cusip: must be 9 characters (has 8) ('03783310')",
    ],
    "unknown_currency.csv": [
        "unknown_currency.csv:3: currency: is not an ISO 4217 currency code ('XYZ')",
    ],
    "negative_quantity.csv": [
        "negative_quantity.csv:3: quantity: must not be negative ('-100')",
    ],
    "zero_quantity.csv": [
        "zero_quantity.csv:3: quantity: must be greater than 0 ('0')",
    ],
    "bad_date.csv": [
        "bad_date.csv:3: trade_date: is not a real date ('2024-02-30')",
        "bad_date.csv:4: trade_date: is not a date written YYYY-MM-DD ('03/06/2024')",
    ],
    "duplicate_external_id.csv": [
        "duplicate_external_id.csv:4: external_id: appears again; first on line 2 ('T-1001')",
    ],
    "missing_column.csv": [
        "missing_column.csv:1: header: missing required column 'price'",
    ],
    "unknown_column.csv": [
        "unknown_column.csv:1: header: unknown column 'quantiy' (did you mean 'quantity'?)",
        "unknown_column.csv:1: header: unknown column 'desk_note'",
        "unknown_column.csv:1: header: missing required column 'quantity'",
    ],
    "empty_required_field.csv": [
        "empty_required_field.csv:3: account: is required",
    ],
    "thousands_separator.csv": [
        "thousands_separator.csv:3: quantity: has a thousands separator or decimal comma: "
        "write digits only, with '.' as the decimal point ('1,000')",
    ],
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_lists_every_problem(name: str) -> None:
    result = read(name)
    assert not result.ok
    assert problems(result) == BAD_FILES[name]
    assert all(problem.file == name for problem in result.problems)


def test_every_golden_file_is_checked() -> None:
    checked = set(BAD_FILES) | {"quoted_newline.csv"}
    good = {path.name for path in DATA.glob("good*.csv")}
    assert {path.name for path in DATA.glob("*.csv")} == checked | good
    for name in good:
        assert read(name).ok, name


def test_problem_fields() -> None:
    (problem,) = read("bad_isin_check_digit.csv").problems
    assert problem == RowProblem(
        "bad_isin_check_digit.csv",
        3,
        "isin",
        "check digit is wrong ('US0378331006')",
        "US0378331006",
    )


def test_one_row_may_have_several_problems() -> None:
    result = read_text(f"{HEADER}\n{ROW}\nT-1,2024-6-3,,hold,XS0000000001,1e3,abc,usd1,\n")
    assert problems(result) == [
        "t.csv:3: trade_date: is not a date written YYYY-MM-DD ('2024-6-3')",
        "t.csv:3: account: is required",
        "t.csv:3: side: is not buy, sell or sell short ('hold')",
        "t.csv:3: isin: check digit is wrong ('XS0000000001')",
        "t.csv:3: quantity: is not a number (write digits, with '.' as the decimal point) ('1e3')",
        "t.csv:3: price: is not a number (write digits, with '.' as the decimal point) ('abc')",
        "t.csv:3: currency: is not an ISO 4217 currency code ('usd1')",
        "t.csv:3: counterparty: is required",
        "t.csv:3: external_id: appears again; first on line 2 ('T-1')",
    ]
    assert [row.line for row in result.rows] == [2]


# -- the file as a whole ------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "t.csv:1: file: is empty: no header line"),
        (b"\n \r\n,,\n", "t.csv:1: file: is empty: no header line"),
        (HEADER.encode() + b"\n\n", "t.csv:1: file: has no trade rows below the header"),
        (b"\xff\xfeh\x00", "t.csv:1: file: is UTF-16 text; save it as CSV UTF-8"),
        (
            f"{HEADER}\n{ROW}\nT-2,2024-06-03,Z\xfcrich".encode("latin-1"),
            "t.csv:3: file: is not UTF-8 text: byte 0xFC ('ü' in Windows-1252) at byte 17 "
            "of this line; save the file as CSV UTF-8 (in Excel: File > Save As, CSV UTF-8)",
        ),
        (
            b"\xef\xbb\xbf" + f"{HEADER}\n\xe9".encode("latin-1"),
            "t.csv:2: file: is not UTF-8 text: byte 0xE9 ('é' in Windows-1252) at byte 1 "
            "of this line; save the file as CSV UTF-8 (in Excel: File > Save As, CSV UTF-8)",
        ),
        (
            HEADER.replace(",", "\t").encode(),
            "t.csv:1: header: is tab-separated: save the file as CSV (',' or ';')",
        ),
        (b"external_id trade_date", "t.csv:1: header: has no ',' or ';' between column names"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),
            "t.csv:1: file: is an Excel 97-2003 workbook (.xls), not CSV: open it in Excel and "
            "save it as CSV UTF-8 (File > Save As), then import that",
        ),
        (
            b"PK\x03\x04\x14\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
            "t.csv:1: file: is an OpenDocument spreadsheet (.ods), not CSV: save it as CSV UTF-8 "
            "(File > Save As), then import that",
        ),
        (
            b"PK\x03\x04\x14\x00trades.csv",
            "t.csv:1: file: is a ZIP archive, not CSV: unpack it and import the file inside",
        ),
        (
            b"%PDF-1.4\n",
            "t.csv:1: file: is a PDF document, not CSV: ask for the trades as a CSV file",
        ),
        (
            b"\x1f\x8b\x08\x00",
            "t.csv:1: file: is a gzip archive, not CSV: unpack it and import the file inside",
        ),
        (
            b"external_id,trade_date;account",
            "t.csv:1: header: mixes ',' and ';': separate columns with one of them",
        ),
    ],
)
def test_file_level_problem(content: bytes, expected: str) -> None:
    assert problems(read_trades_csv(content, "t.csv")) == [expected]


def test_header_is_found_after_blank_lines_and_names_are_case_and_blank_insensitive() -> None:
    header = " EXTERNAL_ID ,Trade_Date,Account,SIDE,Isin,Quantity,PRICE,Currency,counterParty"
    result = read_text(f"\n\n{header}\n{ROW}\n")
    assert result.ok, problems(result)
    assert result.rows[0].line == 4


def test_header_with_a_repeated_or_nameless_column() -> None:
    result = read_text(f"{HEADER},account,\n{ROW},ACC-2,x\n")
    assert problems(result) == [
        "t.csv:1: header: column 'account' appears twice (columns 3 and 10)",
        "t.csv:1: header: column 11 has no name",
    ]


def test_isin_column_absent_says_cusip_would_do() -> None:
    result = read_text(HEADER.replace(",isin", "") + "\n")
    assert problems(result) == ["t.csv:1: header: missing required column 'isin' (or 'cusip')"]


def test_row_with_the_wrong_number_of_values() -> None:
    result = read_text(f"{HEADER}\n{ROW}\nT-2,2024-06-03,ACC-100,buy,US0378331005,1,000,1,USD,GS\n")
    assert problems(result) == [
        "t.csv:3: row: has 10 values but the header has 9 columns "
        "(quote a value that contains the separator)"
    ]


def test_blank_lines_and_separator_only_lines_are_skipped_but_counted() -> None:
    result = read_text(f"{HEADER}\n\n,,,,,,,,\n   \n{ROW}\r\rT-2{ROW[3:]}\n")
    assert result.ok, problems(result)
    assert [row.line for row in result.rows] == [5, 7]  # a lone CR ends a line too


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("quantity", "12.1234567", "has more than 6 decimal places ('12.1234567')"),
        ("quantity", "99999999999999", "is too large ('99999999999999')"),
        (
            "quantity",
            "1 000",
            "has a thousands separator or decimal comma: write digits only, "
            "with '.' as the decimal point ('1 000')",
        ),  # fmt: skip
        ("price", "1.123456789", "has more than 8 decimal places ('1.123456789')"),
        ("price", "NaN", "is not a number (write digits, with '.' as the decimal point) ('NaN')"),
        ("commission", "-1", "must not be negative ('-1')"),
        ("commission", "0.00001", "has more than 4 decimal places ('0.00001')"),
        ("fees", "abc", "is not a number (write digits, with '.' as the decimal point) ('abc')"),
        ("settle_date", "2024-06-02", "is before trade_date 2024-06-03"),
        ("settle_date", "2024-13-01", "is not a real date ('2024-13-01')"),
        ("trade_time", "25:00", "is not a real time of day ('25:00')"),
        ("trade_time", "9h30", "is not a time written HH:MM or HH:MM:SS ('9h30')"),
        (
            "instrument_type",
            "stock",
            "is not one of equity, corporate-bond, municipal-bond, "
            "treasury, option, commercial-paper, future ('stock')",
        ),  # fmt: skip
        ("short_sale", "maybe", "is not yes or no ('maybe')"),
        (
            "price_reason",
            "gift\x0bto a trust",
            "contains a line break or control character ('gift\\x0bto a trust')",
        ),
        ("price_reason", "x" * 201, f"is longer than 200 characters ('{'x' * 39}…')"),
        ("short_sale", "yes", "is yes but side is buy"),
        ("cusip", "594918104", "is not the CUSIP inside isin US0378331005 ('594918104')"),
    ],
)
def test_value_problem(column: str, value: str, reason: str) -> None:
    names, values = HEADER.split(","), ROW.split(",")
    if column in names:
        values[names.index(column)] = value
    else:
        names.append(column)
        values.append(value)
    result = read_text(",".join(names) + "\n" + ",".join(values) + "\n")
    assert problems(result) == [f"t.csv:2: {column}: {reason}"]
    assert result.rows == ()


@pytest.mark.parametrize(
    ("price", "read_as"),
    [("0", "0"), ("-0", "0"), ("0.00", "0"), ("-0.0000", "0"), ("-37.63", "-37.63")],
)
def test_a_price_of_0_or_below_reads_and_the_instrument_decides(price: str, read_as: str) -> None:
    """A future may trade below 0: only the instrument, looked up later, says whether it may."""
    names, values = HEADER.split(","), ROW.split(",")
    values[names.index("price")] = price
    for reason in ("", "  Gift to the   family trust "):
        result = read_text(f"{','.join(names)},price_reason\n{','.join(values)},{reason}\n")
        assert result.ok, problems(result)
        (row,) = result.rows
        assert str(row.price) == read_as
    assert row.price_reason == "Gift to the family trust"  # one line, blanks tidied


def test_short_sale_no_contradicts_side_sell_short() -> None:
    result = read_text(f"{HEADER},short_sale\n{ROW.replace('buy', 'sell short')},no\n")
    assert problems(result) == ["t.csv:2: short_sale: is no but side is sell short"]


def test_decimal_comma_is_refused_in_a_semicolon_file() -> None:
    result = read_text(f"{HEADER}\n{ROW}\n".replace(",", ";").replace("189.25", "189,25"))
    assert problems(result) == [
        "t.csv:2: price: has a thousands separator or decimal comma: write digits only, "
        "with '.' as the decimal point ('189,25')"
    ]


def test_isin_and_cusip_columns_together() -> None:
    header = HEADER.replace("isin", "isin,cusip")
    rows = [
        "A,2024-06-03,ACC,buy,US0378331005,037833100,1,1,USD,GS",  # both, agreeing
        "B,2024-06-03,ACC,buy,,594918104,1,1,USD,GS",  # the CUSIP only
        "C,2024-06-03,ACC,buy,US5949181045,,1,1,USD,GS",  # the ISIN only
        "D,2024-06-03,ACC,buy,,,1,1,USD,GS",  # neither
    ]
    result = read_text("\n".join([header, *rows]) + "\n")
    assert problems(result) == ["t.csv:5: isin: is required (or cusip)"]
    assert [row.isin for row in result.rows] == ["US0378331005", "US5949181045", "US5949181045"]


def test_a_value_beyond_the_csv_field_limit_stops_the_reading() -> None:
    result = read_text(f"{HEADER}\n{ROW}\n" + '"' + "x" * 200_000 + '"\n')
    assert problems(result) == [
        "t.csv:3: file: cannot be read as CSV from this line on: "
        "field larger than field limit (131072)"
    ]


def test_values_shown_in_problems_are_short_and_escaped() -> None:
    long_currency = ROW.replace("USD", "X" * 100)
    bell_id = ROW.replace("T-1", "T\x07")
    result = read_text(f"{HEADER}\n{long_currency}\n{bell_id}\n")
    assert [problem.value for problem in result.problems] == ["X" * 39 + "…", "T\\x07"]
    assert problems(result) == [
        f"t.csv:2: currency: is not an ISO 4217 currency code ('{'X' * 39}…')",
        "t.csv:3: external_id: contains a line break or control character ('T\\x07')",
    ]


# -- identifier vectors ---------------------------------------------------------------

STDNUM_ISINS = """
AN8068571086 AU000000AAI6 AU00000GPHO9 AU0000DM1AE9 AU000XINAV76 AU300PUMC025 BMG4209T1009
CA4656761042 CH0004171952 CNE100001M79 CWN8141V6954 DE000A0DMV42 DK0002006113 FR0010655753
GB0002405495 GB00B0599P95 HK0000096617 IE00B4WPHX27 INE115A07ED1 JE00B1RJLF86 KYG198891072
LU0455009182 NL0010524690 US101137AA59 US17322R1059 US36962GXS82 XC0006883695 XS0110106365
""".split()
STDNUM_CUSIPS = """
00141V267 00170M873 024524746 101156602 23336W809 24610B859 25155T528 29372R208 313923302
47803M663 4812C0548 52106N442 912810EQ7 912828EG1 FDIC99375 Y0488F100 Y44425117 037833100
""".split()


def _file_of(column: str, numbers: list[str]) -> bytes:
    header = HEADER.replace("isin", column)
    rows = [f"V{i},2024-06-03,ACC,buy,{number},1,1,USD,GS" for i, number in enumerate(numbers)]
    return "\n".join([header, *rows]).encode()


def test_stdnum_valid_isins_and_cusips_are_read() -> None:
    isins = read_trades_csv(_file_of("isin", STDNUM_ISINS), "v.csv")
    assert isins.ok, problems(isins)
    assert [row.isin for row in isins.rows] == STDNUM_ISINS
    cusips = read_trades_csv(_file_of("cusip", STDNUM_CUSIPS), "v.csv")
    assert cusips.ok, problems(cusips)
    assert all(
        row.isin == f"US{cusip}{row.isin[-1]}"
        for row, cusip in zip(cusips.rows, STDNUM_CUSIPS, strict=True)
    )
    assert cusips.rows[-1].isin == "US0378331005"


def _wrong_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


@pytest.mark.parametrize("column", ["isin", "cusip"])
def test_a_wrong_check_digit_is_named(column: str) -> None:
    numbers = STDNUM_ISINS if column == "isin" else STDNUM_CUSIPS
    wrong = [_wrong_check_digit(number) for number in numbers]
    if column == "isin":
        wrong.append("XS0000000001")  # DOMAIN.md
    result = read_trades_csv(_file_of(column, wrong), "v.csv")
    assert result.rows == ()
    assert [problem.line for problem in result.problems] == list(range(2, len(wrong) + 2))
    assert all(
        problem.field == column and problem.reason.startswith("check digit is wrong")
        for problem in result.problems
    )


# -- size -----------------------------------------------------------------------------


def _many_rows(count: int) -> str:
    isins = ["US0378331005", "US5949181045", "GB0002405495", "US912828EG12"]
    lines = [HEADER + ",commission,settle_date"]
    for i in range(count):
        lines.append(
            f"X{i},2024-06-{1 + i % 28:02d},ACC-{i % 97},{('buy', 'sell')[i % 2]},"
            f"{isins[i % 4]},{1 + i % 1000},{i % 500}.{i % 100:02d},USD,B{i % 7},"
            f"{i % 10}.5,2024-07-{1 + i % 28:02d}"
        )
    return "\n".join(lines) + "\n"


def test_five_thousand_rows() -> None:
    text = _many_rows(5000)
    result = read_text(text)
    assert result.ok, problems(result)[:3]
    assert len(result.rows) == 5000
    assert result.rows[-1].line == 5001
    bad = text.replace("\nX4321,", "\nX4320,")
    assert problems(read_text(bad)) == [
        "t.csv:4323: external_id: appears again; first on line 4322 ('X4320')"
    ]


@pytest.mark.slow
def test_a_hundred_thousand_rows_are_all_read() -> None:
    # Speed is measured in bench/, never asserted here.
    result = read_trades_csv(_many_rows(100_000).encode(), "big.csv")
    assert result.ok
    assert len(result.rows) == 100_000


# -- fuzzing --------------------------------------------------------------------------

GOOD = (DATA / "good.csv").read_bytes()


def _check_total(result: CsvResult, content: bytes) -> None:
    assert result.ok == (not result.problems)
    assert result.rows or result.problems  # a result always says something
    lines = content.count(b"\n") + content.count(b"\r") + 1
    assert all(1 <= problem.line <= lines for problem in result.problems)
    assert all(str(problem).startswith("f.csv:") for problem in result.problems)
    ids = [row.external_id for row in result.rows]
    assert len(ids) == len(set(ids))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(content: bytes) -> None:
    _check_total(read_trades_csv(content, "f.csv"), content)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(',;"\n\r abc01-.\t\ufeffé'), max_size=200))
def test_csv_like_noise_never_raises(text: str) -> None:
    content = (HEADER + "\n").encode() + text.encode()
    _check_total(read_trades_csv(content, "f.csv"), content)


_EDITS = st.sampled_from(["delete char", "insert char", "replace char", "delete line", "copy line"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_EDITS, st.integers(min_value=0), st.binary(min_size=1, max_size=1))
def test_a_mutated_good_file_never_raises(edit: str, where: int, byte: bytes) -> None:
    if edit.endswith("line"):
        lines = GOOD.splitlines(keepends=True)
        at = where % len(lines)
        lines[at:at + 1] = [] if edit == "delete line" else [lines[at], lines[at]]  # fmt: skip
        content = b"".join(lines)
    else:
        at = where % len(GOOD)
        keep = at + (edit != "insert char")
        content = GOOD[:at] + (b"" if edit == "delete char" else byte) + GOOD[keep:]
    result = read_trades_csv(content, "f.csv")
    _check_total(result, content)
    if edit == "copy line" and at > 0 and GOOD.splitlines()[at].strip():
        assert not result.ok  # a repeated trade row is a duplicate external id


def test_an_excel_workbook_is_named_by_its_content_whatever_its_name(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(ROW.split(","))
    book.save(tmp_path / "trades.xlsx")
    result = read_trades_csv((tmp_path / "trades.xlsx").read_bytes(), "trades.csv")
    assert [str(p) for p in result.problems] == [
        "trades.csv:1: file: is an Excel workbook (.xlsx), not CSV: open it in Excel and "
        "save it as CSV UTF-8 (File > Save As), then import that"
    ]


def test_a_refused_row_keeps_what_it_names_for_the_books() -> None:
    bad = "T-2,2024-06-31,ACC-404,buy,US0378331006,100,189.25,USD,ZZZZ"
    result = read_trades_csv(f"{HEADER}\n{ROW}\n{bad}\n".encode(), "t.csv")
    assert [(p.line, p.field) for p in result.problems] == [(3, "trade_date"), (3, "isin")]
    assert [(r.line, r.account, r.isin, r.counterparty, r.trade_date) for r in result.refused] == [
        (3, "ACC-404", None, "ZZZZ", None)
    ]


@given(st.text(alphabet="0123456789.+-e_ ,\u0663\u00b2", max_size=8))
def test_the_quick_number_check_agrees_with_the_pattern(text: str) -> None:
    from desk_app.domain.trade_rows import _PLAIN_NUMBER, _is_plain_number

    assert _is_plain_number(text) == (_PLAIN_NUMBER.fullmatch(text) is not None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("09:31:05", datetime.time(9, 31, 5)),
        ("9:31", datetime.time(9, 31)),
        ("24:00:00", "is not a real time of day"),
        ("09:61:00", "is not a real time of day"),
        ("\u0660\u0669:31:05", "is not a time written HH:MM or HH:MM:SS"),
        ("09:31:5x", "is not a time written HH:MM or HH:MM:SS"),
    ],
)
def test_times_of_day_read_the_same_by_either_way(raw: str, expected: object) -> None:
    from desk_app.domain.errors import ValidationError
    from desk_app.domain.trade_rows import parse_time_of_day

    if isinstance(expected, datetime.time):
        assert parse_time_of_day("trade_time", raw) == expected
    else:
        with pytest.raises(ValidationError) as caught:
            parse_time_of_day("trade_time", raw)
        assert caught.value.reason == expected


def test_a_repeated_bad_isin_is_refused_alike_on_every_line() -> None:
    bad = "T-{n},2024-06-03,ACC-100,buy,US0378331006,100,189.25,USD,GSCO"
    rows = "\n".join(bad.format(n=n) for n in range(3))
    result = read_trades_csv(f"{HEADER}\n{rows}\n".encode(), "t.csv")
    assert problems(result) == [
        f"t.csv:{line}: isin: check digit is wrong ('US0378331006')" for line in (2, 3, 4)
    ]
