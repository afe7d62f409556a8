"""Where the database is: the URL from the command line, environment or default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path, PurePath

from sqlalchemy.engine import URL, make_url

APP_DIR_NAME = "Desk"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_DIR_NAME, appauthor=False)


def default_sqlite_path() -> Path:
    return data_dir() / "desk.db"


def demo_sqlite_path() -> Path:
    return data_dir() / "desk-demo.db"


def sqlite_url(path: Path) -> str:
    """The URL of a local file; '%' and '?' in folder names are escaped, not parsed."""
    return URL.create("sqlite", database=str(path)).render_as_string()


def resolve_url(explicit: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """``--db`` wins, then ``DESK_DB_URL``, then the local file in the user's data folder."""
    if explicit:
        return explicit
    if environ.get("DESK_DB_URL"):
        return environ["DESK_DB_URL"]
    return sqlite_url(default_sqlite_path())


def parse(url: str) -> URL:
    """Parse and check the engine: only SQLite files and PostgreSQL through psycopg 3."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ValueError(f"'{url}' is not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("an SQLite database URL must name a file: sqlite:///path/to/desk.db")
        return parsed
    if parsed.get_backend_name() == "postgresql":
        if parsed.get_driver_name() not in ("psycopg", "postgresql"):
            raise ValueError("PostgreSQL URLs use psycopg 3: postgresql+psycopg://user@host/db")
        return parsed.set(drivername="postgresql+psycopg")
    raise ValueError(
        f"unsupported database '{parsed.get_backend_name()}': "
        "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
    )


def describe(url: str, *, short: bool = False) -> str:
    """The local file, or host/database (never the password); ``short``: the file's name only.

    The status bar and the window title are short (the tooltip has the full path);
    messages about a database give the path.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        return f"Local file {PurePath(path).name if short else path}"
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"PostgreSQL {host}{port}/{parsed.database}"


def without_password(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True).replace(":***@", "@")
