"""Saved filters belong to their user, replace by name, and every change is audited."""

from __future__ import annotations

import pytest

from desk_app.domain.errors import NotPermitted, ValidationError
from desk_app.services.trading.trade_filter import TradeFilter
from tests.services.conftest import Desk

MINE = TradeFilter(account="NYC-1001", status="current").to_json()


def test_save_list_overwrite_and_delete(desk: Desk) -> None:
    carl = desk.ws["carl"].presets
    assert carl.list("blotter") == []
    carl.save("blotter", "  My   accounts ", MINE)
    carl.save("blotter", "Fails", "{}")
    assert [(p.name, p.definition) for p in carl.list("blotter")] == [
        ("Fails", "{}"), ("My accounts", MINE)
    ]  # fmt: skip
    carl.save("blotter", "My accounts", "{}")  # the same name replaces
    assert [(p.name, p.definition) for p in carl.list("blotter")] == [
        ("Fails", "{}"), ("My accounts", "{}")
    ]  # fmt: skip
    assert carl.list("settlements") == []
    assert carl.delete("blotter", "Fails") is True
    assert carl.delete("blotter", "Fails") is False
    assert [p.name for p in carl.list("blotter")] == ["My accounts"]


def test_presets_are_private_to_their_user(desk: Desk) -> None:
    desk.ws["carl"].presets.save("blotter", "Mine", MINE)
    sue = desk.ws["sue"].presets
    assert sue.list("blotter") == []
    assert sue.delete("blotter", "Mine") is False
    sue.save("blotter", "Mine", "{}")  # the same name for another user is another preset
    assert [p.definition for p in desk.ws["carl"].presets.list("blotter")] == [MINE]
    assert [p.definition for p in sue.list("blotter")] == ["{}"]


def test_every_change_is_audited_in_the_users_name(desk: Desk) -> None:
    seq = desk.audit_entries()[-1].seq
    carl = desk.ws["carl"].presets
    carl.save("blotter", "Mine", MINE)
    carl.save("blotter", "Mine", MINE)  # unchanged: nothing to record
    carl.delete("blotter", "Mine")
    entries = desk.audit_entries(seq)
    assert [(e.action, e.change, e.table_name, e.app_user) for e in entries] == [
        ("filter.save", "create", "saved_filters", "carl"),
        ("filter.delete", "delete", "saved_filters", "carl"),
    ]


def test_names_are_checked(desk: Desk) -> None:
    carl = desk.ws["carl"].presets
    for bad in ("", "   ", "x" * 65):
        with pytest.raises(ValidationError):
            carl.save("blotter", bad, "{}")
    assert carl.list("blotter") == []


def test_a_deactivated_user_keeps_no_access(desk: Desk) -> None:
    carl = desk.ws["carl"]
    carl.presets.save("blotter", "Mine", MINE)
    desk.admin.users.update("carl", desk.admin.users.get("carl").version, active=False)
    with pytest.raises(NotPermitted):
        carl.presets.list("blotter")
    with pytest.raises(NotPermitted):
        carl.presets.save("blotter", "Other", "{}")
