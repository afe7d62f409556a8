"""How a record's fields read to a person in a comparison or history table.

Values here come from the audit trail and approval requests (JSON-ready text and
numbers), so codes are turned into their labels and a tax id is always masked:
revealing one is a separate, audited act.
"""

from __future__ import annotations

from typing import Any

from desk_app.domain import labels
from desk_app.domain.identifiers import mask_tax_id

EMPTY = "—"

FIELD_LABELS = {
    "account_number": "Account",
    "name": "Name",
    "registration_type": "Registration",
    "registered_rep": "Registered rep",
    "tax_id": "Tax ID",
    "tax_id_masked": "Tax ID",
    "tax_id_ref": "Tax ID vault entry",
    "residence_state": "State",
    "residence_country": "Country",
    "base_currency": "Base currency",
    "status": "Status",
    "opened_on": "Opened on",
    "closed_on": "Closed on",
    "version": "Version",
    "id": "Record id",
    "revealed": "Revealed",
    # A grant of power to a user, field by field.
    "username": "User",
    "full_name": "Full name",
    "roles": "Roles",
    "registrations": "Registrations",
    "db_login": "Database login",
    "password": "Password",
    "active": "Active",
    # Records a record points to (the history shows their business keys).
    "account_id": "Account",
    "instrument_id": "Instrument",
    "counterparty_id": "Counterparty",
    "ssi_id": "Standing instruction",
    "trade_id": "Trade",
    "original_id": "Original trade",
    "supersedes_id": "Supersedes",
    "import_id": "Import",
    "net_id": "Settlement net",
    "replaces_id": "Replaces certificate",
    "user_id": "User",
}

_CODES = {"registration_type": labels.REGISTRATION, "status": labels.ACCOUNT_STATUS}


_ORDER = {name: i for i, name in enumerate(FIELD_LABELS)}


def field_order(name: str) -> int:
    """Where a field sits in a form: the account number first, bookkeeping last."""
    return _ORDER.get(name, len(_ORDER))


def field_label(name: str) -> str:
    """``residence_state`` → ``State``; unknown names read as words (``foo_id`` → ``Foo``)."""
    known = FIELD_LABELS.get(name)
    if known is not None:
        return known
    party, dot, field = name.rpartition(" · ")
    if dot:  # a party's field in an account's history: ``Bo Lee (Joint owner) · occupation``
        return f"{party} · {field_label(field).lower()}"
    return name.removesuffix("_id").replace("_", " ").capitalize()


def field_text(name: str, value: Any) -> str:
    """One field's value as shown: labels for codes, tax ids masked, a dash for nothing."""
    if value is None or value == "":
        return EMPTY
    if name in ("tax_id", "tax_id_masked"):
        text = str(value)
        return text if "*" in text else mask_tax_id(text) or "****"
    if name == "revealed":
        return field_label(str(value))
    codes = _CODES.get(name)
    if codes is not None:
        return codes.get(str(value), str(value))
    return str(value)
