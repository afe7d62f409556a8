"""``import trades`` of an N-row CSV end to end, against the driver's own bulk load of its rows.

Builds a fresh database (SQLite in a temporary folder; with ``--pg`` scratch schemas
of that PostgreSQL database, dropped afterwards) holding a few hundred accounts,
instruments (US equities mostly, some treasuries and corporate bonds) and brokers,
and writes a trades CSV of N rows naming them. Then, in the same process, it times:

- ``ours``: ``workspace.imports.import_file(path)`` signed in as a clerk: read and
  parse the file, check every row against the books, insert, maintain the indexes,
  commit (what ``desk-app import trades FILE`` runs);
- ``raw``: the very values our import stored (read back afterwards) loaded into the
  same ``trades`` table, with the same indexes and foreign keys, of a fresh copy of
  the same database in one transaction: ``sqlite3.executemany`` with Desk's
  connection settings on SQLite, psycopg 3 ``COPY`` on PostgreSQL;
- ``plain``: the same values loaded the same way into a plain table of the same
  columns (no constraints, no foreign keys) with two indexes, on the external id and
  on the trade date, in a fresh empty database (SQLite) or schema (PostgreSQL): what
  storing the rows costs before the blotter's indexes and the books' keys.

Prints JSON: seconds and rows/s of each, ``ratio`` (our rows/s over raw rows/s; goal
>= 0.60), each run's own ratio, ``plain_ratio`` (ours over the plain load's; goal
>= 0.25), on SQLite the CPU seconds of both and their ratio
(steadier than wall time on a busy machine), on both the CPU seconds of our import's
own process (on PostgreSQL without the server's), and a breakdown of our time from the
import's progress messages (parse, check, insert, commit). Medians over ``--runs``
runs, each on fresh databases.

    python bench/import_trades.py [N] [--runs 1] [--pg postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from desk_app.db import models as m
from desk_app.db.engine import BIG_LOAD_CACHE_KIB
from desk_app.domain.codes import (
    AccountStatus,
    CounterpartyKind,
    InstrumentType,
    RegistrationType,
    Role,
)
from desk_app.domain.identifiers import with_cusip_check_digit, with_isin_check_digit
from desk_app.services.workspace import Workspace, open_workspace

ACCOUNTS = 300
EQUITIES = 170
BONDS = 30
BROKERS = ("GSCO", "MSCO", "JPMS", "BARC", "NOMU", "CITI", "BOFA", "UBSS", "DBAB", "CSFB",
           "WFCS", "RBCM", "JEFF", "PIPR", "SCHW", "VIRT", "CDRG", "ITGI")  # fmt: skip
CLERK = "clerk"
#: How the clerk proves who they are on a local file (the computer's login is the admin).
CLERK_PASSWORD = "bench-clerk-password"
COLUMNS = ("external_id,trade_date,trade_time,account,side,isin,quantity,price,currency,"
           "counterparty,commission,fees,instrument_type,settle_date")  # fmt: skip


# -- the books and the file ---------------------------------------------------------------


def _isin(n: int, prefix: str) -> str:
    return with_isin_check_digit("US" + with_cusip_check_digit(f"{prefix}{n:05d}1"))


def _instruments() -> list[tuple[str, InstrumentType]]:
    equities = [(_isin(n, "38"), InstrumentType.EQUITY) for n in range(EQUITIES)]
    bonds = [
        (_isin(n, "91"), InstrumentType.TREASURY if n % 2 else InstrumentType.CORPORATE_BOND)
        for n in range(BONDS)
    ]
    return equities + bonds


def build_books(url: str) -> None:
    """A fresh database with the reference rows the file names, and the clerk who imports."""
    with open_workspace(url, "bench") as admin:  # the first user: the admin
        if admin.is_shared:  # the clerk's own login (see `clerk_url`)
            admin.users.add(CLERK, frozenset({Role.CLERK}), db_login=_clerk_login(url))
        else:
            admin.users.add(CLERK, frozenset({Role.CLERK}), password=CLERK_PASSWORD)
        with admin.uow.write("bench.setup") as session:
            session.add_all(
                m.Account(
                    account_number=f"ACC-{n:05d}",
                    name=f"Client {n:05d}",
                    registration_type=RegistrationType.INDIVIDUAL,
                    status=AccountStatus.OPEN,
                    registered_rep="RR01",
                    residence_state="NY",
                    opened_on=date(2019, 1, 2),
                )  # fmt: skip
                for n in range(ACCOUNTS)
            )
            session.add_all(
                m.Instrument(
                    isin=isin,
                    cusip=isin[2:11],
                    symbol=None,
                    description=f"Security {isin}",
                    issuer="Issuer",
                    instrument_type=kind,
                    market="US",
                    currency="USD",
                    multiplier=Decimal(1),
                    active=True,
                )  # fmt: skip
                for isin, kind in _instruments()
            )
            session.add_all(
                m.Counterparty(code=code, name=f"Broker {code}", kind=CounterpartyKind.BROKER)
                for code in BROKERS
            )


def _clerk_login(url: str) -> str:
    """The clerk's PostgreSQL login for the scratch schema of ``url`` (made by `_schema`)."""
    options = str(make_url(url).query.get("options", ""))
    return f"{options.removeprefix('-csearch_path=')}_{CLERK}"


def clerk_url(url: str) -> str:
    """``url`` as the clerk reaches it: through their own login on PostgreSQL."""
    if not url.startswith("postgresql"):
        return url
    return make_url(url).set(username=_clerk_login(url)).render_as_string(hide_password=False)


def open_as_clerk(url: str) -> Workspace:
    """A workspace on ``url`` signed in as the clerk, proven as the engine demands."""
    return open_workspace(clerk_url(url), CLERK, password=CLERK_PASSWORD)


def _weekdays(first: date, count: int) -> list[date]:
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    """A clerk's file: ~120 trading days, times to the second, 2 % with a settle date given."""
    rng = random.Random(seed)
    days = _weekdays(date(2025, 5, 1), 120)
    instruments = _instruments()
    weights = [5.0 if kind is InstrumentType.EQUITY else 1.0 for _, kind in instruments]
    picks = rng.choices(instruments, weights, k=rows)
    lines = [COLUMNS]
    for n, (isin, kind) in enumerate(picks, start=1):
        day = days[min(len(days) - 1, n * len(days) // rows)]
        secs = rng.randrange(9 * 3600 + 1800, 16 * 3600)
        when = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
        if kind is InstrumentType.EQUITY:
            side = rng.choice(("buy", "buy", "sell", "sell", "sell short"))
            qty = str(rng.choice((1, 5, 10, 25, 50, 100)) * rng.randrange(1, 40))
            price = f"{rng.uniform(5, 900):.{rng.choice((2, 2, 4))}f}"
        else:
            side = rng.choice(("buy", "sell"))
            qty = str(rng.randrange(1, 200) * 5000)
            price = (
                f"{Decimal(rng.randrange(9000, 10400)) / 100 + Decimal(rng.randrange(32)) / 3200}"
            )
        commission = f"{rng.choice((0, 4.95, 7.5, 12.5, rng.uniform(1, 60))):.2f}"
        fees = f"{rng.uniform(0, 2):.2f}" if side != "buy" else "0.00"
        settle = (day + timedelta(days=3)).isoformat() if rng.random() < 0.02 else ""
        lines.append(
            f"CSV-{n:08d},{day.isoformat()},{when},ACC-{rng.randrange(ACCOUNTS):05d},{side},"
            f"{isin},{qty},{price},USD,{rng.choice(BROKERS)},{commission},{fees},"
            f"{kind.value},{settle}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- ours -------------------------------------------------------------------------------


def import_ours(url: str, path: Path) -> dict[str, Any]:
    """Time ``import_file`` as the clerk; split the time by the progress messages."""
    with open_as_clerk(url) as ws:
        marks: list[tuple[float, str]] = []

        def progress(_done: int, _total: int, message: str) -> None:
            marks.append((time.perf_counter(), message))

        start, cpu = time.perf_counter(), time.process_time()
        report = ws.imports.import_file(path, progress=progress)
        end, cpu = time.perf_counter(), time.process_time() - cpu
    if not report.ok:
        raise SystemExit(f"the benchmark file does not import: {report.problems[:5]}")
    return {
        "seconds": end - start, "cpu_seconds": cpu, "added": report.added,
        **_breakdown(start, end, marks),
    }  # fmt: skip


def _breakdown(start: float, end: float, marks: list[tuple[float, str]]) -> dict[str, float]:
    """Parse, check, insert and commit seconds, from when each phase's first message came."""

    def first(prefix: str) -> float | None:
        return next((t for t, message in marks if message.startswith(prefix)), None)

    checking, storing, saving = first("Checking"), first("Storing"), first("Saving")
    if checking is None or storing is None or saving is None:
        return {}
    return {
        "parse_seconds": checking - start,  # read, decode, parse and check each value
        "check_seconds": storing - checking,  # against the books, settlement dates, amounts
        "insert_seconds": saving - storing,  # bulk insert with the indexes, the log, audit
        "commit_seconds": end - saving,
    }


# -- the baselines ----------------------------------------------------------------------


def _sqlite_connect(path: Path) -> sqlite3.Connection:
    """A plain connection with Desk's settings (foreign keys, synchronous FULL, WAL).

    With the page cache our import sets for a big load (``desk_app.db.bulk``), so
    that the ratio compares the same SQLite work, not two cache sizes.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA cache_size = {BIG_LOAD_CACHE_KIB}")
    return conn


def _columns(conn: Any, table: str) -> list[str]:
    cursor = conn.execute(f"SELECT * FROM {table} WHERE 1 = 0")
    return [d[0] for d in cursor.description]


def _stored_sqlite(stored: Path) -> tuple[list[str], list[Any], list[Any], list[Any]]:
    """The trades our import stored (columns but the id, rows), the import logs, and the
    columns' declared types and NOT NULL flags (``PRAGMA table_info``)."""
    source = sqlite3.connect(stored)
    try:
        columns = [c for c in _columns(source, "trades") if c != "id"]
        rows = source.execute(f"SELECT {', '.join(columns)} FROM trades ORDER BY id").fetchall()
        logs = source.execute("SELECT * FROM trade_imports").fetchall()
        info = source.execute("PRAGMA table_info(trades)").fetchall()
    finally:
        source.close()
    return columns, rows, logs, info


def _timed_load(conn: sqlite3.Connection, sql: str, rows: list[Any]) -> tuple[float, float]:
    """One transaction of one executemany: seconds, and this process's CPU seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN")
    conn.executemany(sql, rows)
    conn.execute("COMMIT")
    return time.perf_counter() - start, time.process_time() - cpu


def _insert_sql(table: str, columns: list[str]) -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def raw_sqlite(stored: Path, fresh: Path) -> tuple[float, float]:
    """executemany of ``stored``'s trades into ``fresh``'s table, one transaction.

    Seconds and this process's CPU seconds (SQLite runs in it): on a machine others
    keep busy, CPU time compares the work done where wall time mostly measures waiting.
    """
    columns, rows, logs, _info = _stored_sqlite(stored)
    conn = _sqlite_connect(fresh)
    try:
        marks = ", ".join("?" for _ in logs[0])
        conn.executemany(f"INSERT INTO trade_imports VALUES ({marks})", logs)  # untimed
        return _timed_load(conn, _insert_sql("trades", columns), rows)
    finally:
        conn.close()


#: The plain load's two indexes: the external id (what a re-import looks up) and the
#: trade date (what the blotter shows first).
PLAIN_INDEXES = (("external_id",), ("trade_date", "id"))


def plain_sqlite(stored: Path, empty: Path) -> tuple[float, float]:
    """executemany of ``stored``'s trades into a plain table with two indexes, in ``empty``.

    The same columns and declared types, no constraints but NOT NULL, no foreign
    keys: the load the issue's second goal compares the whole import with.
    """
    columns, rows, _logs, info = _stored_sqlite(stored)
    declared = ", ".join(
        f"{name} {kind}{' NOT NULL' if notnull and name != 'id' else ''}"
        f"{' PRIMARY KEY' if name == 'id' else ''}"
        for _cid, name, kind, notnull, _default, _pk in info
    )
    conn = _sqlite_connect(empty)
    try:
        conn.execute(f"CREATE TABLE plain_trades ({declared})")
        for n, key in enumerate(PLAIN_INDEXES):
            conn.execute(f"CREATE INDEX ix_plain_{n} ON plain_trades ({', '.join(key)})")
        return _timed_load(conn, _insert_sql("plain_trades", columns), rows)
    finally:
        conn.close()


def raw_copy(stored: str, fresh: str) -> float:
    """COPY of ``stored``'s trades (read back as Python values) into ``fresh``, one transaction."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(stored) as source:
        columns = _columns(source, "trades")
        rows = source.execute("SELECT * FROM trades ORDER BY id").fetchall()
        log_columns = _columns(source, "trade_imports")
        logs = source.execute("SELECT * FROM trade_imports").fetchall()
    with psycopg.connect(fresh) as conn:
        with (
            conn.cursor() as cursor,
            cursor.copy(_copy_sql(sql, "trade_imports", log_columns)) as copy,
        ):
            for log in logs:
                copy.write_row(log)
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy(_copy_sql(sql, "trades", columns)) as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - start


def plain_copy(stored: str, fresh: str) -> float:
    """COPY of ``stored``'s trades into a plain table with two indexes in ``fresh``."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(stored) as source:
        columns = _columns(source, "trades")
        rows = source.execute("SELECT * FROM trades ORDER BY id").fetchall()
        declared = source.execute(
            "SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute "
            "WHERE attrelid = 'trades'::regclass AND attnum > 0 AND NOT attisdropped "
            "ORDER BY attnum"
        ).fetchall()
    with psycopg.connect(fresh) as conn:
        # The columns, their types and NOT NULL; no keys, defaults or indexes but two.
        listed = ", ".join(
            f'"{name}" {kind}{" NOT NULL" if notnull else ""}' for name, kind, notnull in declared
        )
        conn.execute(f"CREATE TABLE plain_trades ({listed})")
        for n, key in enumerate(PLAIN_INDEXES):
            conn.execute(f"CREATE INDEX ix_plain_{n} ON plain_trades ({', '.join(key)})")
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy(_copy_sql(sql, "plain_trades", columns)) as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - start


def _copy_sql(sql: Any, table: str, columns: list[str]) -> Any:
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )


# -- the runs ---------------------------------------------------------------------------


def _result(
    rows: int,
    runs: list[tuple[dict[str, Any], float]],
    raw: str,
    plain: list[float],
    *,
    raw_cpu: list[float] | None = None,
    plain_cpu: list[float] | None = None,
) -> dict[str, Any]:
    ours_s = statistics.median(o["seconds"] for o, _ in runs)
    raw_s = statistics.median(r for _, r in runs)
    plain_s = statistics.median(plain)
    ratios = [r / o["seconds"] for o, r in runs]  # each run's own ratio, then their median
    ours_cpu = statistics.median(o["cpu_seconds"] for o, _ in runs)
    # PostgreSQL: the work done in our process, not the server's.
    cpu: dict[str, Any] = {"ours_client_cpu_seconds": round(ours_cpu, 3)}
    if raw_cpu:  # SQLite: both sides' work is this process's CPU time
        cpu = {
            "ours_cpu_seconds": round(ours_cpu, 3),
            "raw_cpu_seconds": round(statistics.median(raw_cpu), 3),
            "cpu_ratio": round(statistics.median(raw_cpu) / ours_cpu, 3),
        }
    if plain_cpu:
        cpu["plain_cpu_seconds"] = round(statistics.median(plain_cpu), 3)
        cpu["plain_cpu_ratio"] = round(statistics.median(plain_cpu) / ours_cpu, 3)
    parts = ("parse_seconds", "check_seconds", "insert_seconds", "commit_seconds")
    breakdown = {
        p: round(statistics.median(o[p] for o, _ in runs), 3) for p in parts if p in runs[0][0]
    }
    return {
        "rows": rows,
        "runs": len(runs),
        "ours_seconds": round(ours_s, 3),
        "ours_rows_per_s": round(rows / ours_s),
        "raw_seconds": round(raw_s, 3),
        "raw_rows_per_s": round(rows / raw_s),
        "raw": raw,
        "ratio": round(raw_s / ours_s, 3),
        "ratio_per_run": [round(r, 3) for r in ratios],
        **cpu,
        "goal": ">= 0.60",
        "goal_met": raw_s / ours_s >= 0.60,
        "plain_seconds": round(plain_s, 3),
        "plain": f"{raw} into a plain table with two indexes",
        "plain_ratio": round(plain_s / ours_s, 3),
        "plain_ratio_per_run": [
            round(p / o["seconds"], 3) for (o, _), p in zip(runs, plain, strict=True)
        ],
        "plain_goal": ">= 0.25",
        "plain_goal_met": plain_s / ours_s >= 0.25,
        "ours_breakdown": breakdown,
    }


def sqlite_case(rows: int, runs: int) -> dict[str, Any]:
    results = []
    raw_cpu: list[float] = []
    plain: list[float] = []
    plain_cpu: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = folder / f"trades_{rows}.csv"
        write_csv(csv_path, rows)
        books = folder / "books.db"
        build_books(f"sqlite:///{books}")
        for n in range(runs):
            ours_db, raw_db = folder / f"ours{n}.db", folder / f"raw{n}.db"
            for target in (ours_db, raw_db):
                with sqlite3.connect(books) as src, sqlite3.connect(target) as dst:
                    src.backup(dst)
            ours = import_ours(f"sqlite:///{ours_db}", csv_path)
            if ours["added"] != rows:
                raise SystemExit(f"imported {ours['added']} rows of {rows}")
            raw_s, raw_cpu_s = raw_sqlite(ours_db, raw_db)
            plain_s, plain_cpu_s = plain_sqlite(ours_db, folder / f"plain{n}.db")
            results.append((ours, raw_s))
            raw_cpu.append(raw_cpu_s)
            plain.append(plain_s)
            plain_cpu.append(plain_cpu_s)
            print(f"sqlite run {n + 1}: ours {ours['seconds']:.2f} s", file=sys.stderr)
    how = "sqlite3 executemany, one transaction"
    return {
        "engine": "sqlite",
        **_result(rows, results, how, plain, raw_cpu=raw_cpu, plain_cpu=plain_cpu),
    }


@contextmanager
def _schema(url: str) -> Iterator[tuple[str, str]]:
    """A scratch schema of ``url``'s database: (SQLAlchemy URL, plain libpq URL) into it."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    clerk = f"{schema}_{CLERK}"
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        # The group role exists once a Desk database has been migrated on this server.
        conn.execute(text(
            "DO $$ BEGIN CREATE ROLE desk_user NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        ))  # fmt: skip
        conn.execute(text(f'CREATE ROLE "{clerk}" LOGIN IN ROLE desk_user'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    plain = scoped.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        yield scoped.render_as_string(hide_password=False), plain
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'DROP OWNED BY "{clerk}"'))
            conn.execute(text(f'DROP ROLE "{clerk}"'))
        admin.dispose()


def postgresql_case(url: str, rows: int, runs: int) -> dict[str, Any]:
    results = []
    plain: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / f"trades_{rows}.csv"
        write_csv(csv_path, rows)
        for n in range(runs):
            with (
                _schema(url) as (ours_url, ours_plain),
                _schema(url) as (raw_url, raw_plain),
                _schema(url) as (_, empty_plain),
            ):
                build_books(ours_url)
                build_books(raw_url)
                ours = import_ours(ours_url, csv_path)
                if ours["added"] != rows:
                    raise SystemExit(f"imported {ours['added']} rows of {rows}")
                results.append((ours, raw_copy(ours_plain, raw_plain)))
                plain.append(plain_copy(ours_plain, empty_plain))
            print(f"postgresql run {n + 1}: ours {ours['seconds']:.2f} s", file=sys.stderr)
    how = "psycopg COPY, one transaction"
    return {"engine": "postgresql", **_result(rows, results, how, plain)}


def bench_main(name: str, doc: str, sqlite: Any, postgresql: Any) -> None:
    """The command line both row benchmarks share: N rows, runs, SQLite and/or PostgreSQL."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000, metavar="N")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--pg", metavar="URL", help="also run on this PostgreSQL database")
    parser.add_argument("--no-sqlite", action="store_true", help="only the --pg run")
    args = parser.parse_args()
    results = [] if args.no_sqlite else [sqlite(args.rows, args.runs)]
    if args.pg:
        results.append(postgresql(args.pg, args.rows, args.runs))
    print(json.dumps({"benchmark": name, "results": results}, indent=2))


def main() -> None:
    bench_main("import_trades", __doc__ or "", sqlite_case, postgresql_case)


if __name__ == "__main__":
    main()
