"""Every problem of an import's line, not only the first: each check asked on its own.

The import refuses a file when any line has a problem, and names them all (issue:
a line with a bad account and a bad ISIN must show both), so the checks a ticket
stops at the first of are run here one by one, each error kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from desk_app.domain.errors import ValidationError
from desk_app.domain.trade_rows import RefusedRow
from desk_app.domain.trade_ticket import TradeTerms, price_reason
from desk_app.services.trading.trade_books import (
    BookRefs,
    SettleDates,
    check_terms,
    instrument_type_error,
)

_T = TypeVar("_T")


def attempt(errors: list[ValidationError], check: Callable[[], _T]) -> _T | None:
    """``check()``, or None with its error kept, so the next check still runs."""
    try:
        return check()
    except ValidationError as exc:
        errors.append(exc)
        return None


def book_problems(
    refs: BookRefs, dates: SettleDates, terms: TradeTerms, kind: Any, default_reason: str
) -> list[ValidationError]:
    """Every problem `check_terms` would find in ``terms``, not only the first.

    The account, the instrument (and the type the file says it is, and whether it
    may trade at the price) and the counterparty are each asked on their own; when
    all of them pass, `check_terms` has the last word (dates, amounts).
    """
    errors: list[ValidationError] = []
    attempt(errors, lambda: refs.account(terms.account, terms.trade_date))
    attempt(errors, lambda: refs.refuse_restricted(terms.account, terms.side))
    instrument = attempt(errors, lambda: refs.instrument(terms.isin))
    if instrument is not None:
        wrong_type = instrument_type_error(instrument, kind)
        if wrong_type is not None:
            errors.append(wrong_type)
        attempt(errors, lambda: price_reason(terms, instrument.instrument_type))
    attempt(errors, lambda: refs.party(terms.counterparty))
    if not errors:
        attempt(
            errors,
            lambda: check_terms(
                refs, dates, terms, instrument_type=kind, default_reason=default_reason
            ),
        )
    return errors


def refused_problems(refs: BookRefs, row: RefusedRow) -> list[ValidationError]:
    """What the books say of the values a refused line has that could be read."""
    errors: list[ValidationError] = []
    account, isin, party = row.account, row.isin, row.counterparty
    if account:
        attempt(errors, lambda: refs.account(account, row.trade_date))
    if isin:
        instrument = attempt(errors, lambda: refs.instrument(isin))
        wrong_type = instrument and instrument_type_error(instrument, row.instrument_type)
        if wrong_type:
            errors.append(wrong_type)
    if party:
        attempt(errors, lambda: refs.party(party))
    return errors
