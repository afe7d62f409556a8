"""The search of the lists over a million obligations, against the same lists unsearched.

Builds (once, then reuses) a database of N settlement obligations (and their trades)
spread over A accounts: a demo book of 20,000 trades, copied in SQL with shifted
dates, fresh external ids and the copies' own accounts until N. Then times, in one
process, what a list tab reads when its search is applied: the first page of 200
rows in the default order and the quick count (up to 10,001 rows), as the table
model reads them; medians over ``--runs`` runs.

- ``baseline``: the same list, unsearched (its first page walks an index);
- obligations (Settlements Due) by a client's name, a counterparty's name, part of an
  ISIN, a trade reference, two words, and a word found nowhere;
- accounts by a client's name, and the same baseline for the accounts list.

Prints JSON: each median in ms and its ratio to its list's baseline in the same run.
Goal: each search's first page and count < 150 ms (the blotter's goal per step).

    python bench/search.py [--obligations 1000000] [--accounts 100000] [--runs 7]
                           [--db PATH] [--pg URL]

``--pg URL`` fills an empty PostgreSQL database the same way (slow the first time).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from desk_app.db import models as m
from desk_app.domain.listing import PageSource
from desk_app.services.workspace import Workspace, open_workspace

SEED_TRADES = 20_000
PAGE, QUICK = 200, 10_001
GOAL_MS = 150


def build(url: str, obligations: int, accounts: int) -> None:
    """Fill an empty database (a no-op if it has the obligations already)."""
    from desk_app.demo import generate_demo_data

    ws = open_workspace(url, "bench")
    try:
        have = _count(ws, m.SettlementObligation)
        if have >= obligations:
            return
        if have:
            raise SystemExit(f"{url} has {have} obligations, fewer than {obligations}")
        started = time.perf_counter()
        print(f"building {obligations:,} obligations in {url} …", file=sys.stderr)
        generate_demo_data(ws.sessions, seed=11, trades=SEED_TRADES, today=date(2026, 11, 25))
        _copy(ws, url, obligations, accounts)
        print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        ws.close()


def _count(ws: Workspace, model: Any) -> int:
    with ws.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _copy(ws: Workspace, url: str, obligations: int, accounts: int) -> None:
    """Copies of the accounts, the trades and their obligations, in SQL, with explicit ids."""
    with ws.sessions() as session:
        top_account = int(session.scalar(select(func.max(m.Account.id))) or 0)
        top_trade = int(session.scalar(select(func.max(m.Trade.id))) or 0)
        top_obligation = int(session.scalar(select(func.max(m.SettlementObligation.id))) or 0)
        seed_obligations = _count(ws, m.SettlementObligation)
    account_copies = max(accounts // top_account - 1, 0)
    sqlite = url.startswith("sqlite")
    cat = "||"
    account_cols = [c.key for c in m.Account.__table__.c if c.key != "id"]
    renamed = {
        "account_number": f"account_number {cat} '-' {cat} CAST(:copy AS VARCHAR(4))",
        "name": f"name {cat} ' ' {cat} CAST(:copy AS VARCHAR(4))",
        "tax_id_ref": "NULL",
    }
    insert_accounts = text(
        f"INSERT INTO accounts (id, {', '.join(account_cols)}) "  # noqa: S608 - model names
        f"SELECT id + :offset, {', '.join(renamed.get(c, c) for c in account_cols)} "
        "FROM accounts WHERE id <= :top"
    )
    with ws.engine.begin() as conn:
        for copy in range(1, account_copies + 1):
            conn.execute(insert_accounts, {"copy": copy, "offset": copy * top_account,
                                           "top": top_account})  # fmt: skip
    trade_cols = [c.key for c in m.Trade.__table__.c if c.key != "id"]
    shift = "date({c}, '-' || :days || ' days')" if sqlite else "({c} - CAST(:days AS integer))"
    moved = {
        "external_id": f"CASE WHEN external_id IS NULL THEN NULL "
        f"ELSE external_id {cat} '-' {cat} CAST(:copy AS VARCHAR(4)) END",
        "original_id": "original_id + :offset",
        "supersedes_id": "supersedes_id + :offset",
        "account_id": "account_id + :account_offset",
        "trade_date": shift.format(c="trade_date"),
        "settle_date": shift.format(c="settle_date"),
    }
    insert_trades = text(
        f"INSERT INTO trades (id, {', '.join(trade_cols)}) "  # noqa: S608 - model names
        f"SELECT id + :offset, {', '.join(moved.get(c, c) for c in trade_cols)} "
        "FROM trades WHERE id <= :top"
    )
    ob_cols = [c.key for c in m.SettlementObligation.__table__.c if c.key != "id"]
    ob_moved = {
        "trade_id": "trade_id + :offset",
        "account_id": "account_id + :account_offset",
        "settle_date": shift.format(c="settle_date"),
        "net_id": "NULL",
    }
    insert_obligations = text(
        f"INSERT INTO settlement_obligations (id, {', '.join(ob_cols)}) "  # noqa: S608
        f"SELECT id + :ob_offset, {', '.join(ob_moved.get(c, c) for c in ob_cols)} "
        "FROM settlement_obligations WHERE id <= :ob_top LIMIT :take"
    )
    have, copy = seed_obligations, 1
    while have < obligations:
        values = {
            "copy": copy, "offset": copy * top_trade, "ob_offset": copy * top_obligation,
            "account_offset": (copy % (account_copies + 1)) * top_account,
            "days": 190 * copy, "top": top_trade, "ob_top": top_obligation,
            "take": min(seed_obligations, obligations - have),
        }  # fmt: skip
        with ws.engine.begin() as conn:
            conn.execute(insert_trades, values)
            conn.execute(insert_obligations, values)
        have += values["take"]
        copy += 1
    with ws.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def _words(ws: Workspace) -> dict[str, str]:
    """Search words taken from the book itself (a seed's names may change)."""
    o, t = m.SettlementObligation, m.Trade
    with ws.sessions() as session:
        surname = session.scalar(
            select(m.Account.name).where(m.Account.name.like("% %")).order_by(m.Account.id)
        )
        counterparty = session.scalar(select(m.Counterparty.name).order_by(m.Counterparty.id))
        isin = session.scalar(
            select(m.Instrument.isin).join(o, o.instrument_id == m.Instrument.id).limit(1)
        )
        reference = session.scalar(
            select(t.external_id).join(o, o.trade_id == t.id)
            .where(t.external_id.is_not(None)).order_by(o.id.desc()).limit(1)
        )  # fmt: skip
    assert surname and counterparty and isin and reference
    last = str(surname).split()[-1]
    return {
        "client_name": last.lower(),
        "counterparty_name": str(counterparty).split()[0].lower(),
        "isin_part": str(isin)[2:8],
        "trade_reference": str(reference),
        "two_words": f"{last.lower()} {str(isin)[:6]}",
        "no_match": "zzqx",
    }


def timed(read: Callable[[], PageSource], runs: int) -> tuple[float, int]:
    """Median ms of a page and a quick count of ``read()``'s source, and the rows counted."""
    samples: list[float] = []
    counted = 0
    for _ in range(runs):
        started = time.perf_counter()
        source = read()
        source.fetch(source.default_sort, None, PAGE)
        counted = source.count_upto(QUICK)
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 1), counted


def measure(url: str, runs: int) -> dict[str, Any]:
    ws = open_workspace(url, "bench")
    try:
        words = _words(ws)
        out: dict[str, Any] = {
            "engine": ws.engine.dialect.name,
            "obligation_rows": _count(ws, m.SettlementObligation),
            "account_rows": _count(ws, m.Account),
            "trade_rows": _count(ws, m.Trade),
            "runs": runs,
        }
        base, _ = timed(ws.settlements.obligations, runs)
        obligations: dict[str, Any] = {"baseline_ms": base}
        for case, word in words.items():
            ms, found = timed(lambda w=word: ws.settlements.obligations(search=w), runs)  # type: ignore[misc]
            obligations[case] = {"search": word, "ms": ms, "rows": found,
                                 "ratio": round(ms / base, 2)}  # fmt: skip
        out["obligations"] = obligations
        base, _ = timed(ws.reference.accounts, runs)
        name = words["client_name"]
        ms, found = timed(lambda: ws.reference.accounts(name), runs)
        out["accounts_list"] = {
            "baseline_ms": base,
            "client_name": {"search": name, "ms": ms, "rows": found, "ratio": round(ms / base, 2)},
        }
        slowest = max(
            [v["ms"] for v in obligations.values() if isinstance(v, dict)]
            + [out["accounts_list"]["client_name"]["ms"]]
        )
        out["slowest_ms"] = slowest
        out["goal_met"] = slowest < GOAL_MS
        return out
    finally:
        ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--obligations", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="the SQLite file to build or reuse")
    parser.add_argument("--pg", metavar="URL", help="an empty PostgreSQL database instead")
    args = parser.parse_args()
    if args.pg:
        url = args.pg
    else:
        name = f"desk-bench-search-{args.obligations}-{args.accounts}.db"
        url = f"sqlite:///{args.db or Path(tempfile.gettempdir()) / name}"
    build(url, args.obligations, args.accounts)
    print(json.dumps(measure(url, args.runs), indent=2))


if __name__ == "__main__":
    main()
