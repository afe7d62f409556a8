"""ACATS rules: the state machine, reject codes, deadlines on the US settlement calendar."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk_app.domain.acats import (
    ACATS,
    REJECT_CODES,
    AcatsDeadlines,
    AcatsDirection,
    AcatsStatus,
    Aging,
    aging,
    business_days_between,
    cannot_move,
    correction_refusal,
    deadline,
    lot_refusal,
    reject_code,
    residual_refusal,
)
from desk_app.domain.calendars import calendar_for
from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import IllegalTransition, ValidationError

S = AcatsStatus
US = calendar_for("US")
#: What migration 0027 seeds (the industry's limits).
SEEDED = AcatsDeadlines(review=1, settlement=3, correction=20)


def test_the_happy_path_and_its_dead_ends() -> None:
    path = [S.REQUEST, S.REVIEW, S.VALIDATED, S.SETTLE_PREP, S.COMPLETED, S.REVERSED]
    for here, there in zip(path, path[1:], strict=False):
        assert ACATS.check(here, there) is there
    assert ACATS.is_final(S.PURGED) and ACATS.is_final(S.REVERSED)
    assert ACATS.can(S.REJECTED, S.REVIEW)  # a soft reject corrected


@pytest.mark.parametrize(
    ("here", "there"),
    [(S.REQUEST, S.VALIDATED), (S.REVIEW, S.COMPLETED), (S.VALIDATED, S.COMPLETED),
     (S.REJECTED, S.VALIDATED), (S.COMPLETED, S.PURGED), (S.PURGED, S.REVIEW),
     (S.VALIDATED, S.REJECTED), (S.SETTLE_PREP, S.REJECTED)],
)  # fmt: skip
def test_illegal_moves_are_refused_naming_what_is_allowed(here: S, there: S) -> None:
    with pytest.raises(IllegalTransition, match=f"cannot go from '{here}' to '{there}'"):
        ACATS.check(here, there)


@given(st.lists(st.sampled_from(list(S)), max_size=12))
def test_any_walk_reaches_completed_only_through_validation(moves: list[S]) -> None:
    state, seen = S.REQUEST, [S.REQUEST]
    for target in moves:
        if ACATS.can(state, target):
            state = target
            seen.append(state)
    if S.COMPLETED in seen:
        done = seen.index(S.COMPLETED)
        assert seen[done - 2 : done] == [S.VALIDATED, S.SETTLE_PREP]


def test_review_deadline_over_a_weekend() -> None:
    assert deadline(S.REVIEW, date(2026, 12, 4), US, rules=SEEDED) == date(
        2026, 12, 7
    )  # Friday -> Monday
    # A request on a Saturday counts from Monday: reviewed by Tuesday.
    assert deadline(S.REVIEW, date(2026, 12, 5), US, rules=SEEDED) == date(2026, 12, 8)


def test_deadlines_over_a_holiday() -> None:
    assert not US.is_settlement_day(date(2026, 11, 26))  # Thanksgiving
    assert deadline(S.REVIEW, date(2026, 11, 25), US, rules=SEEDED) == date(2026, 11, 27)
    # Validated on Wednesday 1 July 2026; Independence Day is observed on Friday 3 July.
    assert deadline(S.VALIDATED, date(2026, 7, 1), US, rules=SEEDED) == date(2026, 7, 7)
    assert business_days_between(date(2026, 7, 1), date(2026, 7, 7), US) == 3


def test_soft_rejects_have_a_twenty_day_window_hard_ones_none() -> None:
    rejected = date(2026, 12, 7)
    last = deadline(S.REJECTED, rejected, US, rules=SEEDED, soft=True)
    assert last == date(2027, 1, 6)  # 20 business days: Christmas and New Year's Day skipped
    assert deadline(S.REJECTED, rejected, US, rules=SEEDED, soft=False) is None
    assert correction_refusal("tin-mismatch", rejected, last, US, SEEDED) is None
    late = correction_refusal("tin-mismatch", rejected, date(2027, 1, 7), US, SEEDED)
    assert late is not None and "closed on 2027-01-06" in late
    hard = correction_refusal("duplicate", rejected, rejected, US, SEEDED)
    assert hard is not None and "hard" in hard


def test_reject_codes_are_data_soft_and_hard() -> None:
    soft = {c.code for c in REJECT_CODES.values() if c.soft}
    assert {"account-number", "tin-mismatch", "title-mismatch", "documentation"} <= soft
    assert {"no-assets", "closed", "duplicate"}.isdisjoint(soft)
    assert reject_code(" TIN-Mismatch ").code == "tin-mismatch"
    with pytest.raises(ValidationError, match="is not a reject code; known: account-number"):
        reject_code("bogus")


def test_aging_by_deadline() -> None:
    due = date(2026, 12, 8)
    assert aging(due, date(2026, 12, 7)) is Aging.ON_TIME
    assert aging(due, due) is Aging.DUE_TODAY
    assert aging(due, date(2026, 12, 9)) is Aging.OVERDUE
    assert aging(None, due) is None


def test_what_cannot_move_says_why() -> None:
    assert cannot_move(InstrumentType.EQUITY, True, "Apple Inc.", "Desk Securities") is None
    assert "futures" in str(cannot_move(InstrumentType.FUTURE, True, "CME", "Desk Securities"))
    assert "restricted" in str(cannot_move(InstrumentType.EQUITY, False, "X", ""))
    proprietary = cannot_move(InstrumentType.EQUITY, True, "desk securities ", "Desk Securities")
    assert proprietary is not None and proprietary.startswith("proprietary")
    assert "(Desk Securities): it stays there" in proprietary
    # Another firm's product moves: only the delivering firm's own stays behind.
    assert cannot_move(InstrumentType.EQUITY, True, "Desk Securities", "Charles Schwab") is None
    assert cannot_move(InstrumentType.EQUITY, True, "Desk Securities", "  ") is None


def test_changed_limits_move_the_deadlines() -> None:
    longer = AcatsDeadlines(review=2, settlement=5, correction=10)
    assert deadline(S.REVIEW, date(2026, 12, 4), US, rules=longer) == date(2026, 12, 8)
    assert deadline(S.VALIDATED, date(2026, 7, 1), US, rules=longer) == date(2026, 7, 9)
    last = deadline(S.REJECTED, date(2026, 12, 7), US, rules=longer, soft=True)
    assert last == date(2026, 12, 21)
    late = correction_refusal("tin-mismatch", date(2026, 12, 7), date(2026, 12, 22), US, longer)
    assert late is not None and "(10 business days)" in late
    assert longer.text() == "review 2, settlement 5, correction 10 business days"
    assert longer.rule_of(S.SETTLE_PREP).startswith("5 business day(s) from validation")
    assert longer.rule_of(S.REJECTED) == "" and longer.rule_of(S.REJECTED, soft=True)


def test_a_lot_dated_after_the_transfer_is_refused() -> None:
    day = date(2026, 12, 7)
    assert lot_refusal(day, day) is None and lot_refusal(date(2020, 1, 2), day) is None
    why = lot_refusal(date(2026, 12, 8), day)
    assert why == "a lot acquired 2026-12-08 is dated after the transfer (2026-12-07)"


def test_a_residual_credit_needs_a_full_transfer_before_it() -> None:
    assert residual_refusal(AcatsDirection.OUT, "ACC-1", True) is None
    out = residual_refusal(AcatsDirection.OUT, "ACC-1", False)
    assert out == (
        "a residual credit out follows a completed full transfer out of ACC-1, and there is none"
    )
    assert "full transfer in to ACC-1" in str(residual_refusal(AcatsDirection.IN, "ACC-1", False))
