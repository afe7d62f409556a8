"""Migration 0021: a restricted account of an older database keeps meaning what it meant."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import select, text

from desk_app.db import models as m
from desk_app.db.engine import create_desk_engine
from desk_app.db.migrate import _config
from desk_app.domain.audit_chain import GENESIS, EntryContent, canonical_json, chain, timestamp_text
from desk_app.domain.codes import AccountStatus, RestrictionKind, Side
from desk_app.domain.restrictions import AccountRestricted, Movement
from desk_app.services.actor import database_login
from desk_app.services.workspace import open_workspace


def _desk_0019(db_url: str) -> None:
    """A database as Desk 0019 left it: a restricted account, and the entry that made it."""
    engine = create_desk_engine(db_url)
    try:
        with engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0019")
            conn.execute(text(
                "INSERT INTO accounts (account_number, name, registration_type, status, "
                "registered_rep, residence_state, residence_country, base_currency, "
                "opened_on, version, updated_at) VALUES ('OLD-1', 'Old Client', 'individual', "
                "'restricted', 'RR01', 'NY', 'US', 'USD', '2020-01-02', 3, "
                "'2026-10-05 14:00:00')"
            ))  # fmt: skip
            login = database_login(engine)
            entry = EntryContent(
                1, timestamp_text(datetime.now(UTC)), login, login, "account.set_status",
                "update", "accounts", "1", None, canonical_json({"status": "restricted"}), None,
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


def test_a_restricted_account_becomes_an_open_transfer_freeze(empty_db_url: str) -> None:
    _desk_0019(empty_db_url)
    ws = open_workspace(empty_db_url, "tester")  # upgrades to the head
    try:
        with ws.uow.read() as session:
            account = session.scalars(select(m.Account)).one()
            [freeze] = session.scalars(select(m.AccountRestriction)).all()
            assert (account.status, account.version) == (AccountStatus.OPEN, 4)
            assert (freeze.kind, freeze.reason, freeze.starts_on, freeze.lifted_at) == (
                RestrictionKind.TRANSFER_FREEZE, "restricted before restrictions were records",
                date(2026, 10, 5), None,
            )  # fmt: skip
            assert freeze.placed_by == "desk-migration"
        [line] = ws.restrictions.restrictions("OLD-1")
        assert line.state == "in force"
        assert ws.history.verify().intact
        # What it changed and made is sealed as it now stands (the seed rules of this
        # hand-made trail never were: not the migration's to seal).
        problems = [str(p) for p in ws.history.verify_records().problems]
        assert not [p for p in problems if p.startswith(("accounts", "account_restrictions"))]
    finally:
        ws.close()
    error = AccountRestricted("OLD-1", Movement.DELIVER, _rule(freeze))
    assert "Transfer freeze since 2026-10-05" in str(error)
    assert Side.BUY  # a transfer freeze still lets the account buy


def _rule(row: m.AccountRestriction):  # type: ignore[no-untyped-def]
    from desk_app.db.restriction_book import rule

    return rule(row)
