"""Databases migrated once a run, that each test copies instead of migrating its own.

Running every Alembic migration for each test's database was most of a test's set-up:
about half a second on SQLite and a second or more on PostgreSQL, for each of some two
thousand databases. A run (each xdist worker) now migrates one SQLite file and one
PostgreSQL schema with Desk's own `upgrade`; a test gets a byte copy of the file, or the
schema's ``pg_dump`` replayed under the test's own schema name (tables, reference rows,
triggers, grants and all). Where ``pg_dump`` is missing or refuses the server (an older
client), each schema is migrated as before. The tests of migrations themselves ask for
an empty database (``empty_db_url``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from desk_app.db.engine import create_desk_engine
from desk_app.db.migrate import upgrade


def migrated_sqlite_file(folder: Path) -> Path:
    """An SQLite file at head, checkpointed so that the file alone holds it all."""
    path = folder / "migrated.db"
    path.touch()
    engine = create_desk_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    with sqlite3.connect(path) as conn:  # WAL stays the file's mode; its log is emptied
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def copy_sqlite(template: Path, path: Path) -> None:
    shutil.copyfile(template, path)


class PgTemplate:
    """This run's migrated PostgreSQL schema, made on first use and dropped by `close`."""

    def __init__(self, admin: Callable[[], Engine], schema_url: Callable[[str], str]) -> None:
        self._admin, self._schema_url = admin, schema_url
        self._engine: Engine | None = None
        self._name = f"t_template_{uuid.uuid4().hex[:12]}"
        self._script: str | None = None

    def script(self, schema: str) -> str | None:
        """SQL that creates ``schema`` as a copy of the template; None: migrate it instead."""
        if self._engine is None:
            self._engine = self._admin()
            with self._engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{self._name}"')
            migrating = create_desk_engine(self._schema_url(self._name))
            try:
                upgrade(migrating)
            finally:
                migrating.dispose()
            self._script = _dump(self._engine, self._name)
        return None if self._script is None else self._script.replace(self._name, schema)

    def close(self) -> None:
        if self._engine is not None:
            with self._engine.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self._name}" CASCADE')
            self._engine.dispose()
            self._engine = None


def _dump(admin: Engine, schema: str) -> str | None:
    """The schema as plain SQL (INSERTs, not COPY: one string a driver can run)."""
    if shutil.which("pg_dump") is None:
        return None
    url = admin.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    libpq = make_url(url).set(drivername="postgresql", password=None)
    try:
        dumped = subprocess.run(
            ["pg_dump", "--schema", schema, "--no-owner", "--inserts",
             "--dbname", libpq.render_as_string(hide_password=False)],
            capture_output=True, text=True, check=True, env=env, timeout=120,
        ).stdout  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return None
    # psql's own commands (\restrict and \unrestrict of newer clients) are not SQL.
    return "\n".join(line for line in dumped.splitlines() if not line.startswith("\\"))


def replay(admin: Engine, script: str) -> None:
    """Run a dumped script in one go, as psql would (no parameters: many statements)."""
    raw = admin.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute(script)
        raw.commit()
    finally:
        raw.invalidate()  # the script set the session's search_path and more: not reusable
