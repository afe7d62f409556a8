"""Counterparties and instruments as a clerk types them: every field checked, every problem named.

The same checks serve the forms (as the clerk types), the CLI and the CSV imports,
so a value refused in one place is refused everywhere with the same words.

Rules written down here, because several screens depend on them:

- DTC participant numbers are the four-digit numbers DTC assigns (``0417``). Fewer
  digits are accepted and padded with zeros (``417`` -> ``0417``): lists often drop
  the leading zeros. Anything else (letters, five digits) is refused.
- An instrument is named by its ISIN, or by its CUSIP (which becomes the ISIN of the
  market's country: US, or CA for the Canadian market). A US or Canadian ISIN gives
  its CUSIP. When both are given they must be the same security.
- Supervision (four-eyes) applies to a record that trades, obligations or SSIs
  already use: changing a counterparty's settlement identifiers, or an instrument's
  type, market, currency or multiplier (they decide how and for what booked trades
  settle), becomes an approval request. An instrument's ISIN and CUSIP never change
  once it is used: a new identifier is a new instrument.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from desk_app.domain.codes import CounterpartyKind
from desk_app.domain.errors import ValidationError
from desk_app.domain.identifiers import (
    cusip_to_isin,
    isin_to_cusip,
    validate_bic,
    validate_cusip,
    validate_isin,
    validate_lei,
)
from desk_app.domain.money import QUANTITY_SCALE
from desk_app.domain.trade_rows import (
    parse_amount,
    parse_currency,
    parse_instrument_type,
    parse_yes_no,
)

#: Columns of a counterparties CSV and fields of the form, in the order shown.
COUNTERPARTY_FIELDS = ("code", "name", "kind", "bic", "lei", "dtc_participant")
COUNTERPARTY_REQUIRED = ("code", "name", "kind")
#: Columns of an instruments CSV (``isin`` or ``cusip`` names the security).
INSTRUMENT_FIELDS = (
    "isin", "cusip", "symbol", "description", "issuer", "instrument_type", "market",
    "currency", "multiplier",
)  # fmt: skip
INSTRUMENT_REQUIRED = ("description", "instrument_type", "currency")
#: What a change to a record in use must have approved by a principal.
SUPERVISED_COUNTERPARTY_FIELDS = frozenset({"bic", "lei", "dtc_participant"})
SUPERVISED_INSTRUMENT_FIELDS = frozenset({"instrument_type", "market", "currency", "multiplier"})
#: What never changes once a record is used.
FIXED_WHEN_USED = {
    "counterparties": frozenset({"code"}),
    "instruments": frozenset({"isin", "cusip"}),
}
#: Markets whose ISINs wrap a CUSIP.
CUSIP_COUNTRIES = {"US": "US", "CA": "CA"}

_CODE = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,15}")
_MARKET = re.compile(r"[A-Z]{2}")
_KINDS = ", ".join(kind.value for kind in CounterpartyKind)


def _text(values: Mapping[str, Any], key: str) -> str:
    raw = values.get(key)
    return "" if raw is None else " ".join(str(raw).split())


def validate_dtc_participant(value: str, field: str = "dtc_participant") -> str:
    """A DTC participant number: up to four digits, stored as four (``417`` -> ``0417``)."""
    number = "".join(value.split())
    if not number.isdigit() or not number.isascii():
        raise ValidationError(field, "must be DTC's participant number: digits only", value)
    if len(number) > 4:
        raise ValidationError(field, f"must be at most 4 digits (has {len(number)})", value)
    if int(number) == 0:
        raise ValidationError(field, "0000 is not a participant number", value)
    return number.zfill(4)


def validate_code(value: str, field: str = "code") -> str:
    """A counterparty code: 1-16 letters, digits, ``.``, ``_`` or ``-``, upper-cased."""
    code = "".join(value.split()).upper()
    if not code:
        raise ValidationError(field, "is required")
    if not _CODE.fullmatch(code):
        raise ValidationError(
            field,
            "must be 1-16 letters, digits, '.', '_' or '-' (starting with a letter or digit)",
            value,
        )  # fmt: skip
    return code


def parse_counterparty_kind(field: str, raw: str) -> CounterpartyKind:
    """A counterparty kind by its value; ``_`` or a space stands for ``-``."""
    try:
        return CounterpartyKind(raw.strip().lower().replace("_", "-").replace(" ", "-"))
    except ValueError:
        raise ValidationError(field, f"is not one of {_KINDS}", raw) from None


def _name(field: str, limit: int) -> Callable[[str, str], str]:
    def check(_field: str, raw: str) -> str:
        if len(raw) > limit:
            raise ValidationError(field, f"is longer than {limit} characters", raw)
        return raw

    return check


def _optional(check: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
    """An optional identifier: empty is None, otherwise it must pass ``check``."""

    def run(field: str, raw: str) -> Any:
        return check(raw, field) if raw else None

    return run


_COUNTERPARTY_CHECKS: dict[str, Callable[[str, str], Any]] = {
    "code": lambda field, raw: validate_code(raw, field),
    "name": _name("name", 200),
    "kind": parse_counterparty_kind,
    "bic": _optional(validate_bic),
    "lei": _optional(validate_lei),
    "dtc_participant": _optional(validate_dtc_participant),
    "active": lambda field, raw: parse_yes_no(field, raw) if raw else True,
}


def clean_counterparty(
    values: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], list[ValidationError]]:
    """The stored form of the fields given, and every problem (one per bad field).

    ``partial``: an amendment; only the fields given are checked and required ones
    may be absent (but not emptied).
    """
    cleaned: dict[str, Any] = {}
    problems: list[ValidationError] = []
    for key in values:
        if key not in _COUNTERPARTY_CHECKS:
            problems.append(ValidationError(key, "is not a field of a counterparty"))
    for key, check in _COUNTERPARTY_CHECKS.items():
        if partial and key not in values:
            continue
        raw = _text(values, key)
        if key in COUNTERPARTY_REQUIRED and not raw:
            if key in values or not partial:
                problems.append(ValidationError(key, "is required"))
            continue
        if key == "active" and key not in values:
            continue
        try:
            cleaned[key] = check(key, raw)
        except ValidationError as error:
            problems.append(error)
    return cleaned, problems


def _multiplier(field: str, raw: str) -> Decimal:
    return parse_amount(field, raw or "1", QUANTITY_SCALE, zero_allowed=False)


def _market(field: str, raw: str) -> str:
    market = (raw or "US").upper()
    if not _MARKET.fullmatch(market):
        raise ValidationError(field, "must be a two-letter market code such as US", raw)
    return market


_INSTRUMENT_CHECKS: dict[str, Callable[[str, str], Any]] = {
    "symbol": lambda field, raw: _name(field, 32)(field, raw.upper()) or None,
    "description": _name("description", 200),
    "issuer": _name("issuer", 200),
    "instrument_type": parse_instrument_type,
    "market": _market,
    "currency": parse_currency,
    "multiplier": _multiplier,
    "active": lambda field, raw: parse_yes_no(field, raw) if raw else True,
}


def clean_instrument(
    values: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], list[ValidationError]]:
    """Like `clean_counterparty`, for an instrument; ``isin``/``cusip`` resolved together."""
    cleaned: dict[str, Any] = {}
    problems: list[ValidationError] = []
    known = {"isin", "cusip", *_INSTRUMENT_CHECKS}
    for key in values:
        if key not in known:
            problems.append(ValidationError(key, "is not a field of an instrument"))
    for key, check in _INSTRUMENT_CHECKS.items():
        if partial and key not in values:
            continue
        raw = _text(values, key)
        if key in INSTRUMENT_REQUIRED and not raw:
            problems.append(ValidationError(key, "is required"))
            continue
        if key == "active" and key not in values:
            continue
        try:
            cleaned[key] = check(key, raw.upper() if key == "currency" else raw)
        except ValidationError as error:
            problems.append(error)
    if not partial or "isin" in values or "cusip" in values:
        market = cleaned.get("market") or _text(values, "market").upper() or "US"
        try:
            cleaned.update(security_ids(_text(values, "isin"), _text(values, "cusip"), market))
        except ValidationError as error:
            problems.append(error)
    if not partial and not cleaned.get("issuer") and cleaned.get("description"):
        cleaned["issuer"] = cleaned["description"]
    return cleaned, problems


def security_ids(isin_text: str, cusip_text: str, market: str = "US") -> dict[str, str | None]:
    """The ISIN and CUSIP of a security named by either or both (check digits verified)."""
    if not isin_text and not cusip_text:
        raise ValidationError("isin", "is required (or give the CUSIP)")
    cusip = validate_cusip(cusip_text) if cusip_text else None
    if isin_text:
        isin = validate_isin(isin_text)
        embedded = isin_to_cusip(isin)
        if cusip is not None and embedded != cusip:
            raise ValidationError(
                "cusip", f"is not the CUSIP inside ISIN {isin} ({embedded or 'none'})", cusip_text
            )
        return {"isin": isin, "cusip": cusip or embedded}
    assert cusip is not None
    return {"isin": cusip_to_isin(cusip, CUSIP_COUNTRIES.get(market, "US")), "cusip": cusip}


def first_problem(problems: list[ValidationError]) -> None:
    """Raise the first problem (a single-record form or command shows them one by one)."""
    if problems:
        raise problems[0]


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``after`` whose value differs from ``before``."""
    return {k: v for k, v in after.items() if before.get(k) != v}
