"""An account's parties inside a unit of work: read, proposed as readable lines, applied.

A request carries the parties in full in its terms (tax ids already in the vault:
their reference and masked text) and, for the approver and the trail, one readable
line per party that changes (``party 2``: ``Joint owner · Bo Smith · ...``).
Applying keeps each party's row (matched by its id), adds the new ones and ends
those left out: a party is never deleted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db import tax_id_vault
from desk_app.domain.codes import PartyKind, PartyRole
from desk_app.domain.errors import DeskError
from desk_app.domain.identifiers import mask_tax_id
from desk_app.domain.registration_rules import PARTY_FIELDS, masked_birth

TABLE = "account_parties"
PREFIX = "party "
REMOVED = "(removed)"


@dataclass(frozen=True)
class PartyRecord:
    """A party as screens show it: tax id masked, date of birth reduced to its year."""

    id: int
    role: str
    kind: str
    name: str
    values: Mapping[str, Any]

    @property
    def line(self) -> str:
        return line(self.values)


def rows(session: Session, account_id: int) -> list[m.AccountParty]:
    p = m.AccountParty
    return list(
        session.scalars(
            select(p)
            .where(p.account_id == account_id, p.ended_on.is_(None))
            .order_by(p.position, p.id)
        )
    )


def values_of(row: m.AccountParty) -> dict[str, Any]:
    """A party's fields as a request carries them (tax id masked, with its vault reference)."""
    share = row.share_percent
    return {
        "id": row.id, "role": row.role.value, "kind": row.kind.value, "name": row.name,
        "address": row.address,
        "date_of_birth": row.date_of_birth.isoformat() if row.date_of_birth else None,
        "tax_id": row.tax_id_masked, "tax_id_ref": row.tax_id_ref,
        "citizenship": row.citizenship, "occupation": row.occupation, "employer": row.employer,
        "associated_person": row.associated_person,
        "share_percent": None if share is None else f"{share.normalize():f}",
        "contingent": row.contingent, "per_stirpes": row.per_stirpes,
    }  # fmt: skip


def current(session: Session, account_id: int) -> list[dict[str, Any]]:
    return [values_of(row) for row in rows(session, account_id)]


def records(session: Session, account_id: int) -> list[PartyRecord]:
    out = []
    for row in rows(session, account_id):
        shown = values_of(row)
        shown["date_of_birth"] = masked_birth(shown["date_of_birth"])
        del shown["tax_id_ref"]
        out.append(PartyRecord(row.id, row.role.value, row.kind.value, row.name, shown))
    return out


def keep_tax_ids(session: Session, parties: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Typed tax ids into the vault: each party then holds the reference and masked text."""
    out = [dict(p) for p in parties]
    typed = [p for p in out if p.get("tax_id") and p.get("tax_id_ref") is None]
    kept = tax_id_vault.keep_many(session, [str(p["tax_id"]) for p in typed])
    for party, (ref, masked) in zip(typed, kept, strict=True):
        party["tax_id_ref"], party["tax_id"] = ref, masked
    return out


def has_typed_tax_id(parties: Sequence[Mapping[str, Any]]) -> bool:
    return any(p.get("tax_id") and p.get("tax_id_ref") is None for p in parties)


def line(party: Mapping[str, Any]) -> str:
    """``Beneficiary · person · Ann Lee · born 1990 · SSN ***-**-6789 · 50% contingent``."""
    role = PartyRole(party["role"]).label
    parts = [role, str(party.get("kind") or "person"), str(party["name"])]
    if party.get("share_percent"):
        share = f"{party['share_percent']}%"
        share += " contingent" if party.get("contingent") else ""
        share += " per stirpes" if party.get("per_stirpes") else ""
        parts.append(share)
    if party.get("date_of_birth"):
        parts.append(f"born {masked_birth(str(party['date_of_birth']))}")
    if party.get("tax_id"):
        parts.append(f"tax id {mask_tax_id(str(party['tax_id']))}")
    if party.get("citizenship"):
        parts.append(f"citizen of {party['citizenship']}")
    job = " at ".join(str(party[k]) for k in ("occupation", "employer") if party.get(k))
    if job:
        parts.append(job)
    if party.get("associated_person"):
        parts.append("associated person")
    if party.get("address"):
        parts.append(str(party["address"]).replace("\n", ", "))
    return " · ".join(parts)


def lines(
    before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]], *, every: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What changes (``every``: all), a line per party: ``party N`` as the new list numbers them.

    A party that only moves in the list changes too: its line says where it was
    (``... · moved from party 2``), so a reorder is seen by the approver and kept.
    """
    old = {int(p["id"]): line(p) for p in before if p.get("id") is not None}
    places = {int(p["id"]): n for n, p in enumerate(before, 1) if p.get("id") is not None}
    was: dict[str, Any] = {}
    now: dict[str, Any] = {}
    for n, party in enumerate(after, 1):
        then = old.pop(int(party["id"]), None) if party.get("id") is not None else None
        text = line(party)
        place = places.get(int(party["id"])) if party.get("id") is not None else None
        if then is not None and place != n:
            text += f" · moved from party {place}"
        if every or then != text:
            was[f"{PREFIX}{n}"], now[f"{PREFIX}{n}"] = then, text
    for n, then in enumerate(old.values(), len(after) + 1):
        was[f"{PREFIX}{n}"], now[f"{PREFIX}{n}"] = then, REMOVED
    return was, now


def check_unchanged(session: Session, account_id: int, before: Sequence[Mapping[str, Any]]) -> None:
    """Refuse to apply over parties that changed after the request was made."""
    if _comparable(current(session, account_id)) != _comparable(before):
        raise DeskError(
            "the account's parties changed after the request was made; "
            "reject it and ask for a new request"
        )


def _comparable(parties: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    return [tuple(str(p.get(k)) for k in ("id", *PARTY_FIELDS)) for p in parties]


def apply(
    session: Session, account: m.Account, parties: Sequence[Mapping[str, Any]], today: date
) -> None:
    """Make the account's parties ``parties``: kept by id, added, or ended today."""
    existing = {row.id: row for row in rows(session, account.id)}
    for position, party in enumerate(parties, 1):
        row = existing.pop(int(party["id"]), None) if party.get("id") is not None else None
        if row is None:
            row = m.AccountParty(account_id=account.id, added_on=today)
            session.add(row)
        _set(row, position, party)
    for row in existing.values():
        row.ended_on = today


def end_role(session: Session, account_id: int, role: PartyRole, on: date) -> list[str]:
    """End every party of ``role`` on the account from ``on`` (a power of attorney ends
    with the holder's death); the names of those ended. Audited with the caller's work."""
    ended = []
    for row in rows(session, account_id):
        if row.role is role:
            row.ended_on = max(on, row.added_on)
            ended.append(row.name)
    return ended


def _set(row: m.AccountParty, position: int, party: Mapping[str, Any]) -> None:
    born = party.get("date_of_birth")
    share = party.get("share_percent")
    fields: dict[str, Any] = {
        "position": position, "role": PartyRole(party["role"]),
        "kind": PartyKind(party.get("kind") or "person"), "name": party["name"],
        "address": party.get("address"),
        "date_of_birth": date.fromisoformat(str(born)) if born else None,
        "tax_id_ref": party.get("tax_id_ref"), "tax_id_masked": party.get("tax_id") or None,
        "citizenship": party.get("citizenship"), "occupation": party.get("occupation"),
        "employer": party.get("employer"),
        "associated_person": bool(party.get("associated_person")),
        "share_percent": None if share in (None, "") else Decimal(str(share)),
        "contingent": bool(party.get("contingent")), "per_stirpes": bool(party.get("per_stirpes")),
    }  # fmt: skip
    for key, value in fields.items():
        if getattr(row, key, None) != value:
            setattr(row, key, value)
