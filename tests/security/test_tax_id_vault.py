"""Full tax ids: kept in the vault, out of every request, entry, export and log line;
on PostgreSQL out of the desk's reach but for the one audited reveal."""

from __future__ import annotations

import csv
import logging
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from desk_app.cli import main
from desk_app.db import models as m
from desk_app.domain.errors import NotPermitted
from tests.clients import owner
from tests.security.conftest import refused, sql_as

if TYPE_CHECKING:
    from tests.services.conftest import Desk

FULL = "536-90-4399"
DIGITS = "536904399"
OPENING = {"name": "Vera Vault", "registration_type": "individual", "registered_rep": "RR01",
           "tax_id": FULL}  # fmt: skip


def _opened(desk: Desk) -> str:
    """An account opened through Desk with `FULL`: filed by carl, approved by sue."""
    number = desk.next_number()
    request = desk.ws["carl"].accounts.request_open(
        number, OPENING, "new client", [owner("Vera Vault", tax_id=FULL)]
    )
    desk.ws["sue"].approvals.approve(request, "checked")
    return number


def _raw(desk: Desk, table: str) -> str:
    """Every row of ``table`` as the database holds it, as one text (the owner reads it)."""
    with desk.admin.uow.read() as session:
        rows = session.execute(text(f"SELECT * FROM {table}")).all()
    return "\n".join(str(tuple(row)) for row in rows)


def _reveals(desk: Desk) -> list[tuple[str, int]]:
    with desk.admin.uow.read() as session:
        r = m.TaxIdReveal
        return [(u, a) for u, a in session.execute(select(r.app_user, r.account_id).order_by(r.id))]


def test_a_new_accounts_full_tax_id_is_only_in_the_vault(
    desk: Desk, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    number = _opened(desk)
    amend = desk.ws["carl"].accounts.request_amend(number, {"tax_id": "987-65-4321"}, "typo")
    desk.ws["sue"].approvals.approve(amend, "ok")
    for table in ("audit_log", "approval_requests", "accounts", "record_seals"):
        raw = _raw(desk, table)
        for digits in (FULL, DIGITS, "987-65-4321", "987654321"):
            assert digits not in raw, (table, digits)
    assert "***-**-4399" in _raw(desk, "approval_requests")
    assert FULL in _raw(desk, "tax_ids") and "987-65-4321" in _raw(desk, "tax_ids")
    assert FULL not in caplog.text
    capsys.readouterr()
    assert main(["--db", desk.url, "accounts", "list", "--format", "csv"]) == 0
    shown = capsys.readouterr().out
    [row] = [r for r in csv.DictReader(shown.splitlines()) if r["account_number"] == number]
    assert row["tax_id"] == "***-**-4321"
    assert "987-65-4321" not in shown and FULL not in shown
    assert main(["--db", desk.url, "accounts", "show", number]) == 0
    assert "987-65-4321" not in capsys.readouterr().out
    assert desk.ws["cora"].accounts.reveal_tax_id(number) == "987-65-4321"


def test_reveal_leaves_a_reveal_row_and_an_audit_entry(desk: Desk) -> None:
    number = _opened(desk)
    account = desk.account_row(number)
    seq = desk.audit_count()
    assert desk.ws["cora"].accounts.reveal_tax_id(number) == FULL
    [entry] = desk.audit_entries(seq)
    assert (entry.app_user, entry.action, entry.change) == (
        "cora",
        "account.reveal_tax_id",
        "event",
    )
    assert FULL not in str(entry.after)
    assert _reveals(desk) == [("cora", account["id"])]
    with pytest.raises(NotPermitted):  # an admin manages users, not client data
        desk.ws["adam"].accounts.reveal_tax_id(number)
    assert _reveals(desk) == [("cora", account["id"])]


def test_the_records_check_stays_intact_with_the_vault(desk: Desk) -> None:
    number = _opened(desk)
    desk.ws["cora"].accounts.reveal_tax_id(number)
    report = desk.admin.history.verify_records()
    assert report.intact, [str(p) for p in report.problems]
    tables = {"tax_ids"} if not desk.shared else set()
    with desk.admin.uow.read() as session:
        sealed = set(session.scalars(select(m.RecordSeal.table_name).distinct()))
    assert "tax_id_reveals" not in sealed
    assert tables <= sealed and (desk.shared is ("tax_ids" not in sealed))


# -- PostgreSQL: the desk's own logins cannot read or change the vault ---------------------------


def test_a_clerks_login_cannot_read_or_change_the_vault(pg_desk: Desk) -> None:
    number = _opened(pg_desk)
    with sql_as(pg_desk, "carl") as conn:
        assert "permission denied" in refused(conn, "SELECT value FROM tax_ids")
        refused(conn, "SELECT count(*) FROM tax_ids")
        refused(conn, "UPDATE tax_ids SET value = '987-65-4321'")
        refused(conn, "DELETE FROM tax_ids")
        refused(conn, "TRUNCATE tax_ids")
        refused(conn, "INSERT INTO tax_ids (value, made_at) VALUES ('987-65-4321', now())")
        refused(
            conn,
            "INSERT INTO tax_id_reveals (tax_id_ref, account_id, app_user, db_login, "
            "revealed_at) SELECT tax_id_ref, id, 'cora', 'cora', now() FROM accounts",
        )
        refused(conn, "DELETE FROM tax_id_reveals")
        rows = conn.execute(text("SELECT * FROM accounts")).all()
        assert rows and not any(FULL in str(r) or DIGITS in str(r) for r in rows)
        ref = conn.execute(
            text("SELECT tax_id_ref FROM accounts WHERE account_number = :n"), {"n": number}
        ).scalar_one()
        assert ref is not None


def test_the_reveal_function_checks_who_asks(pg_desk: Desk) -> None:
    number = _opened(pg_desk)
    other = pg_desk.account(tax_id="987-65-4321")
    with pg_desk.admin.uow.read() as session:
        found = dict(
            session.execute(
                select(m.Account.account_number, m.Account.tax_id_ref).where(
                    m.Account.account_number.in_([number, other])
                )
            ).all()
        )
        account = session.scalars(
            select(m.Account.id).where(m.Account.account_number == number)
        ).one()
    ref = found[number]
    with sql_as(pg_desk, "adam") as conn:  # an admin's login: may not reveal
        assert "may not reveal" in refused(conn, f"SELECT desk_reveal_tax_id({ref}, {account})")
    with sql_as(pg_desk, "carl") as conn:
        # Another account's value under this account's name: refused.
        refused(conn, f"SELECT desk_reveal_tax_id({found[other]}, {account})")
        shown = conn.execute(text(f"SELECT desk_reveal_tax_id({ref}, {account})")).scalar_one()
        assert shown == FULL
        with pytest.raises(DBAPIError):
            conn.execute(text("SELECT desk_keep_tax_id('not a tax id')"))
    # A direct call leaves its reveal row all the same, in the login's own name.
    assert _reveals(pg_desk) == [("carl", account)]
    with pg_desk.admin.uow.read() as session:
        assert session.scalar(select(func.count()).select_from(m.TaxIdReveal)) == 1


def test_an_inactive_users_login_cannot_reveal(pg_desk: Desk) -> None:
    number = _opened(pg_desk)
    with pg_desk.admin.uow.read() as session:
        account, ref = session.execute(
            select(m.Account.id, m.Account.tax_id_ref).where(m.Account.account_number == number)
        ).one()
    pg_desk.url_of("carl")  # carl's login exists before carl is deactivated
    carl = pg_desk.admin.users.get("carl")
    pg_desk.admin.users.update("carl", carl.version, active=False)
    with sql_as(pg_desk, "carl") as conn:
        assert "no active Desk user" in refused(
            conn, f"SELECT desk_reveal_tax_id({ref}, {account})"
        )
