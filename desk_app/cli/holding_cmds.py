"""``accounts positions`` and ``accounts cash``: what an account holds, exactly.

Quantities and money print as exact decimal text; a position with no price shows
"no price" (empty in CSV), never a zero value.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext, add_format
from desk_app.domain.listing import Column, ColumnKind

K = ColumnKind
POSITION_COLUMNS = (
    Column("isin", "ISIN"),
    Column("description", "Description"),
    Column("settled", "Settled", K.QUANTITY),
    Column("trade_date_quantity", "Trade-date qty", K.QUANTITY),
    Column("cost", "Cost", K.MONEY),
    Column("price", "Price", K.PRICE),
    Column("price_date", "Price date", K.DATE),
    Column("market_value", "Market value", K.MONEY),
    Column("gain", "Unrealised gain", K.MONEY),
    Column("currency", "Ccy"),
)
CASH_COLUMNS = (
    Column("currency", "Ccy"),
    Column("settled", "Settled", K.MONEY),
    Column("pending", "Pending", K.MONEY),
    Column("projected", "Projected", K.MONEY),
)


def register(sub: Any) -> None:
    """Add ``positions`` and ``cash`` to the ``accounts`` subcommands."""
    positions = sub.add_parser(
        "positions", help="an account's positions: quantities, cost, market value"
    )
    positions.add_argument("number", metavar="NUMBER")
    positions.add_argument(
        "--as-of", type=date.fromisoformat, metavar="D", help="YYYY-MM-DD (default: today)"
    )
    positions.add_argument(
        "--basis",
        choices=("trade", "settlement"),
        default="settlement",
        help="which quantity is valued (default: settlement)",
    )
    add_format(positions)
    positions.set_defaults(handler=show_positions)
    cash = sub.add_parser("cash", help="an account's cash by currency: settled, pending")
    cash.add_argument("number", metavar="NUMBER")
    add_format(cash)
    cash.set_defaults(handler=show_cash)


def show_positions(ctx: CommandContext, args: argparse.Namespace) -> int:
    from desk_app.cli.output import print_rows
    from desk_app.domain.holdings import NO_PRICE

    with ctx.open() as workspace:
        held = workspace.holdings.positions(args.number, args.as_of, args.basis)
    csv = args.format == "csv"
    rows = [
        (p.isin, p.description, p.settled, p.trade_date_quantity, p.cost,
         p.quote.price if p.quote else (None if csv else NO_PRICE),
         p.quote.price_date if p.quote else None, p.market_value, p.gain, p.currency)
        for p in held.positions
    ]  # fmt: skip
    print_rows(POSITION_COLUMNS, rows, args.format)
    if not csv:
        count = len(rows)
        print(
            f"{held.account} {held.name}: {count} position{'s' if count != 1 else ''} "
            f"as of {held.as_of.isoformat()}, valued on the {held.basis.value} basis",
            file=sys.stderr,
        )
    return EXIT_OK


def show_cash(ctx: CommandContext, args: argparse.Namespace) -> int:
    from desk_app.cli.output import print_rows

    with ctx.open() as workspace:
        lines = workspace.holdings.cash(args.number)
    rows = [(c.currency, c.settled, c.pending, c.projected) for c in lines]
    print_rows(CASH_COLUMNS, rows, args.format)
    return EXIT_OK
