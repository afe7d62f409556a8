"""Physical certificates: what a register entry must hold, the CSV that brings them in,
and the arithmetic of reissues, manifests and box counts.

A certificate number is unique per CUSIP (issuers number their own certificates),
so the pair is the certificate's reference everywhere; a bare number is accepted
where it names one certificate only. Shares are whole: fractions are never
certificated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum
from types import MappingProxyType

from desk_app.domain.calendars import SettlementCalendar
from desk_app.domain.csv_files import CsvTableReader
from desk_app.domain.errors import ValidationError
from desk_app.domain.identifiers import validate_cusip
from desk_app.domain.states import CertificateStatus, ManifestStatus
from desk_app.domain.trade_rows import (
    RowProblem,
    parse_iso_date,
    parse_quantity,
    parse_text,
    parse_yes_no,
)

_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9 \-/]{0,19}")
#: SEC 17a-13(b)(4): differences found by a count are recorded within this many
#: business days of the count.
BOX_COUNT_DIFFERENCE_DAYS = 7


class CertificateForm(StrEnum):
    REGISTERED = "registered"
    BEARER = "bearer"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class LossKind(StrEnum):
    """The kinds of loss SEC Form X-17F-1A reports."""

    LOST = "lost"
    STOLEN = "stolen"
    MISSING = "missing"
    COUNTERFEIT = "counterfeit"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class CustodyKind(StrEnum):
    """What a chain-of-custody entry records; receipts and deliveries are blotter records."""

    RECEIPT = "receipt"  # came into the firm's possession
    DELIVERY = "delivery"  # left it, acknowledged by the recipient
    MOVE = "move"  # changed hands or place inside the firm, or with a courier

    @property
    def label(self) -> str:
        return self.value.capitalize()


class CountResult(StrEnum):
    """One line of a box count."""

    PENDING = "pending"
    FOUND = "found"
    MISSING = "missing"  # on record in the firm's possession, not found
    UNRECORDED = "unrecorded"  # found, but the register does not have it there

    @property
    def label(self) -> str:
        return {"pending": "Not counted yet", "found": "Found", "missing": "Missing",
                "unrecorded": "Found, not on record"}[self.value]  # fmt: skip


def clean_number(field: str, raw: str) -> str:
    """A certificate number as the issuer prints it: letters, digits, spaces, ``-`` and ``/``."""
    text = " ".join(raw.split()).upper()
    if not text:
        raise ValidationError(field, "is required")
    if not _NUMBER.fullmatch(text):
        raise ValidationError(
            field, "must be up to 20 letters, digits, spaces, '-' or '/', starting with a "
            "letter or digit", raw,
        )  # fmt: skip
    return text


def parse_shares(field: str, raw: str) -> Decimal:
    """Whole shares, more than 0 (fractions are never certificated)."""
    value = parse_quantity(field, raw)
    if value != value.to_integral_value():
        raise ValidationError(field, "must be whole shares", raw)
    return value.quantize(Decimal(1))


def parse_form(field: str, raw: str) -> CertificateForm:
    try:
        return CertificateForm(raw.strip().lower() or CertificateForm.REGISTERED)
    except ValueError:
        raise ValidationError(field, "is not registered or bearer", raw) from None


def text_value(
    field: str, raw: str | None, longest: int, *, required: bool = True, one_line: bool = True
) -> str:
    """A typed text (a courier, a location, a reason): blanks trimmed (and, on one line,
    runs of blanks made one), required unless said otherwise, at most ``longest`` long."""
    text = " ".join((raw or "").split()) if one_line else (raw or "").strip()
    if required and not text:
        raise ValidationError(field, "is required")
    if len(text) > longest:
        raise ValidationError(field, f"is longer than {longest} characters", text)
    return text


def _limited(field: str, raw: str, longest: int) -> str:
    text = parse_text(field, raw)
    if len(text) > longest:
        raise ValidationError(field, f"is longer than {longest} characters", raw)
    return text


@dataclass(frozen=True, slots=True)
class CertificateEntry:
    """A certificate as a clerk enters it, every value checked, not yet stored."""

    certificate_number: str
    cusip: str
    issuer: str
    security_class: str
    registered_holder: str
    registration_text: str
    shares: Decimal
    issue_date: date
    location: str
    restricted_legend: bool = False
    form: CertificateForm = CertificateForm.REGISTERED
    account: str | None = None
    stock_power_attached: bool = False
    received_from: str = ""
    line: int = 0


#: field -> (required, longest); the order is the CSV's and the form's.
ENTRY_FIELDS: Mapping[str, tuple[bool, int]] = MappingProxyType(
    {
        "certificate_number": (True, 20),
        "cusip": (True, 9),
        "issuer": (True, 200),
        "security_class": (True, 60),
        "registered_holder": (True, 200),
        "registration_text": (False, 400),
        "shares": (True, 20),
        "issue_date": (True, 10),
        "location": (True, 80),
        "restricted_legend": (False, 5),
        "form": (False, 12),
        "account": (False, 20),
        "stock_power_attached": (False, 5),
        "received_from": (False, 200),
    }
)


def clean_entry(values: Mapping[str, str], today: date, line: int = 0) -> CertificateEntry:
    """Check one certificate's values (text, as typed or read); raise naming the first bad field."""
    problems = entry_problems(values, today, "entry", line)
    if problems:
        first = problems[0]
        raise ValidationError(first.field, first.reason)
    return _entry(values, line)


def entry_problems(
    values: Mapping[str, str], today: date, file: str, line: int
) -> list[RowProblem]:
    """Every problem with one certificate's values, each naming its field."""
    problems: list[RowProblem] = []
    for name in values:
        if name not in ENTRY_FIELDS:
            problems.append(RowProblem(file, line, name, "is not a certificate field"))
    for name, (required, longest) in ENTRY_FIELDS.items():
        raw = (values.get(name) or "").strip()
        try:
            if not raw:
                if required:
                    raise ValidationError(name, "is required")
                continue
            _parse(name, raw, longest)
        except ValidationError as error:
            problems.append(_problem(file, line, error))
    issued = (values.get("issue_date") or "").strip()
    if issued and not any(p.field == "issue_date" for p in problems):
        if parse_iso_date("issue_date", issued) > today:
            problems.append(RowProblem(file, line, "issue_date", f"is after today ({today})"))
    return problems


def _problem(file: str, line: int, error: ValidationError) -> RowProblem:
    if error.value is None:
        return RowProblem(file, line, error.field, error.reason)
    return RowProblem(file, line, error.field, f"{error.reason} ('{error.value}')")


def _parse(name: str, raw: str, longest: int) -> object:
    if name == "certificate_number":
        return clean_number(name, raw)
    if name == "cusip":
        return validate_cusip(raw.upper(), name)
    if name == "shares":
        return parse_shares(name, raw)
    if name == "issue_date":
        return parse_iso_date(name, raw)
    if name in ("restricted_legend", "stock_power_attached"):
        return parse_yes_no(name, raw)
    if name == "form":
        return parse_form(name, raw)
    if name == "account":
        return _limited(name, raw, longest).upper()
    return _limited(name, raw, longest)


def _entry(values: Mapping[str, str], line: int) -> CertificateEntry:
    def raw(name: str) -> str:
        return (values.get(name) or "").strip()

    holder = raw("registered_holder")
    return CertificateEntry(
        certificate_number=clean_number("certificate_number", raw("certificate_number")),
        cusip=validate_cusip(raw("cusip").upper(), "cusip"),
        issuer=raw("issuer"),
        security_class=raw("security_class"),
        registered_holder=holder,
        registration_text=raw("registration_text") or holder,
        shares=parse_shares("shares", raw("shares")),
        issue_date=parse_iso_date("issue_date", raw("issue_date")),
        location=raw("location"),
        restricted_legend=parse_yes_no("restricted_legend", raw("restricted_legend")),
        form=parse_form("form", raw("form")),
        account=raw("account").upper() or None,
        stock_power_attached=parse_yes_no("stock_power_attached", raw("stock_power_attached")),
        received_from=raw("received_from"),
        line=line,
    )


@dataclass(frozen=True, slots=True)
class CertificateCsv:
    """Entries that passed every check, and every problem; store entries only when ``ok``."""

    entries: tuple[CertificateEntry, ...]
    problems: tuple[RowProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


class _CertificateCsvReader(CsvTableReader):
    known = tuple(ENTRY_FIELDS)
    required = tuple(name for name, (required, _) in ENTRY_FIELDS.items() if required)
    row_noun = "certificate"

    def __init__(self, file_name: str, today: date) -> None:
        super().__init__(file_name)
        self.today = today
        self.entries: list[CertificateEntry] = []
        self.first_line_of: dict[tuple[str, str], int] = {}

    def has_rows(self) -> bool:
        return bool(self.entries)

    def read_row(self, line: int, fields: list[str]) -> None:
        raw = self.values(line, fields)
        if raw is None:
            return
        values = {name: value for name, value in raw.items() if name}
        problems = entry_problems(values, self.today, self.file, line)
        if problems:
            self.problems.extend(problems)
            return
        entry = _entry(values, line)
        key = (entry.cusip, entry.certificate_number)
        first = self.first_line_of.setdefault(key, line)
        if first != line:
            self.report(
                line, "certificate_number",
                f"{entry.certificate_number} of CUSIP {entry.cusip} appears again; first on "
                f"line {first}",
            )  # fmt: skip
            return
        self.entries.append(entry)


def read_certificates_csv(content: bytes, file_name: str, today: date) -> CertificateCsv:
    """Parse and check a certificates CSV (columns as `ENTRY_FIELDS`, by header name)."""
    reader = _CertificateCsvReader(file_name, today)
    reader.read_content(content)
    return CertificateCsv(tuple(reader.entries), tuple(reader.problems))


@dataclass(frozen=True, slots=True)
class NewCertificate:
    """One certificate a transfer agent issues in place of a cancelled one."""

    certificate_number: str
    registered_holder: str
    registration_text: str
    shares: Decimal
    account: str | None = None


def reissue_balance(old_shares: Decimal, issued: Sequence[NewCertificate]) -> Decimal:
    """The shares the balance certificate must carry (0: none), or raise if over-issued."""
    if not issued:
        raise ValidationError("new certificates", "name at least one certificate issued")
    numbers = [c.certificate_number for c in issued]
    if len(set(numbers)) != len(numbers):
        raise ValidationError("new certificates", "a certificate number appears twice")
    total = sum((c.shares for c in issued), Decimal(0))
    if total > old_shares:
        raise ValidationError(
            "shares", f"the new certificates carry {total:,} shares, more than the "
            f"{old_shares:,} of the cancelled one",
        )  # fmt: skip
    return old_shares - total


@dataclass(frozen=True, slots=True)
class ManifestTotals:
    """The control totals a manifest prints and a verifier checks."""

    count: int
    shares: Decimal
    value: Decimal

    @classmethod
    def of(cls, lines: Iterable[tuple[Decimal, Decimal]]) -> ManifestTotals:
        """Totals of (shares, value) pairs."""
        count, shares, value = 0, Decimal(0), Decimal(0)
        for line_shares, line_value in lines:
            count += 1
            shares += line_shares
            value += line_value
        return cls(count, shares, value)


@dataclass(frozen=True)
class ManifestLineView:
    """One certificate on a manifest."""

    line_no: int
    certificate_id: int
    certificate_number: str
    cusip: str
    description: str
    registered_holder: str
    shares: Decimal
    value: Decimal
    status: CertificateStatus


@dataclass(frozen=True)
class ManifestView:
    """A manifest as a dialog, a printout or a verifier sees it."""

    id: int
    manifest_number: str
    manifest_date: date
    status: ManifestStatus
    courier: str
    airbill: str | None
    pickup_at: datetime | None
    sender: str
    recipient: str
    recipient_address: str
    declared_value: Decimal
    insured_value: Decimal
    prepared_by: str
    verified_by: str | None
    picked_up_by: str | None
    bag_seal: str | None
    received_by: str | None
    received_at: datetime | None
    difference_note: str | None
    print_count: int
    version: int
    lines: tuple[ManifestLineView, ...] = field(default=())

    @property
    def totals(self) -> ManifestTotals:
        return ManifestTotals.of((line.shares, line.value) for line in self.lines)


@dataclass(frozen=True)
class Dispatch:
    """Where a manifest goes and how: everything but its certificates."""

    courier: str
    recipient: str
    recipient_address: str = ""
    sender: str = ""
    airbill: str = ""
    pickup_at: datetime | None = None
    declared_value: Decimal | str | None = None
    insured_value: Decimal | str | None = None


def insured_value(declared: Decimal) -> Decimal:
    """The declared value rounded up to the next thousand: couriers insure in thousands."""
    return (declared / 1000).to_integral_value(ROUND_CEILING) * 1000


def box_count_deadline(counted_on: date, calendar: SettlementCalendar) -> date:
    """The last business day to record a count's differences (17a-13: seven business days)."""
    return calendar.add_settlement_days(counted_on, BOX_COUNT_DIFFERENCE_DAYS)


def manifest_number(day: date, sequence: int) -> str:
    """``M`` + the date + the day's sequence: sortable, short enough to scan and to say."""
    if sequence < 1 or sequence > 999:
        raise ValidationError("manifest", f"sequence {sequence} is outside 1-999 for one day")
    return f"M{day:%y%m%d}-{sequence:02d}"
