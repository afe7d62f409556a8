"""Security, institution and taxpayer identifiers, validated with python-stdnum.

Every validator normalises what a clerk typed or a file carried (surrounding and
embedded blanks removed, upper case), returns the compact form that is stored, and
otherwise raises `ValidationError` with a reason a clerk can act on. Check digits
are never shown in errors: "fixing" the check digit hides the real typo.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from desk_app.domain.errors import ValidationError

if TYPE_CHECKING:
    from stdnum import bic, cusip, isin, lei
    from stdnum import exceptions as stdnum_errors
    from stdnum.iso7064 import mod_97_10
    from stdnum.us import ein, ssn


class _OnFirstUse:
    """A python-stdnum module, imported when first used: importing stdnum loads pydoc and
    ssl, which the window does not need before it first paints."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> object:
        return getattr(importlib.import_module(self._name), attribute)


if not TYPE_CHECKING:
    bic, cusip, isin, lei = (_OnFirstUse(f"stdnum.{n}") for n in ("bic", "cusip", "isin", "lei"))
    stdnum_errors = _OnFirstUse("stdnum.exceptions")
    mod_97_10 = _OnFirstUse("stdnum.iso7064.mod_97_10")
    ein, ssn = _OnFirstUse("stdnum.us.ein"), _OnFirstUse("stdnum.us.ssn")

TaxIdKind = Literal["ssn", "itin", "ein"]
SecurityIdKind = Literal["isin", "cusip"]

_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CUSIP_CHARS = _ALNUM | frozenset("*@#")
_ONLY_ALNUM = "contains invalid characters (only letters A-Z and digits 0-9)"
_ONLY_CUSIP = "contains invalid characters (only letters A-Z, digits 0-9 and * @ #)"
_WRONG_CHECK_DIGIT = "check digit is wrong"
_TAX_ID_LAYOUT = "write 123-45-6789 for an SSN or ITIN, 12-3456789 for an EIN"


def _compact(value: str) -> str:
    """Drop every blank (copy-paste brings tabs and non-breaking spaces) and upper-case."""
    return "".join(value.split()).upper()


def _require(value: str, field: str) -> str:
    compact = _compact(value)
    if not compact:
        raise ValidationError(field, "is required")
    return compact


def _check(
    validate: Callable[[str], str], number: str, field: str, value: str, reasons: dict[type, str]
) -> str:
    """Run a python-stdnum validator, translating its exception into a clerk's reason."""
    try:
        return validate(number)
    except stdnum_errors.ValidationError as error:
        for kind, reason in reasons.items():
            if isinstance(error, kind):
                raise ValidationError(field, reason, value) from None
        raise ValidationError(field, "is not valid", value) from None


def validate_isin(value: str, field: str = "isin") -> str:
    """A 12-character ISIN (ISO 6166): country code, national id, check digit."""
    number = _require(value, field)
    return _check(
        isin.validate,
        number,
        field,
        value,
        {
            stdnum_errors.InvalidLength: f"must be 12 characters (has {len(number)})",
            stdnum_errors.InvalidFormat: _ONLY_ALNUM,
            stdnum_errors.InvalidComponent: (
                f"does not start with a valid country code ({number[:2]!r})"
            ),
            stdnum_errors.InvalidChecksum: _WRONG_CHECK_DIGIT,
        },
    )


def validate_cusip(value: str, field: str = "cusip") -> str:
    """A 9-character CUSIP: issuer (6), issue (2), check digit."""
    number = _require(value, field)
    return _check(
        cusip.validate,
        number,
        field,
        value,
        {
            stdnum_errors.InvalidLength: f"must be 9 characters (has {len(number)})",
            stdnum_errors.InvalidFormat: _ONLY_CUSIP,
            stdnum_errors.InvalidChecksum: _WRONG_CHECK_DIGIT,
        },
    )


def cusip_to_isin(cusip_value: str, country: str = "US") -> str:
    """The ISIN that wraps a CUSIP: ``037833100`` -> ``US0378331005``."""
    number = validate_cusip(cusip_value)
    code = _compact(country)
    result = isin.from_natid(code, number)
    if len(code) != 2 or not isin.is_valid(result):
        raise ValidationError("country", "is not a valid ISIN country code", country)
    return result


def isin_to_cusip(isin_value: str) -> str | None:
    """The CUSIP inside a US or Canadian ISIN; ``None`` for other countries."""
    number = validate_isin(isin_value)
    embedded = number[2:11]
    if number[:2] in ("US", "CA") and cusip.is_valid(embedded):
        return embedded
    return None


def validate_bic(value: str, field: str = "bic") -> str:
    """A BIC / SWIFT code (ISO 9362): 8 characters, or 11 with a branch."""
    number = _require(value, field).replace("-", "")
    return _check(
        bic.validate,
        number,
        field,
        value,
        {
            stdnum_errors.InvalidLength: f"must be 8 or 11 characters (has {len(number)})",
            stdnum_errors.InvalidFormat: (
                "must be 4 letters (bank), 2 letters (country), 2 letters or digits "
                "(location) and optionally 3 letters or digits (branch)"
            ),
            stdnum_errors.InvalidComponent: f"country code {number[4:6]!r} is not valid",
        },
    )


def validate_lei(value: str, field: str = "lei") -> str:
    """A 20-character LEI (ISO 17442): 18 letters or digits and 2 check digits."""
    number = _require(value, field).replace("-", "")
    # stdnum checks only the ISO 7064 checksum, so the shape is checked here.
    if not set(number) <= _ALNUM:
        raise ValidationError(field, _ONLY_ALNUM, value)
    if len(number) != 20:
        raise ValidationError(field, f"must be 20 characters (has {len(number)})", value)
    if not number[18:].isdigit():
        raise ValidationError(field, "must end in two check digits", value)
    return _check(
        lei.validate,
        number,
        field,
        value,
        {stdnum_errors.InvalidChecksum: "check digits are wrong"},
    )


def _base(value: str, length: int, alphabet: frozenset[str], field: str) -> str:
    number = _require(value, field)
    if not set(number) <= alphabet:
        raise ValidationError(field, _ONLY_CUSIP if alphabet is _CUSIP_CHARS else _ONLY_ALNUM)
    if len(number) != length:
        raise ValidationError(field, f"base must be {length} characters (has {len(number)})")
    return number


def with_cusip_check_digit(base8: str) -> str:
    """``base8`` plus its CUSIP check digit (to make demo and test data)."""
    number = _base(base8, 8, _CUSIP_CHARS, "cusip")
    return number + cusip.calc_check_digit(number)


def with_isin_check_digit(base11: str) -> str:
    """``base11`` plus its ISIN check digit (to make demo and test data)."""
    number = _base(base11, 11, _ALNUM, "isin")
    result = number + isin.calc_check_digit(number)
    if not isin.is_valid(result):
        raise ValidationError("isin", f"does not start with a valid country code ({number[:2]!r})")
    return result


def lei_with_check_digits(base18: str) -> str:
    """``base18`` plus its two ISO 7064 Mod 97-10 check digits (for demo data)."""
    number = _base(base18, 18, _ALNUM, "lei")
    return number + mod_97_10.calc_check_digits(number)


def security_id_kind(value: str) -> SecurityIdKind:
    """Whether ``value`` is shaped like an ISIN or a CUSIP; check digits are not checked."""
    number = _compact(value)
    if len(number) == 12 and number[:2].isalpha() and set(number) <= _ALNUM:
        return "isin"
    if len(number) == 9 and set(number) <= _CUSIP_CHARS:
        return "cusip"
    raise ValidationError(
        "security_id", "is neither an ISIN (12 characters) nor a CUSIP (9 characters)", value
    )


_TAX_ID_SHAPES: dict[str, tuple[TaxIdKind, ...]] = {
    r"\d{3}-\d{2}-\d{4}": ("ssn", "itin"),
    r"\d{2}-\d{7}": ("ein",),
    r"\d{9}": ("ssn", "itin", "ein"),
}
#: Middle digits the IRS uses for ITINs. stdnum.us.itin predates the 50-65 range
#: (added in 2011) and would reject real ITINs, so the check is done here.
_ITIN_GROUPS = frozenset([*range(50, 66), *range(70, 89), *range(90, 93), *range(94, 100)])


def _is_itin(digits: str) -> bool:
    return digits[0] == "9" and int(digits[3:5]) in _ITIN_GROUPS


_TAX_ID_CHECKS: dict[TaxIdKind, Callable[[str], bool]] = {
    "ssn": lambda digits: bool(ssn.is_valid(digits)),
    "itin": _is_itin,
    "ein": lambda digits: bool(ein.is_valid(digits)),
}
_TAX_ID_INVALID: dict[TaxIdKind, str] = {
    "ssn": "is not a valid SSN (area 000, 666 or 900-999, group 00 or serial 0000 "
    "are never issued)",
    "itin": "is not a valid ITIN (starts with 9; the 4th and 5th digits must be 50-65, "
    "70-88, 90-92 or 94-99)",
    "ein": "is not a valid EIN (the IRS does not use this two-digit prefix)",
}


def validate_tax_id(value: str, field: str = "tax_id", *, kind: TaxIdKind | None = None) -> str:
    """A US taxpayer id (SSN, ITIN or EIN), formatted 123-45-6789 or 12-3456789.

    Nine bare digits are tried as SSN (or ITIN when they start with 9), then EIN;
    pass ``kind`` when the account type says which one it must be. Errors show the
    number masked, since they end up on screens and in logs.
    """
    text = re.sub(r"\s*-\s*|\s+", "-", value.strip())
    shown = mask_tax_id(value)
    if not text:
        raise ValidationError(field, "is required")
    if not re.fullmatch(r"[0-9-]+", text):
        raise ValidationError(field, "contains invalid characters (only digits and dashes)", shown)
    digits = text.replace("-", "")
    if len(digits) != 9:
        raise ValidationError(field, f"must be 9 digits (has {len(digits)})", shown)
    shape = next((kinds for rx, kinds in _TAX_ID_SHAPES.items() if re.fullmatch(rx, text)), ())
    if not shape:
        raise ValidationError(field, f"has dashes in the wrong place: {_TAX_ID_LAYOUT}", shown)
    # SSNs never start with 9 and ITINs always do, so at most one of them applies.
    personal: TaxIdKind = "itin" if digits[0] == "9" else "ssn"
    candidates = [k for k in shape if (kind is None or k == kind) and k in (personal, "ein")]
    if not candidates and kind in shape:
        raise ValidationError(field, _TAX_ID_INVALID[kind], shown)
    if not candidates:
        wanted = (kind or "").upper()
        raise ValidationError(field, f"is not written as an {wanted}: {_TAX_ID_LAYOUT}", shown)
    for candidate in candidates:
        if _TAX_ID_CHECKS[candidate](digits):
            return _format_tax_id(digits, candidate)
    if len(candidates) > 1:
        names = " or ".join(k.upper() for k in candidates)
        raise ValidationError(field, f"is not a valid {names}", shown)
    raise ValidationError(field, _TAX_ID_INVALID[candidates[0]], shown)


def _format_tax_id(digits: str, kind: TaxIdKind) -> str:
    if kind == "ein":
        return f"{digits[:2]}-{digits[2:]}"
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


_MASKED = re.compile(r"\*\*\*-\*\*-\d{4}|\*\*-\*\*\*\d{4}|\*{4}")


def mask_tax_id(value: str | None) -> str:
    """Only the last four digits, in the number's own layout: ``***-**-6789``."""
    if value is None:
        return ""
    if _MASKED.fullmatch(value):  # masked already (what an account now holds): as it is
        return value
    digits = "".join(c for c in value if c.isdigit())
    if not digits:
        return ""
    if len(digits) != 9:
        # Unknown layout: do not reveal four digits of a short or garbled number.
        return "****"
    if re.fullmatch(r"\s*\d{2}\s*-.*", value):
        return f"**-***{digits[5:]}"
    return f"***-**-{digits[5:]}"
