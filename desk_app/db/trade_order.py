"""The blotter's sort orders: each one an index can deliver, on both engines.

A clerk sorts a million trades by any column, and every page must come from an
index walk, not a sort of every matching row (2 s a page on SQLite). So each sort
key is a full order with tie-breakers the indexes already hold:

- amounts and quantities: the value, then the trade id (``(column, id)`` indexes);
- codes with a handful of values (side, currency, status, source): the code, then
  trade date and id, so that one side reads like the blotter itself;
- a reference column (account, ISIN, symbol, description, counterparty): the
  reference table's value, then trade date and id. The reference table is walked in
  order and each row's trades are read through their ``(…_id, trade_date)`` index:
  on SQLite by a CROSS JOIN, on PostgreSQL by a LATERAL subquery per row.

That is for a list of many matching trades. For a few (a narrow filter) reading
the matches through the filter's own index and sorting them is faster, and that is
what the databases choose by themselves. SQLite, which keeps no statistics, picks the
filter's index even for many matches; `TradesJoin` then names the order's index.

Pages continue after the last row with a lexicographic keyset condition over the
whole order (`after`), so they never skip or repeat a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, inspect, join, literal, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join
from sqlalchemy.sql.visitors import InternalTraversal

from desk_app.db.models import Account, Counterparty, Instrument, Trade

#: Matching rows above which SQLite walks the reference table for a reference sort.
#: Below it, reading the matches by the filter's own index and sorting them is faster
#: (a narrow date range); above it the walk finds a page in a few milliseconds.
ORDERED_JOIN_ROWS = 20_000


@dataclass(frozen=True)
class Part:
    """One expression of an order, and the row column that holds its value."""

    expr: Any
    key: str  # "id": the row's last value
    nullable: bool = False


@dataclass(frozen=True)
class Order:
    """A sort key's full order, the index that delivers it, and the reference table a walk
    starts from (if any; the index is then the trades' foreign key to it)."""

    parts: tuple[Part, ...]
    index: str = ""  # "": the trades table itself, in trade-number order
    reference: Any = None  # Account, Instrument or Counterparty
    #: It runs with the calendar (trade and settlement dates, trade numbers, file ids):
    #: under a date filter its index would pass every trade outside the dates first.
    dated: bool = False


def orders(t: Any = Trade) -> dict[str, Order]:
    """Every blotter column's order (see the module docstring), on trades or ``t``."""
    by_id = (Part(t.id, "id"),)
    by_date = (Part(t.trade_date, "trade_date"), *by_id)

    def code(expr: Any, key: str) -> Order:
        return Order((Part(expr, key), *by_date), f"ix_trades_{key}_trade_date")

    def amount(expr: Any, key: str) -> Order:
        return Order((Part(expr, key), *by_id), f"ix_trades_{key}_id")

    def walk(reference: Any, *parts: Part) -> Order:
        index = {Account: "account", Instrument: "instrument", Counterparty: "counterparty"}
        return Order((*parts, *by_date), f"ix_trades_{index[reference]}_trade_date", reference)

    isin = Part(Instrument.isin, "isin")
    return {
        "id": Order(by_id, dated=True),
        "trade_date": Order(by_date, "ix_trades_trade_date_id", dated=True),
        "settle_date": Order(
            (Part(t.settle_date, "settle_date"), *by_id), "ix_trades_settle_date_id", dated=True
        ),  # fmt: skip
        "account": walk(Account, Part(Account.account_number, "account")),
        "isin": walk(Instrument, isin),
        "symbol": walk(Instrument, Part(Instrument.symbol, "symbol", True), isin),
        "description": walk(Instrument, Part(Instrument.description, "description"), isin),
        "counterparty": walk(Counterparty, Part(Counterparty.code, "counterparty")),
        "side": code(t.side, "side"),
        "currency": code(t.currency, "currency"),
        "status": code(t.status, "status"),
        "source": code(t.source, "source"),
        "quantity": amount(t.quantity, "quantity"),
        "price": amount(t.price, "price"),
        "gross_amount": amount(t.gross_amount, "gross_amount"),
        "net_amount": amount(t.net_amount, "net_amount"),
        "external_id": Order(
            (Part(t.external_id, "external_id", True), *by_id), "ix_trades_external_id", dated=True
        ),  # fmt: skip
    }


_REFERENCE_KEYS: dict[Any, Any] = {
    Account: Trade.account_id,
    Instrument: Trade.instrument_id,
    Counterparty: Trade.counterparty_id,
}


def reference_key(order: Order) -> Any:
    """The trades' foreign key to the order's reference table."""
    return _REFERENCE_KEYS[order.reference]


def trade_parts(order: Order) -> Order:
    """The order's parts on the trades table alone (a reference order's trade date and id)."""
    return Order(tuple(p for p in order.parts if getattr(p.expr, "class_", None) is Trade))


def reference_bound(order: Order, value: Any, descending: bool) -> ColumnElement[bool]:
    """Where a walk of the reference table starts: its first part from ``value`` on."""
    first = order.parts[0]
    if first.nullable:
        return true()  # NULLs sort apart; the subquery's condition decides
    bound = literal(value, type_=first.expr.type)
    start: ColumnElement[bool] = first.expr <= bound if descending else first.expr >= bound
    return start


def lateral_joins(order: Order, t: Any) -> FromClause:
    """The order's reference table, each row's trades ``t`` (LATERAL), and the others."""
    trades = inspect(t).selectable
    clause: FromClause = join(order.reference.__table__, trades, true())
    for table, key in _REFERENCE_KEYS.items():
        if table is not order.reference:
            clause = clause.join(table.__table__, getattr(t, key.key) == table.id)
    return clause


def order_by(order: Order, descending: bool) -> list[Any]:
    """ORDER BY terms; a nullable part puts NULLs first ascending, last descending."""
    terms = []
    for part in order.parts:
        if descending:
            terms.append(part.expr.desc().nulls_last() if part.nullable else part.expr.desc())
        else:
            terms.append(part.expr.asc().nulls_first() if part.nullable else part.expr.asc())
    return terms


def after(order: Order, values: Sequence[Any], descending: bool) -> ColumnElement[bool]:
    """Rows strictly after ``values`` (the last row's value of each part) in ``order``.

    The first part is also bounded on its own (``>=``, or ``<=`` descending), which
    the lexicographic OR does not show the planner: it starts the index walk there.
    """
    first, value = order.parts[0], values[0]
    rest = _after(order.parts[1:], values[1:], descending)
    if first.nullable and value is None:
        same = first.expr.is_(None) if rest is None else and_(first.expr.is_(None), rest)
        return same if descending else or_(same, first.expr.is_not(None))
    bound = literal(value, type_=first.expr.type)
    beyond = first.expr < bound if descending else first.expr > bound
    if rest is not None:
        beyond = or_(beyond, and_(first.expr == bound, rest))
    if first.nullable:  # NULLs come last descending; ascending they came first
        return or_(beyond, first.expr.is_(None)) if descending else beyond
    start = first.expr <= bound if descending else first.expr >= bound
    return and_(start, beyond)


def _after(
    parts: Sequence[Part], values: Sequence[Any], descending: bool
) -> ColumnElement[bool] | None:
    """The lexicographic "after" of parts that are never NULL (None: no parts)."""
    if not parts:
        return None
    head, value = parts[0], values[0]
    bound = literal(value, type_=head.expr.type)
    beyond = head.expr < bound if descending else head.expr > bound
    rest = _after(parts[1:], values[1:], descending)
    return beyond if rest is None else or_(beyond, and_(head.expr == bound, rest))


def joins(reference: Any = None, *, index: str | None = None) -> FromClause:
    """Trades with their account, instrument and counterparty, an inner join each.

    With ``reference``, that table comes first and SQLite walks it as the outer loop
    (its CROSS JOIN), reading each row's trades through their foreign key's index.
    ``index`` tells SQLite which index to read the trades through ("" for none:
    the table in trade-number order); None leaves the choice to it.
    """
    on = {
        Account: Trade.account_id == Account.id,
        Instrument: Trade.instrument_id == Instrument.id,
        Counterparty: Trade.counterparty_id == Counterparty.id,
    }
    others = [table for table in on if table is not reference]
    first = others.pop(0) if reference is None else reference
    if reference is None:
        clause: FromClause = TradesJoin(Trade.__table__, first.__table__, on[first], index=index)
    else:
        clause = TradesJoin(first.__table__, Trade.__table__, on[first], cross=True, index=index)
    for table in others:
        clause = clause.join(table.__table__, on[table])
    return clause


class TradesJoin(Join):
    """An inner join with the trades table, and how SQLite is to read it.

    ``cross``: the left table is the outer loop (SQLite's CROSS JOIN keeps the order
    written). ``index``: the index SQLite reads trades through (INDEXED BY; "" for
    NOT INDEXED). Without statistics, SQLite would otherwise read a filter's index
    and sort every match. Elsewhere this is a plain JOIN.
    """

    inherit_cache = True
    _traverse_internals = [
        *Join._traverse_internals,
        ("cross", InternalTraversal.dp_boolean),
        ("index", InternalTraversal.dp_string),
    ]

    def __init__(
        self,
        left: FromClause,
        right: FromClause,
        onclause: ColumnElement[bool],
        *,
        cross: bool = False,
        index: str | None = None,
    ) -> None:
        super().__init__(left, right, onclause)
        self.cross = cross
        self.index = index


@compiles(TradesJoin, "sqlite")
def _sqlite_trades_join(join: TradesJoin, compiler: SQLCompiler, **kw: Any) -> str:
    plain: str = compiler.visit_join(join, **kw)  # type: ignore[no-untyped-call]
    preparer = compiler.preparer
    left, right = preparer.format_table(join.left), preparer.format_table(join.right)
    head = f"{left} JOIN {right} ON "
    assert plain.startswith(head), plain

    def read(table: Any, text: str) -> str:
        if table is not Trade.__table__ or join.index is None:
            return text
        return (
            f"{text} INDEXED BY {preparer.quote(join.index)}"
            if join.index
            else f"{text} NOT INDEXED"
        )

    kind = "CROSS JOIN" if join.cross else "JOIN"
    return f"{read(join.left, left)} {kind} {read(join.right, right)} ON {plain[len(head) :]}"
