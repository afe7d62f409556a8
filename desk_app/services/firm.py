"""The firm's name as its paperwork prints it (manifests, fails report, box count sheet).

Kept in the audit trail itself, as an event on the ``database`` record ``firm``: the
latest one is the name, each change is signed by the admin who made it, and no table
or migration is needed for one line of text.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.certificates import text_value
from desk_app.domain.errors import NotPermitted
from desk_app.domain.permissions import READ_ONLY_REFUSAL, Action
from desk_app.services import audit
from desk_app.services.unit_of_work import UnitOfWork

TABLE, RECORD = "database", "firm"
SET_FIRM = "firm.name"
_SETTING = "Setting the firm's name on its paperwork"


def firm_name(session: Session) -> str:
    """The firm's name as last set ("" if never)."""
    a = m.AuditEntry
    after = session.scalars(
        select(a.after)
        .where(a.table_name == TABLE, a.record_id == RECORD, a.change == "event")
        .order_by(a.seq.desc())
        .limit(1)
    ).first()
    if not after:
        return ""
    return str(json.loads(after).get("name", ""))


def set_firm_name(uow: UnitOfWork, name: str) -> str:
    """Set the firm's name on its paperwork (an admin's act, audited); the name as kept."""
    kept = text_value("firm name", name, 120)
    refused = uow.actor.refusal(Action.USER_MANAGE)
    if refused is not None and refused != READ_ONLY_REFUSAL:
        # Said as what was refused, not as the user-management permission it takes.
        raise NotPermitted(refused.replace(Action.USER_MANAGE.label, _SETTING, 1))
    with uow.write(SET_FIRM, permission=Action.USER_MANAGE) as session:
        audit.record_event(session, TABLE, RECORD, {"name": kept})
    return kept
