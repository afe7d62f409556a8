"""What every command shares: the chosen database, the actor, exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desk_app.services.workspace import Workspace

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2


def requested(request_id: int, what: str) -> int:
    """A change filed for approval: say so on stderr, print the request id last on stdout."""
    print(f"request {request_id}: {what}; waiting for a principal's approval", file=sys.stderr)
    print(request_id)
    return EXIT_OK


def reject(*problems: str) -> int:
    """One line per problem on stderr; the command changed nothing."""
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_REJECTED


@dataclass
class CommandContext:
    explicit_url: str | None
    actor: str
    demo: bool
    exit_after_paint: bool
    create: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CommandContext:
        import os

        from desk_app.services.supervision.identity import resolve_actor

        url = args.db or os.environ.get("DESK_DB_URL") or None
        return cls(
            url,
            resolve_actor(args.user),
            args.demo,
            args.exit_after_paint,
            create=bool(getattr(args, "create", False)),
        )

    @property
    def url(self) -> str:
        """The database a command works on.

        ``--demo`` always means the separate demo file, even with ``DESK_DB_URL`` set:
        sample data must never land in a real database.
        """
        from desk_app.services import database

        if self.demo:
            return database.sqlite_url(database.demo_sqlite_path())
        return database.resolve_url(self.explicit_url)

    def require_database(self) -> None:
        """Refuse a local file that does not exist, unless ``--create`` says to make it.

        A mistyped path must never become a new, empty database with its caller as
        admin: the command stops before anything (a folder, a file) is created.
        """
        from desk_app.domain.errors import DeskError
        from desk_app.services.database import missing_file

        if self.create or self.demo:
            return
        path = missing_file(self.url)
        if path is None:
            return
        raise DeskError(
            f"{path}: no such database file. Check the path; to start a new, empty "
            "database there, add --create or run `desk-app --db URL db upgrade`."
        )

    def open(
        self, *, migrate: bool = True, fill_demo: bool = True, create: bool = False
    ) -> Workspace:
        """The workspace a command works in, signed in as the actor.

        A missing local file is an error (`require_database`) unless ``--create`` or
        ``create`` (a command whose purpose is a new database) asks for it. ``--demo``
        fills the demo file on first use and admits whoever runs it (the demo's admin
        enrols them); a user with an app password gives it through ``DESK_PASSWORD``
        or, at a terminal, a prompt.
        """
        if not create:
            self.require_database()
        if self.demo:
            self._admit_to_demo(newly_filled=False)
        workspace = self._sign_in(migrate)
        if self.demo and fill_demo and workspace.blotter.trades().count() == 0:
            from desk_app.demo import generate_demo_data

            print("Filling the demo database with sample data…", file=sys.stderr)
            try:
                generate_demo_data(workspace.sessions, actor=workspace.user)
            except BaseException:
                workspace.close()
                raise
            if self._admit_to_demo(newly_filled=True):
                workspace.close()  # sign in again: the actor's roles changed
                workspace = self._sign_in(migrate=False)
        try:  # restrictions whose day came act before the command reads or moves anything
            workspace.restriction_sweeps.ensure()
        except BaseException:
            workspace.close()
            raise
        return workspace

    def _admit_to_demo(self, *, newly_filled: bool) -> bool:
        from desk_app.demo.access import admit

        note = admit(self.url, self.actor, newly_filled=newly_filled)
        if note:
            print(note, file=sys.stderr)
        return note is not None

    def _sign_in(self, migrate: bool) -> Workspace:
        """Open as the actor, asking for their app password if they have one."""
        import os

        from desk_app.services.actor import PasswordRequired
        from desk_app.services.workspace import open_workspace

        password = os.environ.get("DESK_PASSWORD") or None
        try:
            return open_workspace(self.url, self.actor, password=password, migrate=migrate)
        except PasswordRequired as exc:
            if password is not None or exc.wrong:
                raise
            password = self.password_of(
                exc.username, "has a Desk password", f"Desk password for {exc.username}: "
            )
        return open_workspace(self.url, self.actor, password=password, migrate=False)

    @staticmethod
    def password_of(username: str, why: str, prompt: str) -> str:
        """``DESK_PASSWORD``, else the password typed at the terminal (never echoed)."""
        import os

        from desk_app.domain.errors import DeskError

        given = os.environ.get("DESK_PASSWORD")
        if given:
            return given
        if not sys.stdin.isatty():
            raise DeskError(
                f"{username} {why}: set DESK_PASSWORD, or run the command at a terminal "
                "to be asked for it"
            )
        return read_password(prompt)


def read_password(prompt: str) -> str:
    """A password typed at the terminal, not echoed."""
    import getpass

    return getpass.getpass(prompt)


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="table for people (default) or csv for scripts",
    )


def choice_of(values: Iterable[str]) -> Callable[[str], str]:
    """An argparse ``type`` for a choice typed in any case (``Individual`` → ``individual``).

    Use with ``choices=`` so ``--help`` and the refusal still list the values.
    """
    by_folded = {v.casefold(): v for v in values}

    def normalise(text: str) -> str:
        return by_folded.get(text.strip().casefold(), text)

    return normalise
