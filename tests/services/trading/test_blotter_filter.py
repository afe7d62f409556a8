"""The blotter's filter, sort and totals in SQL, against the same rows read unfiltered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, text

from desk_app.db import models as m
from desk_app.demo import generate_demo_data
from desk_app.domain.listing import Row, SortSpec, iter_rows
from desk_app.services.trading.trade_filter import CURRENT, TradeFilter
from desk_app.services.workspace import Workspace, open_workspace

COLUMNS = [
    "id", "trade_date", "account", "side", "isin", "symbol", "description", "quantity", "price",
    "currency", "gross_amount", "net_amount", "settle_date", "counterparty", "status", "source",
    "external_id",
]  # fmt: skip
C = {key: i for i, key in enumerate(COLUMNS)}


@pytest.fixture
def book(db_url: str) -> Iterator[Workspace]:
    """A 300-version demo book on each engine."""
    ws = open_workspace(db_url, "tester")
    generate_demo_data(ws.sessions, seed=3, trades=300, today=date(2026, 6, 30))
    yield ws
    ws.close()


def _all(ws: Workspace, f: TradeFilter | None = None) -> list[Row]:
    return list(iter_rows(ws.blotter.trades(f), page=97))


def add_trade(ws: Workspace, **values: Any) -> int:
    """A copy of the first trade with ``values`` changed, written (and audited) via the ORM."""
    with ws.uow.read() as session:
        first = session.scalars(select(m.Trade).order_by(m.Trade.id).limit(1)).one()
        row = {c.key: getattr(first, c.key) for c in m.Trade.__table__.c if c.key != "id"}
    row.update(values)
    with ws.uow.write("test.setup") as session:
        trade = m.Trade(**row)
        session.add(trade)
        session.flush()
        return trade.id


# -- the filter value ---------------------------------------------------------------------------
def test_filter_json_round_trips_and_tolerates_newer_keys() -> None:
    full = TradeFilter(
        trade_from=date(2026, 5, 1), trade_to=date(2026, 5, 31), settle_from=date(2026, 5, 2),
        settle_to=date(2026, 6, 2), account=" nyc-20417 ", instrument="aapl", side="BUY",
        status="Current", counterparty="hdrs", source="FIX", external_id=" HDRS26 ",
    )  # fmt: skip
    assert (full.account, full.instrument, full.side, full.status) == (
        "NYC-20417",
        "AAPL",
        "buy",
        CURRENT,
    )
    assert full.external_id == "HDRS26"
    assert TradeFilter.from_json(full.to_json()) == full
    assert TradeFilter().to_json() == "{}"
    assert TradeFilter(account="X").to_json() == '{"account": "X"}'
    newer = '{"account": "X", "trader": "jo", "trade_from": "2026-13-01", "side": null}'
    assert TradeFilter.from_json(newer) == TradeFilter(account="X")
    assert TradeFilter.from_json("not json") == TradeFilter.from_json("[1]") == TradeFilter()
    assert TradeFilter().is_empty and not full.is_empty
    assert full.cleared("account", "trade_from") == TradeFilter(
        **{f.name: getattr(full, f.name) for f in fields(full)}
        | {"account": "", "trade_from": None}
    )


def test_filter_describes_itself_for_the_empty_table() -> None:
    assert TradeFilter().describe() == ""
    text_ = TradeFilter(trade_from=date(2026, 5, 1), account="NYC-1", external_id="AB").describe()
    assert text_ == "trade date from 2026-05-01, account NYC-1, external id starting AB"
    assert "current versions" in TradeFilter(status=CURRENT).describe()
    assert (
        "2026-05-01 to 2026-05-02"
        in TradeFilter(settle_from=date(2026, 5, 1), settle_to=date(2026, 5, 2)).describe()
    )


# -- filters in SQL ------------------------------------------------------------------------------
def _cases(rows: list[Row]) -> list[tuple[TradeFilter, Callable[[Row], bool]]]:
    mid = rows[len(rows) // 2]
    day, settle = mid[C["trade_date"]], mid[C["settle_date"]]
    with_symbol = next(r for r in rows if r[C["symbol"]])
    prefix = next(r for r in rows[len(rows) // 2 :] if r[C["external_id"]])[C["external_id"]][:6]
    return [
        (TradeFilter(trade_from=day), lambda r: r[C["trade_date"]] >= day),
        (TradeFilter(trade_to=day), lambda r: r[C["trade_date"]] <= day),
        (
            TradeFilter(trade_from=day - timedelta(days=7), trade_to=day),
            lambda r: day - timedelta(days=7) <= r[C["trade_date"]] <= day,
        ),
        (TradeFilter(settle_from=settle), lambda r: r[C["settle_date"]] >= settle),
        (TradeFilter(settle_to=settle), lambda r: r[C["settle_date"]] <= settle),
        (
            TradeFilter(account=mid[C["account"]].lower()),
            lambda r: r[C["account"]] == mid[C["account"]],
        ),
        (TradeFilter(instrument=mid[C["isin"]]), lambda r: r[C["isin"]] == mid[C["isin"]]),
        (
            TradeFilter(instrument=with_symbol[C["symbol"]].lower()),
            lambda r: r[C["symbol"]] == with_symbol[C["symbol"]],
        ),
        (
            TradeFilter(counterparty=mid[C["counterparty"]]),
            lambda r: r[C["counterparty"]] == mid[C["counterparty"]],
        ),
        (TradeFilter(side="sell_short"), lambda r: r[C["side"]] == "sell_short"),
        (TradeFilter(status="amended"), lambda r: r[C["status"]] == "amended"),
        (TradeFilter(status=CURRENT), lambda r: r[C["status"]] in ("active", "cancelled")),
        (TradeFilter(source="fix"), lambda r: r[C["source"]] == "fix"),
        (
            TradeFilter(external_id=prefix),
            lambda r: (r[C["external_id"]] or "").startswith(prefix),
        ),
        (
            TradeFilter(side="buy", source="csv", trade_from=day),
            lambda r: (r[C["side"]], r[C["source"]]) == ("buy", "csv") and r[1] >= day,
        ),
    ]  # fmt: skip


def test_every_filter_matches_exactly_the_rows_it_names(book: Workspace) -> None:
    rows = _all(book)
    assert len(rows) == 300
    for f, keep in _cases(rows):
        expected = [r[-1] for r in rows if keep(r)]
        source = book.blotter.trades(f)
        got = [r[-1] for r in iter_rows(source, page=41)]
        assert got == expected, f
        assert source.count() == len(expected), f
        assert 0 < len(expected) < 300 or f.status == "amended", f


def test_sorting_by_any_column_keeps_the_filter(book: Workspace) -> None:
    rows = _all(book)
    f = TradeFilter(status=CURRENT, side="buy")
    wanted = {r[-1] for r in rows if r[C["status"]] != "amended" and r[C["side"]] == "buy"}
    for key in COLUMNS:
        for descending in (False, True):
            got = list(iter_rows(book.blotter.trades(f), SortSpec(key, descending), page=53))
            assert {r[-1] for r in got} == wanted, key
            assert len(got) == len(wanted), key


def test_external_id_is_a_literal_prefix_and_a_number_finds_the_trade(book: Workspace) -> None:
    weird = add_trade(book, external_id="AB%_x1", source="manual")
    add_trade(book, external_id="ABZZx1", source="manual")
    add_trade(book, external_id="ab%_x2", source="manual")  # another case: not a match
    assert [r[-1] for r in _all(book, TradeFilter(external_id="AB%_"))] == [weird]
    assert [r[-1] for r in _all(book, TradeFilter(external_id="AB%_x1"))] == [weird]
    found = {r[-1] for r in _all(book, TradeFilter(external_id=str(weird)))}
    assert weird in found
    assert all(str(r[-2] or "").startswith(str(weird)) or r[-1] == weird
               for r in _all(book, TradeFilter(external_id=str(weird))))  # fmt: skip
    assert _all(book, TradeFilter(account="NO-SUCH")) == []


# -- totals --------------------------------------------------------------------------------------
def _python_totals(rows: list[Row]) -> dict[str, tuple[int, Decimal, Decimal, Decimal]]:
    out: dict[str, tuple[int, Decimal, Decimal, Decimal]] = {}
    for r in rows:
        if r[C["status"]] == "cancelled":
            continue  # a cancel version settles nothing: the totals leave it out
        n, q, g, net = out.get(r[C["currency"]], (0, Decimal(0), Decimal(0), Decimal(0)))
        out[r[C["currency"]]] = (
            n + 1,
            q + r[C["quantity"]],
            g + r[C["gross_amount"]],
            net + r[C["net_amount"]],
        )
    return out


def test_totals_are_exact_per_currency_for_the_filter(book: Workspace) -> None:
    rows = _all(book)
    for f, keep in [(TradeFilter(), lambda _r: True), *_cases(rows)]:
        totals = book.blotter.totals(f)
        got = {t.currency: (t.count, t.quantity, t.gross, t.net) for t in totals}
        assert got == _python_totals([r for r in rows if keep(r)]), f
        assert [t.currency for t in totals] == sorted(got)
        assert all(isinstance(t.net, Decimal) for t in totals)


def test_totals_do_not_overflow_on_sqlite(book: Workspace) -> None:
    big = Decimal("900000000000000.1234")  # near the largest amount a column keeps
    for n in range(3):
        add_trade(
            book, external_id=f"BIG{n}", source="manual", currency="JPY",
            gross_amount=big, net_amount=big, quantity=Decimal("9000000000000.000001"),
        )  # fmt: skip
    (jpy,) = [t for t in book.blotter.totals() if t.currency == "JPY"]
    assert jpy.count == 3
    assert jpy.net == jpy.gross == 3 * big
    assert jpy.quantity == Decimal("27000000000000.000003")


# -- change marker and indexes ------------------------------------------------------------------
def test_change_marker_moves_with_every_write(book: Workspace) -> None:
    before = book.blotter.change_marker()
    add_trade(book, external_id="LIVE-1", source="manual")
    after = book.blotter.change_marker()
    assert after > before
    assert book.blotter.change_marker() == after  # reading moves nothing


@pytest.mark.parametrize(
    ("f", "index"),
    [
        (TradeFilter(account="NYC-00001"), "ix_trades_account_trade_date"),
        (TradeFilter(instrument="US0378331005"), "ix_trades_instrument_trade_date"),
        (TradeFilter(counterparty="HDRS"), "ix_trades_counterparty_trade_date"),
        (TradeFilter(external_id="HDRS26"), "ix_trades_external_id"),
        (TradeFilter(trade_from=date(2026, 6, 1)), "ix_trades_trade_date_id"),
    ],
)
def test_selective_filters_use_an_index_on_sqlite(
    sqlite_workspace: Workspace, f: TradeFilter, index: str
) -> None:
    source = sqlite_workspace.blotter.trades(f)
    stmt, _ = source._base()
    sql = stmt.compile(sqlite_workspace.engine, compile_kwargs={"literal_binds": True})
    with sqlite_workspace.engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert index in plan, plan
