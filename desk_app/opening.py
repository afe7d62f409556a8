"""The window's `DatabaseOpener`: services, the demo book and the system keyring.

`desk_app.app` wires it into the window's controller (`DeskController` here is that
controller, wired), which runs these calls on a worker and never touches the
database layer itself. Services are imported inside the
functions so that importing this module before the first paint stays cheap.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from desk_app.domain.db_address import DatabaseAddress, InvalidAddress
from desk_app.ui import launch
from desk_app.ui.opening import (
    DatabaseMissing,
    Opened,
    OpenRequest,
    PasswordNeeded,
    SignInNeeded,
)

if TYPE_CHECKING:
    from desk_app.domain.first_user import FirstUser
    from desk_app.domain.progress import Progress
    from desk_app.services.workspace import Workspace
    from desk_app.ui.idle_lock import Unlocker
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.opening import OpenedWorkspace
    from desk_app.ui.settings import DeskSettings

log = logging.getLogger(__name__)

KEYRING_SERVICE = "Desk"
DEMO_SEED = 1
DEMO_TRADES = 30_000


class KeyringUnavailable(Exception):
    """No usable system keyring (no backend, or it refused)."""


def keyring_password(address: DatabaseAddress) -> str | None:
    """The stored password for ``address``, None if there is none; `KeyringUnavailable`."""
    import keyring  # slow to import and may talk to D-Bus: only ever on a worker
    import keyring.errors

    try:
        return keyring.get_password(KEYRING_SERVICE, address.keyring_entry())
    except (RuntimeError, keyring.errors.KeyringError) as exc:  # NoKeyringError is both
        raise KeyringUnavailable(str(exc)) from exc


def store_password(address: DatabaseAddress, password: str) -> None:
    """Keep the password in the system keyring (never in the settings); best effort."""
    import keyring
    import keyring.errors

    try:
        keyring.set_password(KEYRING_SERVICE, address.keyring_entry(), password)
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


def _sign_in(
    url: str, actor: str, app_password: str | None, first_user: FirstUser | None = None
) -> Workspace:
    """`open_workspace`, with a missing or wrong Desk password said the window's way."""
    from desk_app.services.actor import PasswordRequired
    from desk_app.services.workspace import open_workspace

    try:
        return open_workspace(url, actor, password=app_password, first_user=first_user)
    except PasswordRequired as exc:
        raise SignInNeeded(exc.username, exc.message, wrong=exc.wrong) from None


def open_database(request: OpenRequest) -> Opened:
    """Resolve, connect, migrate (runs on a worker). Raises `DeskError`."""
    from desk_app.services import database
    from desk_app.services.database import DatabaseUnavailable

    default = database.demo_sqlite_path() if request.demo else database.default_sqlite_path()
    url = request.url or database.sqlite_url(default)
    address = DatabaseAddress.parse(url)  # a clear `InvalidAddress` for a malformed URL
    if request.url is not None and not request.create:
        # A named file (--db, Recent, a setting) that is gone may be a typo: ask first.
        # The default file is made at first run, as the welcome promises.
        missing = database.missing_file(url)
        if missing is not None and ("mode", "ro") not in address.query:  # ro: nothing to make
            raise DatabaseMissing(str(missing))
    note = None
    if request.demo:
        from desk_app.demo.access import admit
        from desk_app.demo.catalogue_people import demo_users_hint

        # The demo's admin enrols whoever runs it; the first screen says how to act as
        # each demo user, so that one person can try both sides of four-eyes.
        note = admit(url, request.actor) or demo_users_hint()
    secret = request.app_password
    if request.password is not None:
        ws = _sign_in(address.with_password(request.password).url, request.actor, secret)
        if request.store_password and address.is_shared:
            store_password(address, request.password)
    else:
        try:
            ws = _sign_in(url, request.actor, secret, request.first_user)
        except DatabaseUnavailable as exc:
            # Try without first (trust auth, .pgpass); the keyring only when asked for one.
            if not address.is_shared or "password" not in exc.message.lower():
                raise
            ws = _open_with_stored_password(url, address, request.actor, exc.message, secret)
    try:
        needs_demo = request.demo and ws.blotter.trades().count() == 0
    except BaseException:
        ws.close()  # do not leave its connections behind
        raise
    return Opened(ws, request, needs_demo, note or "")


def _open_with_stored_password(
    url: str, address: DatabaseAddress, actor: str, why: str, app_password: str | None
) -> Workspace:
    from desk_app.services.database import DatabaseUnavailable

    try:
        stored = keyring_password(address)
    except KeyringUnavailable:
        raise PasswordNeeded(url, why, keyring_available=False) from None
    if stored is None:
        raise PasswordNeeded(url, why, keyring_available=True)
    try:
        return _sign_in(address.with_password(stored).url, actor, app_password)
    except DatabaseUnavailable as exc:
        if "password" not in exc.message.lower():
            raise
        raise PasswordNeeded(url, exc.message, keyring_available=True) from None


def first_run_file() -> str | None:
    """The default local file if it is not there yet: the window welcomes a new user."""
    from desk_app.services.database import default_sqlite_path

    path = default_sqlite_path()
    return None if path.exists() else str(path)


def check_shared_connection(url: str, password: str) -> str:
    """The connect dialog's check: the server version, or `DatabaseUnavailable`."""
    from desk_app.services.database import check_server

    return check_server(DatabaseAddress.parse(url).with_password(password).url if password else url)


def fill_demo_data(workspace: OpenedWorkspace, progress: Progress) -> object:
    """``--demo`` on an empty database: the sample data set (runs on a worker)."""
    from desk_app.demo import generate_demo_data
    from desk_app.services.workspace import Workspace

    assert isinstance(workspace, Workspace)
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


class ServiceOpener:
    """`desk_app.ui.opening.DatabaseOpener` over the services (what `desk_app.app` wires)."""

    def open(self, request: OpenRequest) -> Opened:
        return open_database(request)

    def fill_demo(self, opened: Opened, progress: Progress) -> Opened:
        return fill_demo_and_admit(opened, progress)

    def check_shared(self, url: str, password: str) -> str:
        return check_shared_connection(url, password)

    def keyring_available(self) -> bool:
        return keyring_available()

    def first_run_file(self) -> str | None:
        return first_run_file()

    def unlocker(self, workspace: OpenedWorkspace) -> Unlocker:
        from desk_app.services.supervision.os_login import WorkspaceReLogin
        from desk_app.services.workspace import Workspace

        assert isinstance(workspace, Workspace)
        return WorkspaceReLogin(workspace)

    def describe(self, url: str) -> str:
        try:
            return DatabaseAddress.parse(url).describe()
        except InvalidAddress:
            return "this database"


class DeskController(launch.DeskController):
    """The window's controller, opening its databases through the services."""

    def __init__(
        self, window: MainWindow, settings: DeskSettings, actor: str, *, demo: bool = False
    ) -> None:
        super().__init__(window, settings, actor, opener=ServiceOpener(), demo=demo)
