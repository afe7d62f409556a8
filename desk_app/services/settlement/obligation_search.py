"""Finding obligations by what a clerk knows of them: the Settlements Due and Fails lists.

A word matches an obligation when its account (number or client name), its instrument
(ISIN, CUSIP, symbol or description), its counterparty (code or name) or its trade's
reference (external id) contains it, or when it is the obligation's or the trade's
number. Each side is a subquery on its own table (see `desk_app.db.text_search`): the
obligations are then reached through their foreign-key indexes, never by a scan of a
join.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from desk_app.db import models as m
from desk_app.db.text_search import any_contains, every_word
from desk_app.domain.text_search import whole_number


def obligation_matches(word: str) -> ColumnElement[bool]:
    """An obligation that ``word`` names (see the module's docstring)."""
    o, a, i, c, t = m.SettlementObligation, m.Account, m.Instrument, m.Counterparty, m.Trade
    sides: list[ColumnElement[bool]] = [
        o.account_id.in_(select(a.id).where(any_contains(word, a.account_number, a.name))),
        o.instrument_id.in_(
            select(i.id).where(any_contains(word, i.isin, i.cusip, i.symbol, i.description))
        ),
        o.counterparty_id.in_(select(c.id).where(any_contains(word, c.code, c.name))),
        o.trade_id.in_(select(t.id).where(any_contains(word, t.external_id))),
    ]
    number = whole_number(word)
    if number is not None:
        sides += [o.id == number, o.trade_id == number]
    return or_(*sides)


def obligation_search(text: str | None) -> list[ColumnElement[bool]]:
    """WHERE clauses for a typed search: every word names the obligation."""
    return every_word(text, obligation_matches)
