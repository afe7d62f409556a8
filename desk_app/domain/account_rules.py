"""What an account record may hold: field rules shared by opening and amending."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from desk_app.domain import identifiers
from desk_app.domain.codes import (
    AccountType,
    InvestmentObjective,
    RegistrationType,
    RiskTolerance,
    TaxStatus,
    TimeHorizon,
)
from desk_app.domain.errors import ValidationError, refuse
from desk_app.domain.money import MONEY_SCALE, from_scaled_int, to_scaled_int

#: The client's profile (FINRA 2090/2111 and 4512): chosen from lists, or amounts.
CHOICES: dict[str, type[StrEnum]] = {
    "account_type": AccountType,
    "investment_objective": InvestmentObjective,
    "risk_tolerance": RiskTolerance,
    "time_horizon": TimeHorizon,
    "tax_status": TaxStatus,
}
AMOUNTS = ("liquid_net_worth", "annual_income")
RECORD_FIELDS = (*CHOICES, *AMOUNTS, "mailing_address")
#: Fields a clerk may propose to change on an existing account (always supervised).
AMENDABLE = (
    "name",
    "registration_type",
    "registered_rep",
    "tax_id",
    "residence_state",
    "residence_country",
    "base_currency",
    *RECORD_FIELDS,
)
ACCOUNT_NUMBER = re.compile(r"[A-Z]{2,4}-\d{4,8}")


def clean_account_number(value: str) -> str:
    number = value.strip().upper()
    if not ACCOUNT_NUMBER.fullmatch(number):
        raise ValidationError(
            "account_number", "must be an office code, a dash and digits (NYC-20417)", value
        )
    return number


def clean_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise account fields; raise every bad one, each by name."""
    cleaned, problems = checked_fields(values)
    refuse(problems)
    return cleaned


def checked_fields(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[ValidationError]]:
    """Account fields normalised, and every problem found (each naming its field)."""
    cleaned: dict[str, Any] = {}
    problems: list[ValidationError] = []
    for key, raw in values.items():
        if key not in AMENDABLE:
            problems.append(
                ValidationError(key, "is not a field of an account that can be changed")
            )
            continue
        try:
            cleaned[key] = _clean(key, raw)
        except ValidationError as error:
            problems.append(error)
    return cleaned, problems


def _clean(key: str, raw: Any) -> Any:
    text = "" if raw is None else str(raw).strip()
    if key in RECORD_FIELDS:
        return _profile(key, text)
    if key == "name":
        if not text:
            raise ValidationError("name", "is required")
        if len(text) > 200:
            raise ValidationError("name", "is longer than 200 characters")
        return text
    if key == "registration_type":
        try:
            return RegistrationType(text.lower()).value
        except ValueError:
            known = ", ".join(r.value for r in RegistrationType)
            raise ValidationError("registration_type", f"must be one of {known}", text) from None
    if key == "registered_rep":
        if not text or len(text) > 64:
            raise ValidationError("registered_rep", "is required (up to 64 characters)")
        return text
    if key == "tax_id":
        return identifiers.validate_tax_id(text) if text else None
    if key == "residence_state":
        if text and not re.fullmatch(r"[A-Za-z]{2}", text):
            raise ValidationError("residence_state", "must be a two-letter state code", text)
        return text.upper() or None
    if key == "residence_country":
        if not re.fullmatch(r"[A-Za-z]{2}", text):
            raise ValidationError("residence_country", "must be a two-letter country code", text)
        return text.upper()
    if not re.fullmatch(r"[A-Za-z]{3}", text):
        raise ValidationError("base_currency", "must be a three-letter currency code", text)
    return text.upper()


def _profile(key: str, text: str) -> str | None:
    """A profile field: empty is "not recorded"; amounts are whole cents, never negative."""
    if not text:
        return None
    if key in CHOICES:
        codes = CHOICES[key]
        try:
            return codes(text.lower().replace(" ", "-")).value
        except ValueError:
            known = ", ".join(c.value for c in codes)
            raise ValidationError(key, f"must be one of {known}", text) from None
    if key in AMOUNTS:
        try:
            amount = Decimal(text.replace(",", "").lstrip("$"))
        except InvalidOperation:
            raise ValidationError(key, "must be an amount (up to 2 decimals)", text) from None
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(key, "must be an amount of 0 or more, to the cent", text)
        return str(from_scaled_int(to_scaled_int(amount, MONEY_SCALE), MONEY_SCALE))
    if len(text) > 500:
        raise ValidationError(key, "is longer than 500 characters")
    return text


def typed(values: Mapping[str, Any]) -> dict[str, Any]:
    """Cleaned fields as the record holds them: codes as their kinds, amounts as Decimal."""
    out = dict(values)
    for key, value in values.items():
        if value is None:
            continue
        if key == "registration_type":
            out[key] = RegistrationType(value)
        elif key in CHOICES:
            out[key] = CHOICES[key](value)
        elif key in AMOUNTS:
            out[key] = Decimal(str(value))
    return out
