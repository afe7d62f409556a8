"""The courier's airbill or tracking number: required before a manifest is verified, and
checked against the courier's own format where Desk knows it.

A manifest without its airbill cannot be traced once it leaves, and a mistyped one is
found only when the package is lost; the verifier checks the number on the paper, so
it must be there (and plausible) before verification. Couriers Desk does not know
(armoured carriers, messengers) take any reference of up to 40 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desk_app.domain.errors import ValidationError


@dataclass(frozen=True)
class AirbillFormat:
    """A courier's tracking-number format: the pattern (spaces and dashes ignored)."""

    courier: str
    pattern: re.Pattern[str]
    example: str


#: Keyed by a word in the courier's name (case-insensitive): FedEx, UPS, DHL, USPS.
FORMATS = (
    AirbillFormat("FedEx", re.compile(r"\d{12}|\d{15}|\d{20}|\d{22}"), "7712 3456 7890"),
    AirbillFormat("UPS", re.compile(r"1Z[0-9A-Z]{16}"), "1Z999AA10123456784"),
    AirbillFormat("DHL", re.compile(r"\d{10}"), "1234567890"),
    AirbillFormat("USPS", re.compile(r"\d{20,22}|[A-Z]{2}\d{9}US"), "9400 1000 0000 0000 0000 00"),
)
_WORD = re.compile(r"[A-Za-z]+")


def format_for(courier: str) -> AirbillFormat | None:
    """The known format of ``courier``'s tracking numbers, if Desk knows one."""
    words = {w.upper() for w in _WORD.findall(courier)}
    for known in FORMATS:
        if known.courier.upper() in words:
            return known
    return None


def check_airbill(courier: str, airbill: str | None, *, manifest: str = "") -> str:
    """``airbill`` as stored (trimmed), or a refusal naming the courier's format."""
    bill = (airbill or "").strip()
    where = f" of manifest {manifest}" if manifest else ""
    if not bill:
        raise ValidationError(
            "airbill", f"the courier's airbill or tracking number{where} is required before "
            "verification: the verifier checks it on the paper",
        )  # fmt: skip
    known = format_for(courier)
    if known is not None and not known.pattern.fullmatch(re.sub(r"[\s-]", "", bill).upper()):
        raise ValidationError(
            "airbill", f"is not a {known.courier} tracking number (such as {known.example})",
            bill,
        )  # fmt: skip
    return bill
