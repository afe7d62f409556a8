"""A typed search as SQL: each word must be contained, in any case, in one of the fields.

``ILIKE '%word%'`` on PostgreSQL, where migration 0019 gives the searched columns
trigram (``pg_trgm``) GIN indexes so a contained word is found without reading the
table; ``lower(x) LIKE lower('%word%')`` on SQLite, which reads the (small) table
whose fields match and reaches the large ones through their foreign-key indexes.
Fields of another table are searched as ``id IN (SELECT ...)``, so each side keeps
its own indexes rather than searching a join.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, false, or_

from desk_app.db.paging import Expr
from desk_app.domain.text_search import search_words

#: The character that makes ``%``, ``_`` and itself literal in a pattern.
ESCAPE = "\\"


def pattern(word: str) -> str:
    """``word`` anywhere in a value, its wildcard characters taken literally."""
    escaped = word.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def contains(expr: Expr, word: str) -> ColumnElement[bool]:
    """``expr`` contains ``word``, in any case."""
    return expr.ilike(pattern(word), escape=ESCAPE)


def any_contains(word: str, *exprs: Expr) -> ColumnElement[bool]:
    """One of ``exprs`` contains ``word``."""
    return or_(*(contains(e, word) for e in exprs))


def in_codes(expr: Any, codes: list[str]) -> ColumnElement[bool]:
    """``expr`` is one of ``codes`` (none: false), for a word that names a status or kind."""
    return expr.in_(codes) if codes else false()


def every_word(
    text: str | None, matches: Callable[[str], ColumnElement[bool]]
) -> list[ColumnElement[bool]]:
    """WHERE clauses for a search: one per word, each ``matches(word)``."""
    return [matches(word) for word in search_words(text)]
