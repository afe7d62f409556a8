"""The settlement run and a bulk settlement of N trades, against the same work in raw SQL.

Builds a database of N imported trades (the books and file of ``import_trades.py``,
with a DTC standing settlement instruction for every broker and asset class), then
times, in the same process:

- ``ours``: ``settlements.run()`` (an obligation for every trade, exactly once,
  with the SSI in force) and ``settling.settle_all(...)`` of every obligation (each
  checked, a posting and its balanced entries, the kept balances moved, the
  obligations marked settled), signed in as a clerk, as the CLI and the tab run them;
- ``raw``: on a copy of the database taken before the run, the same rows made by
  plain SQL in one transaction each: ``INSERT ... SELECT`` of the obligations from
  the trades, then ``INSERT ... SELECT`` of the postings, their entries and the
  balances, and one ``UPDATE`` of the obligations (``sqlite3`` with Desk's connection
  settings on SQLite, psycopg 3 on PostgreSQL).

Between the two steps both sides mark every obligation matched (untimed: that is
what the market's statuses do). Prints JSON: seconds and rows/s of each step and
in total, and ``ratio`` (our rows/s over raw rows/s, goal >= 0.30), with a check
that both sides made the same number of obligations, postings, entries and
balances. Medians over ``--runs`` runs, each on fresh databases.

    python bench/settlements.py [N] [--runs 1] [--pg postgresql+psycopg://...]
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from import_trades import (  # noqa: E402 - the sibling benchmark's books and file
    BROKERS,
    _schema,
    _sqlite_connect,
    bench_main,
    build_books,
    open_as_clerk,
    write_csv,
)
from sqlalchemy import select  # noqa: E402

from desk_app.db import models as m  # noqa: E402
from desk_app.domain.codes import InstrumentType  # noqa: E402
from desk_app.services.workspace import open_workspace  # noqa: E402

GOAL = 0.30
TABLES = ("settlement_obligations", "ledger_postings", "ledger_entries", "ledger_balances")


def build(url: str, rows: int, folder: Path) -> None:
    """Books, SSIs for every broker and asset class, and N trades imported by the clerk."""
    build_books(url)
    with open_workspace(url, "bench") as admin, admin.uow.write("bench.setup") as session:
        for party in session.query(m.Counterparty).filter(m.Counterparty.code.in_(BROKERS)):
            for kind in (InstrumentType.EQUITY, InstrumentType.TREASURY,
                         InstrumentType.CORPORATE_BOND):  # fmt: skip
                session.add(m.StandingSettlementInstruction(
                    counterparty_id=party.id, account_id=None, market="US", asset_class=kind,
                    place_of_settlement="DTCYUS33", agent_bic="IRVTUS3N",
                    safekeeping_account=f"{party.id:04d}", effective_from=date(2020, 1, 1),
                    effective_to=None,
                ))  # fmt: skip
    path = folder / f"trades_{rows}.csv"
    if not path.exists():
        write_csv(path, rows)
    with open_as_clerk(url) as clerk:
        report = clerk.imports.import_file(path)
    if report.added != rows:
        raise SystemExit(f"imported {report.added} of {rows}: {report.problems[:3]}")


# -- ours -------------------------------------------------------------------------------


def ours(url: str, match: Any) -> dict[str, float]:
    with open_as_clerk(url) as ws:
        start = time.perf_counter()
        made = ws.settlements.run()
        generated = time.perf_counter()
        match()
        with ws.uow.read() as session:
            ids = list(session.scalars(select(m.SettlementObligation.id)))
        settle_start = time.perf_counter()
        done = ws.settling.settle_all(ids)
        end = time.perf_counter()
    if made.exceptions or done.refused:
        raise SystemExit(f"not all settled: {made.summary}; {done.summary}")
    return {"generate": generated - start, "settle": end - settle_start}


# -- raw --------------------------------------------------------------------------------

GENERATE = """
INSERT INTO settlement_obligations (trade_id, account_id, instrument_id, counterparty_id,
    ssi_id, direction, payment, quantity, settled_quantity, amount, settled_amount, currency,
    settle_date, status, fail_reason, exception_reason, status_note, status_changed_at,
    created_at, version, updated_at)
SELECT t.id, t.account_id, t.instrument_id, t.counterparty_id,
    (SELECT s.id FROM standing_settlement_instructions s
      WHERE s.counterparty_id = t.counterparty_id AND s.market = i.market
        AND s.asset_class = i.instrument_type ORDER BY s.effective_from DESC LIMIT 1),
    CASE WHEN t.side = 'buy' THEN 'receive' ELSE 'deliver' END, 'against', t.quantity, 0,
    t.net_amount, 0, t.currency, t.settle_date, 'pending', NULL, NULL, NULL, t.created_at,
    t.created_at, 1, t.created_at
FROM trades t JOIN instruments i ON i.id = t.instrument_id
WHERE t.status = 'active'
ORDER BY t.id
"""
MATCH = "UPDATE settlement_obligations SET status = 'matched', version = version + 1"
POST = """
INSERT INTO ledger_postings (obligation_id, kind, quantity, amount, currency, reverses_id,
    reason, posted_at, posted_by)
SELECT o.id, 'settlement', o.quantity - o.settled_quantity, o.amount - o.settled_amount,
    o.currency, NULL, NULL, o.created_at, 'raw'
FROM settlement_obligations o WHERE o.status = 'matched' ORDER BY o.id
"""
_HOLDERS = {
    "receiver": ("CASE WHEN o.direction = 'receive' THEN 'account:' || o.account_id "
                 "ELSE 'counterparty:' || o.counterparty_id END",
                 "CASE WHEN o.direction = 'receive' THEN o.account_id END",
                 "CASE WHEN o.direction = 'receive' THEN CAST(NULL AS INTEGER) "
                 "ELSE o.counterparty_id END"),
    "deliverer": ("CASE WHEN o.direction = 'deliver' THEN 'account:' || o.account_id "
                  "ELSE 'counterparty:' || o.counterparty_id END",
                  "CASE WHEN o.direction = 'deliver' THEN o.account_id END",
                  "CASE WHEN o.direction = 'deliver' THEN CAST(NULL AS INTEGER) "
                  "ELSE o.counterparty_id END"),
}  # fmt: skip


#: A NULL that PostgreSQL can put in a UNION beside a number (SQLite keeps it NULL).
NUMBER = "CAST(NULL AS NUMERIC)"


def _leg(holder: str, book: str, sign: str) -> str:
    key, account, party = _HOLDERS[holder]
    if book == "securities":
        asset = "o.instrument_id"
        columns = f"o.instrument_id, CAST(NULL AS VARCHAR(3)), {sign}p.quantity, {NUMBER}"
    else:
        asset = "o.currency"
        columns = f"CAST(NULL AS INTEGER), o.currency, {NUMBER}, {sign}p.amount"
    return (
        f"SELECT p.id, {key} || ':{book}:' || {asset}, '{book}', {account}, {party}, {columns} "
        "FROM ledger_postings p JOIN settlement_obligations o ON o.id = p.obligation_id"
        + (" WHERE p.amount <> 0" if book == "cash" else "")
    )


ENTRIES = (
    "INSERT INTO ledger_entries (posting_id, balance_key, book, account_id, counterparty_id, "
    "instrument_id, currency, quantity, amount) "
    + " UNION ALL ".join(
        [
            _leg("receiver", "securities", ""),
            _leg("deliverer", "securities", "-"),
            _leg("receiver", "cash", "-"),
            _leg("deliverer", "cash", ""),
        ]
    )  # fmt: skip
)
BALANCES = """
INSERT INTO ledger_balances (balance_key, book, account_id, counterparty_id, instrument_id,
    currency, quantity, amount, version, updated_at)
SELECT balance_key, book, account_id, counterparty_id, instrument_id, currency, SUM(quantity),
    SUM(amount), 1, (SELECT MAX(posted_at) FROM ledger_postings)
FROM ledger_entries GROUP BY balance_key, book, account_id, counterparty_id, instrument_id,
    currency
HAVING SUM(COALESCE(quantity, amount)) <> 0
"""
SETTLED = """
UPDATE settlement_obligations SET status = 'settled', settled_quantity = quantity,
    settled_amount = amount, version = version + 1
WHERE status = 'matched'
"""


def raw(execute: Any, commit: Any) -> dict[str, float]:
    start = time.perf_counter()
    execute(GENERATE)
    commit()
    generated = time.perf_counter()
    execute(MATCH)
    commit()
    settle_start = time.perf_counter()
    for statement in (POST, ENTRIES, BALANCES, SETTLED):
        execute(statement)
    commit()
    end = time.perf_counter()
    return {"generate": generated - start, "settle": end - settle_start}


def counts(execute: Any) -> list[int]:
    return [execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES]


# -- the runs ---------------------------------------------------------------------------


def sqlite_case(rows: int, runs: int) -> dict[str, Any]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        books = folder / "books.db"
        build(f"sqlite:///{books}", rows, folder)
        for n in range(runs):
            ours_db, raw_db = folder / f"ours{n}.db", folder / f"raw{n}.db"
            for target in (ours_db, raw_db):
                with sqlite3.connect(books) as src, sqlite3.connect(target) as dst:
                    src.backup(dst)

            def match(path: Path = ours_db) -> None:
                with sqlite3.connect(path) as conn:
                    conn.execute(MATCH)

            mine = ours(f"sqlite:///{ours_db}", match)
            conn = _sqlite_connect(raw_db)
            try:
                conn.execute("BEGIN")
                theirs = raw(conn.execute, lambda c=conn: (c.execute("COMMIT"),
                                                           c.execute("BEGIN")))  # fmt: skip
                conn.execute("COMMIT")
                made = counts(conn.execute)
            finally:
                conn.close()
            with sqlite3.connect(ours_db) as check:
                expected = counts(check.execute)
            results.append((mine, theirs, expected, made))
            print(f"sqlite run {n + 1}: ours {sum(mine.values()):.2f} s, raw "
                  f"{sum(theirs.values()):.2f} s", file=sys.stderr)  # fmt: skip
    return {"engine": "sqlite", **_result(rows, results, "sqlite3, plain INSERT ... SELECT")}


def postgresql_case(url: str, rows: int, runs: int) -> dict[str, Any]:
    import psycopg

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in range(runs):
            with _schema(url) as (ours_url, ours_plain), _schema(url) as (raw_url, raw_plain):
                build(ours_url, rows, folder)
                build(raw_url, rows, folder)

                def match(plain: str = ours_plain) -> None:
                    with psycopg.connect(plain) as conn:
                        conn.execute(MATCH)

                mine = ours(ours_url, match)
                with psycopg.connect(raw_plain) as conn:
                    theirs = raw(conn.execute, conn.commit)
                    made = counts(conn.execute)
                with psycopg.connect(ours_plain) as conn:
                    expected = counts(conn.execute)
            results.append((mine, theirs, expected, made))
            print(f"postgresql run {n + 1}: ours {sum(mine.values()):.2f} s, raw "
                  f"{sum(theirs.values()):.2f} s", file=sys.stderr)  # fmt: skip
    return {"engine": "postgresql", **_result(rows, results, "psycopg, plain INSERT ... SELECT")}


def _result(rows: int, runs: list[Any], raw_label: str) -> dict[str, Any]:
    def median(side: int, step: str | None) -> float:
        return statistics.median(
            sum(r[side].values()) if step is None else r[side][step] for r in runs
        )

    out: dict[str, Any] = {"rows": rows, "runs": len(runs), "raw": raw_label}
    for step in ("generate", "settle", None):
        name = step or "total"
        mine, theirs = median(0, step), median(1, step)
        out[name] = {
            "ours_seconds": round(mine, 3), "ours_rows_per_s": round(rows / mine),
            "raw_seconds": round(theirs, 3), "raw_rows_per_s": round(rows / theirs),
            "ratio": round(theirs / mine, 3),
        }  # fmt: skip
    ratio = out["total"]["ratio"]
    out.update({"ratio": ratio, "goal": f">= {GOAL:.2f}", "goal_met": ratio >= GOAL})
    out["same_rows"] = all(r[2] == r[3] for r in runs)
    out["rows_made"] = dict(zip(TABLES, runs[0][2], strict=True))
    out["raw_rows_made"] = dict(zip(TABLES, runs[0][3], strict=True))
    return out


def main() -> None:
    bench_main("settlements", __doc__ or "", sqlite_case, postgresql_case)


if __name__ == "__main__":
    main()
