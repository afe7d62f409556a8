"""``audit verify --records`` over N trades, against reading and hashing the same rows plainly.

Builds a fresh SQLite database in a temporary folder: a demo book of 20,000 trade
versions (sealed as the demo seals its load), then copies of its trades with fresh
external ids and older dates until N, each copy of 20,000 written by one set-based
``INSERT ... SELECT`` in a unit of work and sealed at its commit as a bulk import
is (`desk_app.db.sealing.note_written`). Then, in the same process, it times:

- ``records_seconds``: `HistoryService.verify_records` (what ``desk-app audit verify
  --records`` runs): the hash chain, then every sealed table's rows in id order
  beside their seals, each row hashed and compared with its last audited state;
- ``baseline_seconds``: a plain DB-API read of the same tables in id order, each
  row's JSON (``json.dumps``) and its SHA-256, nothing compared or stored: the floor
  of reading and hashing every row once.

Prints JSON: both times and their ratio, the rows and seals checked, the seconds the
copies took to write and seal, and what the seals cost on disk (``record_seals``'s
pages per sealed row, from SQLite's ``dbstat``) beside the trades table's own.
Goal: records < 30 s for 1,000,000 trades on this machine.

    python bench/audit_records.py [--trades 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from desk_app.db import models as m
from desk_app.db.sealing import columns_of, note_written, sealed_tables
from desk_app.demo import generate_demo_data
from desk_app.services.workspace import Workspace, open_workspace

SEED_TRADES = 20_000


def build(ws: Workspace, trades: int) -> float:
    """A demo book, then sealed copies of its trades until ``trades``; the copying's seconds."""
    print(f"building {trades:,} trades …", file=sys.stderr, flush=True)
    generate_demo_data(ws.sessions, seed=11, trades=SEED_TRADES, today=date(2026, 11, 25))
    columns = [c.key for c in m.Trade.__table__.c if c.key != "id"]
    shifted = {
        "external_id": "CASE WHEN external_id IS NULL THEN NULL "
        "ELSE external_id || '-' || :copy END",
        "trade_date": "date(trade_date, '-' || :days || ' days')",
        "settle_date": "date(settle_date, '-' || :days || ' days')",
    }
    copy_rows = text(
        f"INSERT INTO trades ({', '.join(columns)}) "  # noqa: S608 - names from the model
        f"SELECT {', '.join(shifted.get(c, c) for c in columns)} FROM trades "
        "WHERE id <= :seed ORDER BY id LIMIT :take RETURNING id"
    )
    started, have, copy = time.perf_counter(), SEED_TRADES, 1
    while have < trades:
        take = min(SEED_TRADES, trades - have)
        with ws.uow.write("bench.copy_trades") as session:
            made = session.execute(
                copy_rows, {"copy": copy, "days": 190 * copy, "seed": SEED_TRADES, "take": take}
            ).scalars()
            note_written(session, "trades", list(made))  # sealed as this commits
        have, copy = have + take, copy + 1
        if copy % 10 == 0:
            print(f"  {have:,}", file=sys.stderr, flush=True)
    return time.perf_counter() - started


def baseline(path: Path) -> tuple[float, int]:
    """Read every sealed table in id order with sqlite3, JSON and SHA-256 each row."""
    conn = sqlite3.connect(path)
    start, rows, sha256, dumps = time.perf_counter(), 0, hashlib.sha256, json.dumps
    try:
        for table in sealed_tables():
            names = ", ".join(f'"{c}"' for c in columns_of(table))
            cursor = conn.execute(f'SELECT {names} FROM "{table.name}" ORDER BY id')  # noqa: S608
            while chunk := cursor.fetchmany(20_000):
                for row in chunk:
                    sha256(dumps(row, separators=(",", ":"), ensure_ascii=False).encode()).digest()
                rows += len(chunk)
    finally:
        conn.close()
    return time.perf_counter() - start, rows


def storage(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        pages = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
        seals = conn.execute("SELECT count(*) FROM record_seals").fetchone()[0]
        trades = conn.execute("SELECT count(*) FROM trades").fetchone()[0]
    finally:
        conn.close()
    trade_bytes = sum(v for k, v in pages.items() if k == "trades" or k.startswith("ix_trades"))
    return {
        "record_seals_megabytes": round(pages.get("record_seals", 0) / 1e6, 1),
        "bytes_per_seal": round(pages.get("record_seals", 0) / max(seals, 1), 1),
        "trades_bytes_per_row_with_indexes": round(trade_bytes / max(trades, 1), 1),
        "database_megabytes": round(path.stat().st_size / 1e6, 1),
    }


def run(trades: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.db"
        ws = open_workspace(f"sqlite:///{path}", "bench")
        try:
            build_s = build(ws, trades)
            start = time.perf_counter()
            report = ws.history.verify_records()
            records_s = time.perf_counter() - start
            with ws.sessions() as session:
                counted = int(session.scalar(select(func.count()).select_from(m.Trade)) or 0)
        finally:
            ws.close()
        if not report.intact or counted != trades:
            raise SystemExit(f"the benchmark book does not verify: {report.summary}")
        baseline_s, baseline_rows = baseline(path)
        if baseline_rows != report.rows:
            raise SystemExit(f"the baseline read {baseline_rows} rows, the check {report.rows}")
        return {
            "engine": "sqlite",
            "trades": trades,
            "rows_checked": report.rows,
            "seals": report.seals,
            "records_seconds": round(records_s, 2),
            "baseline_seconds": round(baseline_s, 2),
            "baseline": "plain sqlite3 read of the same tables in id order + json.dumps + "
            "sha256 of each row, nothing compared",
            "ratio": round(records_s / baseline_s, 2),
            "copy_and_seal_seconds": round(build_s, 1),
            **storage(path),
            "goal": "< 30 s for 1,000,000 trades",
            # Fewer trades: scaled by the rows a million would add to those checked here.
            "goal_met": records_s * (report.rows + 1_000_000 - trades) / report.rows < 30,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.trades < SEED_TRADES:
        parser.error(f"--trades: at least {SEED_TRADES:,}")
    print(json.dumps({"benchmark": "audit_records", "results": [run(args.trades)]}, indent=2))


if __name__ == "__main__":
    main()
