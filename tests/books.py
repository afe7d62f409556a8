"""The books as a whole, for property tests: totals across every holder, and the steps.

Any journal, ACATS completion, reversal or estate re-registration moves assets
between holders; none makes or loses any. `totals` adds each instrument and each
currency across all holders (accounts, contra firms, counterparties); the steps
are the business's movements, drawn by Hypothesis.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.domain.acats import AcatsDirection

#: Accounts the steps move between (``funded_desk``'s).
ACCOUNTS = ("ACC-100", "ACC-200", "ACC-300")
_PAIRS = [(a, b) for a in ACCOUNTS for b in ACCOUNTS if a != b]
_CENTS = st.integers(1, 1_500_000).map(lambda c: Decimal(c) / 100)


def totals(desk: Any) -> dict[str, Decimal]:
    """Each instrument and currency across every holder (accounts and firms)."""
    B = m.LedgerBalance
    with desk.admin.uow.read() as session:
        rows = session.execute(
            select(func.coalesce(B.instrument_id, -1), B.currency, B.quantity, B.amount)
        ).all()
    found: dict[str, Decimal] = {}
    for instrument, currency, quantity, amount in rows:
        key = str(instrument) if currency is None else currency
        found[key] = found.get(key, Decimal(0)) + (quantity or amount or Decimal(0))
    return found


#: A cash journal: (kind, from, to, USD amount).
cash_journals = st.tuples(st.just("cash"), st.sampled_from(_PAIRS), _CENTS)
#: A securities journal: (kind, from, to, AAPL quantity).
securities_journals = st.tuples(st.just("securities"), st.sampled_from(_PAIRS), st.integers(1, 120))
#: An ACATS transfer completed: (kind, direction, account, AAPL quantity, USD cash or 0).
acats_completions = st.tuples(
    st.just("acats"),
    st.sampled_from(list(AcatsDirection)),
    st.sampled_from(ACCOUNTS),
    st.integers(1, 80),
    st.one_of(st.just(Decimal(0)), _CENTS),
)
#: The latest completed ACATS transfer reversed: (kind,).
acats_reversals = st.tuples(st.just("reverse"))
#: A holder dies: (kind, who funds the estate's account, AAPL quantity, USD cash).
estates = st.tuples(st.just("estate"), st.sampled_from(ACCOUNTS), st.integers(0, 60), _CENTS)
#: Any sequence of the business's movements.
steps = st.lists(
    st.one_of(cash_journals, securities_journals, acats_completions, acats_reversals, estates),
    max_size=5,
)
