"""What every command shares: the chosen database, the actor, exit codes."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desk_app.services.workspace import Workspace

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2


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

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CommandContext:
        import os

        from desk_app.services.identity import resolve_actor

        url = args.db or os.environ.get("DESK_DB_URL") or None
        return cls(url, resolve_actor(args.user), args.demo, args.exit_after_paint)

    @property
    def url(self) -> str:
        """The database a command works on.

        ``--demo`` always means the separate demo file, even with ``DESK_DB_URL`` set:
        sample data must never land in a real database.
        """
        from desk_app.db import urls

        if self.demo:
            return urls.sqlite_url(urls.demo_sqlite_path())
        return urls.resolve_url(self.explicit_url)

    def open(self, *, migrate: bool = True, fill_demo: bool = True) -> Workspace:
        """The workspace a command works in; ``--demo`` fills the demo file on first use."""
        from desk_app.services.workspace import open_workspace

        workspace = open_workspace(self.url, self.actor, migrate=migrate)
        if self.demo and fill_demo and workspace.blotter.trades().count() == 0:
            from desk_app.services.demo_data import generate_demo_data

            print("Filling the demo database with sample data…", file=sys.stderr)
            try:
                generate_demo_data(workspace.sessions)
            except BaseException:
                workspace.close()
                raise
        return workspace


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="table for people (default) or csv for scripts",
    )
