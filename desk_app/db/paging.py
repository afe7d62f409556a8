"""Keyset paging over a SELECT: what every list and table in Desk reads through.

Sort is always (column, id) so that pages never skip or repeat rows, and NULLs
sort first in ascending order on both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.orm import QueryableAttribute, Session, sessionmaker

from desk_app.domain.listing import Column, Row, SortSpec

Expr = ColumnElement[Any] | QueryableAttribute[Any]
"""A column of a list: a mapped attribute or any SQL expression."""


@dataclass
class KeysetSource:
    """A `PageSource` over one SELECT whose labelled columns match ``columns``."""

    sessions: sessionmaker[Session]
    columns: Sequence[Column]
    select_columns: Callable[[], Sequence[Expr]]
    id_column: QueryableAttribute[int]
    from_clause: Callable[[Select[Any]], Select[Any]]
    default_sort: SortSpec
    where: Sequence[ColumnElement[bool]] = ()
    transform: Callable[[Row], Row] | None = None

    def _base(self) -> tuple[Select[Any], dict[str, Expr]]:
        exprs = list(self.select_columns())
        by_key = {col.key: expr for col, expr in zip(self.columns, exprs, strict=True)}
        stmt = self.from_clause(select(*exprs, self.id_column))
        for clause in self.where:
            stmt = stmt.where(clause)
        return stmt, by_key

    def count(self) -> int:
        stmt, _ = self._base()
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)

    def count_upto(self, limit: int) -> int:
        stmt, _ = self._base()
        with self.sessions() as session:
            return int(
                session.scalar(select(func.count()).select_from(stmt.limit(limit).subquery())) or 0
            )

    def fetch(self, sort: SortSpec, after: Row | None, limit: int) -> list[Row]:
        stmt, by_key = self._base()
        if sort.key not in by_key:
            raise KeyError(f"cannot sort by {sort.key!r}")
        keys = [c.key for c in self.columns]
        order_expr = by_key[sort.key]
        if after is not None:
            last_value = after[keys.index(sort.key)]
            stmt = stmt.where(_after(order_expr, self.id_column, last_value, after[-1], sort))
        if sort.descending:
            stmt = stmt.order_by(order_expr.desc().nulls_last(), self.id_column.desc())
        else:
            stmt = stmt.order_by(order_expr.asc().nulls_first(), self.id_column.asc())
        with self.sessions() as session:
            rows = [tuple(row) for row in session.execute(stmt.limit(limit))]
        return [self.transform(r) for r in rows] if self.transform else rows


def _after(
    expr: Expr,
    id_col: QueryableAttribute[int],
    value: Any,
    last_id: int,
    sort: SortSpec,
) -> ColumnElement[bool]:
    """Rows strictly after (value, last_id) in the order NULLs-first ascending."""
    if value is None:
        if not sort.descending:
            return or_(and_(expr.is_(None), id_col > last_id), expr.is_not(None))
        return and_(expr.is_(None), id_col < last_id)
    # A bound parameter of the column's own type: exact money binds through its
    # TypeDecorator, and True/False compare with < and > like any other value.
    bound = literal(value, type_=expr.type)
    if not sort.descending:
        return or_(expr > bound, and_(expr == bound, id_col > last_id))
    return or_(expr < bound, and_(expr == bound, id_col < last_id), expr.is_(None))
