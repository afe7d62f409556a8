"""``fails list|report|rules|threshold``: the fails desk's list, report and rules.

A rule's days change by supervised request: ``fail-rules amend`` (`rules_cmds`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desk_app.cli.calendar_cmds import iso_date
from desk_app.cli.common import EXIT_OK, CommandContext, add_format
from desk_app.cli.reference_cmds import lister
from desk_app.cli.search_option import add_search


def register(commands: Any) -> None:
    parser = commands.add_parser("fails", help="obligations past their settlement date")
    sub = parser.add_subparsers(dest="fails_command", metavar="ACTION", required=True)
    listing = sub.add_parser(
        "list", help="every fail, oldest first: age, side, close-out date, capital charge"
    )
    listing.add_argument("--as-of", type=iso_date, metavar="YYYY-MM-DD", help="default today")
    add_format(listing)
    add_search(listing, "account (number or name), ISIN, description, counterparty or trade")
    listing.set_defaults(handler=lister(lambda ws, args: ws.fails.source(args.as_of, args.search)))
    report = sub.add_parser("report", help="print the fails report to a PDF file")
    report.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    report.add_argument("--as-of", type=iso_date, metavar="YYYY-MM-DD", help="default today")
    report.set_defaults(handler=print_report)
    rules = sub.add_parser("rules", help="the close-out deadlines and capital-charge ages")
    rules.set_defaults(handler=list_rules)
    threshold = sub.add_parser(
        "threshold", help="put an instrument on the Reg SHO threshold list, or take it off"
    )
    threshold.add_argument("isin", metavar="ISIN")
    onoff = threshold.add_mutually_exclusive_group(required=True)
    onoff.add_argument("--on", dest="on", action="store_true")
    onoff.add_argument("--off", dest="on", action="store_false")
    threshold.set_defaults(handler=set_threshold)


def print_report(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        path = workspace.fails.report(args.out, args.as_of)
    print(path)
    return EXIT_OK


def list_rules(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        for rule in workspace.fails.rules():
            print(f"{rule.code:<18} {rule.side.value}  {rule.applies.value:<9} "
                  f"S+{rule.days:<3} {rule.label}")  # fmt: skip
    return EXIT_OK


def set_threshold(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.fails.set_threshold(args.isin, args.on)
    where = "on" if args.on else "off"
    print(f"{args.isin.strip().upper()} is {where} the Reg SHO threshold list", file=sys.stderr)
    return EXIT_OK
