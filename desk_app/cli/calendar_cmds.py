"""``calendar settle-date``, ``holidays``, ``overrides`` (see `rules_cmds`) and ``check``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from desk_app.cli import rules_cmds
from desk_app.cli.common import EXIT_OK, CommandContext, add_format
from desk_app.cli.output import print_rows
from desk_app.domain.codes import InstrumentType
from desk_app.domain.cutoffs import market_today
from desk_app.domain.listing import Column, ColumnKind
from desk_app.services.trading.settle_date_check import COLUMNS as CHECK_COLUMNS


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

    closed = sub.add_parser("holidays", help="list the weekdays a calendar is closed")
    closed.add_argument("--calendar", default="US", help="US, US-GOVT, EU, GB or CH")
    closed.add_argument("--year", type=int, default=market_today().year)
    closed.add_argument(
        "--trading",
        action="store_true",
        help="the exchange's closed weekdays instead (trading and settlement calendars differ)",
    )
    add_format(closed)
    closed.set_defaults(handler=holidays)

    rules_cmds.register_overrides(sub)

    check = sub.add_parser(
        "check",
        help="open obligations whose stored settlement date differs from today's rules",
        description=(
            "Lists open obligations of trades dated --from..--to whose stored settlement "
            "date differs from the date today's cycles and calendars give, and why. "
            "--correct (supervisor or compliance) corrects the pending ones in one audited "
            "transaction, each by a new trade version; instructed or matched ones are "
            "listed but kept: re-instruct them with the counterparty."
        ),
    )
    check.add_argument("--from", dest="first", type=iso_date, required=True, metavar="YYYY-MM-DD")
    check.add_argument("--to", dest="last", type=iso_date, required=True, metavar="YYYY-MM-DD")
    check.add_argument(
        "--correct", action="store_true", help="correct the pending ones (audited, all or none)"
    )
    add_format(check)
    check.set_defaults(handler=check_dates)


def settle_date(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        day, cycle = workspace.calendar.settle_date(
            args.trade_date, InstrumentType(args.instrument_type), args.market.upper()
        )
    if args.explain:
        print(
            f"T+{cycle.offset_days} on calendar {cycle.calendar_code} "
            f"(effective {cycle.effective_from}: {cycle.note})",
            file=sys.stderr,
        )
    print(day.isoformat())
    return EXIT_OK


HOLIDAY_COLUMNS = (Column("date", "Date", ColumnKind.DATE), Column("reason", "Closed for"))


def holidays(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        rows = workspace.calendar.closed_days(args.calendar, args.year, trading=args.trading)
    print_rows(HOLIDAY_COLUMNS, rows, args.format)
    return EXIT_OK


def check_dates(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        found = workspace.settle_dates.differences(args.first, args.last)
        corrected = workspace.settle_dates.correct(args.first, args.last) if args.correct else []
    print_rows(CHECK_COLUMNS, [d.row() for d in found], args.format)
    if args.correct:
        kept = sum(not d.correctable for d in found)
        print(
            f"corrected {len(corrected)} obligation(s); {kept} kept (see the last column)",
            file=sys.stderr,
        )
    return EXIT_OK
