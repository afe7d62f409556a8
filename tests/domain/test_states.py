"""State machines name every allowed move; everything else is refused with a reason."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain.codes import AccountStatus
from desk_app.domain.errors import IllegalTransition
from desk_app.domain.states import (
    ACCOUNT,
    APPROVAL,
    CERTIFICATE,
    MANIFEST,
    OBLIGATION,
    TRADE,
    ApprovalStatus,
    CertificateStatus,
    ManifestStatus,
    ObligationStatus,
    StateMachine,
    TradeStatus,
)

MACHINES: list[tuple[StateMachine[Any], type[StrEnum]]] = [
    (TRADE, TradeStatus),
    (OBLIGATION, ObligationStatus),
    (CERTIFICATE, CertificateStatus),
    (MANIFEST, ManifestStatus),
    (APPROVAL, ApprovalStatus),
    (ACCOUNT, AccountStatus),
]


@pytest.mark.parametrize(("machine", "states"), MACHINES)
def test_every_state_is_named_and_reachable(
    machine: StateMachine[Any], states: type[StrEnum]
) -> None:
    assert set(machine.transitions) == set(states)
    start = next(iter(states))
    seen = {start}
    frontier = [start]
    while frontier:
        for nxt in machine.allowed(frontier.pop()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    # A restricted status remains only on an old database's row, and leaves it.
    legacy = {AccountStatus.RESTRICTED} if states is AccountStatus else set()
    assert seen == set(states) - legacy, f"unreachable: {set(states) - seen}"


@pytest.mark.parametrize(("machine", "states"), MACHINES)
def test_every_pair_is_allowed_or_refused(
    machine: StateMachine[Any], states: type[StrEnum]
) -> None:
    for current in states:
        for target in states:
            if machine.can(current, target):
                assert machine.check(current, target) is target
            else:
                with pytest.raises(IllegalTransition) as info:
                    machine.check(current, target)
                assert str(current) in info.value.message
                assert str(target) in info.value.message


def test_messages_read_well() -> None:
    with pytest.raises(IllegalTransition) as info:
        OBLIGATION.check(ObligationStatus.CANCELLED, ObligationStatus.PENDING)
    assert info.value.message == (
        "Settlement obligation cannot go from 'cancelled' to 'pending'; "
        "allowed from 'cancelled': none (final state)"
    )
    assert OBLIGATION.is_final(ObligationStatus.CANCELLED)
    # A settlement is undone only by reversing it, back to what it was before.
    assert OBLIGATION.allowed(ObligationStatus.SETTLED) == (
        ObligationStatus.MATCHED, ObligationStatus.PARTIALLY_SETTLED,
    )  # fmt: skip
    assert not CERTIFICATE.can(CertificateStatus.IN_VAULT, CertificateStatus.IN_TRANSIT)


@given(st.lists(st.sampled_from(list(CertificateStatus)), max_size=30))
def test_certificate_walk_never_leaves_the_machine(steps: list[CertificateStatus]) -> None:
    state = CertificateStatus.IN_VAULT
    for target in steps:
        if CERTIFICATE.can(state, target):
            state = CERTIFICATE.check(state, target)
        else:
            with pytest.raises(IllegalTransition):
                CERTIFICATE.check(state, target)
    assert state in CertificateStatus


def test_an_approval_request_is_decided_once() -> None:
    pending, decided = ApprovalStatus.PENDING, set(ApprovalStatus) - {ApprovalStatus.PENDING}
    assert set(APPROVAL.allowed(pending)) == decided
    assert not APPROVAL.is_final(pending)
    for state in decided:
        assert APPROVAL.is_final(state) and APPROVAL.allowed(state) == ()
        with pytest.raises(IllegalTransition, match="none \\(final state\\)"):
            APPROVAL.check(state, ApprovalStatus.APPROVED)
        with pytest.raises(IllegalTransition):
            APPROVAL.check(state, pending)  # a decision is never reopened
    with pytest.raises(IllegalTransition) as info:
        APPROVAL.check(pending, pending)
    assert info.value.message == (
        "Approval request cannot go from 'pending' to 'pending'; "
        "allowed from 'pending': approved, rejected, withdrawn"
    )


def test_an_account_is_closed_and_reopened_and_never_restricted_by_status() -> None:
    o, r, c = AccountStatus.OPEN, AccountStatus.RESTRICTED, AccountStatus.CLOSED
    assert ACCOUNT.allowed(o) == (c,) and ACCOUNT.allowed(r) == (c, o)  # restrictions are records
    assert ACCOUNT.allowed(c) == (o,)  # a closed account reopens; it is never restricted
    assert not any(ACCOUNT.is_final(s) for s in AccountStatus)
    for state in AccountStatus:
        assert not ACCOUNT.can(state, state)  # "no change" is not a transition
    with pytest.raises(IllegalTransition, match="Account cannot go from 'closed' to 'restricted'"):
        ACCOUNT.check(c, r)


@given(st.lists(st.sampled_from(list(ApprovalStatus)), max_size=10))
def test_an_approval_walk_decides_at_most_once(steps: list[ApprovalStatus]) -> None:
    state, moves = ApprovalStatus.PENDING, 0
    for target in steps:
        if APPROVAL.can(state, target):
            state, moves = APPROVAL.check(state, target), moves + 1
        else:
            with pytest.raises(IllegalTransition):
                APPROVAL.check(state, target)
    assert moves <= 1 and (moves == 0) == (state is ApprovalStatus.PENDING)
