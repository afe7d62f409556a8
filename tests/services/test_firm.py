"""The firm's name on its paperwork: read by anyone, set by an admin, audited (both engines)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.errors import NotPermitted
from desk_app.services import firm
from tests.services.conftest import Desk


def _name(desk: Desk, user: str) -> str:
    with desk.ws[user].uow.read() as session:
        return firm.firm_name(session)


def test_only_an_admin_sets_the_firm_name_and_it_is_audited(desk: Desk) -> None:
    assert _name(desk, "carl") == ""
    for user in ("carl", "sue", "cora"):
        with pytest.raises(NotPermitted) as refused:
            firm.set_firm_name(desk.ws[user].uow, "Someone Else & Co.")
        # The refusal names what was refused, not another action's label.
        assert str(refused.value).startswith(
            "Setting the firm's name on its paperwork needs the admin role (you have "
        ), refused.value
    assert _name(desk, "carl") == ""
    assert firm.set_firm_name(desk.ws["adam"].uow, "  Hudson Street Securities LLC ") == (
        "Hudson Street Securities LLC"
    )
    assert _name(desk, "carl") == "Hudson Street Securities LLC"
    a = m.AuditEntry
    with desk.admin.uow.read() as session:
        trail = session.execute(
            select(a.app_user, a.action, a.after).where(
                a.table_name == firm.TABLE, a.record_id == firm.RECORD
            )
        ).all()
    assert [(who, action, json.loads(after)) for who, action, after in trail] == [
        ("adam", firm.SET_FIRM, {"name": "Hudson Street Securities LLC"})
    ]
