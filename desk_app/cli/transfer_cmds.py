"""``transfer cash`` and ``transfer securities``: journals between accounts.

A journal never posts directly: the command files an approval request and prints
its id; a principal other than the maker approves it (``approvals approve``), and
only then, if the source still holds enough, do the two legs post to the ledger.
"""

from __future__ import annotations

import argparse
from datetime import date
from decimal import Decimal
from typing import Any

from desk_app.cli.common import CommandContext, requested

#: The memo when the command line gives none (the approver still reads the journal).
NO_REASON = "asked for from the command line without a memo"


def register(commands: Any) -> None:
    parser = commands.add_parser("transfer", help="journals of cash or securities between accounts")
    sub = parser.add_subparsers(dest="transfer_command", metavar="KIND", required=True)
    cash = sub.add_parser(
        "cash",
        help="request a cash journal (an approval request); prints the request id",
        description="Ask to move cash from one account to another. The request is checked "
        "against the settled cash the source holds, and again when a principal approves it.",
    )
    securities = sub.add_parser(
        "securities",
        help="request a securities journal (an approval request); prints the request id",
        description="Ask to move a quantity of one instrument from one account to another. "
        "Checked against the settled position now, and again at approval.",
    )
    for kind in (cash, securities):
        kind.add_argument("--from", dest="source", required=True, metavar="A",
                          help="the account the journal takes from")  # fmt: skip
        kind.add_argument("--to", dest="target", required=True, metavar="B",
                          help="the account it gives to")  # fmt: skip
    cash.add_argument("--amount", required=True, metavar="X", help="how much (e.g. 2500.00)")
    cash.add_argument("--currency", default="USD", metavar="C", help="ISO code (default USD)")
    securities.add_argument("--isin", required=True, metavar="I", help="the instrument")
    securities.add_argument("--quantity", required=True, metavar="Q", help="how many")
    securities.add_argument(
        "--lot", action="append", default=[], metavar="ACQUIRED=QTY",
        help="take QTY from the lot acquired on ACQUIRED (YYYY-MM-DD); repeat for each lot, "
        "adding up to the quantity (default: the oldest lots first)",
    )  # fmt: skip
    for kind in (cash, securities):
        kind.add_argument("--reason", default=NO_REASON, metavar="T",
                          help="why (the approver reads it)")  # fmt: skip
    cash.set_defaults(handler=request_cash)
    securities.set_defaults(handler=request_securities)


def request_cash(ctx: CommandContext, args: argparse.Namespace) -> int:
    from desk_app.domain.money import MONEY_SCALE
    from desk_app.domain.trade_rows import parse_amount

    amount = parse_amount("amount", args.amount.strip(), MONEY_SCALE, zero_allowed=False)
    with ctx.open() as workspace:
        done = workspace.transfers.request_cash(
            args.source, args.target, amount, args.currency, args.reason
        )
    return requested(done.request_id, done.summary)


def request_securities(ctx: CommandContext, args: argparse.Namespace) -> int:
    from desk_app.domain.trade_rows import parse_quantity

    quantity = parse_quantity("quantity", args.quantity.strip())
    lots = parse_lots(args.lot)
    with ctx.open() as workspace:
        done = workspace.transfers.request_securities(
            args.source, args.target, args.isin, quantity, args.reason, lots=lots
        )
    return requested(done.request_id, done.summary)


def parse_lots(values: list[str]) -> dict[date, Decimal]:
    """``--lot ACQUIRED=QTY`` values as quantities by acquisition date; every bad one named."""
    from desk_app.domain.errors import ValidationError
    from desk_app.domain.trade_rows import parse_quantity

    lots: dict[date, Decimal] = {}
    problems: list[str] = []
    for value in values:
        acquired_text, sep, quantity_text = value.partition("=")
        if not sep:
            problems.append(f"{value}: write ACQUIRED=QTY (2026-03-02=40)")
            continue
        try:
            acquired = date.fromisoformat(acquired_text.strip())
        except ValueError:
            problems.append(f"{value}: ACQUIRED is not a date (YYYY-MM-DD)")
            continue
        try:
            quantity = parse_quantity("QTY", quantity_text.strip())
        except ValidationError as bad:
            problems.append(f"{value}: QTY {bad.reason}")
            continue
        if acquired in lots:
            problems.append(f"{value}: the lot of {acquired.isoformat()} is named twice")
            continue
        lots[acquired] = quantity
    if problems:
        raise ValidationError("lot", "; ".join(problems))
    return lots
