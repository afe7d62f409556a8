"""``audit verify`` over a long trail, against hashing the same bytes with hashlib alone.

Builds a fresh database (SQLite in a temporary folder; optionally a scratch schema on
PostgreSQL) holding N audit entries appended through `desk_app.services.audit.append`
in 10,000-entry transactions, with before/after values like the real trail's (an
account amendment, a trade booked, a settlement moving, a tax id revealed: 200-400
bytes each). Then, in the same process, it times:

- ``verify_seconds``: `verify_chain` (what ``desk-app audit verify`` runs);
- ``baseline_seconds``: hashlib.sha256 over exactly the bytes `verify` hashes for each
  entry (``[prev_hash, *fields]`` as JSON), built beforehand from the same rows; only
  the hashing is timed (the floor: hashlib alone);
- ``stdlib_verify_seconds``: a plain DB-API read of the same rows in seq order, the
  same JSON and sha256, and the comparison with the stored hash (no SQLAlchemy, no
  checks beyond the hash): how much of `verify` is reading and serialising.

Prints JSON. Goal: verify < 30 s for 1,000,000 entries on this machine.

    python bench/audit_verify.py [--entries 1000000] [--pg postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from desk_app.db.engine import create_desk_engine
from desk_app.db.migrate import upgrade
from desk_app.domain.audit_chain import hashed_fields
from desk_app.services import audit
from desk_app.services.audit import CHAIN_COLUMNS, AuditContext, Change

BATCH = 10_000
USERS = ("jmorales", "dkowalski", "tnguyen", "rpatel", "mobrien", "sgoldberg")
REPS = ("Rebecca Castillo", "Thomas Whitaker", "Anita Raman", "Marcus Bell", "Grace Liu")
STATUSES = ("pending", "instructed", "matched", "partially_settled", "settled", "failing")


def _stamp(rng: random.Random) -> str:
    moment = datetime(2025, 1, 2, tzinfo=UTC) + timedelta(seconds=rng.randrange(25_000_000))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _change(rng: random.Random, n: int) -> tuple[str, Change]:
    """One realistic change (and its action), 200-400 bytes of before/after JSON."""
    kind = rng.random()
    if kind < 0.35:  # a trade booked: every column of the new row
        qty = rng.randrange(1, 5000) * 100
        price = f"{rng.uniform(5, 900):.4f}"
        after = {
            "id": n, "external_id": f"CSV-{n:08d}", "source": "csv", "version_no": 1,
            "status": "active", "account_id": rng.randrange(1, 300),
            "instrument_id": rng.randrange(1, 130), "counterparty_id": rng.randrange(1, 16),
            "side": rng.choice(("buy", "sell")), "quantity": str(qty), "price": price,
            "currency": "USD", "trade_date": "2025-10-13", "settle_date": "2025-10-14",
            "trade_time": _stamp(rng), "gross_amount": f"{qty * float(price):.2f}",
            "commission": "12.50", "fees": "0.37", "version": 1, "created_by": rng.choice(USERS),
            "reason": None, "import_id": None,
        }  # fmt: skip
        return "trade.book", Change("create", "trades", str(n), None, after)
    if kind < 0.75:  # a settlement obligation moving on
        old, new = rng.sample(STATUSES, 2)
        version = rng.randrange(1, 6)
        before = {"status": old, "status_changed_at": _stamp(rng), "settled_quantity": "0",
                  "settled_amount": "0.00", "fail_reason": None, "version": version}  # fmt: skip
        after = {**before, "status": new, "status_changed_at": _stamp(rng),
                 "settled_quantity": str(rng.randrange(0, 10000)), "version": version + 1,
                 "settled_amount": f"{rng.uniform(0, 1e6):.2f}"}  # fmt: skip
        record = str(rng.randrange(1, 500_000))
        return "settlement.update", Change(
            "update", "settlement_obligations", record, before, after
        )
    if kind < 0.95:  # an account amendment, applied on approval
        version = rng.randrange(1, 9)
        old, new = rng.sample(REPS, 2)
        before = {"registered_rep": old, "residence_state": "NY", "version": version,
                  "updated_at": _stamp(rng)}  # fmt: skip
        after = {"registered_rep": new, "residence_state": rng.choice(("NJ", "CT", "NY")),
                 "version": version + 1, "updated_at": _stamp(rng)}  # fmt: skip
        return "account.amend", Change("update", "accounts", str(rng.randrange(1, 300)), before,
                                       after)  # fmt: skip
    detail = {
        "revealed": "tax_id",
        "reason": "W-9 check requested by compliance",
        "at": _stamp(rng),
    }
    return "account.reveal_tax_id", Change("event", "accounts", str(rng.randrange(1, 300)), None,
                                           detail)  # fmt: skip


def fill(engine: Engine, entries: int, seed: int = 1) -> float:
    """Append ``entries`` entries in ``BATCH``-entry transactions; return the seconds taken."""
    rng = random.Random(seed)
    start, done = time.perf_counter(), 0
    while done < entries:
        size = min(BATCH, entries - done)
        made = [_change(rng, done + i + 1) for i in range(size)]
        by_action: dict[str, list[Change]] = {}
        for action, change in made:
            by_action.setdefault(action, []).append(change)
        with engine.begin() as conn:
            for action, changes in by_action.items():
                user = rng.choice(USERS)
                ctx = AuditContext(user, f"desk_{user}", action, rng.choice((None, done + 1)))
                audit.append(conn, ctx, changes)
        done += size
        if done % 100_000 == 0 or done == entries:
            print(f"appended {done:,}", file=sys.stderr, flush=True)
    return time.perf_counter() - start


def _payload(row: tuple[Any, ...]) -> bytes:
    """The bytes `audit_chain.entry_hash` hashes for a row (fields, prev_hash, entry_hash)."""
    fields, prev = hashed_fields(row[:-2]), row[-2]
    return json.dumps([prev, *fields], separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _rows(connect: Callable[[], Any], chunk: int = 20_000) -> Iterator[list[tuple[Any, ...]]]:
    """The trail in seq order through the plain DB-API driver, ``chunk`` rows at a time."""
    conn = connect()
    try:
        cur = conn.cursor(name="trail") if hasattr(conn, "pgconn") else conn.cursor()
        cur.execute(f"SELECT {', '.join(CHAIN_COLUMNS)} FROM audit_log ORDER BY seq")
        while batch := cur.fetchmany(chunk):
            yield [tuple(row) for row in batch]
    finally:
        conn.close()


def hash_only(connect: Callable[[], Any]) -> tuple[float, int]:
    """Seconds spent in sha256 alone over every entry's payload (built untimed); bytes."""
    spent, total = 0.0, 0
    for batch in _rows(connect):
        payloads = [_payload(row) for row in batch]
        total += sum(map(len, payloads))
        sha256 = hashlib.sha256
        start = time.perf_counter()
        digests = [sha256(p).hexdigest() for p in payloads]
        spent += time.perf_counter() - start
        if digests != [row[-1] for row in batch]:  # the same bytes verify hashes
            raise SystemExit("baseline payloads do not reproduce the stored hashes")
    return spent, total


def stdlib_verify(connect: Callable[[], Any]) -> float:
    """Read, serialise, hash and compare with the stored hash: a minimal verify."""
    start, sha256 = time.perf_counter(), hashlib.sha256
    for batch in _rows(connect):
        for row in batch:
            if sha256(_payload(row)).hexdigest() != row[-1]:
                raise SystemExit(f"entry {row[0]} does not match")
    return time.perf_counter() - start


def run(url: str, entries: int, connect: Callable[[], Any]) -> dict[str, Any]:
    engine = create_desk_engine(url)
    try:
        upgrade(engine)
        append_s = fill(engine, entries)
        start = time.perf_counter()
        report = audit.verify_chain(engine)
        verify_s = time.perf_counter() - start
    finally:
        engine.dispose()
    if not report.intact or report.entries != entries:
        raise SystemExit(f"the benchmark trail does not verify: {report}")
    baseline_s, total_bytes = hash_only(connect)
    stdlib_s = stdlib_verify(connect)
    return {
        "entries": entries,
        "verify_seconds": round(verify_s, 3),
        "baseline_seconds": round(baseline_s, 3),
        "baseline": "hashlib.sha256 over each entry's exact hashed bytes, built beforehand "
        "from the same rows; only the hashing timed",
        "ratio": round(verify_s / baseline_s, 2),
        "stdlib_verify_seconds": round(stdlib_s, 3),
        "stdlib_verify": "plain DB-API read in seq order + the same JSON + sha256 + compare",
        "ratio_to_stdlib_verify": round(verify_s / stdlib_s, 2),
        "hashed_megabytes": round(total_bytes / 1e6, 1),
        "append_seconds": round(append_s, 1),
        "goal": "< 30 s for 1,000,000",
        "goal_met": verify_s * 1_000_000 / entries < 30,
    }


def sqlite_case(entries: int) -> dict[str, Any]:
    import sqlite3

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit.db"
        result = run(f"sqlite:///{path}", entries, lambda: sqlite3.connect(path))
        result["database_megabytes"] = round(path.stat().st_size / 1e6, 1)
    return {"engine": "sqlite", **result}


def postgresql_case(url: str, entries: int) -> dict[str, Any]:
    """In a scratch schema of ``url``'s database, dropped afterwards."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    plain = scoped.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        result = run(
            scoped.render_as_string(hide_password=False), entries, lambda: psycopg.connect(plain)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return {"engine": "postgresql", **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--pg", metavar="URL", help="also run on this PostgreSQL database")
    args = parser.parse_args()
    results = [sqlite_case(args.entries)]
    if args.pg:
        results.append(postgresql_case(args.pg, args.entries))
    print(json.dumps({"benchmark": "audit_verify", "results": results}, indent=2))


if __name__ == "__main__":
    main()
