"""Every blotter sort order, paged, against the same rows sorted in Python.

Both ways a reference sort can run are checked: walking the reference table (what
SQLite does for many matching rows) and reading the matches and sorting them. Text
compares by code point, as in the test databases (binary or C collation).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from desk_app.db import trade_order
from desk_app.demo import generate_demo_data
from desk_app.domain.listing import Row, SortSpec, iter_rows
from desk_app.services.trading.trade_filter import TradeFilter
from desk_app.services.workspace import Workspace, open_workspace


@pytest.fixture
def book(db_url: str) -> Iterator[Workspace]:
    """A 400-version demo book (with symbol-less bonds and manual trades without ids)."""
    ws = open_workspace(db_url, "tester")
    generate_demo_data(ws.sessions, seed=5, trades=400, today=date(2026, 6, 30))
    yield ws
    ws.close()


def _python_order(rows: list[Row], keys: list[str], key: str) -> list[Row]:
    order = trade_order.orders()[key]
    at = {k: i for i, k in enumerate(keys)}

    def sort_key(row: Row) -> tuple[Any, ...]:
        out: list[Any] = []
        for part in order.parts:
            value = row[-1] if part.key == "id" else row[at[part.key]]
            out.append((value is not None, value) if part.nullable else value)
        return tuple(out)

    return sorted(rows, key=sort_key)


def test_every_order_pages_exactly_as_python_sorts(book: Workspace) -> None:
    first = book.blotter.trades().fetch(SortSpec("id"), None, 1)[0]
    filters = (
        TradeFilter(),
        TradeFilter(side="buy"),
        TradeFilter(counterparty=first[13]),
        TradeFilter(trade_from=first[1]),
        TradeFilter(account=first[2], side=first[3]),
    )
    for f in filters:
        for walk in (True, False):
            source = book.blotter.trades(f)
            source.ordered_join_rows = -1 if walk else 10**9
            keys = [c.key for c in source.columns]
            rows = list(iter_rows(source, page=1000))
            assert len(rows) == source.count() > 0
            for key in trade_order.orders():
                expected = [r[-1] for r in _python_order(rows, keys, key)]
                up = list(iter_rows(source, SortSpec(key), page=37))
                assert [r[-1] for r in up] == expected, (key, f, walk)
                down = list(iter_rows(source, SortSpec(key, descending=True), page=37))
                assert [r[-1] for r in down] == expected[::-1], (key, f, walk)


def test_every_column_of_the_blotter_has_an_order(book: Workspace) -> None:
    sortable = {c.key for c in book.blotter.trades().columns if c.sortable}
    assert sortable == set(trade_order.orders())


BIG_BOOK_PLANS = [
    (TradeFilter(), "account", "ix_trades_account_trade_date"),
    (TradeFilter(), "counterparty", "ix_trades_counterparty_trade_date"),
    (TradeFilter(), "symbol", "ix_trades_instrument_trade_date"),
    (TradeFilter(), "description", "ix_trades_instrument_trade_date"),
    (TradeFilter(), "net_amount", "ix_trades_net_amount_id"),
    (TradeFilter(), "quantity", "ix_trades_quantity_id"),
    (TradeFilter(), "side", "ix_trades_side_trade_date"),
    (TradeFilter(), "source", "ix_trades_source_trade_date"),
    (TradeFilter(), "status", "ix_trades_status_trade_date"),
    # A filter's own index would give its matches to sort; many matches walk the order's.
    (TradeFilter(side="buy"), "settle_date", "ix_trades_settle_date_id"),
    (TradeFilter(side="buy"), "net_amount", "ix_trades_net_amount_id"),
    (TradeFilter(counterparty="GSCO"), "isin", "ix_trades_instrument_trade_date"),
    (TradeFilter(counterparty="GSCO"), "price", "ix_trades_price_id"),
    (TradeFilter(source="csv"), "external_id", "ix_trades_external_id"),
]


@pytest.mark.parametrize(("f", "key", "index"), BIG_BOOK_PLANS)
def test_a_big_book_sorts_by_walking_an_index_on_sqlite(
    sqlite_workspace: Workspace, f: TradeFilter, key: str, index: str
) -> None:
    """No sort of every match: the plan reads the trades in order from an index.

    By symbol or description SQLite still sorts each instrument's trades by date
    (it does not count on the walk meeting each instrument once): one instrument
    at a time, which is cheap.
    """
    plan = _plan(sqlite_workspace, f, key, many=True)
    assert index in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_a_date_filter_keeps_its_index_for_a_calendar_order(sqlite_workspace: Workspace) -> None:
    """Under a date filter a settlement-date walk would pass every trade outside it first."""
    march = TradeFilter(trade_from=date(2026, 3, 1), trade_to=date(2026, 3, 31))
    plan = _plan(sqlite_workspace, march, "settle_date", many=True)
    assert "INDEXED BY" not in plan and "ix_trades_trade_date_id" in plan, plan
    assert "ix_trades_net_amount_id" in _plan(sqlite_workspace, march, "net_amount", many=True)


def test_a_few_matches_are_read_by_the_filter_and_sorted(sqlite_workspace: Workspace) -> None:
    plan = _plan(sqlite_workspace, TradeFilter(account="ACC-1"), "net_amount", many=False)
    assert "ix_trades_account_trade_date" in plan, plan


def _plan(ws: Workspace, f: TradeFilter, key: str, *, many: bool) -> str:
    source = ws.blotter.trades(f)
    source.ordered_join_rows = -1 if many else 10**9
    order = trade_order.orders()[key]
    stmt = source._statement(order).order_by(*trade_order.order_by(order, False)).limit(200)
    sql = stmt.compile(ws.engine, compile_kwargs={"literal_binds": True})
    with ws.engine.connect() as conn:
        return " | ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def test_postgresql_has_nulls_first_indexes_for_the_columns_that_may_be_empty(
    workspace: Workspace,
) -> None:
    from desk_app.db.models.base import POSTGRESQL_ONLY_INDEXES

    if workspace.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's own indexes keep NULLs first")
    with workspace.engine.connect() as conn:
        found = dict(
            conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(:names)"),
                {"names": sorted(POSTGRESQL_ONLY_INDEXES)},
            ).all()
        )
    assert set(found) == POSTGRESQL_ONLY_INDEXES
    sorting = {name: d for name, d in found.items() if name.endswith("_nulls_first")}
    assert sorting and all("NULLS FIRST" in definition for definition in sorting.values())
    # The others are the search's trigram indexes (tests/services/test_search.py).
    assert all("USING gin" in d for name, d in found.items() if name not in sorting)
