"""Engines for SQLite and PostgreSQL, set up for a desktop that must not lose data."""

from __future__ import annotations

import os
import sqlite3
import time
import weakref
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from desk_app.domain.db_address import DatabaseAddress, InvalidAddress
from desk_app.domain.errors import DeskError, Retryable
from desk_app.private_files import private_database, private_folder

SQLITE_BUSY_TIMEOUT_MS = 5000
PG_CONNECT_TIMEOUT_S = 5
#: SQLite's page cache for a big load or settlement (`hold_big_cache`), as KiB (negative),
#: from how many rows.
BIG_LOAD_CACHE_KIB = -65536
BIG_LOAD_ROWS = 1000
#: Where a pooled SQLite connection keeps the page cache size it had before
#: `hold_big_cache`, put back when it returns to the pool.
PAGE_CACHE_KEY = "desk_page_cache_kib"
#: ``?mode=ro`` on an SQLite URL: open the file to read only (see `create_desk_engine`).
READ_ONLY_OPTION = ("mode", "ro")
#: Engines opened read-only, by choice or because the file cannot be written.
_READ_ONLY_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


class DatabaseUnavailable(DeskError):
    """The database cannot be used; the message says why and what to do."""


class Disconnected(DatabaseUnavailable, Retryable):
    """The server could not be reached, or ended the session, before a call was done.

    Nothing of the call stands (the server rolls back a transaction whose session
    ends), so doing it again is safe: the pool then connects afresh.
    """


def _sqlite_pragmas(
    busy_timeout_ms: int, read_only: bool, dbapi_connection: sqlite3.Connection, _: Any
) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if read_only:
            # Refuses every write, yet closes like any connection: the last one out
            # still folds and removes the -wal and -shm files (a mode=ro one cannot).
            cursor.execute("PRAGMA query_only = ON")
            return
        cursor.execute("PRAGMA synchronous = FULL")
        _use_wal(cursor, busy_timeout_ms)
    finally:
        cursor.close()


def hold_big_cache(connection: Connection, rows: int = BIG_LOAD_ROWS) -> None:
    """A larger page cache on ``connection`` until it goes back to the pool (SQLite),
    for work on ``rows`` rows: from `BIG_LOAD_ROWS`.

    Each index of a table of any size is a B-tree of its own; with SQLite's default
    2 MB cache the pages of eight of them evict one another row after row. Held until
    the transaction has ended, so that several loads in it share one cache, and its
    commit, which seals what it wrote (`desk_app.services.audit`), reads those rows
    back from memory; then the engine puts the old size back (a smaller size drops the
    pages beyond it). Only memory changes: journal, syncing and durability stay as
    they are.
    """
    if connection.dialect.name != "sqlite" or rows < BIG_LOAD_ROWS:
        return
    size = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    if size == BIG_LOAD_CACHE_KIB:
        return
    connection.info.setdefault(PAGE_CACHE_KEY, size)
    connection.exec_driver_sql(f"PRAGMA cache_size = {BIG_LOAD_CACHE_KIB}")


def _put_back_page_cache(dbapi_connection: sqlite3.Connection | None, record: Any) -> None:
    """A connection back in the pool after a big load: its usual page cache again."""
    size = record.info.pop(PAGE_CACHE_KEY, None)
    if size is not None and dbapi_connection is not None:
        dbapi_connection.execute(f"PRAGMA cache_size = {int(size)}")


def _use_wal(cursor: sqlite3.Cursor, busy_timeout_ms: int) -> None:
    """Switch the file to WAL once; the switch ignores the busy timeout, so wait here.

    Two desks opening a new file together both try the switch, and SQLite answers
    the loser "locked" at once instead of waiting like any other statement.
    """
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def sqlalchemy_url(address: DatabaseAddress) -> URL:
    """The engine's URL, built from the parsed parts (never parsed a second time)."""
    query: dict[str, str | tuple[str, ...]] = {}
    for key, value in address.query:
        before = query.get(key)
        query[key] = value if before is None else (*_as_tuple(before), value)
    return URL.create(
        "sqlite" if address.is_local else "postgresql+psycopg",
        username=address.username,
        password=address.password,
        host=address.host,
        port=address.port,
        database=address.database,
        query=query,
    )


def _as_tuple(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def create_desk_engine(url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    """An engine for a Desk database URL (SQLite file or PostgreSQL via psycopg 3).

    An SQLite file opens read-only when its URL says ``?mode=ro`` (the user's choice)
    or when this user cannot write the file or its folder (`is_read_only` then says
    so): every write is refused with a plain message, and nothing (no -wal or -shm
    file, no permission change) is left behind.
    """
    try:
        address = DatabaseAddress.parse(url)
    except InvalidAddress as exc:
        raise DatabaseUnavailable(exc.message) from None
    if address.is_local:
        return _sqlite_engine(address, busy_timeout_ms)
    connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "desk-app"}
    # Pre-ping: a connection whose session the server ended while it sat in the pool
    # is replaced before use, so an idle window survives a restart unnoticed.
    engine = create_engine(sqlalchemy_url(address), pool_pre_ping=True, connect_args=connect_args)
    event.listen(engine, "handle_error", _lost_connection_said_plainly)
    return engine


def _sqlite_engine(address: DatabaseAddress, busy_timeout_ms: int) -> Engine:
    path = Path(address.database)
    chosen = READ_ONLY_OPTION in address.query
    unwritable = path.exists() and not _writable(path)
    read_only = chosen or unwritable
    _check_sqlite_file(path, read_only=read_only)
    if read_only:
        kept = tuple(pair for pair in address.query if pair != READ_ONLY_OPTION)
        engine_url = _read_only_url(path, kept) if unwritable else None
    else:
        kept = address.query
        engine_url = None
        try:
            private_database(path)  # the owner's alone, and so are its WAL and SHM files
        except OSError as exc:
            raise DatabaseUnavailable(f"Cannot create {path}: {exc.strerror}.") from None
    if engine_url is None:
        engine_url = sqlalchemy_url(replace(address, query=kept))
    engine = create_engine(engine_url, connect_args={"timeout": busy_timeout_ms / 1000})
    event.listen(engine, "connect", partial(_sqlite_pragmas, busy_timeout_ms, read_only))
    event.listen(engine, "checkin", _put_back_page_cache)
    if read_only:
        _READ_ONLY_ENGINES.add(engine)
        event.listen(engine, "handle_error", partial(_read_only_said_plainly, address.describe()))
    return engine


def _writable(path: Path) -> bool:
    """Whether this user may write the file and its folder (SQLite writes beside it)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _read_only_url(path: Path, query: tuple[tuple[str, str], ...]) -> URL:
    """A file nobody here can write, read as it is: ``immutable`` takes no locks and
    makes no -wal or -shm file; with a write-ahead log left by a crash, ``mode=ro``
    (which reads the log) instead."""
    uri_query = dict(query)
    if Path(f"{path}-wal").exists():
        uri_query["mode"] = "ro"
    else:
        uri_query["immutable"] = "1"
    uri_query["uri"] = "true"
    return URL.create("sqlite", database=path.resolve().as_uri(), query=uri_query)


def is_read_only(engine: Engine) -> bool:
    """Whether ``engine`` reads an SQLite file without writing it (see `create_desk_engine`)."""
    return engine in _READ_ONLY_ENGINES


def read_only_message(where: str) -> str:
    """What a change tried on a database open read-only is told (``where``: described)."""
    return (
        f"The database is open read-only ({where}): nothing was changed. To change it, "
        "open it again without read-only, with write access to the file and its folder."
    )


def _read_only_said_plainly(where: str, ctx: ExceptionContext) -> None:
    """A write on a read-only database, said so (not SQLite's own words)."""
    error = ctx.sqlalchemy_exception
    if not isinstance(error, DBAPIError):
        return
    said = str(error.orig).lower()
    if "readonly" in said or "read-only" in said:
        raise DatabaseUnavailable(read_only_message(where))


def _lost_connection_said_plainly(ctx: ExceptionContext) -> None:
    """A session the server ended mid-call, or a server gone, as a message (not a bug).

    Raised here, on every path (window, command line, worker), while SQLAlchemy still
    invalidates the dead connection and every one pooled before it. A failed pre-ping
    is left to the pool, which reconnects; any other error goes on as it was.
    """
    engine, error = ctx.engine, ctx.sqlalchemy_exception
    if ctx.is_pre_ping or engine is None or not isinstance(error, DBAPIError):
        return
    ended = ctx.is_disconnect  # mid-call: the session is gone
    unreachable = ctx.connection is None and isinstance(error, OperationalError)  # connecting
    if ended or unreachable:
        raise explain(error, engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _check_sqlite_file(path: Path, *, read_only: bool = False) -> None:
    """Refuse, before Desk migrates or writes it, a file that is not an SQLite database.

    The file is read through SQLite itself, never opened and closed by hand: closing
    any handle on a database file drops every lock this process holds on it (POSIX
    advisory locks are per process), and a desk whose locks are gone lets another
    desk's last close delete the write-ahead log under it.
    """
    if not path.exists():
        if read_only:
            raise DatabaseUnavailable(f"Cannot open {path} read-only: there is no such file.")
        if not path.parent.exists():
            try:
                private_folder(path.parent)
            except OSError as exc:
                raise DatabaseUnavailable(
                    f"Cannot create the folder for {path}: {exc.strerror}."
                ) from None
        return
    if path.is_dir():
        raise DatabaseUnavailable(f"{path} is a folder, not a database file.")
    if not os.access(path, os.R_OK):
        raise DatabaseUnavailable(f"Cannot read {path}: permission denied.")
    try:
        # Read-only: immutable, so that even this look leaves no -wal or -shm file.
        mode = "immutable=1" if read_only else "mode=rw"
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseUnavailable(f"Cannot open {path}: {exc}.") from None
    try:
        probe.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise DatabaseUnavailable(
                f"{path} is not a Desk database (it is not an SQLite file, or it is damaged). "
                "Nothing was changed. Choose another file or restore it from a backup."
            ) from None
        # Busy, or damaged further in: Desk's own connection says so when it opens it.
    finally:
        probe.close()


def check_connection(engine: Engine) -> str:
    """Connect once; return the server version or raise `DatabaseUnavailable`."""
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.execute(text("PRAGMA schema_version")).scalar()
                return f"SQLite {sqlite3.sqlite_version}"
            version = conn.execute(text("SHOW server_version")).scalar()
            return f"PostgreSQL {version}"
    except DBAPIError as exc:
        raise explain(exc, engine) from None


def is_foreign_database(engine: Engine) -> bool:
    """True for a database that has tables but none of Desk's bookkeeping."""
    names = set(inspect(engine).get_table_names())
    return bool(names) and "alembic_version" not in names


def explain(exc: DBAPIError, engine: Engine) -> DatabaseUnavailable:
    """Turn a driver error into a message a clerk can act on."""
    return explain_url(exc, engine.url.render_as_string(hide_password=False))


def explain_url(exc: DBAPIError, url: str) -> DatabaseUnavailable:
    """`explain` when only the URL is at hand (the error outlived its engine)."""
    try:
        where = DatabaseAddress.parse(url).describe()
    except InvalidAddress:
        where = "the database"  # never echo text that may hold a password
    raw = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = raw.lower()
    if url.startswith("sqlite"):
        if "locked" in lowered or "busy" in lowered:
            reason = "it is locked by another program. Close that program and try again."
        elif "readonly" in lowered or "read-only" in lowered:
            reason = "the file or its folder is read-only. Desk needs to write to it."
        elif "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
            reason = "it is damaged or not a database. Nothing was changed; restore a backup."
        elif "unable to open" in lowered:
            reason = "the file cannot be opened (missing folder or no permission)."
        else:
            reason = raw
        return DatabaseUnavailable(f"Cannot use the database ({where}): {reason}")
    first = raw.strip().splitlines()[0] if raw.strip() else raw
    if exc.connection_invalidated:
        return _closed_by_server(where, first, saving=exc.statement is None)
    if isinstance(exc, OperationalError):
        return Disconnected(
            f"Cannot reach the database server ({where}): {first}. "
            "Check the address, that the server is running, and your network."
        )
    return DatabaseUnavailable(f"Database error ({where}): {raw}")


def _closed_by_server(where: str, why: str, *, saving: bool) -> DatabaseUnavailable:
    """The server ended the session (an administrator, a restart): the address is fine.

    Ended during a statement, nothing was saved and the call may run again. Ended
    during the commit itself, nobody can know whether it was saved: no Retry then,
    since doing it again might do it twice.
    """
    said = f"The database server closed the connection ({where}): it ended this session ({why})."
    if saving:
        return DatabaseUnavailable(
            f"{said} It happened while Desk was saving, so the change may or may not "
            "have been saved: look before you do it again."
        )
    return Disconnected(f"{said} Nothing of what Desk was doing was saved; try again.")
