"""``prices import FILE`` and ``prices list``: the prices that value positions."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext, add_format, reject
from desk_app.cli.search_option import add_search


def register(commands: Any) -> None:
    from desk_app.cli.reference_cmds import lister

    prices = commands.add_parser("prices", help="instrument prices by day")
    sub = prices.add_subparsers(dest="prices_command", metavar="ACTION", required=True)
    importing = sub.add_parser(
        "import",
        help="import a prices CSV (isin, date, price, currency, optional high, low); "
        "all or nothing",
    )
    importing.add_argument("file", type=Path, metavar="FILE")
    importing.set_defaults(handler=import_prices)
    listing = sub.add_parser("list", help="list prices, newest day first (ISIN first)")
    listing.add_argument("--isin", metavar="I", help="only this instrument's prices")
    add_format(listing)
    add_search(listing, "ISIN, symbol or description")
    listing.set_defaults(
        handler=lister(lambda ws, args: ws.prices.prices(args.search, isin=args.isin))
    )


def import_prices(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Problems one a line on stderr (file:line: field: reason), exit 1; else the counts."""
    from desk_app.domain.csv_files import path_problem

    path: Path = args.file
    problem = path_problem(path)
    if problem is not None:
        return reject(f"{path}: {problem}")
    with ctx.open() as workspace:
        result = workspace.prices.import_file(path)
    if not result.ok:
        return reject(*(str(p) for p in result.problems), result.summary())
    print(result.summary())
    return EXIT_OK
