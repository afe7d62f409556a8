"""Migration 0027: the ACATS deadlines seeded as aging limits, sealed once the trail began."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import select, text

from desk_app.db import models as m
from desk_app.db.engine import create_desk_engine
from desk_app.db.migrate import _config
from desk_app.domain.acats import AcatsDeadlines
from desk_app.domain.audit_chain import GENESIS, EntryContent, canonical_json, chain, timestamp_text
from desk_app.services.actor import database_login
from desk_app.services.workspace import open_workspace


def _desk_0025(db_url: str) -> None:
    """A database as Desk 0025 left it, its audit trail begun (one entry)."""
    engine = create_desk_engine(db_url)
    try:
        with engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0025")
            login = database_login(engine)
            entry = EntryContent(
                1, timestamp_text(datetime.now(UTC)), login, login, "db.note", "event",
                "database", "desk", None, canonical_json({"note": "before 0027"}), None,
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


def test_the_acats_limits_are_seeded_and_sealed(empty_db_url: str) -> None:
    _desk_0025(empty_db_url)
    ws = open_workspace(empty_db_url, "tester")  # upgrades to the head
    try:
        with ws.uow.read() as session:
            limits = session.execute(
                select(m.AgingLimit.code, m.AgingLimit.days, m.AgingLimit.id)
                .where(m.AgingLimit.code.like("acats%"))
                .order_by(m.AgingLimit.code)
            ).all()
            [event] = session.scalars(
                select(m.AuditEntry).where(
                    m.AuditEntry.action == "db.acats_deadlines", m.AuditEntry.change == "event"
                )
            ).all()
        assert [tuple(r)[:2] for r in limits] == [
            ("acats_correction", 20), ("acats_review", 1), ("acats_settlement", 3)
        ]  # fmt: skip
        assert ws.acats.deadlines() == AcatsDeadlines(review=1, settlement=3, correction=20)
        assert ws.history.verify().intact
        problems = [str(p) for p in ws.history.verify_records().problems]
        # The migration seals its own rows (an older seed this hand-made trail never
        # sealed is not the migration's to seal, and stays named).
        sealed = [f"aging_limits {r.id}:" for r in limits]
        assert not [p for p in problems if p.startswith(tuple(sealed))], problems
        assert any(p.startswith("aging_limits ") for p in problems)
        assert '"aging_limits":3' in (event.after or "")
    finally:
        ws.close()
