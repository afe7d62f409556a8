"""The firm's name and address as its paperwork prints them (manifests, fails report,
box count sheet).

Kept in the audit trail itself, as events on the ``database`` records ``firm`` and
``firm_address``: the latest one is the value, each change is signed by the admin who
made it, and no table or migration is needed for a few lines of text.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.certificates import text_value
from desk_app.domain.errors import NotPermitted, ValidationError
from desk_app.domain.permissions import READ_ONLY_REFUSAL, Action
from desk_app.services import audit
from desk_app.services.unit_of_work import UnitOfWork

TABLE, RECORD = "database", "firm"
ADDRESS_RECORD = "firm_address"
SET_FIRM = "firm.name"
SET_ADDRESS = "firm.address"
_SETTING = "Setting the firm's name on its paperwork"
_SETTING_ADDRESS = "Setting the firm's address on its paperwork"
#: The address block printed under the name: at most this many lines, each this long.
ADDRESS_LINES, ADDRESS_LINE_LENGTH = 4, 80


def _latest(session: Session, record: str, key: str) -> str:
    a = m.AuditEntry
    after = session.scalars(
        select(a.after)
        .where(a.table_name == TABLE, a.record_id == record, a.change == "event")
        .order_by(a.seq.desc())
        .limit(1)
    ).first()
    if not after:
        return ""
    return str(json.loads(after).get(key, ""))


def firm_name(session: Session) -> str:
    """The firm's name as last set ("" if never)."""
    return _latest(session, RECORD, "name")


def firm_address(session: Session) -> str:
    """The firm's address as last set, lines joined by newlines ("" if never or cleared)."""
    return _latest(session, ADDRESS_RECORD, "address")


def letterhead(session: Session) -> tuple[str, tuple[str, ...]]:
    """The name and the address lines that head every printed document."""
    address = firm_address(session)
    return firm_name(session), tuple(address.splitlines()) if address else ()


def set_firm_name(uow: UnitOfWork, name: str) -> str:
    """Set the firm's name on its paperwork (an admin's act, audited); the name as kept."""
    kept = text_value("firm name", name, 120)
    _require_admin(uow, _SETTING)
    with uow.write(SET_FIRM, permission=Action.USER_MANAGE) as session:
        audit.record_event(session, TABLE, RECORD, {"name": kept})
    return kept


def address_problems(address: str) -> list[str]:
    """Every reason ``address`` cannot be printed (empty: it can)."""
    lines = [line.strip() for line in address.strip().splitlines()]
    problems = []
    if len(lines) > ADDRESS_LINES:
        problems.append(f"at most {ADDRESS_LINES} lines (it has {len(lines)})")
    for number, line in enumerate(lines, start=1):
        if len(line) > ADDRESS_LINE_LENGTH:
            problems.append(
                f"line {number}: at most {ADDRESS_LINE_LENGTH} characters (it has {len(line)})"
            )
        if any(not ch.isprintable() for ch in line):
            problems.append(f"line {number}: control characters are not printed")
    return problems


def set_firm_address(uow: UnitOfWork, address: str) -> str:
    """Set (or clear, with "") the firm's address on its paperwork: an admin's act, audited."""
    problems = address_problems(address)
    if problems:
        raise ValidationError("firm address", "; ".join(problems))
    kept = "\n".join(line.strip() for line in address.strip().splitlines() if line.strip())
    _require_admin(uow, _SETTING_ADDRESS)
    with uow.write(SET_ADDRESS, permission=Action.USER_MANAGE) as session:
        audit.record_event(session, TABLE, ADDRESS_RECORD, {"address": kept})
    return kept


def _require_admin(uow: UnitOfWork, setting: str) -> None:
    refused = uow.actor.refusal(Action.USER_MANAGE)
    if refused is not None and refused != READ_ONLY_REFUSAL:
        # Said as what was refused, not as the user-management permission it takes.
        raise NotPermitted(refused.replace(Action.USER_MANAGE.label, setting, 1))


class FirmService:
    """The firm's letterhead for a workspace: read by anyone, changed by an admin."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def letterhead(self) -> tuple[str, str]:
        """The name and the address (lines joined by newlines), "" where not set."""
        with self._uow.read() as session:
            return firm_name(session), firm_address(session)

    def set_name(self, name: str) -> str:
        return set_firm_name(self._uow, name)

    def set_address(self, address: str) -> str:
        return set_firm_address(self._uow, address)
