"""Opening a database for the window, on a worker thread: passwords, keyring, demo.

Nothing here touches a widget; `desk_app.app` runs these functions off the GUI thread
and hands their result (or their exception) to the window. Database modules are
imported inside the functions so that importing this module stays cheap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from desk_app.domain.errors import DeskError

if TYPE_CHECKING:
    from desk_app.services.workspace import Workspace
    from desk_app.ui.workers import Progress

log = logging.getLogger(__name__)

KEYRING_SERVICE = "Desk"
DEMO_SEED = 1
DEMO_TRADES = 30_000


class PasswordNeeded(DeskError):
    """The server asks for a password and none was given or stored."""

    def __init__(self, url: str, message: str, keyring_available: bool) -> None:
        super().__init__(message)
        self.url = url
        self.keyring_available = keyring_available


class KeyringUnavailable(Exception):
    """No usable system keyring (no backend, or it refused)."""


@dataclass(frozen=True)
class OpenRequest:
    url: str | None  # None: the default local file (or the demo file)
    actor: str
    demo: bool = False
    remember: bool = False  # make it the database opened at the next start
    password: str | None = None  # the database's (PostgreSQL), not Desk's own
    store_password: bool = False
    app_password: str | None = None  # the user's Desk password, when they have one


@dataclass(frozen=True)
class Opened:
    workspace: Workspace
    request: OpenRequest
    needs_demo_data: bool
    note: str = ""  # e.g. the demo's admin enrolled the user: said in the status bar


def keyring_entry(url: str) -> str:
    """The keyring user name for a PostgreSQL URL: ``user@host:port/db``."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    host = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    return f"{parsed.username or ''}@{host}/{parsed.database}"


def _with_password(url: str, password: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(password=password).render_as_string(hide_password=False)


def keyring_password(url: str) -> str | None:
    """The stored password for ``url``, None if there is none; `KeyringUnavailable`."""
    import keyring  # slow to import and may talk to D-Bus: only ever on a worker
    import keyring.errors

    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_entry(url))
    except (RuntimeError, keyring.errors.KeyringError) as exc:  # NoKeyringError is both
        raise KeyringUnavailable(str(exc)) from exc


def store_password(url: str, password: str) -> None:
    """Keep the password in the system keyring (never in the settings); best effort."""
    import keyring
    import keyring.errors

    try:
        keyring.set_password(KEYRING_SERVICE, keyring_entry(url), password)
    except (RuntimeError, keyring.errors.KeyringError):
        log.warning("could not store the password in the keyring", exc_info=True)


def keyring_available() -> bool:
    """Whether "Remember password" can work on this machine."""
    import keyring
    from keyring.backends import fail

    try:
        return not isinstance(keyring.get_keyring(), fail.Keyring)
    except Exception:  # a broken backend means: do not offer to remember
        log.warning("no usable keyring", exc_info=True)
        return False


def open_database(request: OpenRequest) -> Opened:
    """Resolve, connect, migrate (runs on a worker). Raises `DeskError` or `ValueError`."""
    from desk_app.db import urls
    from desk_app.db.engine import DatabaseUnavailable
    from desk_app.services.workspace import open_workspace

    default = urls.demo_sqlite_path() if request.demo else urls.default_sqlite_path()
    url = request.url or urls.sqlite_url(default)
    urls.parse(url)  # a clear ValueError for a malformed URL
    is_postgres = url.startswith("postgresql")
    note = None
    if request.demo:
        from desk_app.demo.access import admit

        note = admit(url, request.actor)  # the demo's admin enrols whoever runs it
    secret = request.app_password
    if request.password is not None:
        ws = open_workspace(_with_password(url, request.password), request.actor, password=secret)
        if request.store_password and is_postgres:
            store_password(url, request.password)
    else:
        try:
            ws = open_workspace(url, request.actor, password=secret)
        except DatabaseUnavailable as exc:
            # Try without first (trust auth, .pgpass); the keyring only when asked for one.
            if not is_postgres or "password" not in exc.message.lower():
                raise
            ws = _open_with_stored_password(url, request.actor, exc.message, secret)
    try:
        needs_demo = request.demo and ws.blotter.trades().count() == 0
    except BaseException:
        ws.close()  # do not leave its connections behind
        raise
    return Opened(ws, request, needs_demo, note or "")


def _open_with_stored_password(
    url: str, actor: str, why: str, app_password: str | None
) -> Workspace:
    from desk_app.db.engine import DatabaseUnavailable
    from desk_app.services.workspace import open_workspace

    try:
        stored = keyring_password(url)
    except KeyringUnavailable:
        raise PasswordNeeded(url, why, keyring_available=False) from None
    if stored is None:
        raise PasswordNeeded(url, why, keyring_available=True)
    try:
        return open_workspace(_with_password(url, stored), actor, password=app_password)
    except DatabaseUnavailable as exc:
        if "password" not in exc.message.lower():
            raise
        raise PasswordNeeded(url, exc.message, keyring_available=True) from None


def check_shared_connection(url: str, password: str) -> str:
    """The connect dialog's check: the server version, or `DatabaseUnavailable`."""
    from desk_app.db.engine import check_connection, create_desk_engine

    engine = create_desk_engine(_with_password(url, password) if password else url)
    try:
        return check_connection(engine)
    finally:
        engine.dispose()


def fill_demo_data(workspace: Workspace, progress: Progress) -> object:
    """``--demo`` on an empty database: the sample data set (runs on a worker)."""
    from desk_app.demo import generate_demo_data

    return generate_demo_data(
        workspace.sessions,
        seed=DEMO_SEED,
        trades=DEMO_TRADES,
        progress=progress,
        actor=workspace.user,
    )


def fill_demo_and_admit(opened: Opened, progress: Progress) -> Opened:
    """Fill the demo, then give its first user the demo roles and sign them in again."""
    from desk_app.demo.access import admit
    from desk_app.services.workspace import open_workspace

    ws = opened.workspace
    fill_demo_data(ws, progress)
    note = admit(ws.url, opened.request.actor, newly_filled=True)
    if note is None:
        return opened
    again = open_workspace(ws.url, opened.request.actor, migrate=False)
    ws.close()
    return replace(opened, workspace=again, note=note)
