"""Parties that meet FINRA 4512, for tests that open accounts through Desk."""

from __future__ import annotations

from typing import Any

#: What FINRA 4512 asks of a person who owns or runs an account.
ESSENTIALS = {
    "address": "1 Main St, New York NY 10001",
    "date_of_birth": "1970-05-17",
    "occupation": "Teacher",
    "employer": "Lakeview School District",
}
#: A taxpayer id python-stdnum accepts, for a party that needs one and has none given.
SSN = "212-34-5678"


def owner(name: str, role: str = "owner", **more: Any) -> dict[str, Any]:
    """A person with every essential, as ``role`` (owner unless said)."""
    return {"role": role, "kind": "person", "name": name, "tax_id": SSN, **ESSENTIALS, **more}


def firm(name: str, tax_id: str = "12-3456789", **more: Any) -> dict[str, Any]:
    """An entity owner with its EIN and address."""
    return {"role": "owner", "kind": "entity", "name": name, "tax_id": tax_id,
            "address": "9 Wall St, New York NY 10005", **more}  # fmt: skip
