"""Re-login checks for the idle lock: the operating-system login, or the database password.

A user without a Desk app password proves it is still them with the password they
already have: on a local file the computer's login (PAM on Linux, LogonUserW on
Windows), on PostgreSQL their database password (checked by the server itself).
These calls are slow on purpose (PAM waits after a failure): run them on a worker.
"""

from __future__ import annotations

import getpass
import logging
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from desk_app.domain.db_address import DatabaseAddress
from desk_app.domain.errors import DeskError

if TYPE_CHECKING:
    from desk_app.services.actor import Actor

log = logging.getLogger(__name__)

PAM_SERVICE = "login"
_PAM_WRONG = frozenset({7, 10, 11, 17})  # AUTH_ERR, USER_UNKNOWN, MAXTRIES, CRED_INSUFFICIENT


class OsLoginUnavailable(DeskError):
    """This computer cannot check a login password for Desk (no PAM, another system…)."""

    def __init__(self, why: str) -> None:
        super().__init__(
            f"This computer cannot check your login password ({why}). Set a Desk password "
            "(Security → Change my password…) so that a locked window can be unlocked."
        )


def os_username() -> str:
    """The operating-system login of whoever runs Desk."""
    return getpass.getuser()


def verify_os_password(username: str, password: str) -> bool:
    """Whether ``password`` is ``username``'s login password on this computer.

    False for a wrong password or unknown user; `OsLoginUnavailable` when the
    system cannot answer at all.
    """
    if not password or "\x00" in password or "\x00" in username:
        return False
    if sys.platform == "win32":
        return _verify_windows(username, password)
    if sys.platform.startswith("linux"):
        return _verify_pam(username, password)
    raise OsLoginUnavailable(f"not supported on {sys.platform}")


def _verify_pam(username: str, password: str) -> bool:
    try:
        import pam
    except ImportError:  # python-pam missing, or libpam not installed
        raise OsLoginUnavailable("python-pam is not installed") from None
    except OSError as exc:  # pragma: no cover - libpam missing at load time
        raise OsLoginUnavailable(f"PAM is not available: {exc}") from None
    checker = pam.PamAuthenticator()
    if checker.authenticate(username, password, service=PAM_SERVICE, resetcreds=False):
        return True
    code = int(checker.code)
    if code in _PAM_WRONG:
        return False
    log.warning("PAM could not check the password: %s (%s)", checker.reason, code)
    raise OsLoginUnavailable(f"PAM: {checker.reason}")


def _verify_windows(username: str, password: str) -> bool:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    logon_interactive, provider_default = 2, 0
    logon_failure, account_restriction = 1326, 1327
    domain, _, user = username.rpartition("\\")
    if not domain:
        domain = os.environ.get("USERDOMAIN") or "."
    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    token = wintypes.HANDLE()
    ok = advapi32.LogonUserW(
        wintypes.LPCWSTR(user),
        wintypes.LPCWSTR(domain),
        wintypes.LPCWSTR(password),
        wintypes.DWORD(logon_interactive),
        wintypes.DWORD(provider_default),
        ctypes.byref(token),
    )
    if ok:
        kernel32.CloseHandle(token)
        return True
    error = int(ctypes.get_last_error())  # type: ignore[attr-defined]
    if error in (logon_failure, account_restriction):
        return False
    raise OsLoginUnavailable(f"Windows error {error}: {ctypes.FormatError(error).strip()}")  # type: ignore[attr-defined]


# -- the database password (PostgreSQL) -------------------------------------------------


def _connects(url: str, password: str) -> bool:
    """True if the server lets ``password`` in; False if it refuses the password."""
    from desk_app.db.engine import DatabaseUnavailable, check_connection, create_desk_engine

    engine = create_desk_engine(DatabaseAddress.parse(url).with_password(password).url)
    try:
        check_connection(engine)
    except DatabaseUnavailable as exc:
        if "password" in exc.message.lower() or "authentication" in exc.message.lower():
            return False
        raise
    finally:
        engine.dispose()
    return True


def database_checks_passwords(url: str) -> bool:
    """Whether the server checks passwords at all (not ``trust`` or ``peer`` auth).

    A random password is tried: if it gets in, the database password proves nothing.
    """
    return not _connects(url, "desk-probe-" + secrets.token_urlsafe(24))


def verify_database_password(url: str, password: str) -> bool:
    """Whether ``password`` opens a new connection to the database at ``url`` (PostgreSQL)."""
    if not password:
        return False
    return _connects(url, password)


# -- choosing how a user unlocks --------------------------------------------------------


@dataclass(frozen=True)
class ReLogin:
    """What the lock screen asks for, and the (slow) check of the answer."""

    hint: str
    check: Callable[[str], bool]


class _HasPassword(Protocol):
    @property
    def has_password(self) -> bool: ...


class _Passwords(Protocol):
    """What a re-login needs of the user service."""

    def get(self, username: str) -> _HasPassword: ...
    def check_password(self, password: str) -> bool: ...


class SignedIn(Protocol):
    """What a re-login needs of an open workspace (not the workspace: it sits above us)."""

    @property
    def user(self) -> Actor: ...
    @property
    def actor(self) -> str: ...
    @property
    def users(self) -> _Passwords: ...
    @property
    def url(self) -> str: ...
    @property
    def address(self) -> DatabaseAddress: ...
    @property
    def is_shared(self) -> bool: ...


class WorkspaceReLogin:
    """How the signed-in user of ``workspace`` proves it is still them (the idle lock)."""

    def __init__(self, workspace: SignedIn) -> None:
        self._workspace = workspace

    @property
    def who(self) -> str:
        user = self._workspace.user
        name = f" ({user.full_name})" if user.full_name and user.full_name != user.username else ""
        return f"{user.username}{name}, {user.role_text or 'no role'}"

    def method(self) -> ReLogin:
        """The app password if they have one, else the database's or the computer's.

        Reads the database (the password may have changed since signing in): call it
        on a worker. A PostgreSQL server that lets anyone in without a password
        (``trust``) cannot vouch for anyone: then the computer login is asked for.
        """
        ws = self._workspace
        if ws.users.get(ws.actor).has_password:
            return ReLogin("Enter your Desk password to continue.", ws.users.check_password)
        if ws.is_shared and (ws.address.has_password or database_checks_passwords(ws.url)):
            url = ws.url
            return ReLogin(
                f"Enter your database password (PostgreSQL login {ws.user.db_login}) to continue.",
                lambda password: verify_database_password(url, password),
            )
        login = os_username()
        return ReLogin(
            f"Enter the password you log in to this computer with (user {login}) to continue.",
            lambda password: verify_os_password(login, password),
        )
