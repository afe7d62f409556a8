"""``accounts restrictions|restrict|lift``: an account's restrictions, placed and lifted.

Placing one holds at once and prints its id; lifting one is a request a principal
other than the maker approves, whose id the command prints.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desk_app.cli.calendar_cmds import iso_date
from desk_app.cli.common import (
    EXIT_OK,
    CommandContext,
    add_format,
    choice_of,
    reject,
    requested,
)
from desk_app.cli.output import print_rows
from desk_app.domain.codes import RestrictionKind
from desk_app.domain.restrictions import PLACED_BY_HAND, by_hand_refusal
from desk_app.services.accounts.restriction_service import RESTRICTION_COLUMNS

#: What a clerk places by hand; the others (acats, deceased) only their process places.
KINDS = [kind.value for kind in PLACED_BY_HAND]
_ALL = [kind.value for kind in RestrictionKind]


def register(sub: Any) -> None:
    """Add the three commands under ``accounts``."""
    listing = sub.add_parser(
        "restrictions", help="an account's restrictions (open ones; --all for ended and lifted)"
    )
    listing.add_argument("number", metavar="NUMBER")
    listing.add_argument("--all", action="store_true", help="also those ended or lifted")
    add_format(listing)
    listing.set_defaults(handler=list_restrictions)

    place = sub.add_parser("restrict", help="place a restriction (holds at once); prints its id")
    place.add_argument("number", metavar="NUMBER")
    place.add_argument(
        "--kind", required=True, choices=_ALL, type=choice_of(_ALL), metavar="KIND",
        help=f"what kind (any case): {', '.join(KINDS)}; acats and deceased are placed "
        "only by their process (ACATS validation, recording a death)",
    )  # fmt: skip
    place.add_argument("--reason", required=True, help="why (a court order, a notice...)")
    place.add_argument("--from", dest="starts_on", type=iso_date, metavar="YYYY-MM-DD",
                       help="first day in force (default today)")  # fmt: skip
    place.add_argument("--until", dest="ends_on", type=iso_date, metavar="YYYY-MM-DD",
                       help="last day in force (a Reg T freeze: 90 days unless given)")  # fmt: skip
    place.set_defaults(handler=place_restriction)

    lift = sub.add_parser("lift", help="request lifting a restriction; prints the request id")
    lift.add_argument("restriction", metavar="RESTRICTION_ID", type=int)
    lift.add_argument("--reason", required=True, help="why (the approver reads it)")
    lift.set_defaults(handler=request_lift)


def list_restrictions(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        lines = workspace.restrictions.restrictions(args.number, include_past=args.all)
    count = print_rows(RESTRICTION_COLUMNS, (line.row() for line in lines), args.format)
    if args.format != "csv":
        print(f"{count} restriction{'s' if count != 1 else ''}", file=sys.stderr)
    return EXIT_OK


def place_restriction(ctx: CommandContext, args: argparse.Namespace) -> int:
    refused = by_hand_refusal(RestrictionKind(args.kind))
    if refused is not None:
        return reject(f"--kind {args.kind}: {refused}")
    with ctx.open() as workspace:
        restriction_id = workspace.restrictions.place(
            args.number, args.kind, args.reason, starts_on=args.starts_on, ends_on=args.ends_on
        )
    print(f"restriction {restriction_id} placed on {args.number.strip().upper()}", file=sys.stderr)
    print(restriction_id)
    return EXIT_OK


def request_lift(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        request_id = workspace.restrictions.request_lift(args.restriction, args.reason)
    return requested(request_id, f"lift restriction {args.restriction}")
