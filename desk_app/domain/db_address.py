"""Where a Desk database lives, parsed once from its URL.

Plain Python on purpose: the window reads, shows and remembers addresses before the
database layer is imported, so this must not need SQLAlchemy. The grammar follows
SQLAlchemy's URLs (``dialect+driver://user:password@host:port/database?query``), with
one kindness: a password typed with a raw ``@`` still parses (the host follows the
last ``@``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import PurePath
from urllib.parse import parse_qsl, quote, quote_plus, unquote

from desk_app.domain.errors import DeskError

PG_DEFAULT_PORT = 5432
_SCHEME = re.compile(r"^(?P<scheme>[\w+]+)://(?P<rest>.*)$", re.DOTALL)
_HOST_PORT = re.compile(r"^(?:\[(?P<ipv6>[^\]]+)\]|(?P<host>[^:]*))(?::(?P<port>.*))?$")


class InvalidAddress(DeskError):
    """The text is not a database address Desk can use; the message says how to write one."""


@dataclass(frozen=True)
class DatabaseAddress:
    """An SQLite file (local) or a PostgreSQL database through psycopg 3 (shared)."""

    scheme: str  # as written: "sqlite", "postgresql", "postgresql+psycopg"
    database: str  # the file's path for SQLite, the database's name for PostgreSQL
    username: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    query: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> DatabaseAddress:
        """Read ``text``; `InvalidAddress` for anything but an SQLite file or PostgreSQL."""
        address = cls._read(text)
        address._check()
        return address

    @classmethod
    def _read(cls, text: str) -> DatabaseAddress:
        """The parts of any ``scheme://`` URL, checked only for its shape."""
        match = _SCHEME.match(text.strip())
        if match is None:
            raise InvalidAddress(
                f"'{_without_user(text)}' is not a database URL: it has no scheme://"
            )
        scheme, rest = match["scheme"], match["rest"]
        userinfo, rest = _split_userinfo(rest)
        rest, _, query_text = rest.partition("?")
        hostport, slash, path = rest.partition("/")
        username = password = None
        if userinfo is not None:
            user_text, colon, password_text = userinfo.partition(":")
            username = unquote(user_text)
            password = unquote(password_text) if colon else None
        hp = _HOST_PORT.match(hostport)
        assert hp is not None  # every string matches: host is any run without ':'
        host = hp["ipv6"] or hp["host"] or None
        try:
            port = int(hp["port"]) if hp["port"] else None
        except ValueError:
            raise InvalidAddress(
                f"'{_without_user(text)}' is not a database URL: bad port"
            ) from None
        return cls(
            scheme=scheme,
            database=unquote(path) if slash else "",
            username=username,
            password=password,
            host=host,
            port=port,
            query=tuple(parse_qsl(query_text, keep_blank_values=True)),
        )

    @classmethod
    def sqlite_file(cls, path: PurePath | str) -> DatabaseAddress:
        """The address of a local file; '%' and '?' in folder names are kept, not parsed."""
        return cls(scheme="sqlite", database=str(path))

    def _check(self) -> None:
        if self.backend == "sqlite":
            if not self.database or self.database == ":memory:":
                raise InvalidAddress(
                    "an SQLite database URL must name a file: sqlite:///path/to/desk.db"
                )
            return
        if self.backend == "postgresql":
            if self.driver not in ("psycopg", "postgresql"):
                raise InvalidAddress(
                    "PostgreSQL URLs use psycopg 3: postgresql+psycopg://user@host/db"
                )
            return
        raise InvalidAddress(
            f"unsupported database '{self.backend}': "
            "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
        )

    # -- what it is ------------------------------------------------------------------------
    @property
    def backend(self) -> str:
        return self.scheme.partition("+")[0]

    @property
    def driver(self) -> str:
        """The driver as written; the backend's name when none is given."""
        return self.scheme.partition("+")[2] or self.backend

    @property
    def is_local(self) -> bool:
        """An SQLite file on this computer."""
        return self.backend == "sqlite"

    @property
    def is_shared(self) -> bool:
        """A PostgreSQL server the team shares."""
        return self.backend == "postgresql"

    @property
    def path(self) -> PurePath | None:
        """The SQLite file; None for a server."""
        return PurePath(self.database) if self.is_local else None

    def describe(self, *, short: bool = False) -> str:
        """The local file, or host/database (never the password); ``short``: the file's name.

        The status bar and the window title are short (the tooltip has the full path);
        messages about a database give the path.
        """
        if self.is_local:
            return f"Local file {PurePath(self.database).name if short else self.database}"
        host = self.host or "localhost"
        shown_host = f"[{host}]" if ":" in host else host
        port = f":{self.port}" if self.port else ""
        return f"PostgreSQL {shown_host}{port}/{self.database}"

    def keyring_entry(self) -> str:
        """The keyring's user name for this server: ``user@host:port/db``."""
        host = f"{self.host or 'localhost'}:{self.port or PG_DEFAULT_PORT}"
        return f"{self.username or ''}@{host}/{self.database}"

    @property
    def has_password(self) -> bool:
        return self.password is not None or any(k.lower() == "password" for k, _ in self.query)

    # -- other addresses -----------------------------------------------------------------------
    def with_password(self, password: str) -> DatabaseAddress:
        """The same server, signing in with ``password`` (kept in memory, never stored)."""
        return replace(self, password=password)

    def redacted(self) -> DatabaseAddress:
        """No password, in the user part or (libpq's) in the query: what is shown and kept."""
        kept = tuple((k, v) for k, v in self.query if k.lower() != "password")
        return replace(self, password=None, query=kept)

    # -- as text -----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The full URL, password included: only for connecting."""
        text = f"{self.scheme}://"
        if self.username is not None:
            text += quote(self.username, safe=" +")
            if self.password is not None:
                text += ":" + quote(self.password, safe=" +")
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += f":{self.port}"
        if self.database or self.is_local:
            text += "/" + quote(self.database, safe=" +/:")
        if self.query:
            text += "?" + "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in self.query)
        return text

    def shown(self) -> str:
        """The URL without its password: for titles, tooltips, logs and settings."""
        return self.redacted().url

    def __str__(self) -> str:
        return self.shown()

    def __repr__(self) -> str:
        return f"DatabaseAddress({self.shown()!r})"


def _split_userinfo(rest: str) -> tuple[str | None, str]:
    """``user:password`` and what follows its '@' (None: no user part).

    The user part ends at the last '@' whose user name (before the first ':') holds no
    '/', '?' or '@': so a password may hold a raw '@', '/', ':' or '?', while an '@' in
    a file path or in the query is never taken for one.
    """
    at = len(rest)
    while (at := rest.rfind("@", 0, at)) >= 0:
        user = rest[:at].partition(":")[0]
        if not any(c in user for c in "/?@"):
            return rest[:at], rest[at + 1 :]
    return None, rest


def _without_user(text: str) -> str:
    """``text`` with no user part, for a message about a URL Desk could not read."""
    match = _SCHEME.match(text.strip())
    if match is None:
        return text.rpartition("@")[2]
    return f"{match['scheme']}://{_split_userinfo(match['rest'])[1]}"


def redact(url: str) -> str:
    """``url`` without a password, even when Desk cannot use it (it may be logged)."""
    try:
        return DatabaseAddress._read(url).shown()
    except InvalidAddress:
        return url.rpartition("@")[2]  # no scheme: at least never the user part
