"""What an account record may hold: field rules shared by opening and amending."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from desk_app.domain import identifiers
from desk_app.domain.codes import RegistrationType
from desk_app.domain.errors import ValidationError

#: Fields a clerk may propose to change on an existing account (always supervised).
AMENDABLE = (
    "name",
    "registration_type",
    "registered_rep",
    "tax_id",
    "residence_state",
    "residence_country",
    "base_currency",
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
    """Validate and normalise account fields; raise `ValidationError` naming the first bad one."""
    cleaned: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in AMENDABLE:
            raise ValidationError(key, "is not a field of an account that can be changed")
        cleaned[key] = _clean(key, raw)
    return cleaned


def _clean(key: str, raw: Any) -> Any:
    text = "" if raw is None else str(raw).strip()
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
