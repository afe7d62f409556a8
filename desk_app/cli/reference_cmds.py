"""Reference lists: instruments, counterparties (accounts: account_cmds; certificates:
certificate_cmds)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desk_app.cli import refdata_cmds
from desk_app.cli.common import EXIT_OK, CommandContext, add_format
from desk_app.cli.output import print_rows
from desk_app.cli.search_option import add_search
from desk_app.domain.listing import iter_rows

if TYPE_CHECKING:
    from desk_app.domain.listing import PageSource
    from desk_app.services.workspace import Workspace

_ACTIVE = {"all": None, "active": True, "inactive": False}
Handler = Callable[[CommandContext, argparse.Namespace], int]


def register(commands: Any) -> None:
    for name, help_text, factory in (
        (
            "instruments",
            "instruments (ISIN first)",
            lambda ws, a: ws.instruments.listing(a.search, _ACTIVE[a.status]),
        ),
        (
            "counterparties",
            "counterparties (code first)",
            lambda ws, a: ws.counterparties.listing(a.search, _ACTIVE[a.status]),
        ),
    ):
        parser = commands.add_parser(name, help=help_text)
        sub = parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)
        listing = sub.add_parser("list", help=f"list {help_text}")
        add_format(listing)
        add_search(listing, "identifiers, names or kind")
        listing.add_argument(
            "--status", choices=tuple(_ACTIVE), default="all", help="active, inactive or all"
        )
        listing.set_defaults(handler=lister(factory))
        refdata_cmds.extend(name, sub)


def lister(factory: Callable[[Workspace, argparse.Namespace], PageSource]) -> Handler:
    def run(ctx: CommandContext, args: argparse.Namespace) -> int:
        with ctx.open() as workspace:
            source: PageSource = factory(workspace, args)
            count = print_rows(source.columns, iter_rows(source), args.format)
        if args.format != "csv":
            print(f"{count} row{'s' if count != 1 else ''}", file=sys.stderr)
        return EXIT_OK

    return run
