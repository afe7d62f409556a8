"""A typed search as SQL: each word must be contained, in any case, in one of the fields.

``ILIKE '%word%'`` on PostgreSQL, where migration 0017 gives the searched columns
trigram (``pg_trgm``) GIN indexes so a contained word is found without reading the
table; ``LIKE '%word%'`` on SQLite, whose LIKE already ignores the case of ASCII
letters (and whose ``lower`` knows no other), so that a search reads each value once
without a function call. SQLite reads the (small) tables whose fields match and
reaches the large ones through their foreign-key indexes. Fields of another table
are searched as ``id IN (SELECT ...)``, so each side keeps its own indexes rather
than searching a join.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, false, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from desk_app.db.paging import Expr
from desk_app.domain.text_search import search_words

#: The character that makes ``%``, ``_`` and itself literal in a pattern.
ESCAPE = "\\"


def pattern(word: str) -> str:
    """``word`` anywhere in a value, its wildcard characters taken literally."""
    escaped = word.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


#: The last code point: a prefix range ``[p, p + LAST)`` holds every value starting with p.
LAST = "\U0010ffff"


class _Contains(FunctionElement[bool]):
    """``expr LIKE pattern``, ignoring case on each engine the cheapest way it can."""

    name = "desk_contains"
    type = Boolean()
    inherit_cache = True


@compiles(_Contains)
def _ilike(element: _Contains, compiler: SQLCompiler, **kw: Any) -> str:
    expr, text = list(element.clauses)
    return compiler.process(expr.ilike(text, escape=ESCAPE), **kw)


@compiles(_Contains, "sqlite")
def _like(element: _Contains, compiler: SQLCompiler, **kw: Any) -> str:
    expr, text = list(element.clauses)
    return compiler.process(expr.like(text, escape=ESCAPE), **kw)


def contains(expr: Expr, word: str) -> ColumnElement[bool]:
    """``expr`` contains ``word``, in any case."""
    return _Contains(expr, literal(pattern(word)))


def starts_with(expr: Expr, word: str) -> ColumnElement[bool]:
    """``expr`` starts with ``word`` as typed, in capitals or in small letters.

    A range of the column's own B-tree index, on both engines: for a reference of a
    million rows (a trade's external id) where a contained word would read them all.
    """
    forms = dict.fromkeys((word.upper(), word.lower(), word))
    return or_(
        *(and_(expr >= w, expr < w + LAST, expr.startswith(w, autoescape=True)) for w in forms)
    )


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
