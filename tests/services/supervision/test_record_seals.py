"""Record seals: every write binds its row's state into the trail, and the check reads it back.

On both engines: an ORM change carries its row's hash and leaves a seal; rows written
by set-based SQL (a trades file, a settlement run, a bulk settlement, the demo) are
sealed at commit by one entry per batch; an older database is sealed by its upgrade;
and ``verify_records`` finds the book as Desk left it. The attacks are in
``tests/security/test_record_tampering.py``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from desk_app.db import models as m
from desk_app.db import sealing
from desk_app.db.engine import create_desk_engine
from desk_app.db.migrate import _config
from desk_app.domain.audit_chain import (
    GENESIS,
    EntryContent,
    canonical_json,
    chain,
    hashed_fields,
    timestamp_text,
)
from desk_app.domain.codes import Side
from desk_app.domain.errors import NotPermitted
from desk_app.domain.progress import Cancelled, CancelToken
from desk_app.domain.record_seals import layout_prefix, layout_text, row_hash
from desk_app.services.actor import database_login
from desk_app.services.workspace import Workspace, open_workspace
from tests.services.conftest import Desk

CSV_HEAD = (
    "External_ID,Trade_Date,account,side,ISIN,quantity,price,currency,counterparty,"
    "settle_date,trade_time,commission,fees,instrument_type,short_sale\n"
)


def import_trades(desk: Desk, folder: Path, count: int = 3) -> list[int]:
    """Import ``count`` trades of ACC-100 in AAPL with GSCO (a ``settling_desk``); their ids."""
    path = folder / "seal-trades.csv"
    lines = [
        f"S-{n},2024-06-03,ACC-100,{'buy' if n % 2 else 'sell'},US0378331005,{100 * n},"
        f"{189 + n}.25,USD,GSCO,2024-06-04,09:31,4.95,0.02,equity,\n"
        for n in range(1, count + 1)
    ]
    path.write_text(CSV_HEAD + "".join(lines))
    report = desk.ws["carl"].imports.import_file(path)
    assert report.ok and report.added == count, report.problems
    with desk.admin.uow.read() as session:
        return list(
            session.scalars(
                select(m.Trade.id).where(m.Trade.import_id == report.import_id).order_by(m.Trade.id)
            )
        )


def entries_since(desk: Desk, seq: int) -> list[m.AuditEntry]:
    return desk.audit_entries(seq)


def seals_of(ws: Workspace, table: str, record_id: int) -> list[m.RecordSeal]:
    with ws.sessions() as session:
        return list(
            session.scalars(
                select(m.RecordSeal)
                .where(m.RecordSeal.table_name == table, m.RecordSeal.record_id == record_id)
                .order_by(m.RecordSeal.seq)
            )
        )


def stored_hash(ws: Workspace, table: str, record_id: int, layout: int | None = None) -> bytes:
    """The row's hash computed here from its stored values, as the seal defines it (with
    today's columns, or those of the seal's ``layout``)."""
    columns = sealing.columns_of(m.Base.metadata.tables[table])
    if layout is not None:
        with ws.sessions() as session:
            names = session.get(m.SealLayout, layout)
            assert names is not None
            columns = names.columns.split(",")
    with ws.engine.connect() as conn:
        [rows] = list(sealing.read_rows(conn, table, columns, [record_id]))
    return row_hash(layout_prefix(table, layout_text(table, columns)), rows[0])


def assert_intact(ws: Workspace) -> None:
    report = ws.history.verify_records()
    assert report.intact, [str(p) for p in report.problems]


# -- each ORM write --------------------------------------------------------------------------


def test_a_create_and_an_update_carry_the_rows_hash_and_leave_a_seal(desk: Desk) -> None:
    start = desk.audit_count()
    number = desk.account()
    request = desk.ws["carl"].accounts.request_amend(number, {"name": "Other"}, "r")
    desk.ws["sue"].approvals.approve(request)
    account = [e for e in entries_since(desk, start) if e.table_name == "accounts"]
    assert [e.change for e in account] == ["create", "update"]
    record_id = int(account[0].record_id)
    seals = seals_of(desk.admin, "accounts", record_id)
    assert [s.seq for s in seals] == [e.seq for e in account]
    assert [s.row_hash.hex() if s.row_hash else None for s in seals] == [
        e.row_hash for e in account
    ]
    assert seals[-1].row_hash == stored_hash(desk.admin, "accounts", record_id)
    assert seals[0].row_hash != seals[-1].row_hash
    assert len(seals[-1].fingerprints or b"") == 2 * len(m.Account.__table__.c)
    assert_intact(desk.admin)


def test_events_carry_no_row_hash_and_their_hash_is_the_old_formula(desk: Desk) -> None:
    number = desk.account()
    start = desk.audit_count()
    desk.ws["cora"].accounts.reveal_tax_id(number)
    [event] = entries_since(desk, start)
    assert (event.change, event.row_hash) == ("event", None)
    fields = (
        event.seq, event.recorded_at, event.app_user, event.db_login, event.action,
        event.change, event.table_name, event.record_id, event.before, event.after,
        event.approval_id,
    )  # fmt: skip
    payload = json.dumps([event.prev_hash, *fields], separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(payload.encode()).hexdigest() == event.entry_hash
    assert hashed_fields((*fields, None)) == fields


def test_a_deletion_leaves_a_seal_without_a_hash(desk: Desk) -> None:
    ws = desk.ws["carl"]
    ws.presets.save("blotter", "mine", '{"side":"buy"}')
    with desk.admin.uow.read() as session:
        preset = session.scalars(select(m.SavedFilter)).one()
    ws.presets.delete("blotter", "mine")
    seals = seals_of(desk.admin, "saved_filters", preset.id)
    assert [s.row_hash is None for s in seals] == [False, True]
    [deletion] = [e for e in desk.audit_entries() if e.change == "delete"]
    assert seals[-1].seq == deletion.seq and deletion.row_hash is None
    assert_intact(desk.admin)


# -- set-based writes, sealed at commit -------------------------------------------------------


def test_an_imported_file_is_sealed_by_one_entry_with_its_digest(
    settling_desk: Desk, tmp_path: Path
) -> None:
    start = settling_desk.audit_count()
    ids = import_trades(settling_desk, tmp_path, 4)
    [seal] = [e for e in entries_since(settling_desk, start) if e.change == "seal"]
    assert (seal.table_name, seal.action, seal.app_user) == ("trades", "trade.import", "carl")
    detail = json.loads(seal.after or "")
    assert (detail["rows"], detail["first_id"], detail["last_id"]) == (4, ids[0], ids[-1])
    for trade_id in ids:
        [only] = seals_of(settling_desk.admin, "trades", trade_id)
        assert only.seq == seal.seq
        assert only.row_hash == stored_hash(settling_desk.admin, "trades", trade_id)
    assert_intact(settling_desk.admin)


def test_a_settlement_run_and_a_bulk_settlement_are_sealed(
    settling_desk: Desk, tmp_path: Path
) -> None:
    import_trades(settling_desk, tmp_path, 3)
    carl = settling_desk.ws["carl"]
    start = settling_desk.audit_count()
    assert carl.settlements.run().created == 3
    with settling_desk.admin.uow.read() as session:
        oids = list(session.scalars(select(m.SettlementObligation.id)))
    assert carl.settling.instruct(oids) == 3 and carl.settling.match(oids) == 3
    assert carl.settling.settle_all(oids).settled == 3
    sealed = {e.table_name for e in entries_since(settling_desk, start) if e.change == "seal"}
    assert sealed == {
        "settlement_obligations", "ledger_postings", "ledger_entries", "ledger_balances",
    }  # fmt: skip
    assert_intact(settling_desk.admin)


def test_the_books_as_desk_leaves_them_are_intact(settling_desk: Desk) -> None:
    from tests.services.settlement.test_settling import settle_booked

    settle_booked(settling_desk, "ACC-100", Side.BUY)  # ORM settlement, postings, balances
    report = settling_desk.ws["cora"].history.verify_records()
    assert report.intact and report.chain.intact
    assert report.rows > 30 and report.seals >= report.rows and report.found == 0
    assert report.summary.startswith("records intact: ")


def test_the_demo_book_is_sealed_and_intact(demo_ws: Workspace) -> None:
    report = demo_ws.history.verify_records()
    assert report.intact, [str(p) for p in report.problems]
    with demo_ws.sessions() as session:
        trades = int(session.scalar(select(func.count()).select_from(m.Trade)) or 0)
    assert report.rows > trades > 500


# -- older databases: the upgrade seals what is there -----------------------------------------


def _desk_0011(db_url: str) -> None:
    """A database as Desk 0011 left it: a client account, and the entry that made it."""
    engine = create_desk_engine(db_url)
    try:
        with engine.begin() as conn:
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0011")
            conn.execute(text(
                "INSERT INTO accounts (account_number, name, registration_type, status, "
                "registered_rep, tax_id, residence_state, residence_country, base_currency, "
                "opened_on, version, updated_at) VALUES ('OLD-1', 'Old Client', 'individual', "
                "'open', 'RR01', '123-45-6789', 'NY', 'US', 'USD', '2020-01-02', 1, "
                "'2020-01-02 10:00:00')"
            ))  # fmt: skip
            login = database_login(engine)
            entry = EntryContent(
                1, timestamp_text(datetime.now(UTC)), login, login, "account.open", "create",
                "accounts", "1", None, canonical_json({"account_number": "OLD-1"}), None,
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


def test_an_older_database_gets_a_baseline_seal_from_its_upgrade(empty_db_url: str) -> None:
    db_url = empty_db_url
    _desk_0011(db_url)
    ws = open_workspace(db_url, "tester")
    try:
        with ws.sessions() as session:
            baseline = list(
                session.scalars(
                    select(m.AuditEntry)
                    .where(m.AuditEntry.action == "db.baseline_seal")
                    .order_by(m.AuditEntry.seq)
                )
            )
        assert baseline[0].seq == 2  # right after the entry Desk 0011 wrote
        assert (baseline[-1].change, baseline[-1].record_id) == ("event", "baseline")
        assert baseline[-1].app_user == "desk-migration"
        assert json.loads(baseline[-1].after or "")["rows"]["accounts"] == 1
        [account] = [e for e in baseline if e.table_name == "accounts"]
        assert (account.change, json.loads(account.after or "")["rows"]) == ("seal", 1)
        # Sealed by the baseline, then again when its tax id moved into the vault (0016).
        seal, moved = seals_of(ws, "accounts", 1)
        assert seal.seq == account.seq and moved.seq > seal.seq
        assert moved.row_hash == stored_hash(ws, "accounts", 1, layout=moved.layout_id)
        assert ws.history.verify().intact
        assert_intact(ws)
        # Columns added since (the client record's, 0020) are empty, and must stay so
        # until Desk writes the row: a value put there by hand is found, and named.
        with ws.engine.begin() as conn:
            conn.execute(text("UPDATE accounts SET accepted_by = 'mallory' WHERE id = 1"))
        report = ws.history.verify_records()
        assert [(p.table, p.record_id, p.columns) for p in report.problems] == [
            ("accounts", 1, ("accepted_by",))
        ]
    finally:
        ws.close()


def test_a_new_database_is_sealed_by_its_first_change(workspace: Workspace) -> None:
    with workspace.sessions() as session:
        entries = list(session.scalars(select(m.AuditEntry).order_by(m.AuditEntry.seq)))
        cycles = int(session.scalar(select(func.count()).select_from(m.SettlementCycle)) or 0)
    assert (entries[0].action, entries[0].table_name) == ("user.bootstrap_admin", "users")
    baseline = entries[1:]
    assert {(e.action, e.app_user) for e in baseline} == {("db.baseline_seal", "tester")}
    assert json.loads(baseline[-1].after or "")["rows"]["settlement_cycles"] == cycles
    assert len(seals_of(workspace, "settlement_cycles", 1)) == 1
    assert_intact(workspace)


# -- who may check, and how it reports --------------------------------------------------------


def test_only_compliance_and_admins_check_the_records(desk: Desk) -> None:
    for who in ("carl", "sue"):
        with pytest.raises(NotPermitted):
            desk.ws[who].history.verify_records()
    assert desk.ws["cora"].history.verify_records().intact


def test_the_check_reports_progress_and_stops_when_cancelled(desk: Desk) -> None:
    seen: list[tuple[int, int, str]] = []
    desk.ws["cora"].history.verify_records(lambda d, t, s: seen.append((d, t, s)))
    assert any(s.startswith("Checking accounts") for _, _, s in seen)
    assert seen[-1][0] == seen[-1][1]
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        desk.ws["cora"].history.verify_records(cancel=token)


# -- the seal tables are append-only ----------------------------------------------------------


@pytest.mark.parametrize("table", ["record_seals", "record_seal_layouts"])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET table_name = 'x'", "DELETE FROM {t}"])
def test_the_database_refuses_changing_the_seals(desk: Desk, table: str, statement: str) -> None:
    desk.account()
    with pytest.raises((DBAPIError, NotPermitted), match="append-only"):
        with desk.admin.uow.write("test.setup") as session:
            session.execute(text(statement.format(t=table)))
    assert_intact(desk.admin)


def test_postgresql_refuses_a_seal_that_follows_no_entry_of_the_login(desk: Desk) -> None:
    if desk.engine_name != "postgresql":
        pytest.skip("the insert check is PostgreSQL's")
    number = desk.account()
    with desk.admin.uow.read() as session:
        account_id = session.scalars(
            select(m.Account.id).where(m.Account.account_number == number)
        ).one()
        seal = seals_of(desk.admin, "accounts", account_id)[-1]
    with pytest.raises((DBAPIError, NotPermitted), match="does not follow audit entry"):
        with desk.admin.uow.write("test.setup") as session:
            session.execute(
                text(
                    "INSERT INTO record_seals (table_name, record_id, seq, layout_id, row_hash) "
                    "VALUES ('accounts', :id, :seq, :layout, :digest)"
                ),
                {"id": account_id + 1000, "seq": seal.seq, "layout": seal.layout_id,
                 "digest": b"\x00" * 32},
            )  # fmt: skip
    with pytest.raises((DBAPIError, NotPermitted), match="TRUNCATE|append-only"):
        with desk.admin.uow.write("test.setup") as session:
            session.execute(text("TRUNCATE record_seals"))
    with desk.admin.engine.connect() as conn:
        may = {
            what: conn.scalar(
                text("SELECT has_table_privilege('desk_user', 'record_seals', :what)"),
                {"what": what},
            )
            for what in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
        }
    assert may == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False,
                   "TRUNCATE": False}  # fmt: skip
