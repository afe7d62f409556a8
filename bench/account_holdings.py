"""An account's holdings on a demo book, against a plain read of its balances.

Builds (once, then reuses with ``--db``) a demo book of ``--trades`` trades, picks the
accounts with the most instruments, and times for each, in one process, what the
Holdings page and ``accounts positions`` read: the summary of today (positions on the
settlement basis, cash, recent activity), positions as of a past day on the trade
basis (the ledger replayed to that day), and cash alone. The baseline is a plain
query of the account's kept balances joined to their instruments: one indexed read,
no lots, prices or obligations. Medians over ``--runs`` runs.

Prints JSON: each median in ms and its ratio to the baseline in the same run.

    python bench/account_holdings.py [--trades 30000] [--accounts 5] [--runs 7]
                                     [--db PATH] [--pg URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from desk_app.db import models as m
from desk_app.domain.cutoffs import market_today
from desk_app.services.workspace import Workspace, open_workspace


def build(url: str, trades: int) -> None:
    """Fill an empty database with the demo book (a no-op if it has trades already)."""
    from desk_app.demo import generate_demo_data

    ws = open_workspace(url, "bench")
    try:
        with ws.sessions() as session:
            if session.scalar(select(func.count()).select_from(m.Trade)):
                return
        started = time.perf_counter()
        print(f"building a demo book of {trades:,} trades in {url} …", file=sys.stderr)
        generate_demo_data(ws.sessions, seed=5, trades=trades)
        print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        ws.close()


def busiest(ws: Workspace, count: int) -> list[str]:
    """The accounts holding the most instruments."""
    B, A = m.LedgerBalance, m.Account
    with ws.sessions() as session:
        return list(
            session.scalars(
                select(A.account_number)
                .join(B, B.account_id == A.id)
                .where(B.instrument_id.is_not(None))
                .group_by(A.account_number)
                .order_by(func.count().desc(), A.account_number)
                .limit(count)
            )
        )


def baseline(ws: Workspace, number: str) -> int:
    """The account's kept securities balances with their instruments: one plain read."""
    B, A, I = m.LedgerBalance, m.Account, m.Instrument  # noqa: E741
    with ws.sessions() as session:
        return len(
            session.execute(
                select(I.isin, I.description, B.quantity)
                .join(B, B.instrument_id == I.id)
                .join(A, A.id == B.account_id)
                .where(A.account_number == number)
            ).all()
        )


def median_ms(call: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=30_000)
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="a SQLite file to build once and reuse")
    parser.add_argument("--pg", metavar="URL", help="an empty PostgreSQL database instead")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "holdings.db"
        url = args.pg or f"sqlite:///{path}"
        build(url, args.trades)
        ws = open_workspace(url, "bench")
        try:
            past = market_today() - timedelta(days=30)
            results = []
            for number in busiest(ws, args.accounts):
                base = median_ms(lambda n=number: baseline(ws, n), args.runs)
                timed = {
                    "summary_today": lambda n=number: ws.holdings.summary(n),
                    "positions_past_trade_basis": lambda n=number: ws.holdings.positions(
                        n, past, "trade"
                    ),
                    "cash": lambda n=number: ws.holdings.cash(n),
                }
                row: dict[str, Any] = {
                    "account": number,
                    "positions": len(ws.holdings.positions(number).positions),
                    "baseline_ms": round(base, 2),
                }
                for name, call in timed.items():
                    ms = median_ms(call, args.runs)
                    row[f"{name}_ms"] = round(ms, 2)
                    row[f"{name}_ratio"] = round(ms / base, 1) if base else None
                results.append(row)
        finally:
            ws.close()
    engine = "postgresql" if args.pg else "sqlite"
    print(json.dumps({"engine": engine, "trades": args.trades, "runs": args.runs,
                      "accounts": results}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
