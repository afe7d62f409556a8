"""The settlement desk's rules agree with the obligation state machine and say why they refuse."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain.settlement_rules import (
    DESK_MAY_FAIL,
    EXPORTABLE,
    MARKET_MAY_FAIL,
    MOVES_FROM,
    NOT_STARTED,
    SETTLEABLE,
    settle_refusal,
)
from desk_app.domain.states import OBLIGATION, ObligationStatus, TradeStatus

S = ObligationStatus


def test_every_rule_set_moves_only_where_the_state_machine_allows() -> None:
    for status in SETTLEABLE:
        assert OBLIGATION.can(status, S.SETTLED)
    for status in DESK_MAY_FAIL - {S.FAILING}:  # failing again only changes the reason
        assert OBLIGATION.can(status, S.FAILING)
    for target, sources in MOVES_FROM.items():
        assert all(OBLIGATION.can(source, target) for source in sources)
    assert all(OBLIGATION.can(status, S.INSTRUCTED) for status in EXPORTABLE - {S.INSTRUCTED})


def test_the_desk_may_fail_an_instructed_obligation_the_market_only_a_matched_one() -> None:
    assert MARKET_MAY_FAIL < DESK_MAY_FAIL
    assert DESK_MAY_FAIL - MARKET_MAY_FAIL == {S.INSTRUCTED}
    assert not (DESK_MAY_FAIL | MARKET_MAY_FAIL) & {S.PENDING, S.SETTLED, S.CANCELLED}


def test_instruct_moves_from_pending_and_match_never_from_a_settlement() -> None:
    assert MOVES_FROM[S.INSTRUCTED] == {S.PENDING}
    assert MOVES_FROM[S.MATCHED] == {S.INSTRUCTED, S.FAILING}
    assert not MOVES_FROM[S.MATCHED] & {S.SETTLED, S.PARTIALLY_SETTLED}


def test_settlement_has_started_once_the_obligation_left_pending() -> None:
    started = set(S) - NOT_STARTED
    assert started == {S.INSTRUCTED, S.MATCHED, S.PARTIALLY_SETTLED, S.SETTLED, S.FAILING}
    assert EXPORTABLE == {S.PENDING, S.INSTRUCTED}


def _refusal(
    status: ObligationStatus,
    *,
    matched: bool = True,
    exception: str | None = None,
    trade: TradeStatus = TradeStatus.ACTIVE,
) -> str | None:
    return settle_refusal(
        7, status=status, matched=matched, exception=exception, trade_status=trade, trade_id=3
    )


@pytest.mark.parametrize("status", sorted(SETTLEABLE))
def test_a_matched_active_obligation_without_an_exception_settles(status: S) -> None:
    assert _refusal(status) is None


@pytest.mark.parametrize("status", sorted(set(S) - SETTLEABLE))
def test_what_is_not_matched_is_refused_by_its_status(status: S) -> None:
    assert _refusal(status) == (
        f"7 is {status.label.lower()}: only a matched obligation settles "
        "(instruct and match it first)"
    )


def test_a_fail_that_never_matched_does_not_settle() -> None:
    assert "only a matched obligation settles" in (_refusal(S.FAILING, matched=False) or "")
    assert _refusal(S.FAILING, matched=True) is None


def test_an_exception_or_a_replaced_trade_is_named() -> None:
    assert _refusal(S.MATCHED, exception="no SSI") == "7 has an exception to clear first: no SSI"
    assert _refusal(S.MATCHED, trade=TradeStatus.AMENDED) == (
        "7 is for trade version 3, which is superseded"
    )


@given(
    st.sampled_from(list(S)), st.booleans(), st.one_of(st.none(), st.text(min_size=1)),
    st.sampled_from(list(TradeStatus)),
)  # fmt: skip
def test_settle_refusal_is_none_exactly_when_every_condition_holds(
    status: S, matched: bool, exception: str | None, trade: TradeStatus
) -> None:
    may = (
        status in SETTLEABLE
        and (matched or status is not S.FAILING)
        and not exception
        and trade is TradeStatus.ACTIVE
    )
    why = _refusal(status, matched=matched, exception=exception, trade=trade)
    assert (why is None) == may
    assert why is None or why.startswith("7 ")
