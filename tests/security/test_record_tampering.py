"""An insider edits records behind Desk's back; ``audit verify --records`` names each edit.

Each attack runs outside Desk, as someone holding the file (plain ``sqlite3``) or a
database login (a bare SQLAlchemy engine) would: a price multiplied in SQL, a tax
id changed on an account that came in by a load, a row deleted, a row inserted, and
the seal table itself altered to hide an edit (with its triggers switched off,
as its owner could). Each is found and named by table, record id and column. Plain
``audit verify`` still checks only the chain, and says so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from desk_app.cli import main
from desk_app.db import models as m
from desk_app.domain.seal_check import ADDED, CHANGED, GONE, SEAL, RecordProblem
from desk_app.services.workspace import Workspace
from tests.services.conftest import Desk
from tests.services.supervision.test_record_seals import import_trades, seals_of, stored_hash

SEAL_TRIGGERS = ("record_seals_no_update", "record_seals_no_delete")
#: What keeps a local file's tax id vault write-once: its owner can drop it.
VAULT_TRIGGERS = ("tax_ids_no_update", "tax_ids_no_delete")


def behind_desks_back(
    url: str, statement: str, params: Mapping[str, Any] | None = None, *, seals: bool = False,
    vault: bool = False,
) -> None:  # fmt: skip
    """Run ``statement`` on the database outside Desk; ``seals``: the seal table's guards
    off; ``vault``: the tax id vault's (a local file)."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            for trigger in (SEAL_TRIGGERS if seals else ()) + (VAULT_TRIGGERS if vault else ()):
                conn.execute(f"DROP TRIGGER {trigger}")
            conn.execute(statement, dict(params or {}))
            conn.commit()
        finally:
            conn.close()
        return
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if seals:
                conn.execute(text("ALTER TABLE record_seals DISABLE TRIGGER USER"))
            conn.execute(text(statement), dict(params or {}))
            if seals:
                conn.execute(text("ALTER TABLE record_seals ENABLE TRIGGER USER"))
    finally:
        engine.dispose()


def found(ws: Workspace) -> list[RecordProblem]:
    report = ws.history.verify_records()
    assert report.chain.intact  # the trail itself was not touched
    assert report.found == len(report.problems)
    return list(report.problems)


def named(problems: list[RecordProblem]) -> set[tuple[str, int | None, str, tuple[str, ...]]]:
    return {(p.table, p.record_id, p.kind, p.columns) for p in problems}


def account_id(desk: Desk, number: str) -> int:
    with desk.admin.uow.read() as session:
        return int(
            session.scalars(select(m.Account.id).where(m.Account.account_number == number)).one()
        )


# -- the row itself ---------------------------------------------------------------------------


def test_a_price_multiplied_in_sql_is_named(settling_desk: Desk, tmp_path: Path) -> None:
    ids = import_trades(settling_desk, tmp_path, 3)
    behind_desks_back(
        settling_desk.url, f"UPDATE trades SET price = price * 10 WHERE id = {ids[1]}"
    )
    assert settling_desk.admin.history.verify().intact  # the chain alone cannot see it
    [problem] = found(settling_desk.admin)
    assert named([problem]) == {("trades", ids[1], CHANGED, ("price",))}
    assert str(problem).startswith(f"trades {ids[1]}: price changed outside Desk since audit entry")


def test_a_tax_id_changed_on_an_account_is_named(desk: Desk) -> None:
    number, other = desk.account(), desk.account(tax_id="987-65-4321")
    behind_desks_back(
        desk.url,
        "UPDATE accounts SET tax_id_masked = '***-**-4321', tax_id_ref = "
        "(SELECT tax_id_ref FROM accounts WHERE account_number = :o) WHERE account_number = :n",
        {"n": number, "o": other},
    )
    assert named(found(desk.admin)) == {
        ("accounts", account_id(desk, number), CHANGED, ("tax_id_masked", "tax_id_ref"))
    }


def _vault_ref(ws: Workspace, account: int) -> int:
    with ws.sessions() as session:
        ref = session.scalar(select(m.Account.tax_id_ref).where(m.Account.id == account))
        assert ref is not None
        return int(ref)


def test_a_tax_id_changed_in_the_vault_of_a_file_is_named(desk: Desk) -> None:
    if desk.shared:
        pytest.skip("a local file: on PostgreSQL nobody but the owner can change the vault")
    number = desk.account()
    ref = _vault_ref(desk.admin, account_id(desk, number))
    with pytest.raises(sqlite3.IntegrityError, match="tax_ids is written once"):
        behind_desks_back(desk.url, f"UPDATE tax_ids SET value = '987-65-4321' WHERE id = {ref}")
    behind_desks_back(
        desk.url, f"UPDATE tax_ids SET value = '987-65-4321' WHERE id = {ref}", vault=True
    )
    assert named(found(desk.admin)) == {("tax_ids", ref, CHANGED, ("value",))}


def test_a_tax_id_changed_on_a_demo_account_is_named(demo_ws: Workspace, demo_url: str) -> None:
    with demo_ws.sessions() as session:
        first = session.scalars(select(m.Account).order_by(m.Account.id)).first()
        assert first is not None and first.tax_id_ref and first.tax_id_masked
    behind_desks_back(
        demo_url, f"UPDATE tax_ids SET value = '987-65-4321' WHERE id = {first.tax_id_ref}",
        vault=True,
    )  # fmt: skip
    behind_desks_back(
        demo_url, f"UPDATE accounts SET tax_id_masked = '***-**-4321' WHERE id = {first.id}"
    )
    assert named(found(demo_ws)) == {
        ("tax_ids", first.tax_id_ref, CHANGED, ("value",)),
        ("accounts", first.id, CHANGED, ("tax_id_masked",)),
    }


def test_only_the_changed_columns_are_named(settling_desk: Desk, tmp_path: Path) -> None:
    [trade] = import_trades(settling_desk, tmp_path, 1)
    behind_desks_back(
        settling_desk.url,
        "UPDATE trades SET quantity = quantity + 1, currency = 'EUR', account_id = account_id "
        f"WHERE id = {trade}",
    )
    assert named(found(settling_desk.admin)) == {
        ("trades", trade, CHANGED, ("currency", "quantity"))
    }


def test_a_deleted_row_is_named(settling_desk: Desk, tmp_path: Path) -> None:
    ids = import_trades(settling_desk, tmp_path, 3)
    behind_desks_back(settling_desk.url, f"DELETE FROM trades WHERE id = {ids[0]}")
    [problem] = found(settling_desk.admin)
    assert named([problem]) == {("trades", ids[0], GONE, ())}
    assert "deleted outside Desk" in str(problem)


def test_an_inserted_row_is_named(desk: Desk) -> None:
    number = desk.account()
    behind_desks_back(
        desk.url,
        "INSERT INTO accounts (account_number, name, registration_type, status, "
        "registered_rep, tax_id_ref, tax_id_masked, residence_state, residence_country, "
        "base_currency, "
        "opened_on, closed_on, version, updated_at) SELECT 'GHOST-1', name, "
        "registration_type, status, registered_rep, tax_id_ref, tax_id_masked, residence_state, "
        "residence_country, base_currency, opened_on, closed_on, version, updated_at "
        "FROM accounts WHERE account_number = :n",
        {"n": number},
    )
    ghost = account_id(desk, "GHOST-1")
    [problem] = found(desk.admin)
    assert named([problem]) == {("accounts", ghost, ADDED, ())}
    assert str(problem) == f"accounts {ghost}: has no audited state: added outside Desk"


# -- the seals, altered to hide an edit -------------------------------------------------------


def test_a_bulk_seal_rewritten_to_match_an_edit_breaks_its_digest(
    settling_desk: Desk, tmp_path: Path
) -> None:
    ids = import_trades(settling_desk, tmp_path, 3)
    url = settling_desk.url
    behind_desks_back(url, f"UPDATE trades SET price = price * 10 WHERE id = {ids[2]}")
    forged = stored_hash(settling_desk.admin, "trades", ids[2])
    behind_desks_back(
        url,
        "UPDATE record_seals SET row_hash = :h "
        f"WHERE table_name = 'trades' AND record_id = {ids[2]}",
        {"h": forged},
        seals=True,
    )
    [problem] = found(settling_desk.admin)
    [seal] = seals_of(settling_desk.admin, "trades", ids[2])
    assert (problem.table, problem.record_id, problem.kind) == ("trades", None, SEAL)
    assert f"rows sealed by audit entry {seal.seq} were altered" in problem.detail


def test_a_change_seal_rewritten_to_match_an_edit_is_named(desk: Desk) -> None:
    number = desk.account()
    record = account_id(desk, number)
    behind_desks_back(desk.url, f"UPDATE accounts SET name = 'Someone Else' WHERE id = {record}")
    forged = stored_hash(desk.admin, "accounts", record)
    behind_desks_back(
        desk.url,
        "UPDATE record_seals SET row_hash = :h "
        f"WHERE table_name = 'accounts' AND record_id = {record}",
        {"h": forged},
        seals=True,
    )
    problems = found(desk.admin)
    assert named(problems) == {
        ("accounts", record, SEAL, ()),  # the seal no longer matches its entry's row hash
        ("accounts", record, CHANGED, ("name",)),  # held to its entry's hash, it differs
    }
    assert any("does not match the row hash in audit entry" in str(p) for p in problems)


def test_a_removed_seal_is_named(settling_desk: Desk, tmp_path: Path) -> None:
    ids = import_trades(settling_desk, tmp_path, 2)
    behind_desks_back(
        settling_desk.url,
        f"DELETE FROM record_seals WHERE table_name = 'trades' AND record_id = {ids[0]}",
        seals=True,
    )
    assert named(found(settling_desk.admin)) == {
        ("trades", ids[0], ADDED, ()),  # it has no audited state left
        ("trades", None, SEAL, ()),  # and its batch no longer gives its digest
    }


def test_a_removed_seal_of_a_change_is_named(desk: Desk) -> None:
    number = desk.account()
    record = account_id(desk, number)
    [seal] = seals_of(desk.admin, "accounts", record)
    behind_desks_back(desk.url, f"DELETE FROM record_seals WHERE seq = {seal.seq}", seals=True)
    problems = found(desk.admin)
    assert named(problems) == {("accounts", record, ADDED, ()), ("accounts", record, SEAL, ())}
    assert any(
        f"audit entry {seal.seq} sealed it, but that seal is missing" in str(p) for p in problems
    )


def test_a_forged_seal_for_an_inserted_row_is_named(desk: Desk) -> None:
    number = desk.account()
    record = account_id(desk, number)
    [seal] = seals_of(desk.admin, "accounts", record)
    behind_desks_back(
        desk.url,
        "INSERT INTO accounts (account_number, name, registration_type, status, "
        "registered_rep, tax_id_ref, tax_id_masked, residence_state, residence_country, "
        "base_currency, "
        "opened_on, closed_on, version, updated_at) SELECT 'GHOST-2', name, "
        "registration_type, status, registered_rep, tax_id_ref, tax_id_masked, residence_state, "
        "residence_country, base_currency, opened_on, closed_on, version, updated_at "
        "FROM accounts WHERE id = :id",
        {"id": record},
    )
    ghost = account_id(desk, "GHOST-2")
    behind_desks_back(
        desk.url,
        "INSERT INTO record_seals (table_name, record_id, seq, layout_id, row_hash, "
        "fingerprints) VALUES ('accounts', :ghost, :seq, :layout, :h, :f)",
        {"ghost": ghost, "seq": seal.seq, "layout": seal.layout_id,
         "h": stored_hash(desk.admin, "accounts", ghost), "f": seal.fingerprints},
        seals=True,
    )  # fmt: skip
    problems = found(desk.admin)
    assert named(problems) == {("accounts", ghost, SEAL, ()), ("accounts", ghost, ADDED, ())}
    assert any("which is about another record" in str(p) for p in problems)


def test_a_removed_seal_of_a_deletion_is_named(desk: Desk) -> None:
    ws = desk.ws["carl"]
    ws.presets.save("blotter", "mine", '{"side":"buy"}')
    with desk.admin.uow.read() as session:
        preset = session.scalars(select(m.SavedFilter)).one()
    ws.presets.delete("blotter", "mine")
    tombstone = seals_of(desk.admin, "saved_filters", preset.id)[-1]
    behind_desks_back(desk.url, f"DELETE FROM record_seals WHERE seq = {tombstone.seq}", seals=True)
    [problem] = found(desk.admin)
    assert named([problem]) == {("saved_filters", preset.id, SEAL, ())}
    assert f"audit entry {tombstone.seq} deleted it, but that deletion's seal" in str(problem)


# -- from the command line --------------------------------------------------------------------


def test_the_command_line_lists_each_edit_and_exits_1(
    settling_desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = import_trades(settling_desk, tmp_path, 2)
    base = ["--db", settling_desk.url, "--user", "tester", "audit", "verify"]  # the admin
    assert main([*base, "--records"]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[-1].startswith("records intact: ")
    behind_desks_back(
        settling_desk.url, f"UPDATE trades SET price = price * 10 WHERE id = {ids[0]}"
    )
    behind_desks_back(settling_desk.url, f"DELETE FROM trades WHERE id = {ids[1]}")
    assert main(base) == 0  # the chain alone: as before
    out, err = capsys.readouterr()
    assert out.startswith("audit trail intact: ") and err == ""
    assert main([*base, "--records"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("audit trail intact: ")
    lines = err.splitlines()
    assert lines[0].startswith(f"trades {ids[0]}: price changed outside Desk since audit entry")
    assert lines[1].startswith(f"trades {ids[1]}: is gone")
    assert lines[2].startswith("records: 2 problems (1 changed, 1 gone) in ")


def test_the_history_of_a_loaded_record_names_its_load_and_the_edit(
    settling_desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [trade, _] = import_trades(settling_desk, tmp_path, 2)
    history = settling_desk.ws["carl"].history.history("trades", trade)
    assert not history.changes and not history.changed_outside
    assert history.sealed_by is not None and history.sealed_by.action == "trade.import"
    behind_desks_back(settling_desk.url, f"UPDATE trades SET price = price * 10 WHERE id = {trade}")
    history = settling_desk.ws["carl"].history.history("trades", trade)
    assert history.changed_outside
    [problem] = history.seal_problems
    assert problem == f"price changed outside Desk since audit entry {history.sealed_by.seq}"
    argv = ["--db", settling_desk.url, "--user", "tester", "audit", "history"]
    assert main([*argv, "--table", "trades", "--id", str(trade)]) == 0
    out, err = capsys.readouterr()
    assert f"sealed as it stood by #{history.sealed_by.seq}" in out
    assert "no audited changes" in out
    assert f"warning: trades {trade} price changed outside Desk since audit entry" in err
