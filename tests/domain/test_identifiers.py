"""Identifier validation. Valid numbers are taken from python-stdnum's own test files
(tests/test_isin.doctest, test_cusip.doctest, test_bic.doctest, test_lei.doctest:
numbers "found online") and its module docstrings; invalid ones are its docstring
counter-examples plus single-character corruptions of the valid ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain.errors import ValidationError
from desk_app.domain.identifiers import (
    cusip_to_isin,
    isin_to_cusip,
    lei_with_check_digits,
    mask_tax_id,
    security_id_kind,
    validate_bic,
    validate_cusip,
    validate_isin,
    validate_lei,
    validate_tax_id,
    with_cusip_check_digit,
    with_isin_check_digit,
)

VALID_ISINS = """
US0378331005 GB00BYXJL758 AN8068571086 AU000000AAI6 AU00000GPHO9 AU0000DM1AE9
AU000XINAV76 AU300PUMC025 AU60WHT00394 BMG4209T1009 CA4656761042 CH0004171952
CH0237135386 CNE100001M79 CWN8141V6954 DE0005994388 DE000A0DMV42 DE000A1EW8B3
DK0002006113 FR0010655753 GB0002405495 GB00B0599P95 GB00BYZ3J264 HK0000096617
IE00B4WPHX27 INE115A07ED1 INF209K01MJ3 JE00B1RJLF86 KYG198891072 LU0455009182
NL0010524690 US101137AA59 US12591DAC56 US17322R1059 US36962GXS82 US867363AF06
XC0006883695 XF0000C14922 XS0110106365 XS0861774635
""".split()

VALID_CUSIPS = """
037833100 DUS0421C5 91324PAE2 FDIC90903 00141V267 00170M873 024524746 101156602
23336W809 24610B859 25155T528 29372R208 313923302 47803M663 4812C0548 52106N442
57056BZW1 67065R812 70472Q880 74149P648 77956H302 82980D400 912810EQ7 912828EG1
92646A252 94984B538 984281204 FDIC99425 Y0488F100 Y44425117
""".split()

VALID_BICS = """
DTCYUS33 AGRIFRPP882 ABNABE2A AGRIFRPP ABNCNL2AGIR ABOCCNBJ270 ADECCH2G AFROGB2L
AGBMDEMM BBDEBRSPBGS BKCHJPJTOTM BNPAFRPPAUX BOFAIE3XFUT CHASARBA CITGUS44EHP
CRESCHZZ12Q DEUTESBBAP2 HANDPLPW KOMBCZPP NLPRXKPR RIKSSESSBER TEBKXKPR030
UBKLGB2LBAK WEWOUS33 ZRCPCAT2
""".split()

VALID_LEIS = """
213800KUD8LAJWSQ9D15 0YPKKE5F0QW6RC51HE09 1YTX3EVB2EG3PFFYOI09 2138001CY61HDFJ5ZA27
2594005N6NMJM5WSGE40 315700EBSH5FQO0A2E52 5299007DT4PDT06SZM22 549300001TP7X0VE9866
5493007715JF1TY3M614 549300PATTPXQ660N070 635400ID2ZOCFWX3LH70 7245006M2FC6DPMC6427
815600065E4EA9D08446 8156004572781E3F9023 96950091S6OFL0N15G96 FIR47I6FEYKYNJBYW622
GU00WJXK6DH4VHHFXQ16 TGXITECVNFSIBV316765 WT03B8BB1IX8WI9ZGV02 XNIO7KHWR2WD0BP1F484
""".split()


def _corrupt(number: str) -> str:
    """Change the last character: a single-digit error every check digit catches."""
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


# --- ISIN -------------------------------------------------------------------------------


@pytest.mark.parametrize("number", VALID_ISINS)
def test_valid_isins(number: str) -> None:
    assert validate_isin(number) == number
    assert validate_isin(f"  {number.lower()} ") == number


@pytest.mark.parametrize("number", VALID_ISINS)
def test_isin_with_wrong_check_digit(number: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_isin(_corrupt(number))
    assert caught.value.reason == "check digit is wrong"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("XS0000000001", "check digit is wrong"),
        ("US0378331003", "check digit is wrong"),  # stdnum docstring
        ("ZZ0378331005", "does not start with a valid country code ('ZZ')"),  # stdnum test
        ("US03783310", "must be 12 characters (has 10)"),
        ("US037833100-5", "contains invalid characters"),
        ("", "is required"),
    ],
)
def test_invalid_isins(value: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_isin(value, field="security")
    assert caught.value.field == "security"
    assert caught.value.reason.startswith(reason)


# --- CUSIP ------------------------------------------------------------------------------


@pytest.mark.parametrize("number", VALID_CUSIPS)
def test_valid_cusips(number: str) -> None:
    assert validate_cusip(number) == number
    assert with_cusip_check_digit(number[:8]) == number


@pytest.mark.parametrize("number", VALID_CUSIPS)
def test_cusip_with_wrong_check_digit(number: str) -> None:
    with pytest.raises(ValidationError, match="check digit is wrong"):
        validate_cusip(_corrupt(number))


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("037833101", "check digit is wrong"),
        ("DUS0421CN", "check digit is wrong"),  # stdnum docstring
        ("03783310", "must be 9 characters (has 8)"),
        ("0378331000", "must be 9 characters (has 10)"),
        ("03783310!", "contains invalid characters"),
        ("   ", "is required"),
    ],
)
def test_invalid_cusips(value: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_cusip(value)
    assert caught.value.field == "cusip"
    assert caught.value.reason.startswith(reason)


def test_cusip_normalisation() -> None:
    assert validate_cusip(" 57056B ZW1\t") == "57056BZW1"  # stdnum test file spacing
    assert validate_cusip("91324pae2") == "91324PAE2"


def test_cusip_and_isin_convert_both_ways() -> None:
    assert cusip_to_isin("037833100") == "US0378331005"
    assert cusip_to_isin("91324PAE2") == "US91324PAE25"  # stdnum docstring
    assert isin_to_cusip("US0378331005") == "037833100"
    assert isin_to_cusip(cusip_to_isin("037833100", country="ca")) == "037833100"
    assert isin_to_cusip("GB00BYXJL758") is None
    with pytest.raises(ValidationError, match="country"):
        cusip_to_isin("037833100", country="ZZ")
    with pytest.raises(ValidationError, match="check digit"):
        cusip_to_isin("037833101")


@pytest.mark.parametrize("number", VALID_CUSIPS)
def test_cusip_isin_round_trip(number: str) -> None:
    assert isin_to_cusip(cusip_to_isin(number)) == number


@given(base=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=8, max_size=8))
def test_generated_cusips_and_isins_validate(base: str) -> None:
    number = with_cusip_check_digit(base)
    assert validate_cusip(number) == number
    isin = cusip_to_isin(number)
    assert with_isin_check_digit(isin[:11]) == isin
    assert isin_to_cusip(isin) == number


def test_check_digit_helpers_refuse_bad_bases() -> None:
    with pytest.raises(ValidationError, match="base must be 8 characters"):
        with_cusip_check_digit("0378331")
    with pytest.raises(ValidationError, match="base must be 11 characters"):
        with_isin_check_digit("US03783310")
    with pytest.raises(ValidationError, match="country code"):
        with_isin_check_digit("ZZ037833100")
    with pytest.raises(ValidationError, match="invalid characters"):
        lei_with_check_digits("213800KUD8LAJWSQ9-")


# --- security id kind -------------------------------------------------------------------


def test_security_id_kind() -> None:
    assert security_id_kind("US0378331005") == "isin"
    assert security_id_kind(" us0378331005 ") == "isin"
    assert security_id_kind("037833100") == "cusip"
    assert security_id_kind("FDIC90903") == "cusip"
    for value in ("AAPL", "1234567890AB", "", "US037833100*5"):
        with pytest.raises(ValidationError) as caught:
            security_id_kind(value)
        assert caught.value.field == "security_id"


# --- BIC --------------------------------------------------------------------------------


@pytest.mark.parametrize("number", VALID_BICS)
def test_valid_bics(number: str) -> None:
    assert validate_bic(number) == number


def test_bic_normalisation() -> None:
    assert validate_bic("ABNA BE 2A") == "ABNABE2A"  # stdnum docstring
    assert validate_bic(" dtcyus33 ") == "DTCYUS33"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("AGRIFRPP8", "must be 8 or 11 characters (has 9)"),  # stdnum docstring
        ("AGRIF2PP", "must be 4 letters (bank), 2 letters (country)"),  # stdnum docstring
        ("MULTIPLE", "country code 'IP' is not valid"),  # stdnum test file
        ("DTCYUS3!", "must be 4 letters"),
        ("", "is required"),
    ],
)
def test_invalid_bics(value: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_bic(value)
    assert caught.value.field == "bic"
    assert caught.value.reason.startswith(reason)


# --- LEI --------------------------------------------------------------------------------


@pytest.mark.parametrize("number", VALID_LEIS)
def test_valid_leis(number: str) -> None:
    assert validate_lei(number) == number
    assert lei_with_check_digits(number[:18]) == number


@pytest.mark.parametrize("number", VALID_LEIS)
def test_lei_with_wrong_check_digits(number: str) -> None:
    with pytest.raises(ValidationError, match="check digits are wrong"):
        validate_lei(_corrupt(number))


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("213800KUD8LXJWSQ9D15", "check digits are wrong"),  # stdnum docstring
        ("213800KUD8LAJWSQ9D1", "must be 20 characters (has 19)"),
        ("9999123456789012141490", "must be 20 characters (has 22)"),  # mod 97 valid
        ("213800KUD8LAJWSQ9DAB", "must end in two check digits"),
        ("213800KUD8LAJWSQ9D1%", "contains invalid characters"),
    ],
)
def test_invalid_leis(value: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_lei(value)
    assert caught.value.reason.startswith(reason)


# --- US tax ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("536-90-4399", "536-90-4399"),  # SSN, stdnum docstring
        ("536904399", "536-90-4399"),
        (" 536 90 4399 ", "536-90-4399"),
        ("91-1144442", "91-1144442"),  # EIN, stdnum docstring
        ("04-2103594", "04-2103594"),  # EIN, stdnum docstring
        ("911144442", "91-1144442"),  # bare digits: not an SSN (9xx) nor ITIN, so EIN
        ("912-90-3456", "912-90-3456"),  # ITIN, stdnum docstring
        ("912-55-3456", "912-55-3456"),  # ITIN in the 50-65 range the IRS added in 2011
    ],
)
def test_valid_tax_ids(value: str, expected: str) -> None:
    assert validate_tax_id(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("666-00-0000", "is not a valid SSN"),  # stdnum docstring
        ("078-05-1120", "is not a valid SSN"),  # the Woolworth wallet card
        ("000-12-3456", "is not a valid SSN"),
        ("912-93-4567", "is not a valid ITIN"),  # stdnum docstring
        ("07-1144442", "is not a valid EIN"),  # stdnum docstring
        ("000000000", "is not a valid SSN or EIN"),
        ("1112-23333", "has dashes in the wrong place"),  # stdnum docstring
        ("911-14-4442", "is not a valid ITIN"),
        ("12-345", "must be 9 digits (has 5)"),
        ("123-45-678X", "contains invalid characters"),
        ("", "is required"),
    ],
)
def test_invalid_tax_ids(value: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_tax_id(value, field="ssn")
    assert caught.value.field == "ssn"
    assert caught.value.reason.startswith(reason)


def test_tax_id_errors_never_show_the_number() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_tax_id("536-00-4399")
    assert "536" not in caught.value.message
    assert caught.value.value == "***-**-4399"


def test_tax_id_kind() -> None:
    assert validate_tax_id("536904399", kind="ein") == "53-6904399"
    assert validate_tax_id("536904399", kind="ssn") == "536-90-4399"
    with pytest.raises(ValidationError, match="is not written as an SSN"):
        validate_tax_id("91-1144442", kind="ssn")
    with pytest.raises(ValidationError, match="is not a valid ITIN"):
        validate_tax_id("536-90-4399", kind="itin")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("123-45-6789", "***-**-6789"),
        ("123456789", "***-**-6789"),
        ("12-3456789", "**-***6789"),
        (None, ""),
        ("", ""),
        ("12345", "****"),  # too short to show four digits safely
        ("***-**-6789", "***-**-6789"),  # masked already: kept as it is
        ("**-***6789", "**-***6789"),
    ],
)
def test_mask_tax_id(value: str | None, masked: str) -> None:
    assert mask_tax_id(value) == masked
