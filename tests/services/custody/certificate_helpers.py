"""Certificates for service tests: entered by hand as a clerk would, on a `Desk`."""

from __future__ import annotations

from typing import Any

from desk_app.domain.certificates import Dispatch
from tests.services.conftest import Desk

APPLE = "037833100"
IBM = "459200101"
TA = "Computershare Trust Company, N.A."
TA_ADDRESS = "150 Royall Street\nCanton, MA 02021"


def values(number: str, cusip: str = IBM, **more: Any) -> dict[str, str]:
    base = {
        "certificate_number": number, "cusip": cusip, "issuer": "International Business Machines",
        "security_class": "Common", "registered_holder": "John A Smith", "shares": "100",
        "issue_date": "1998-04-01", "location": "Vault A, drawer 3",
        "received_from": "Client John A Smith",
    }  # fmt: skip
    return {**base, **{k: str(v) for k, v in more.items()}}


def register(desk: Desk, *numbers: str, cusip: str = IBM, **more: Any) -> list[int]:
    """Certificates in the vault, added by carl; their ids."""
    return [desk.ws["carl"].certificates.add(values(n, cusip, **more)) for n in numbers]


def dispatch(**more: Any) -> Dispatch:
    fields: dict[str, Any] = {
        "courier": "FedEx", "recipient": TA, "recipient_address": TA_ADDRESS,
        "sender": "Physical Securities Dept., 55 Water Street, New York, NY 10041",
        "airbill": "7712 3456 7890", **more,
    }  # fmt: skip
    return Dispatch(**fields)


def shipped(desk: Desk, *numbers: str) -> str:
    """A manifest of ``numbers`` prepared by carl, verified by sue, printed: its number."""
    number = desk.ws["carl"].manifests.create(dispatch(), list(numbers))
    desk.ws["sue"].manifests.verify(number)
    desk.ws["carl"].manifest_printing.print(number)
    return number
