"""Migration 0026: the small-estate limits by statute and start date, sealed in a database
whose audit trail has begun."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from alembic import command
from sqlalchemy import select, text

from desk_app.db import models as m
from desk_app.db.engine import create_desk_engine
from desk_app.db.migrate import _config
from desk_app.domain.audit_chain import GENESIS, EntryContent, canonical_json, chain, timestamp_text
from desk_app.services.actor import database_login
from desk_app.services.workspace import open_workspace


def _desk_0025(db_url: str) -> None:
    """A database as Desk 0025 left it, its trail begun (one entry)."""
    engine = create_desk_engine(db_url)
    try:
        with engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0025")
            login = database_login(engine)
            entry = EntryContent(
                1, timestamp_text(datetime.now(UTC)), login, login, "test.setup", "event",
                "small_estate_limits", "seeded", None, canonical_json({}), None,
            )  # fmt: skip
            [(content, prev, digest)] = chain(GENESIS, [entry])
            row = {k: v for k, v in vars(content).items() if k != "row_hash"}
            columns = ", ".join([*row, "prev_hash", "entry_hash"])
            values = ", ".join(f":{k}" for k in [*row, "prev_hash", "entry_hash"])
            conn.execute(
                text(f"INSERT INTO audit_log ({columns}) VALUES ({values})"),
                {**row, "prev_hash": prev, "entry_hash": digest},
            )
            conn.execute(text(f"UPDATE audit_head SET seq = 1, entry_hash = '{digest}'"))
    finally:
        engine.dispose()


def test_the_limits_cite_their_statutes_and_dates_and_are_sealed(empty_db_url: str) -> None:
    _desk_0025(empty_db_url)
    ws = open_workspace(empty_db_url, "tester")  # upgrades to the head
    try:
        with ws.uow.read() as session:
            L = m.SmallEstateLimit
            rows = session.scalars(select(L).order_by(L.state, L.effective_from)).all()
            assert [(r.state, r.limit, r.source, r.effective_from) for r in rows] == [
                ("CA", Decimal(184500), "Cal. Prob. Code 13100", date(2022, 4, 1)),
                ("CA", Decimal(208850), "Cal. Prob. Code 13100", date(2025, 4, 1)),
                ("NY", Decimal(50000), "N.Y. SCPA 1301", None),
                ("TX", Decimal(75000), "Tex. Est. Code 205.001", None),
                ("WA", Decimal(100000), "RCW 11.62.010", None),
            ]
        assert ws.history.verify().intact
        problems = [str(p) for p in ws.history.verify_records().problems]
        assert not [p for p in problems if p.startswith("small_estate_limits")], problems
    finally:
        ws.close()
