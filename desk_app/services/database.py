"""The database itself as a use case: where it is, its schema, and errors said plainly.

The command line and the window reach the database layer only through here (and
`desk_app.services.workspace`), so neither needs SQLAlchemy to pick a database,
upgrade it, check a server or report a driver error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from desk_app.db.engine import (
    DatabaseUnavailable,
    check_connection,
    create_desk_engine,
    explain_url,
)
from desk_app.db.migrate import SchemaTooNew, current_revision, upgrade
from desk_app.domain.db_address import DatabaseAddress

APP_DIR_NAME = "Desk"


def data_dir() -> Path:
    """The user's data folder for Desk (platformdirs)."""
    from platformdirs import user_data_path

    return user_data_path(APP_DIR_NAME, appauthor=False)


def default_sqlite_path() -> Path:
    return data_dir() / "desk.db"


def demo_sqlite_path() -> Path:
    return data_dir() / "desk-demo.db"


def sqlite_url(path: Path) -> str:
    """The URL of a local file; '%' and '?' in folder names are escaped, not parsed."""
    return DatabaseAddress.sqlite_file(path).url


def resolve_url(explicit: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """``--db`` wins, then ``DESK_DB_URL``, then the local file in the user's data folder."""
    if explicit:
        return explicit
    if environ.get("DESK_DB_URL"):
        return environ["DESK_DB_URL"]
    return sqlite_url(default_sqlite_path())


def missing_file(url: str) -> Path | None:
    """The local file ``url`` names when it does not exist (None for a server or a file).

    Opening creates a missing file, so a mistyped path would silently become a new,
    empty database whose first user is its admin: the command line and the window ask
    this first, and create only when told to (``--create``, ``db upgrade``, first run).
    """
    address = DatabaseAddress.parse(url)
    if not address.is_local:
        return None
    path = Path(address.database)
    return None if path.exists() else path


def upgrade_database(url: str) -> tuple[bool, str | None]:
    """Create or migrate the schema: whether it changed, and the revision it is now at."""
    engine = create_desk_engine(url)
    try:
        check_connection(engine)
        changed = upgrade(engine)
        return changed, current_revision(engine)
    finally:
        engine.dispose()


def check_server(url: str) -> str:
    """Connect once and let go: the server's version, or `DatabaseUnavailable`."""
    engine = create_desk_engine(url)
    try:
        return check_connection(engine)
    finally:
        engine.dispose()


@contextmanager
def driver_errors_explained(url: str) -> Iterator[None]:
    """A driver error (locked, damaged, gone mid-command) becomes `DatabaseUnavailable`.

    Its message names the database and what to do, as when opening it fails.
    """
    try:
        yield
    except DBAPIError as exc:
        raise explain_url(exc, url) from exc


__all__ = [
    "DatabaseUnavailable",
    "SchemaTooNew",
    "check_server",
    "data_dir",
    "default_sqlite_path",
    "demo_sqlite_path",
    "driver_errors_explained",
    "missing_file",
    "resolve_url",
    "sqlite_url",
    "upgrade_database",
]
