"""The role × action matrix, checked exhaustively over every set of roles."""

from __future__ import annotations

from itertools import chain, combinations

import pytest

from desk_app.domain.codes import Role
from desk_app.domain.errors import NotPermitted
from desk_app.domain.permissions import (
    GRANTS,
    SUPERVISED,
    Action,
    allowed,
    matrix,
    refusal,
    require,
)

#: Every set of roles a user can hold, the empty set included (16 of them).
ROLE_SETS = [
    frozenset(combo)
    for combo in chain.from_iterable(combinations(list(Role), n) for n in range(len(Role) + 1))
]


def _granting(action: Action) -> list[Role]:
    return [role for role in Role if action in GRANTS[role]]


def test_every_role_has_grants_and_every_action_a_role() -> None:
    assert set(GRANTS) == set(Role)
    for action in Action:
        assert _granting(action), f"{action} is granted to nobody"
        assert action.label and action.label[0].isupper()


def test_supervised_actions_are_made_only_by_front_office_roles() -> None:
    assert SUPERVISED == {
        Action.ACCOUNT_OPEN,
        Action.ACCOUNT_AMEND,
        Action.ACCOUNT_SET_STATUS,
        Action.ACCOUNT_LIFT_RESTRICTION,
        Action.TRADE_AMEND_SETTLING,
        Action.TRADE_CANCEL_SETTLING,
        Action.TRANSFER_CASH,
        Action.TRANSFER_SECURITIES,
        Action.ACATS_COMPLETE_OUT,
        Action.ACATS_REVERSE_IN,
        Action.SSI_CHANGE,
        Action.RULE_CHANGE,
        Action.CERTIFICATE_REPLACE,
        Action.USER_GRANT,
        Action.REFERENCE_CHANGE_IN_USE,
        Action.ESTATE_REREGISTER,
    }
    for action in Action:
        assert action.supervised == (action in SUPERVISED)
    for action in SUPERVISED - {Action.USER_GRANT}:
        assert action not in GRANTS[Role.COMPLIANCE], action
        assert action not in GRANTS[Role.ADMIN], action
    # Power over Desk itself: an admin asks, a principal (or compliance) decides.
    assert {r for r in Role if Action.USER_GRANT in GRANTS[r]} == {Role.ADMIN}
    assert {r for r in Role if Action.GRANT_DECIDE in GRANTS[r]} == {
        Role.SUPERVISOR, Role.COMPLIANCE,
    }  # fmt: skip


def test_only_the_operations_floor_books_and_corrects_trades() -> None:
    trading = [a for a in Action if a.value.startswith("trade.")]
    assert len(trading) == 6
    for action in trading:
        assert set(_granting(action)) == {Role.CLERK, Role.SUPERVISOR}, action


def test_only_supervisors_decide_and_only_admins_manage_users() -> None:
    assert _granting(Action.APPROVAL_DECIDE) == [Role.SUPERVISOR]
    assert _granting(Action.USER_MANAGE) == [Role.ADMIN]
    assert set(_granting(Action.AUDIT_VERIFY)) == {Role.COMPLIANCE, Role.ADMIN}
    assert Action.APPROVAL_VIEW_ALL not in GRANTS[Role.CLERK]
    for role in Role:  # everyone may read the books and a record's history
        assert {Action.VIEW_BOOKS, Action.VIEW_HISTORY} <= GRANTS[role]


@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda r: "+".join(sorted(r)) or "none")
def test_every_role_set_against_every_action(roles: frozenset[Role]) -> None:
    for action in Action:
        expected = any(action in GRANTS[role] for role in roles)
        assert allowed(roles, action) is expected
        reason = refusal(roles, action)
        if expected:
            assert reason is None
            require(roles, action)
            continue
        assert reason is not None and reason.startswith(action.label)
        needed = _granting(action)
        names = [r.value for r in needed]
        either = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        assert f"needs the {either} role" in reason
        held = ", ".join(sorted(r.value for r in roles)) or "no role"
        assert reason.endswith(f"(you have {held})")
        with pytest.raises(NotPermitted) as info:
            require(roles, action)
        assert info.value.message == reason


def test_a_refusal_reads_well() -> None:
    assert refusal([Role.CLERK], Action.APPROVAL_DECIDE) == (
        "Approve or reject another user's request needs the supervisor role (you have clerk)"
    )
    assert refusal([], Action.VIEW_BOOKS) == (
        "View the books (trades, settlements, accounts, certificates) needs the clerk, "
        "supervisor, compliance or admin role (you have no role)"
    )
    # a role held twice (or given as a list) reads once
    assert refusal([Role.ADMIN, Role.ADMIN], Action.ACCOUNT_OPEN) == (
        "Request an account opening needs the clerk or supervisor role (you have admin)"
    )


def test_more_roles_never_take_a_permission_away() -> None:
    for small in ROLE_SETS:
        for large in ROLE_SETS:
            if small <= large:
                for action in Action:
                    assert not allowed(small, action) or allowed(large, action)


def test_matrix_covers_every_role_and_action_in_order() -> None:
    table = matrix()
    assert [action for action, _ in table] == list(Action)
    for action, row in table:
        assert list(row) == list(Role)
        assert row == {role: allowed([role], action) for role in Role}
    assert sum(granted for _, row in table for granted in row.values()) == sum(
        len(GRANTS[role]) for role in Role
    )
