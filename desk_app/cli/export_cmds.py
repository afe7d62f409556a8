"""``export trades``: the blotter, narrowed like the filter bar, to a CSV or XLSX file.

The last line of stdout is the number of rows written (for scripts); progress goes
to stderr at a terminal only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desk_app.cli.calendar_cmds import iso_date
from desk_app.cli.common import EXIT_OK, EXIT_USAGE, CommandContext, reject
from desk_app.domain.codes import Side, TradeSource
from desk_app.domain.states import TradeStatus

STATUSES = ["current", *(s.value for s in TradeStatus)]


def register(commands: Any) -> None:
    export = commands.add_parser("export", help="write lists to CSV or XLSX files")
    sub = export.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    trades = sub.add_parser(
        "trades",
        help="export the blotter; prints the number of rows written",
        description="Export trade versions matching every option given (all of them by "
        "default), newest trade date first, to a .csv or .xlsx file.",
    )
    trades.add_argument("--out", required=True, type=Path, metavar="FILE.csv|FILE.xlsx")
    trades.add_argument("--from", dest="trade_from", type=iso_date, metavar="YYYY-MM-DD",
                        help="trade date on or after")  # fmt: skip
    trades.add_argument("--to", dest="trade_to", type=iso_date, metavar="YYYY-MM-DD",
                        help="trade date on or before")  # fmt: skip
    trades.add_argument("--settle-from", type=iso_date, metavar="YYYY-MM-DD")
    trades.add_argument("--settle-to", type=iso_date, metavar="YYYY-MM-DD")
    trades.add_argument("--account", default="", metavar="NUMBER", help="account number")
    trades.add_argument("--instrument", default="", metavar="CODE", help="ISIN, CUSIP or symbol")
    trades.add_argument("--counterparty", default="", metavar="CODE")
    trades.add_argument("--side", default="", choices=[s.value for s in Side])
    trades.add_argument(
        "--status",
        default="",
        choices=STATUSES,
        help="current: the latest version of each trade (active or cancelled)",
    )
    trades.add_argument("--source", default="", choices=[s.value for s in TradeSource])
    trades.add_argument("--external-id", default="", metavar="PREFIX",
                        help="external ids starting with PREFIX")  # fmt: skip
    trades.set_defaults(handler=export_trades)


def export_trades(ctx: CommandContext, args: argparse.Namespace) -> int:
    from desk_app.domain.errors import ValidationError
    from desk_app.reports.exports import export_rows, format_of
    from desk_app.services.trading.trade_filter import TradeFilter

    out: Path = args.out
    try:
        format_of(out)  # a wrong extension is refused before the database is opened
    except ValidationError as exc:
        print(f"desk-app export trades: error: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    if not out.parent.is_dir():
        return reject(f"{out}: no such folder '{out.parent}'")
    selection = TradeFilter(
        trade_from=args.trade_from,
        trade_to=args.trade_to,
        settle_from=args.settle_from,
        settle_to=args.settle_to,
        account=args.account,
        instrument=args.instrument,
        side=args.side,
        status=args.status,
        counterparty=args.counterparty,
        source=args.source,
        external_id=args.external_id,
    )
    with ctx.open() as workspace:
        unknown = _unknown(workspace, args)
        if unknown:
            return reject(*unknown)
        count = export_rows(workspace.blotter.trades(selection), out, progress=_progress())
    what = selection.describe() or "all trade versions"
    print(f"wrote {out} ({what})", file=sys.stderr)
    print(count)
    return EXIT_OK


def _unknown(workspace: Any, args: argparse.Namespace) -> list[str]:
    """An account, instrument or counterparty the books do not have is a mistake, not 0 rows."""
    lookup = workspace.trade_lookup
    problems = []
    if args.account:
        numbers = {a.number for a in lookup.find_accounts(args.account, 50)}
        if args.account.strip().upper() not in numbers:
            problems.append(f"--account: no account numbered '{args.account}'")
    if args.instrument and lookup.instrument(args.instrument) is None:
        problems.append(f"--instrument: no instrument '{args.instrument}' (ISIN, CUSIP or symbol)")
    if args.counterparty:
        codes = {c.code for c in lookup.find_counterparties(args.counterparty, 50)}
        if args.counterparty.strip().upper() not in codes:
            problems.append(f"--counterparty: no counterparty '{args.counterparty}'")
    return problems


def _progress() -> Any:
    if not sys.stderr.isatty():
        return lambda _done, _total, _text: None

    def show(_done: int, _total: int, text: str) -> None:
        print(f"\r{text:<48}", end="", file=sys.stderr, flush=True)

    return show
