"""An account's history with its parties' changes among its own, as one readable list.

A party is a row of its own (``account_parties``) with its own audit entries; the
account's History shows them in order with the account's changes, each field named
after the party (``Bo Lee (Joint owner) · occupation``). A party's change leaves the
account's version as it was. Dates of birth show their year only; tax ids are masked
in the rows themselves. A party's place in the list shows as its ``order`` (a
reorder is a change like any other).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import PartyRole
from desk_app.domain.history import RecordChange
from desk_app.domain.registration_rules import masked_birth

#: What a reader of a party's change need not see (the vault's row, bookkeeping).
_QUIET = frozenset({"id", "account_id", "tax_id_ref", "version", "updated_at"})
#: Fields shown under a clerk's word for them.
_SHOWN_AS = {"position": "order"}


def party_changes(session: Session, account_id: int) -> list[RecordChange]:
    """Every audited change of the account's parties (ended ones too), fields named."""
    p = m.AccountParty
    parties = {
        str(row.id): row for row in session.scalars(select(p).where(p.account_id == account_id))
    }
    if not parties:
        return []
    e = m.AuditEntry
    entries = session.scalars(
        select(e)
        .where(e.table_name == "account_parties", e.record_id.in_(sorted(parties)))
        .order_by(e.seq)
    ).all()
    out = []
    for entry in entries:
        row = parties[entry.record_id]
        label = f"{row.name} ({PartyRole(row.role).label})"
        out.append(
            RecordChange(
                entry.seq, entry.recorded_at, entry.app_user, entry.db_login, entry.action,
                entry.change, _named(label, entry.before), _named(label, entry.after),
                entry.approval_id,
            )
        )  # fmt: skip
    return out


def _named(label: str, recorded: str | None) -> dict[str, Any] | None:
    if recorded is None:
        return None
    values = json.loads(recorded)
    if values.get("date_of_birth"):
        values["date_of_birth"] = masked_birth(str(values["date_of_birth"]))
    return {f"{label} · {_SHOWN_AS.get(k, k)}": v for k, v in values.items() if k not in _QUIET}
