"""What the window asks for when it opens a database, and the port that does the opening.

The window never reaches the database layer itself: `desk_app.app` hands the
controller a `DatabaseOpener` (the services behind it), whose calls run on a worker.
Everything here is plain data and protocols, cheap to import before the first paint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from desk_app.domain.errors import DeskError

if TYPE_CHECKING:
    from desk_app.domain.first_user import FirstUser
    from desk_app.domain.progress import Progress
    from desk_app.ui.idle_lock import Unlocker
    from desk_app.ui.security_menu import SecuredWorkspace, SignedInUser
    from desk_app.ui.tabs.workspace_view import ActorView, WorkspaceView

    # Types only: their bases are Qt modules the window loads after its first paint.
    class SignedInActor(ActorView, SignedInUser, Protocol):
        """The user as both the tabs and the Security menu see them."""

    class OpenedWorkspace(WorkspaceView, SecuredWorkspace, Protocol):
        """An open database as the window uses it (structurally a services `Workspace`)."""

        @property
        def user(self) -> SignedInActor: ...
        def close(self) -> None: ...


class PasswordNeeded(DeskError):
    """The server asks for a password and none was given or stored."""

    def __init__(self, url: str, message: str, keyring_available: bool) -> None:
        super().__init__(message)
        self.url = url
        self.keyring_available = keyring_available


class SignInNeeded(DeskError):
    """The user has a Desk password of their own: it is missing, or ``wrong``."""

    def __init__(self, username: str, message: str, *, wrong: bool) -> None:
        super().__init__(message)
        self.username = username
        self.wrong = wrong


class DatabaseMissing(DeskError):
    """The local file a request names does not exist: the window asks before creating it."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path} does not exist. Nothing was created.")
        self.path = path


@dataclass(frozen=True)
class OpenRequest:
    url: str | None  # None: the default local file (or the demo file)
    actor: str
    demo: bool = False
    remember: bool = False  # make it the database opened at the next start
    password: str | None = None  # the database's (PostgreSQL), not Desk's own
    store_password: bool = False
    app_password: str | None = None  # the user's Desk password, when they have one
    create: bool = False  # make the named local file if it does not exist (asked first)
    first_user: FirstUser | None = None  # who creates a new database (the welcome asked)


@dataclass(frozen=True)
class Opened:
    workspace: OpenedWorkspace
    request: OpenRequest
    needs_demo_data: bool
    note: str = ""  # e.g. the demo's admin enrolled the user: said in the status bar


class DatabaseOpener(Protocol):
    """The services the window opens databases with; every call but `describe` is slow."""

    def open(self, request: OpenRequest) -> Opened:
        """Resolve, connect, migrate, sign in: `DeskError` (`PasswordNeeded`, ...) if not."""
        ...

    def fill_demo(self, opened: Opened, progress: Progress) -> Opened:
        """Fill an empty demo database and admit its first user."""
        ...

    def check_shared(self, url: str, password: str) -> str:
        """The connect dialog's check: the server's version, or a `DeskError`."""
        ...

    def keyring_available(self) -> bool:
        """Whether "Remember password" can work on this machine."""
        ...

    def first_run_file(self) -> str | None:
        """The default local file when it does not exist yet (a first run), else None."""
        ...

    def unlocker(self, workspace: OpenedWorkspace) -> Unlocker:
        """How the idle lock lets the signed-in user back in."""
        ...

    def describe(self, url: str) -> str:
        """The database in a few words, never its password (fast: no connection)."""
        ...
