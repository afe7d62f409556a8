"""The audit trail: every write leaves an entry, the chain shows tampering, the DB refuses edits."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from desk_app.db import models as m
from desk_app.domain import audit_chain
from desk_app.domain.codes import Role
from desk_app.domain.errors import NotPermitted
from desk_app.domain.rule_changes import RuleKind
from desk_app.domain.states import ApprovalStatus
from desk_app.services.audit import UnauditedWrite
from desk_app.services.workspace import open_workspace

if TYPE_CHECKING:
    from tests.services.conftest import Desk

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


OVERRIDE = RuleKind.OVERRIDE


def closed(day: str, why: str) -> dict[str, str]:
    """A request's values closing ``day`` on the US calendar."""
    return {"calendar_code": "US", "day": day, "settlement_day": "closed", "reason": why}


def session_user(desk: Desk) -> str:
    """Who the database says is connected (the OS login on SQLite)."""
    if desk.engine_name != "postgresql":
        return desk.admin.user.db_login
    with desk.admin.engine.connect() as conn:
        return str(conn.execute(text("SELECT session_user")).scalar_one())


def test_every_service_write_appends_attributed_entries(desk: Desk) -> None:
    start = datetime.now(UTC) - timedelta(seconds=5)
    seq = desk.audit_count()
    number = desk.account()
    storm = {"calendar_code": "US", "day": "2030-01-02", "settlement_day": "closed",
             "reason": "storm"}  # fmt: skip
    desk.ws["sam"].approvals.approve(desk.ws["sue"].rules.request(OVERRIDE, storm, "storm"))
    removal = desk.ws["sue"].rules.request_removal(storm, "storm passed")
    desk.ws["sam"].approvals.approve(removal)
    grant = desk.admin.users.add("newbie", {Role.CLERK}, password="long enough pw")
    desk.grant(grant.request_id)  # a password set by someone else: a grant
    desk.admin.users.update("newbie", desk.admin.users.get("newbie").version, full_name="New Bie")
    amend = desk.ws["carl"].accounts.request_amend(number, {"residence_state": "NJ"}, "moved")
    desk.ws["sue"].approvals.approve(amend, "ok")
    status = desk.ws["carl"].accounts.request_status(number, "closed", "margin")
    desk.ws["sam"].approvals.reject(status, "no")
    desk.ws["cora"].accounts.reveal_tax_id(number)
    entries = desk.audit_entries(seq)
    expected = {
        ("tester", "test.setup", "create", "accounts"),
        ("sue", "approval.request", "create", "approval_requests"),
        ("sam", "rules.change", "create", "calendar_overrides"),
        ("sam", "rules.change", "delete", "calendar_overrides"),
        ("tester", "approval.request", "create", "approval_requests"),
        ("sue", "user.grant", "create", "users"),
        ("tester", "user.update", "update", "users"),
        ("carl", "approval.request", "create", "approval_requests"),
        ("sue", "approval.approve", "update", "approval_requests"),
        ("sue", "account.amend", "update", "accounts"),
        ("sam", "approval.reject", "update", "approval_requests"),
        ("cora", "account.reveal_tax_id", "event", "accounts"),
    }
    seen = {(e.app_user, e.action, e.change, e.table_name) for e in entries}
    assert expected <= seen, expected - seen
    now = datetime.now(UTC) + timedelta(seconds=5)
    for e in entries:  # each person's own login on PostgreSQL; the computer's on a file
        assert e.db_login == desk.ws[e.app_user].user.db_login
        if not desk.shared:
            assert e.db_login == session_user(desk)
        assert STAMP.fullmatch(e.recorded_at)
        assert start <= datetime.fromisoformat(e.recorded_at) <= now
        assert (e.before is None) == (e.change in ("create", "event", "seal"))
        assert (e.after is None) == (e.change == "delete")
    [amended] = [e for e in entries if e.action == "account.amend"]
    assert amended.approval_id == amend
    before, after = json.loads(amended.before or ""), json.loads(amended.after or "")
    assert before.pop("updated_at") < after.pop("updated_at")
    assert (before, after) == ({"residence_state": "NY", "version": 1},
                               {"residence_state": "NJ", "version": 2})  # fmt: skip
    decisions = [e for e in entries if e.action in ("approval.approve", "approval.reject")]
    assert all(e.approval_id is not None for e in decisions)
    granted = [e for e in entries if e.action == "user.grant"]
    assert granted and all(e.approval_id is not None for e in granted)
    ruled = [e for e in entries if e.action == "rules.change"]  # applied by approval
    assert len(ruled) == 2 and all(e.approval_id is not None for e in ruled)
    others = [e for e in entries if e is not amended and e not in decisions + granted + ruled]
    assert all(e.approval_id is None for e in others)
    [user] = [e for e in granted if e.table_name == "users"]
    assert '"password_hash":"(set)"' in (user.after or "")
    [filed] = [e for e in entries if e.app_user == "tester" and e.action == "approval.request"]
    assert '"password_hash":"(set)"' in (filed.after or "")  # the request's hash: kept out
    assert "argon2" not in "".join((e.after or "") + (e.before or "") for e in entries)
    assert [e.seq for e in entries] == list(range(seq + 1, seq + 1 + len(entries)))


def test_db_login_on_postgresql_is_session_user(desk: Desk) -> None:
    if desk.engine_name != "postgresql":
        pytest.skip("session_user is a PostgreSQL notion")
    for ws in desk.ws.values():
        with ws.engine.connect() as conn:
            login = str(conn.execute(text("SELECT session_user")).scalar_one())
        assert ws.user.db_login == login
    assert len({ws.user.db_login for ws in desk.ws.values()}) == len(desk.ws)  # one each


def test_unaudited_orm_write_is_refused_and_stores_nothing(desk: Desk) -> None:
    seq = desk.audit_count()
    with pytest.raises(UnauditedWrite), desk.admin.sessions.begin() as session:
        session.add(m.CalendarOverride(calendar_code="US", day=date(2030, 1, 3),
                                       is_settlement_day=False, reason="sneaky"))  # fmt: skip
    assert desk.admin.calendar.overrides() == []
    assert desk.audit_count() == seq
    number = desk.account()
    with pytest.raises(UnauditedWrite), desk.admin.sessions.begin() as session:
        account = session.query(m.Account).filter_by(account_number=number).one()
        account.name = "Changed without a trace"
    assert desk.account_row(number)["name"] == f"Client {number}"


# -- tampering -----------------------------------------------------------------------------


def _raw_engine(desk: Desk) -> Engine:
    return create_engine(make_url(desk.url))


def tamper(desk: Desk, *statements: str) -> None:
    """Change the trail behind Desk's back, as someone holding the file or a DBA would."""
    if desk.engine_name == "sqlite":
        conn = sqlite3.connect(desk.url.removeprefix("sqlite:///"))
        try:
            conn.execute("DROP TRIGGER audit_log_no_update")
            conn.execute("DROP TRIGGER audit_log_no_delete")
            for statement in statements:
                conn.execute(statement)
            conn.commit()
        finally:
            conn.close()
        return
    engine = _raw_engine(desk)
    try:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            for statement in statements:
                conn.execute(text(statement))
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
    finally:
        engine.dispose()


def _busy_trail(desk: Desk) -> int:
    """Enough varied entries to tamper with; returns the number of entries."""
    for _ in range(3):
        number = desk.account()
        request = desk.ws["carl"].accounts.request_amend(number, {"name": "Other"}, "r")
        desk.ws["sue"].approvals.approve(request)
    desk.ws["cora"].accounts.reveal_tax_id(number)
    report = desk.ws["cora"].history.verify()
    assert report.intact and report.entries == desk.audit_count() >= 15
    return report.entries


K = 6  # the entry the tests tamper with


def _forged_insert(desk: Desk) -> tuple[str, ...]:
    """Shift entries K.. up by one and slip in a well-formed entry after K-1."""
    prev = desk.audit_entries(K - 2)[0].entry_hash
    forged = audit_chain.EntryContent(
        K, audit_chain.timestamp_text(datetime.now(UTC)), "carl", "carl", "account.amend",
        "update", "accounts", "1", '{"name":"A"}', '{"name":"B"}', None,
    )  # fmt: skip
    digest = audit_chain.entry_hash(prev, forged.fields())
    return (
        f"UPDATE audit_log SET seq = -seq WHERE seq >= {K}",
        "UPDATE audit_log SET seq = 1 - seq WHERE seq < 0",
        "INSERT INTO audit_log (seq, recorded_at, app_user, db_login, action, change, "
        "table_name, record_id, before, after, approval_id, prev_hash, entry_hash) VALUES "
        f"({K}, '{forged.recorded_at}', 'carl', 'carl', 'account.amend', 'update', "
        f"'accounts', '1', '{{\"name\":\"A\"}}', '{{\"name\":\"B\"}}', NULL, '{prev}', '{digest}')",
    )


TAMPERING: dict[str, Callable[[Desk, int], tuple[tuple[str, ...], int, str]]] = {
    "modify": lambda d, n: (
        (f"UPDATE audit_log SET app_user = 'nobody' WHERE seq = {K}",), K, "changed"),
    "modify a hash": lambda d, n: (
        (f"UPDATE audit_log SET entry_hash = '{'a' * 64}' WHERE seq = {K}",), K, "changed"),
    "delete": lambda d, n: ((f"DELETE FROM audit_log WHERE seq = {K}",), K, "missing"),
    "insert": lambda d, n: (_forged_insert(d), K + 1, "does not follow"),
    "reorder": lambda d, n: (
        (
            f"UPDATE audit_log SET seq = -1 WHERE seq = {K}",
            f"UPDATE audit_log SET seq = {K} WHERE seq = {K + 1}",
            f"UPDATE audit_log SET seq = {K + 1} WHERE seq = -1",
        ),
        K,
        "does not follow",
    ),
    "truncate the tail": lambda d, n: (
        (f"DELETE FROM audit_log WHERE seq > {n - 3}",), n - 2, "missing"),
    "append a stray entry": lambda d, n: (
        (
            "INSERT INTO audit_log (seq, recorded_at, app_user, db_login, action, change, "
            "table_name, record_id, before, after, approval_id, prev_hash, entry_hash) "
            "SELECT seq + 1, recorded_at, app_user, db_login, action, change, table_name, "
            f"record_id, before, after, approval_id, entry_hash, entry_hash FROM audit_log "
            f"WHERE seq = {n}",
        ),
        n + 1,
        "",
    ),
}  # fmt: skip


@pytest.mark.parametrize("how", TAMPERING)
def test_tampering_is_reported_at_the_first_bad_entry(desk: Desk, how: str) -> None:
    entries = _busy_trail(desk)
    statements, bad_seq, reason = TAMPERING[how](desk, entries)
    tamper(desk, *statements)
    for who in ("cora", "tester"):
        report = desk.ws[who].history.verify()
        assert not report.intact, how
        assert report.problem is not None
        assert report.problem.seq == bad_seq, (how, str(report.problem))
        assert reason in report.problem.reason
        assert str(report.problem).startswith(f"audit entry {bad_seq}:")


def test_untouched_chain_is_intact(desk: Desk) -> None:
    entries = _busy_trail(desk)
    tamper(desk)  # only the triggers go: nothing else changes
    report = desk.admin.history.verify()
    assert (report.intact, report.entries, report.head_seq) == (True, entries, entries)


def test_verify_needs_the_audit_permission(desk: Desk) -> None:
    for who in ("carl", "sue"):
        with pytest.raises(NotPermitted):
            desk.ws[who].history.verify()


# -- the database itself refuses edits -------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET app_user = 'nobody' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
        "DELETE FROM audit_log",
        "UPDATE audit_head SET seq = 0, entry_hash = 'x' WHERE id = 1",
        "DELETE FROM audit_head",
    ],
)
def test_triggers_refuse_changing_the_trail(desk: Desk, statement: str) -> None:
    desk.account()
    entries = desk.audit_count()
    # PostgreSQL's refusal (insufficient privilege) reads as a plain NotPermitted.
    with pytest.raises((DBAPIError, NotPermitted), match="append-only|only moves forward"):
        with desk.admin.uow.write("test.setup") as session:
            session.execute(text(statement))
    assert desk.audit_count() == entries
    assert desk.admin.history.verify().intact


def test_postgresql_refuses_truncate(desk: Desk) -> None:
    if desk.engine_name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(NotPermitted, match="append-only"):
        with desk.admin.uow.write("test.setup") as session:
            session.execute(text("TRUNCATE audit_log"))
    assert desk.admin.history.verify().intact


@pytest.fixture
def app_login(desk: Desk) -> Iterator[tuple[str, str]]:
    """A person's own PostgreSQL login in the ``desk_user`` group: (role, URL as them)."""
    if desk.engine_name != "postgresql":
        pytest.skip("database logins and grants are PostgreSQL's")
    role = f"desk_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(desk.url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN IN ROLE desk_user"))
    url = make_url(desk.url).set(username=role, password=None)
    try:
        yield role, url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"),
                {"r": role},
            )
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def test_app_role_may_append_but_never_update_or_delete(
    desk: Desk, app_login: tuple[str, str]
) -> None:
    role, url = app_login
    desk.account()
    tamper(desk)  # not even with the triggers out of the way (they are back afterwards)
    engine = create_engine(make_url(url))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT session_user")).scalar_one() == role
            n = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
            assert n == desk.audit_count()
        sql_engine = _raw_engine(desk)
        with sql_engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        try:
            for statement in (
                "UPDATE audit_log SET app_user = 'x' WHERE seq = 1",
                "DELETE FROM audit_log WHERE seq = 1",
                "TRUNCATE audit_log",
            ):
                with pytest.raises(ProgrammingError) as refused, engine.begin() as conn:
                    conn.execute(text(statement))
                assert _sqlstate(refused.value) == "42501", statement
        finally:
            with sql_engine.begin() as conn:
                conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
            sql_engine.dispose()
        # Appending is granted, but only honest entries: a copy of someone else's entry
        # (another login, not following the last entry) is refused by the database.
        with pytest.raises(ProgrammingError) as forged, engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_log SELECT seq + 1000, recorded_at, app_user, db_login, "
                    "action, change, table_name, record_id, before, after, approval_id, "
                    "prev_hash, entry_hash FROM audit_log WHERE seq = 1"
                )
            )
        assert _sqlstate(forged.value) == "42501"
        assert "inserted by" in str(forged.value)
        with pytest.raises(ProgrammingError) as jumped, engine.begin() as conn:
            conn.execute(text("UPDATE audit_head SET seq = seq + 1"))
        assert _sqlstate(jumped.value) == "42501"
        with engine.begin() as conn:  # a table no principal supervises: written freely
            conn.execute(text("UPDATE counterparties SET name = name"))
        # An account changes only in the transaction that approved the change (0029).
        with pytest.raises(ProgrammingError) as unapproved, engine.begin() as conn:
            conn.execute(text("UPDATE accounts SET registered_rep = 'RR42'"))
        assert _sqlstate(unapproved.value) == "42501"
        # The settlement rules change only in the transaction that approved the change.
        with pytest.raises(ProgrammingError) as unapproved, engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO calendar_overrides (calendar_code, day, is_settlement_day, "
                    "reason, version, updated_at) VALUES ('US', '2030-01-04', false, 'x', 1, "
                    "now())"
                )
            )
        assert _sqlstate(unapproved.value) == "42501"
    finally:
        engine.dispose()


def test_a_person_with_their_own_login_is_audited_as_that_login(
    desk: Desk, app_login: tuple[str, str]
) -> None:
    role, url = app_login
    desk.grant(desk.admin.users.add("pgclerk", {Role.CLERK}, db_login=role).request_id)
    number = desk.account()
    with open_workspace(url, "pgclerk", migrate=False) as ws:
        assert ws.user.db_login == role
        request = ws.accounts.request_amend(number, {"name": "Via own login"}, "r")
    [entry] = [
        e for e in desk.audit_entries() if e.action == "approval.request" and e.app_user != "tester"
    ]
    assert (entry.app_user, entry.db_login, entry.record_id) == ("pgclerk", role, str(request))
    with pytest.raises(NotPermitted, match="you cannot act as carl"):
        open_workspace(url, "carl", migrate=False)


# -- concurrency ---------------------------------------------------------------------------


def test_concurrent_writers_do_not_fork_the_chain(desk: Desk) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(2)
    seq = desk.audit_count()

    def write(who: str, year: int) -> None:
        try:
            start.wait()
            for n in range(12):
                day = date(year, 2, 1 + n).isoformat()
                desk.ws[who].rules.request(OVERRIDE, closed(day, who), who)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=a) for a in (("sue", 2031), ("sam", 2032))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert desk.ws["cora"].approvals.requests(status=ApprovalStatus.PENDING).count() == 24
    report = desk.ws["cora"].history.verify()
    assert report.intact
    seqs = [e.seq for e in desk.audit_entries()]
    assert seqs == list(range(1, report.head_seq + 1))
    assert {e.app_user for e in desk.audit_entries(seq)} == {
        "sue", "sam",
    }  # fmt: skip


def test_two_workspaces_writing_alternately_keep_one_chain(desk: Desk) -> None:
    for n in range(5):
        for who in ("sue", "sam"):
            day = date(2033, 3 if who == "sue" else 4, 1 + n).isoformat()
            desk.ws[who].rules.request(OVERRIDE, closed(day, who), who)
    report = desk.admin.history.verify()
    assert report.intact and report.entries == desk.audit_count()
