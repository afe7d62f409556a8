"""Which obligations may move where: the settlement desk's rules, beside its state machine.

`desk_app.domain.states.OBLIGATION` names every allowed transition; these rules narrow
which of them a given path may take (the desk's hand, a market status file, a bulk
run), so that one rule is written once and read by every path that needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from desk_app.domain.states import ObligationStatus, TradeStatus

S = ObligationStatus

#: What may settle (a failing obligation only if it matched before it failed).
SETTLEABLE = frozenset({S.MATCHED, S.PARTIALLY_SETTLED, S.FAILING})

#: What the desk may mark failing: instructed or on from there, not yet all settled.
DESK_MAY_FAIL = frozenset({S.INSTRUCTED, S.MATCHED, S.PARTIALLY_SETTLED, S.FAILING})

#: What a market status file may report failing: it matched, and did not settle (all).
MARKET_MAY_FAIL = frozenset({S.MATCHED, S.PARTIALLY_SETTLED, S.FAILING})

#: Where instruct and match move an obligation from (a settlement is undone only by a
#: reversal, never by matching it again).
MOVES_FROM: Mapping[ObligationStatus, frozenset[ObligationStatus]] = MappingProxyType({
    S.INSTRUCTED: frozenset({S.PENDING}),
    S.MATCHED: frozenset({S.INSTRUCTED, S.FAILING}),
})  # fmt: skip

#: What an instruction may be written for: not instructed yet, or instructed (re-sent).
EXPORTABLE = frozenset({S.PENDING, S.INSTRUCTED})

#: Where settlement has not started: nothing has gone to the street yet.
NOT_STARTED = frozenset({S.PENDING, S.CANCELLED})


def settle_refusal(
    obligation_id: int, *, status: ObligationStatus, matched: bool, exception: str | None,
    trade_status: TradeStatus, trade_id: int,
) -> str | None:  # fmt: skip
    """Why an obligation may not settle now (None: it may); one rule for one or many."""
    never_matched = status is S.FAILING and not matched
    if status not in SETTLEABLE or never_matched:
        return (
            f"{obligation_id} is {status.label.lower()}: only a matched obligation settles "
            "(instruct and match it first)"
        )
    if exception:
        return f"{obligation_id} has an exception to clear first: {exception}"
    if trade_status is not TradeStatus.ACTIVE:
        state = trade_status.label.lower()
        return f"{obligation_id} is for trade version {trade_id}, which is {state}"
    return None
