"""Real databases for tests: a temporary SQLite file and a PostgreSQL schema.

PostgreSQL comes from ``DESK_TEST_PG_URL``. Without it the PostgreSQL half of a test
is skipped, unless ``DESK_REQUIRE_PG=1`` (CI), where a missing server is a failure.
Each PostgreSQL test gets its own schema (via ``search_path``), dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.pool import Pool

from desk_app.domain.cutoffs import market_today

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from argon2 import PasswordHasher  # noqa: E402

from desk_app.db import models as m  # noqa: E402
from desk_app.db.engine import create_desk_engine  # noqa: E402
from desk_app.db.migrate import upgrade  # noqa: E402
from desk_app.demo.catalogue_people import DEMO_PASSWORD  # noqa: E402
from desk_app.domain import passwords  # noqa: E402
from desk_app.services.workspace import Workspace, open_workspace  # noqa: E402
from tests.migrated_templates import (  # noqa: E402
    PgTemplate,
    copy_sqlite,
    migrated_sqlite_file,
    replay,
)

PG_URL = os.environ.get("DESK_TEST_PG_URL", "")
REQUIRE_PG = os.environ.get("DESK_REQUIRE_PG") == "1"
ENGINES = ["sqlite", "postgresql"]

# Hundreds of test users sign in with passwords: argon2id at its cheapest settings
# (hashes keep their parameters, so the real cost still applies to real hashes).
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # noqa: SLF001


#: Every test user's Desk password (the demo's staff have it too): on a local file it
#: is how someone other than the computer's login proves who they are.
STAFF_PASSWORD = DEMO_PASSWORD


def add_staff(admin: Workspace, name: str, roles: Any, **values: Any) -> None:
    """Add user ``name`` so that they can sign in: a login of their own on PostgreSQL,
    the staff password on a local file.

    As on a real desk: what gives power is a grant the admin files and a principal
    approves (before the database has a principal, it applies at once).
    """
    if admin.is_shared:
        values.setdefault("db_login", pg_login_url(admin.url, name, admin="admin" in {
            getattr(role, "value", role) for role in roles})[0])  # fmt: skip
    else:
        values.setdefault("password", STAFF_PASSWORD)
    change = admin.users.add(name, roles, **values)
    if change.request_id is not None:
        approve_grant(admin.url, change.request_id)


def approve_grant(url: str, request_id: int) -> str:
    """A principal of the database, neither the grant's maker nor its subject, approves it.

    Returns who approved. They prove who they are as the engine demands (`sign_in`).
    """
    from desk_app.domain.supervision import PRINCIPAL_SERIES

    look = create_engine(url)
    try:
        with look.connect() as conn:
            maker, key = conn.execute(
                text("SELECT maker, target_key FROM approval_requests WHERE id = :i"),
                {"i": request_id},
            ).one()
            listed = ", ".join(f"'{series}'" for series in sorted(PRINCIPAL_SERIES))
            principals = conn.scalars(
                text(
                    "SELECT u.username FROM users u WHERE u.active = :yes "
                    "AND (u.roles LIKE '%supervisor%' OR u.roles LIKE '%compliance%') "
                    "AND EXISTS (SELECT 1 FROM user_registrations r WHERE r.user_id = u.id "
                    f"AND r.series IN ({listed}) AND r.effective_from <= :today "
                    "AND (r.effective_to IS NULL OR r.effective_to >= :today)) ORDER BY u.id"
                ),
                {"yes": True, "today": market_today()},
            ).all()
    finally:
        look.dispose()
    subject = str(key).partition(":")[2].casefold()
    for name in principals:
        if name.casefold() not in (subject, str(maker).casefold()):
            with sign_in(url, name) as principal:
                principal.approvals.approve(request_id, "test set-up")
            return str(name)
    raise AssertionError(f"no principal to approve grant {request_id} (maker {maker})")


def url_as(url: str, name: str) -> str:
    """``url`` as user ``name`` reaches it: through their own login on PostgreSQL."""
    if not url.startswith("postgresql"):
        return url
    look = create_engine(url)
    try:
        with look.connect() as conn:
            row = conn.execute(
                text("SELECT db_login FROM users WHERE lower(username) = lower(:n)"),
                {"n": name},
            ).first()
    except ProgrammingError:  # a database not made yet: whoever opens it first is its admin
        return url
    finally:
        look.dispose()
    if row is None:  # nobody of that name: the owner's login, to be refused as it should
        return url
    login = row[0]
    if login is None:  # the demo's staff, say: the database's owner maps them a login
        login = pg_login_url(url, name)[0]
        owner = make_url(url).username or ""
        with open_workspace(url, owner, migrate=False) as admin:
            # As the DBA does it (a grant nobody could approve: none of them has a login
            # yet); the owner's write is audited, and the database lets its owner.
            with admin.uow.write("test.setup") as session:
                session.scalars(
                    select(m.User).where(m.User.username == name)
                ).one().db_login = login
    return make_url(url).set(username=login).render_as_string(hide_password=False)


def sign_in(url: str, name: str) -> Workspace:
    """A workspace on ``url`` signed in as ``name``, proven as the engine demands."""
    return open_workspace(url_as(url, name), name, password=STAFF_PASSWORD)


def cli_as(url: str, name: str) -> tuple[str, ...]:
    """``--db URL --user NAME`` for the command line, through ``name``'s own login.

    On a local file the password comes from ``DESK_PASSWORD`` (see ``staff_password``).
    """
    return ("--db", url_as(url, name), "--user", name)


def new_user_credentials(url: str, name: str, *, admin: bool = False) -> tuple[str, ...]:
    """What ``user add`` needs so that ``name`` can sign in: a login, or a password."""
    if url.startswith("postgresql"):
        return ("--db-login", pg_login_url(url, name, admin=admin)[0])
    return ("--password-prompt",)  # read from DESK_NEW_PASSWORD


@pytest.fixture
def staff_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands given ``--user`` prove it with the staff password (a local file)."""
    monkeypatch.setenv("DESK_PASSWORD", STAFF_PASSWORD)
    monkeypatch.setenv("DESK_NEW_PASSWORD", STAFF_PASSWORD)


def schema_of(url: str) -> str:
    """The test schema a PostgreSQL test URL searches (see `_pg_schema_url`)."""
    options = str(make_url(url).query.get("options", ""))
    return options.removeprefix("-csearch_path=")


def pg_login_url(url: str, name: str, *, admin: bool = False) -> tuple[str, str]:
    """A PostgreSQL login of its own for the test user ``name``: (login, url through it).

    The server trusts local logins, so the login needs no password; it is named after
    the test's schema and dropped with it. An admin's login is in ``desk_admin`` too.
    """
    from desk_app.db.grants import ADMIN_ROLE, APP_ROLE

    login = f"{schema_of(url)}_{name}".lower()
    group = f"{APP_ROLE}, {ADMIN_ROLE}" if admin else APP_ROLE
    admin_engine = _admin_engine()
    try:
        with admin_engine.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE ROLE "{login}" LOGIN IN ROLE {group}'))
    finally:
        admin_engine.dispose()
    made = make_url(url).set(username=login, password=None)
    return login, made.render_as_string(hide_password=False)


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_PG and not PG_URL:
        raise pytest.UsageError("DESK_REQUIRE_PG=1 but DESK_TEST_PG_URL is not set")


@pytest.fixture(scope="session", autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep tests out of the real user's data, settings and log folders."""
    home = tmp_path_factory.mktemp("home")
    folders = {
        "XDG_DATA_HOME": "data",
        "XDG_CONFIG_HOME": "config",
        "XDG_STATE_HOME": "state",
        "XDG_CACHE_HOME": "cache",
    }
    saved = {k: os.environ.get(k) for k in (*folders, "DESK_DB_URL", "DESK_USER")}
    for key, sub in folders.items():
        os.environ[key] = str(home / sub)
    os.environ.pop("DESK_DB_URL", None)
    os.environ.pop("DESK_USER", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _pg_schema_url(schema: str) -> str:
    url = make_url(PG_URL)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


#: PostgreSQL backends this test run opened (their pids), the only ones it may end.
_OUR_BACKENDS: set[int] = set()


@event.listens_for(Pool, "connect")
def _note_backend(dbapi_connection: Any, _record: Any) -> None:
    info = getattr(dbapi_connection, "info", None)
    pid = getattr(info, "backend_pid", None)
    if isinstance(pid, int):
        _OUR_BACKENDS.add(pid)


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")


def _trigrams_in_public(conn: Any) -> None:
    """pg_trgm once per database, in ``public``: installed by a test's migration it
    would live in that test's schema and go with it (and other tests' indexes too)."""
    try:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except DBAPIError:
        pass  # another run installed it at the same moment


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL schema of its own at head, with no users yet, as a Desk database URL."""
    with pg_schema() as url:
        yield url


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """An empty PostgreSQL schema of its own (for the tests of migrating one)."""
    with pg_schema(migrated=False) as url:
        yield url


#: This run's migrated schema, that each test's schema copies (`tests.migrated_templates`).
_PG_TEMPLATE = PgTemplate(_admin_engine, _pg_schema_url)


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_template() -> Iterator[None]:
    yield
    _PG_TEMPLATE.close()


@contextmanager
def pg_schema(*, migrated: bool = True) -> Iterator[str]:
    """A PostgreSQL schema (at head, or empty), dropped with the logins made for it."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("PostgreSQL is required (DESK_REQUIRE_PG=1) but not configured")
        pytest.skip("no PostgreSQL configured (set DESK_TEST_PG_URL)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        _trigrams_in_public(conn)
    script = _PG_TEMPLATE.script(schema) if migrated else None
    if script is not None:
        replay(admin, script)
    else:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    if migrated and script is None:  # no pg_dump here: migrate it as Desk would
        engine = create_desk_engine(_pg_schema_url(schema))
        try:
            upgrade(engine)
        finally:
            engine.dispose()
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            # Only this run's idle connections: other runs may share the server.
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                    "AND application_name = 'desk-app' AND state = 'idle' "
                    "AND pid = ANY(:ours)"
                ),
                {"ours": sorted(_OUR_BACKENDS)},
            )
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            logins = conn.scalars(
                text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :prefix)"),
                {"prefix": f"{schema}_"},
            ).all()
            for login in logins:
                conn.execute(text(f'DROP ROLE "{login}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_sqlite_file(tmp_path_factory.mktemp("template"))


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """A new database file at head with no users yet (whoever opens it first is its admin).

    It exists, as a database chosen on purpose does: a missing file is refused unless
    creating it is asked for (``--create``, ``db upgrade``, the window's question).
    """
    path = tmp_path / "desk.db"
    copy_sqlite(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    """A new, empty database file (an empty file is one to SQLite; Desk migrates it)."""
    path = tmp_path / "desk.db"
    path.touch()
    return f"sqlite:///{path}"


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest) -> str:
    """A database at head with no users yet, on each engine in turn."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture(params=ENGINES)
def empty_db_url(request: pytest.FixtureRequest) -> str:
    """An empty database (no schema) on each engine in turn."""
    name = "empty_sqlite_url" if request.param == "sqlite" else "empty_pg_url"
    return str(request.getfixturevalue(name))


def settle_workers() -> None:
    """Let GUI workers that still read the database finish before it is closed.

    A connection a worker holds while the engine is disposed goes back to a pool
    nobody references, and is garbage-collected still open (a ResourceWarning that
    would fail whichever test runs then).
    """
    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QThreadPool, QTimer

    app = QCoreApplication.instance()
    if app is None:
        return
    if "PySide6.QtWidgets" in sys.modules:  # a debounce timer must not start a read later
        from PySide6.QtWidgets import QApplication

        for widget in QApplication.topLevelWidgets():
            for timer in widget.findChildren(QTimer):
                timer.stop()
    for _ in range(2):  # a worker's result may start one more
        QThreadPool.globalInstance().waitForDone(30_000)
        QCoreApplication.processEvents()


@pytest.fixture
def workspace(db_url: str) -> Iterator[Workspace]:
    """A migrated, empty database on each engine, opened for user 'tester'."""
    ws = open_workspace(db_url, "tester")
    yield ws
    settle_workers()
    ws.close()


@pytest.fixture
def sqlite_workspace(sqlite_url: str) -> Iterator[Workspace]:
    ws = open_workspace(sqlite_url, "tester")
    yield ws
    settle_workers()
    ws.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One 600-trade demo book per run (it takes seconds to make); tests get copies."""
    from desk_app.demo import generate_demo_data

    path = tmp_path_factory.mktemp("template") / "demo.db"
    ws = open_workspace(f"sqlite:///{path}", "tester")
    try:
        generate_demo_data(ws.sessions, seed=3, trades=600)
    finally:
        ws.close()
    return path


@pytest.fixture
def demo_url(sqlite_url: str, demo_template: Path) -> str:
    """A private copy of the demo book as a database URL, so a test may change it."""
    shutil.copyfile(demo_template, sqlite_url.removeprefix("sqlite:///"))
    return sqlite_url


@pytest.fixture
def demo_ws(demo_url: str) -> Iterator[Workspace]:
    ws = open_workspace(demo_url, "tester")
    yield ws
    settle_workers()
    ws.close()


@pytest.fixture
def desk(db_url: str) -> Iterator[Any]:
    """A desk with a clerk, two supervisors, compliance and a second admin (each engine)."""
    from tests.services.conftest import Desk

    made = Desk(db_url)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def settling_desk(db_url: str) -> Iterator[Any]:
    """One account, Apple, and GSCO with a DTC instruction for US equities: trades settle."""
    from desk_app.domain.codes import InstrumentType
    from tests.services.conftest import Desk

    made = Desk(db_url)
    try:
        made.account("ACC-100")
        made.instrument("US0378331005")
        made.counterparty("GSCO", ssi_for=InstrumentType.EQUITY)
        yield made
    finally:
        made.close()


@pytest.fixture
def funded_desk(settling_desk: Any) -> Any:
    """``settling_desk`` and ACC-200, ACC-300: something to journal between them.

    ACC-100 sold 100 AAPL (settled cash: 21,019.50 USD); ACC-200 bought 100 (it holds them).
    """
    from desk_app.domain.codes import Side
    from tests.services.settlement.test_settling import settle_booked

    for number in ("ACC-200", "ACC-300"):
        settling_desk.account(number)
    settle_booked(settling_desk, "ACC-100", Side.SELL)
    settle_booked(settling_desk, "ACC-200", Side.BUY)
    return settling_desk
