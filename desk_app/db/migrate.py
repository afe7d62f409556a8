"""Create or migrate the schema with Alembic, and refuse databases we must not touch."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from desk_app.db.engine import DatabaseUnavailable, explain, is_foreign_database
from desk_app.db.grants import grant_app_role

MIGRATIONS = Path(__file__).with_name("migrations")


class SchemaTooNew(DatabaseUnavailable):
    """The database was migrated by a newer Desk; an older one must not write to it."""


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@cache
def _revisions() -> tuple[str, frozenset[str]]:
    """The head revision and every known one. Alembic runs each migration file to learn
    them, which every database opened would pay again: the files do not change while
    Desk runs."""
    scripts = ScriptDirectory.from_config(_config())
    head = scripts.get_current_head()
    assert head is not None
    return head, frozenset(rev.revision for rev in scripts.walk_revisions())


def head_revision() -> str:
    return _revisions()[0]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_schema(engine: Engine) -> str | None:
    """Return the database's revision; raise if it is not ours or is newer than this Desk."""
    try:
        if is_foreign_database(engine):
            raise DatabaseUnavailable(
                "This database has tables but was not created by Desk. "
                "Nothing was changed; choose an empty database or a Desk database."
            )
        revision = current_revision(engine)
    except DBAPIError as exc:
        raise explain(exc, engine) from None
    if revision is not None:
        if revision not in _revisions()[1]:
            raise SchemaTooNew(
                f"This database was last used by a newer version of Desk (schema {revision}). "
                "Nothing was changed; install the newer Desk to open it."
            )
    return revision


#: Key of the PostgreSQL advisory lock that serialises migrations between desks.
MIGRATION_LOCK_KEY = 0x4445534B  # "DESK"


def upgrade(engine: Engine) -> bool:
    """Bring the schema to head in one transaction; True if anything was applied.

    Two workstations starting together on a new database must not both migrate:
    the write lock (SQLite) or an advisory lock (PostgreSQL) is taken first and
    the revision read again under it.
    """
    head = head_revision()
    if check_schema(engine) == head:
        return False
    cfg = _config()
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            if MigrationContext.configure(conn).get_current_revision() == head:
                conn.rollback()
                return False
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            grant_app_role(conn)
            conn.commit()
    except DBAPIError as exc:
        raise explain(exc, engine) from None
    return True
