"""Finding obligations by what a clerk knows of them: the Settlements Due and Fails lists.

A word matches an obligation when its account (number or client name), its instrument
(ISIN, CUSIP, symbol or description), its counterparty (code or name) or its trade's
reference (external id) starts with it, or when it is the obligation's or the
trade's number. A trade reference is matched from its start (as the blotter's filter
does), in capitals or small letters, so that its index finds it among a million
trades: a contained word would read them all on SQLite.

Each word becomes one set of obligation ids, the union of what each side finds
through its own table and the obligations' foreign-key indexes (see
`desk_app.db.text_search`): the list then reads only those obligations, whichever
order it is sorted in, rather than testing every obligation against every side.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select, union

from desk_app.db import models as m
from desk_app.db.text_search import any_contains, every_word, starts_with
from desk_app.domain.text_search import whole_number


def obligation_matches(word: str) -> ColumnElement[bool]:
    """An obligation that ``word`` names (see the module's docstring)."""
    o, a, i, c, t = m.SettlementObligation, m.Account, m.Instrument, m.Counterparty, m.Trade
    sides: list[Any] = [
        select(o.id).where(
            o.account_id.in_(select(a.id).where(any_contains(word, a.account_number, a.name)))
        ),
        select(o.id).where(
            o.instrument_id.in_(
                select(i.id).where(any_contains(word, i.isin, i.cusip, i.symbol, i.description))
            )
        ),
        select(o.id).where(
            o.counterparty_id.in_(select(c.id).where(any_contains(word, c.code, c.name)))
        ),
    ]
    referenced = select(t.id).where(starts_with(t.external_id, word))
    sides.append(select(o.id).where(o.trade_id.in_(referenced)))
    number = whole_number(word)
    if number is not None:
        sides.append(select(o.id).where(or_(o.id == number, o.trade_id == number)))
    return o.id.in_(union(*sides))


def obligation_search(text: str | None) -> list[ColumnElement[bool]]:
    """WHERE clauses for a typed search: every word names the obligation."""
    return every_word(text, obligation_matches)
