"""``trades book|show|amend|cancel``: the trade ticket, for scripts and end-of-day jobs.

``book`` prints the new trade's id. ``amend`` and ``cancel`` print the new version's
id, or, when the trade's settlement has started or its date has passed, the id of
the approval request they filed (stderr says which).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext, reject
from desk_app.domain.errors import ValidationError
from desk_app.domain.trade_rows import (
    parse_charge,
    parse_currency,
    parse_iso_date,
    parse_price,
    parse_quantity,
    parse_reason,
    parse_side,
    parse_time_of_day,
)
from desk_app.domain.trade_ticket import TradeTerms, local_trade_time, market_zone

#: Option → (term, check) for the terms a ticket or an amendment may state.
_TERMS = {
    "account": ("account", None),
    "side": ("side", parse_side),
    "quantity": ("quantity", parse_quantity),
    "price": ("price", parse_price),
    "currency": ("currency", parse_currency),
    "trade_date": ("trade_date", parse_iso_date),
    "counterparty": ("counterparty", None),
    "commission": ("commission", parse_charge),
    "fees": ("fees", parse_charge),
    "settle_date": ("settle_date", parse_iso_date),
    "settle_reason": ("settle_date_reason", None),
    "price_reason": ("price_reason", parse_reason),
}


def _term_options(parser: argparse.ArgumentParser, *, booking: bool) -> None:
    parser.add_argument("--account", required=booking, help="account number")
    parser.add_argument("--side", required=booking, help="buy, sell or sell short")
    parser.add_argument("--security", required=booking, metavar="ID", help="ISIN, CUSIP or symbol")
    parser.add_argument("--quantity", required=booking, help="shares, contracts or face amount")
    parser.add_argument("--price", required=booking, help="per share, or per 100 of face")
    parser.add_argument("--price-reason", help="why the price is 0 (required for a security at 0)")
    parser.add_argument("--currency", help="default: the instrument's")
    parser.add_argument("--trade-date", help="YYYY-MM-DD" + (" (default today)" if booking else ""))
    parser.add_argument("--trade-time", help="HH:MM[:SS] in the instrument's market time")
    parser.add_argument("--counterparty", required=booking, help="counterparty code")
    parser.add_argument("--commission", help="default 0" if booking else None)
    parser.add_argument("--fees", help="default 0" if booking else None)
    parser.add_argument("--settle-date", help="only to differ from the calendar; needs a reason")
    parser.add_argument("--settle-reason", help="why the settlement date is not the calendar's")


def register(commands: Any) -> None:
    trades = commands.add_parser("trades", help="book, show, amend or cancel a trade")
    sub = trades.add_subparsers(dest="trades_command", metavar="ACTION", required=True)
    book = sub.add_parser("book", help="book a trade from a ticket; prints its id")
    _term_options(book, booking=True)
    book.set_defaults(handler=book_trade)
    show = sub.add_parser("show", help="a trade and all its versions")
    show.add_argument("trade_id", metavar="ID", type=int)
    show.set_defaults(handler=show_trade)
    amend = sub.add_parser("amend", help="correct a trade (a new version); prints its id")
    amend.add_argument("trade_id", metavar="ID", type=int, help="the current version's id")
    _term_options(amend, booking=False)
    amend.add_argument("--reason", required=True, help="why the trade is corrected")
    amend.set_defaults(handler=amend_trade)
    cancel = sub.add_parser("cancel", help="cancel a trade (a new version); prints its id")
    cancel.add_argument("trade_id", metavar="ID", type=int, help="the current version's id")
    cancel.add_argument("--reason", required=True, help="why the trade is cancelled")
    cancel.set_defaults(handler=cancel_trade)


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    """The terms the options give, each checked as the ticket and the importers check it."""
    changes: dict[str, Any] = {}
    for option, (term, check) in _TERMS.items():
        raw = getattr(args, option)
        if raw is None:
            continue
        text = str(raw).strip()
        changes[term] = check(term, text) if check else text
    return changes


def book_trade(ctx: CommandContext, args: argparse.Namespace) -> int:
    changes = _changes(args)
    with ctx.open() as workspace:
        found = workspace.trade_lookup.instrument(args.security)
        if found is None:
            raise ValidationError(
                "security", "is not an instrument on this database", args.security
            )
        trade_date = changes.pop("trade_date", None) or market_today(found.market)
        at = _moment(args, trade_date, found.market)
        terms = TradeTerms(
            isin=found.isin, trade_date=trade_date, trade_time=at,
            currency=changes.pop("currency", found.currency), **changes,
        )  # fmt: skip
        trade_id = workspace.trades.book(terms)
    print(trade_id)
    return EXIT_OK


def _moment(args: argparse.Namespace, trade_date: date, market: str) -> datetime:
    if args.trade_time:
        return local_trade_time(
            trade_date, parse_time_of_day("trade_time", args.trade_time), market
        )
    if trade_date == market_today(market):
        return datetime.now(UTC)
    return local_trade_time(trade_date, time(0), market)


def market_today(market: str) -> date:
    """Today on ``market``'s clock (New York's for the US), not the computer's."""
    return datetime.now(market_zone(market)).date()


def amend_trade(ctx: CommandContext, args: argparse.Namespace) -> int:
    changes = _changes(args)
    with ctx.open() as workspace:
        record = workspace.trades.record(args.trade_id)
        terms = record.terms
        if args.security:
            found = workspace.trade_lookup.instrument(args.security)
            if found is None:
                raise ValidationError("security", "is not an instrument on this database")
            changes["isin"] = found.isin
        if "trade_date" in changes or args.trade_time:
            day = changes.get("trade_date", terms.trade_date)
            market = record.instrument.market
            if args.trade_time:
                changes["trade_time"] = _moment(args, day, market)
            else:  # another day, at the same time of day in the market
                local = terms.trade_time.astimezone(market_zone(market)).time()
                changes["trade_time"] = local_trade_time(day, local, market)
        if "trade_date" in changes and "settle_date" not in changes:
            changes["settle_date"] = None  # from the calendar again
        outcome = workspace.trades.amend(args.trade_id, terms.with_changes(**changes), args.reason)
    return _outcome(outcome.trade_id, outcome.request_id)


def cancel_trade(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        outcome = workspace.trades.cancel(args.trade_id, args.reason)
    return _outcome(outcome.trade_id, outcome.request_id)


def _outcome(trade_id: int | None, request_id: int | None) -> int:
    if request_id is not None:
        print(f"request {request_id}: waiting for a principal's approval", file=sys.stderr)
        print(request_id)
    else:
        print(f"trade version {trade_id} booked", file=sys.stderr)
        print(trade_id)
    return EXIT_OK


def show_trade(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        versions = workspace.trades.versions(args.trade_id)
    if not versions:
        return reject(f"trades show: no trade {args.trade_id}")
    current = versions[-1]
    t = current.terms
    lines = [
        ("Trade", f"{current.trade_key} (version {current.version_no}, id {current.id})"),
        ("Status", current.status.label),
        ("Account", f"{t.account} {current.account_name}"),
        ("Side", t.side.label),
        ("Instrument", f"{t.isin} {current.instrument.description}"),
        ("Quantity", str(t.quantity)),
        ("Price", f"{t.price} {t.currency}"),
        *([("Price reason", t.price_reason)] if t.price_reason else []),
        ("Gross amount", str(current.gross_amount)),
        ("Commission, fees", f"{t.commission}, {t.fees}"),
        ("Net amount", str(current.net_amount)),
        ("Trade date", f"{t.trade_date.isoformat()} {t.trade_time.isoformat()}"),
        ("Settle date", t.settle_date.isoformat() if t.settle_date else ""),
        ("Counterparty", t.counterparty),
        ("Source", f"{current.source.value} {current.external_id or ''}".strip()),
    ]
    if current.supervised_because:
        lines.append(("Changes need", f"a principal's approval: {current.supervised_because}"))
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label.ljust(width)}  {value}")
    print()
    for v in versions:
        when = v.created_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")
        print(f"v{v.version_no}  id {v.id}  {v.status.label:<10}  {when}  {v.created_by}  "
              f"{v.terms.quantity} @ {v.terms.price}  {v.reason or ''}".rstrip())  # fmt: skip
    return EXIT_OK
