"""Certificates without a database: the state machines, a register entry, the CSV, reissues."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from desk_app.domain.calendars import calendar_for
from desk_app.domain.certificates import (
    ManifestTotals,
    NewCertificate,
    box_count_deadline,
    clean_entry,
    clean_number,
    insured_value,
    manifest_number,
    read_certificates_csv,
    reissue_balance,
    text_value,
)
from desk_app.domain.errors import IllegalTransition, ValidationError
from desk_app.domain.states import (
    BOX_COUNT,
    CERTIFICATE,
    MANIFEST,
    BoxCountStatus,
    CertificateStatus,
    ManifestStatus,
)

CS, MS = CertificateStatus, ManifestStatus
TODAY = date(2026, 11, 25)

#: Every move a certificate may make, and why it makes it.
CERTIFICATE_MOVES = {
    (CS.IN_VAULT, CS.PREPARED): "taken out for delivery",
    (CS.IN_VAULT, CS.LOST): "not where the register says",
    (CS.IN_VAULT, CS.CANCELLED): "cancelled on transfer",
    (CS.PREPARED, CS.ON_MANIFEST): "put on a manifest",
    (CS.PREPARED, CS.IN_VAULT): "back in the vault",
    (CS.PREPARED, CS.LOST): "lost at the shipping desk",
    (CS.ON_MANIFEST, CS.IN_TRANSIT): "picked up",
    (CS.ON_MANIFEST, CS.PREPARED): "taken off, or the manifest cancelled",
    (CS.ON_MANIFEST, CS.LOST): "lost before pickup",
    (CS.IN_TRANSIT, CS.DELIVERED): "receipted",
    (CS.IN_TRANSIT, CS.RETURNED): "package returned",
    (CS.IN_TRANSIT, CS.LOST): "missing from the package",
    (CS.DELIVERED, CS.CANCELLED): "cancelled by the transfer agent",
    (CS.DELIVERED, CS.RETURNED): "sent back by the recipient",
    (CS.RETURNED, CS.IN_VAULT): "back in the vault",
    (CS.RETURNED, CS.LOST): "lost on the returns shelf",
    (CS.LOST, CS.IN_VAULT): "found",
    (CS.LOST, CS.CANCELLED): "replaced under an indemnity bond",
}
MANIFEST_MOVES = {
    (MS.DRAFT, MS.VERIFIED), (MS.DRAFT, MS.CANCELLED), (MS.VERIFIED, MS.PRINTED),
    (MS.VERIFIED, MS.DRAFT), (MS.VERIFIED, MS.CANCELLED), (MS.PRINTED, MS.IN_TRANSIT),
    (MS.PRINTED, MS.CANCELLED), (MS.IN_TRANSIT, MS.RECEIVED),
    (MS.IN_TRANSIT, MS.RECEIVED_WITH_DIFFERENCE), (MS.IN_TRANSIT, MS.RETURNED),
}  # fmt: skip


@pytest.mark.parametrize("start", list(CS))
@pytest.mark.parametrize("end", list(CS))
def test_a_certificate_moves_only_as_the_machine_allows(start: CS, end: CS) -> None:
    if (start, end) in CERTIFICATE_MOVES:
        assert CERTIFICATE.check(start, end) is end
        return
    with pytest.raises(IllegalTransition) as refused:
        CERTIFICATE.check(start, end)
    message = str(refused.value)
    assert start.value in message and end.value in message
    allowed = CERTIFICATE.allowed(start)
    assert all(s.value in message for s in allowed) or not allowed


@pytest.mark.parametrize("start", list(MS))
@pytest.mark.parametrize("end", list(MS))
def test_a_manifest_moves_only_as_the_machine_allows(start: MS, end: MS) -> None:
    assert MANIFEST.can(start, end) == ((start, end) in MANIFEST_MOVES)
    if (start, end) not in MANIFEST_MOVES:
        with pytest.raises(IllegalTransition, match=end.value):
            MANIFEST.check(start, end)


def test_a_cancelled_certificate_and_a_closed_count_are_final() -> None:
    assert CERTIFICATE.is_final(CS.CANCELLED)
    assert BOX_COUNT.is_final(BoxCountStatus.CLOSED)
    assert BOX_COUNT.can(BoxCountStatus.COUNTED, BoxCountStatus.COUNTING)  # recount
    assert not BOX_COUNT.can(BoxCountStatus.COUNTING, BoxCountStatus.CLOSED)


def _entry(**more: str) -> dict[str, str]:
    return {
        "certificate_number": "ny  123456", "cusip": "459200101", "issuer": "IBM",
        "security_class": "Common", "registered_holder": "John A Smith", "shares": "100",
        "issue_date": "1998-04-01", "location": "Vault A", **more,
    }  # fmt: skip


def test_an_entry_is_cleaned_and_defaults_its_registration_to_the_holder() -> None:
    entry = clean_entry(_entry(restricted_legend="yes"), TODAY)
    assert entry.certificate_number == "NY 123456"
    assert entry.registration_text == "John A Smith"
    assert entry.shares == Decimal(100) and entry.restricted_legend
    assert entry.form.value == "registered" and entry.account is None


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("cusip", "459200102", "check digit"),
        ("shares", "10.5", "whole shares"),
        ("shares", "0", "greater than 0"),
        ("issue_date", "2026-12-01", "after today"),
        ("issue_date", "01/04/1998", "YYYY-MM-DD"),
        ("certificate_number", "#12", "letters, digits"),
        ("form", "book-entry", "registered or bearer"),
        ("location", "", "required"),
    ],
)
def test_a_bad_entry_names_its_field(field: str, value: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as refused:
        clean_entry(_entry(**{field: value}), TODAY)
    assert refused.value.field == field


def test_the_csv_reports_every_problem_by_file_line_and_field() -> None:
    content = (
        "\ufeffCertificate_Number;CUSIP;issuer;security_class;registered_holder;shares;"
        "issue_date;location;colour\r\n"
        "A1;459200101;IBM;Common;J Smith;100;1998-04-01;Vault A;red\r\n"
    ).encode()
    result = read_certificates_csv(content, "in.csv", TODAY)
    assert [str(p) for p in result.problems] == ["in.csv:1: header: unknown column 'colour'"]
    good = (
        b"certificate_number,cusip,issuer,security_class,registered_holder,shares,issue_date,"
        b"location\n"
        b"A1,459200101,IBM,Common,J Smith,100,1998-04-01,Vault A\n"
        b"\n"
        b"A2,459200102,IBM,Common,J Smith,1.5,1998-04-01,Vault A\n"
        b"a1,459200101,IBM,Common,J Smith,100,1998-04-01,Vault B\n"
    )
    result = read_certificates_csv(good, "in.csv", TODAY)
    assert [str(p) for p in result.problems] == [
        "in.csv:4: cusip: check digit is wrong ('459200102')",
        "in.csv:4: shares: must be whole shares ('1.5')",
        "in.csv:5: certificate_number: A1 of CUSIP 459200101 appears again; first on line 2",
    ]
    assert [e.certificate_number for e in result.entries] == ["A1"]
    assert not result.ok


def test_an_empty_csv_is_a_problem() -> None:
    result = read_certificates_csv(b"certificate_number,cusip\n", "x.csv", TODAY)
    assert [p.reason for p in result.problems] == [
        "missing required column 'issuer'", "missing required column 'security_class'",
        "missing required column 'registered_holder'", "missing required column 'shares'",
        "missing required column 'issue_date'", "missing required column 'location'",
    ]  # fmt: skip


def test_a_reissue_leaves_a_balance_certificate_for_what_was_not_transferred() -> None:
    issued = [NewCertificate("B1", "Jane Doe", "Jane Doe", Decimal(30))]
    assert reissue_balance(Decimal(100), issued) == Decimal(70)
    assert reissue_balance(Decimal(30), issued) == Decimal(0)
    with pytest.raises(ValidationError, match="more than the 20"):
        reissue_balance(Decimal(20), issued)
    with pytest.raises(ValidationError, match="twice"):
        reissue_balance(Decimal(100), issued * 2)
    with pytest.raises(ValidationError, match="at least one"):
        reissue_balance(Decimal(100), [])


def test_totals_insurance_numbers_and_the_count_deadline() -> None:
    totals = ManifestTotals.of([(Decimal(100), Decimal("10.50")), (Decimal(5), Decimal(1))])
    assert totals == ManifestTotals(2, Decimal(105), Decimal("11.50"))
    assert insured_value(Decimal("1234.01")) == Decimal(2000)
    assert insured_value(Decimal(3000)) == Decimal(3000)
    assert manifest_number(date(2026, 11, 25), 3) == "M261125-03"
    assert clean_number("n", " ibm-0012 ") == "IBM-0012"
    # Counted on the Wednesday before Thanksgiving: seven business days skip the holiday.
    assert box_count_deadline(date(2026, 11, 25), calendar_for("US")) == date(2026, 12, 7)


def test_typed_text_is_trimmed_and_checked() -> None:
    assert text_value("courier", "  Brink's   Global ", 80) == "Brink's Global"
    assert text_value("address", " 150 Royall St\nCanton ", 400, one_line=False) == (
        "150 Royall St\nCanton"
    )
    assert text_value("airbill", "  ", 40, required=False) == ""
    with pytest.raises(ValidationError, match="is required"):
        text_value("courier", " ", 80)
    with pytest.raises(ValidationError, match="longer than 3"):
        text_value("seal", "ABCD", 3)
