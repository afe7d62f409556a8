"""``calendar settle-date``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext
from desk_app.domain.codes import InstrumentType


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def register(commands: Any) -> None:
    cal = commands.add_parser("calendar", help="settlement calendars and dates")
    sub = cal.add_subparsers(dest="calendar_command", metavar="ACTION", required=True)
    settle = sub.add_parser("settle-date", help="print the settlement date of a trade date")
    settle.add_argument("--trade-date", type=iso_date, required=True, metavar="YYYY-MM-DD")
    settle.add_argument(
        "--type",
        dest="instrument_type",
        choices=[t.value for t in InstrumentType if t is not InstrumentType.FUTURE],
        default=InstrumentType.EQUITY.value,
    )
    settle.add_argument("--market", default="US", help="US, EU, GB or CH (default US)")
    settle.add_argument(
        "--explain", action="store_true", help="also say which cycle and calendar applied"
    )
    settle.set_defaults(handler=settle_date)


def settle_date(ctx: CommandContext, args: argparse.Namespace) -> int:
    workspace = ctx.open()
    try:
        day, cycle = workspace.calendar.settle_date(
            args.trade_date, InstrumentType(args.instrument_type), args.market.upper()
        )
    finally:
        workspace.close()
    if args.explain:
        print(
            f"T+{cycle.offset_days} on calendar {cycle.calendar_code} "
            f"(effective {cycle.effective_from}: {cycle.note})",
            file=sys.stderr,
        )
    print(day.isoformat())
    return EXIT_OK
