"""``settlements generate`` and ``settlements list``: the settlement run and its worklist."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desk_app.cli.calendar_cmds import iso_date
from desk_app.cli.common import EXIT_OK, CommandContext, add_format
from desk_app.cli.reference_cmds import lister
from desk_app.domain.states import ObligationStatus


def register(commands: Any) -> None:
    parser = commands.add_parser("settlements", help="settlement obligations")
    sub = parser.add_subparsers(dest="settlements_command", metavar="ACTION", required=True)
    generate = sub.add_parser(
        "generate",
        help="create obligations for trades that lack them (exactly once); prints how many",
        description="Create the settlement obligation of every live trade version without "
        "one. Running it again, or on two desks at once, creates nothing twice.",
    )
    generate.add_argument("--as-of", type=iso_date, metavar="YYYY-MM-DD",
                          help="only trades dated on or before this day")  # fmt: skip
    generate.set_defaults(handler=generate_obligations)
    listing = sub.add_parser("list", help="list obligations, by settlement date")
    listing.add_argument("--due", type=iso_date, metavar="YYYY-MM-DD",
                         help="settling on this day")  # fmt: skip
    listing.add_argument("--status", choices=[s.value for s in ObligationStatus])
    add_format(listing)
    listing.set_defaults(
        handler=lister(
            lambda ws, args: ws.settlements.obligations(
                due=args.due, status=ObligationStatus(args.status) if args.status else None
            )
        )
    )


def generate_obligations(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        report = workspace.settlements.run(as_of=args.as_of)
    print(report.summary, file=sys.stderr)
    print(report.created)
    return EXIT_OK
