"""``acats``: ACATS-style transfers of a client's account to or from another firm.

``new`` prints the transfer's id; ``validate`` freezes an account transferring out
(and lists its unsettled trades: Desk has no order book to cancel); ``complete``
posts a transfer in at once and files a transfer out as an approval request (its
id printed), posted when a principal other than the maker approves it. ``reverse``
undoes a completed transfer the same way round: one out comes back at once; one in
goes back to the contra firm on a principal's approval.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext, add_format, reject, requested
from desk_app.cli.output import print_rows
from desk_app.cli.reference_cmds import lister
from desk_app.cli.search_option import add_search
from desk_app.domain.acats import REJECT_CODES, AcatsDirection, AcatsStatus, AcatsType
from desk_app.domain.errors import ValidationError
from desk_app.domain.listing import Column, ColumnKind
from desk_app.domain.money import MONEY_SCALE, format_amount, round_money
from desk_app.domain.trade_rows import (
    parse_amount,
    parse_currency,
    parse_iso_date,
    parse_quantity,
)

_TYPES = {"full": AcatsType.FULL, "partial": AcatsType.PARTIAL, "residual": AcatsType.RESIDUAL}


def register(commands: Any) -> None:
    acats = commands.add_parser("acats", help="ACATS-style transfers in and out")
    sub = acats.add_subparsers(dest="acats_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="list transfers (id first), nearest deadline first")
    listing.add_argument("--status", choices=[s.value for s in AcatsStatus])
    add_format(listing)
    add_search(listing, "id, account, contra firm or DTC number, contra account, reject code")
    listing.set_defaults(handler=list_transfers)
    show = sub.add_parser("show", help="one transfer, its dates and its assets")
    show.add_argument("id", type=int, metavar="ID")
    show.set_defaults(handler=show_transfer)
    new = sub.add_parser(
        "new", help="enter a transfer; prints its id",
        description="A full transfer out with no --asset or --cash lists everything the "
        "account holds. Lots of a transfer in: --lot ISIN=QTY:ACQUIRED:COST (repeat), "
        "adding up to the asset's quantity.",
    )  # fmt: skip
    new.add_argument("--direction", required=True, choices=[d.value for d in AcatsDirection])
    new.add_argument("--account", required=True, metavar="A", help="our client's account")
    new.add_argument("--contra", required=True, metavar="DTC",
                     help="the contra firm's DTC number (or its counterparty code)")  # fmt: skip
    new.add_argument("--contra-account", required=True, metavar="X",
                     help="the client's account number at the contra firm")  # fmt: skip
    new.add_argument("--type", required=True, choices=list(_TYPES), dest="transfer_type")
    new.add_argument("--asset", action="append", default=[], metavar="ISIN=QTY")
    new.add_argument("--lot", action="append", default=[], metavar="ISIN=QTY:ACQUIRED:COST")
    new.add_argument("--cash", action="append", default=[], metavar="CUR=AMOUNT")
    new.set_defaults(handler=new_transfer)
    for name, text in (
        ("validate", "the delivering side validated it (out: freezes the account)"),
        ("complete", "complete it (out: an approval request; prints its id)"),
    ):
        one = sub.add_parser(name, help=text)
        one.add_argument("id", type=int, metavar="ID")
        one.set_defaults(handler=validate if name == "validate" else complete)
    exception = sub.add_parser("exception", help="the delivering side rejected it with a code")
    exception.add_argument("id", type=int, metavar="ID")
    exception.add_argument("--code", required=True, choices=list(REJECT_CODES))
    exception.add_argument("--note", default="", metavar="T")
    exception.set_defaults(handler=take_exception)
    correct = sub.add_parser("correct", help="correct a soft reject and resubmit it for review")
    correct.add_argument("id", type=int, metavar="ID")
    correct.add_argument("--contra-account", default=None, metavar="X")
    correct.add_argument("--note", default="", metavar="T")
    correct.set_defaults(handler=correct_transfer)
    purge = sub.add_parser("purge", help="withdraw it: nothing moves, the freeze is lifted")
    purge.add_argument("id", type=int, metavar="ID")
    purge.add_argument("--reason", required=True, metavar="T")
    purge.set_defaults(handler=purge_transfer)
    reverse = sub.add_parser(
        "reverse", help="undo a completed transfer: its assets go back with their lots",
        description="Out: the assets come back into the account at once. In: they go back to "
        "the contra firm, an approval request (its id printed) a principal approves.",
    )  # fmt: skip
    reverse.add_argument("id", type=int, metavar="ID")
    reverse.add_argument("--reason", required=True, metavar="T")
    reverse.set_defaults(handler=reverse_transfer)


def list_transfers(ctx: CommandContext, args: argparse.Namespace) -> int:
    """The transfers; for people, the deadlines the aging limits set now, on stderr."""
    code = lister(
        lambda ws, a: ws.acats.transfers([a.status] if a.status else [], a.search)
    )(ctx, args)  # fmt: skip
    if args.format != "csv":
        with ctx.open() as workspace:
            rules = workspace.acats.deadlines()
        print(f"deadlines (aging limits): {rules.text()}", file=sys.stderr)
    return code


def _pairs(option: str, values: list[str], problems: list[str]) -> list[tuple[str, str]]:
    """``KEY=VALUE`` pairs; each malformed one becomes a problem naming the option."""
    pairs = []
    for raw in values:
        key, sep, value = raw.partition("=")
        if not sep or not key.strip() or not value.strip():
            problems.append(f"{option}: expected KEY=VALUE, got {raw!r}")
            continue
        pairs.append((key.strip().upper(), value.strip()))
    return pairs


def _lots(values: list[str], problems: list[str]) -> dict[str, list[Any]]:
    from desk_app.domain.lots import Lot

    lots: dict[str, list[Lot]] = {}
    for isin, text in _pairs("--lot", values, problems):
        parts = text.split(":")
        try:
            if len(parts) != 3:
                raise ValidationError("--lot", "expected ISIN=QTY:ACQUIRED:COST", text)
            quantity = parse_quantity("--lot", parts[0])
            acquired: date = parse_iso_date("--lot", parts[1])
            cost = parse_amount("--lot", parts[2], MONEY_SCALE, zero_allowed=True)
        except ValidationError as exc:
            problems.append(exc.message)
            continue
        lots.setdefault(isin, []).append(Lot(acquired, quantity, cost))
    return lots


def new_transfer(ctx: CommandContext, args: argparse.Namespace) -> int:
    from desk_app.services.transfers.acats import AssetAsked

    problems: list[str] = []
    lots = _lots(args.lot, problems)
    assets, cash = [], []
    for isin, text in _pairs("--asset", args.asset, problems):
        try:
            quantity = parse_quantity(f"--asset {isin}", text)
        except ValidationError as exc:
            problems.append(exc.message)
            continue
        assets.append(AssetAsked(isin, quantity, tuple(lots.pop(isin, []))))
    problems += [f"--lot: {isin} is not listed with --asset" for isin in lots]
    for currency, text in _pairs("--cash", args.cash, problems):
        try:
            amount = parse_amount(f"--cash {currency}", text, MONEY_SCALE, zero_allowed=False)
            code = parse_currency(f"--cash {currency}", currency)
            if round_money(amount, code) != amount:
                raise ValidationError(f"--cash {code}", f"is finer than {code} can be paid", text)
        except ValidationError as exc:
            problems.append(exc.message)
            continue
        cash.append((currency, amount))
    if problems:
        return reject(*problems)
    with ctx.open() as workspace:
        done = workspace.acats.new(
            AcatsDirection(args.direction), args.account, contra=args.contra,
            contra_account=args.contra_account, transfer_type=_TYPES[args.transfer_type],
            assets=assets, cash=cash,
        )  # fmt: skip
    for note in done.notes:
        print(note, file=sys.stderr)
    print(done.transfer_id)
    return EXIT_OK


def _done(transfer_id: int, what: str, notes: tuple[str, ...] = ()) -> int:
    for note in notes:
        print(note, file=sys.stderr)
    print(f"ACATS transfer {transfer_id} {what}", file=sys.stderr)
    return EXIT_OK


def validate(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        done = workspace.acats.validate(args.id)
    return _done(done.transfer_id, "validated", done.notes)


def take_exception(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        done = workspace.acats.take_exception(args.id, args.code, args.note)
    return _done(done.transfer_id, "rejected", done.notes)


def correct_transfer(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        done = workspace.acats.correct(args.id, args.contra_account, args.note)
    return _done(done.transfer_id, "corrected and resubmitted for review")


def purge_transfer(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        done = workspace.acats.purge(args.id, args.reason)
    return _done(done.transfer_id, "purged")


def reverse_transfer(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        done = workspace.acats.reverse(args.id, args.reason)
    if done.request_id is not None:
        return requested(done.request_id, done.notes[0])
    return _done(done.transfer_id, "reversed", done.notes)


def complete(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        done = workspace.acats.complete(args.id)
    if done.request_id is not None:
        return requested(done.request_id, done.notes[0])
    return _done(done.transfer_id, "completed")


#: The assets as `acats show` tabulates them.
ASSET_COLUMNS = (
    Column("asset", "Asset"),
    Column("size", "Quantity / amount", ColumnKind.QUANTITY),
    Column("lots", "Lots"),
    Column("moves", "Status"),
    Column("reason", "Reason"),
)


def show_transfer(ctx: CommandContext, args: argparse.Namespace) -> int:
    """The transfer as a header block, then its assets as a table: moving, or not moving
    with the reason (nothing listed is left out)."""
    with ctx.open() as workspace:
        v = workspace.acats.view(args.id)
    dates = ", ".join(
        f"{name} {day.isoformat()}"
        for name, day in (("requested", v.requested_on), ("validated", v.validated_on),
                          ("rejected", v.rejected_on), ("completed", v.completed_on),
                          ("reversed", v.reversed_on))
        if day is not None
    )  # fmt: skip
    due = "nothing due" if v.deadline_on is None else (
        f"{v.deadline_on.isoformat()} ({v.aging.value if v.aging else ''}; {v.deadline_rule})"
    )  # fmt: skip
    lines = [
        ("Transfer", f"{v.id} {v.direction.value} ({v.transfer_type.label})"),
        ("Account", f"{v.account} {v.account_name}"),
        ("Contra firm", f"{v.contra} (DTC {v.contra_dtc}), account {v.contra_account}"),
        ("Status", f"{v.status.label} since {v.status_since.isoformat()} "
                   f"({v.days_in_status} business days)"),
        ("Deadline", due),
        ("Reject", " ".join(filter(None, [v.reject_code, v.reject_note]))),
        ("Dates", dates),
        ("Entered by", v.requested_by),
    ]  # fmt: skip
    if v.approval_pending:
        lines.append(("Request", f"{v.approval_id} waits for a principal's approval"))
    if v.not_moving:
        lines.append(("Not moving", f"{len(v.not_moving)} of {len(v.assets)} assets: "
                                    "tell the client what stays behind"))  # fmt: skip
    for label, value in lines:
        if value:
            print(f"{label.ljust(11)}  {value}")
    print()
    rows = [
        (a.what, a.quantity if a.quantity is not None else format_amount(a.amount or Decimal(0)),
         a.lots or "",
         "not moving" if a.blocked_reason else "moving", a.blocked_reason or "")
        for a in v.assets
    ]  # fmt: skip
    print_rows(ASSET_COLUMNS, rows, "table")
    return EXIT_OK
