"""``settlements ...``: the run, the worklist, the lifecycle, instructions out, statuses in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desk_app.cli.calendar_cmds import iso_date
from desk_app.cli.common import EXIT_OK, EXIT_USAGE, CommandContext, add_format, reject
from desk_app.cli.reference_cmds import lister
from desk_app.cli.search_option import add_search
from desk_app.domain.codes import FailReason
from desk_app.domain.states import ObligationStatus


def register(commands: Any) -> None:
    parser = commands.add_parser("settlements", help="settlement obligations")
    sub = parser.add_subparsers(dest="settlements_command", metavar="ACTION", required=True)
    generate = sub.add_parser(
        "generate",
        help="create obligations for trades that lack them (exactly once); prints how many",
        description="Create the settlement obligation of every live trade version without "
        "one. Running it again, or on two desks at once, creates nothing twice.",
    )
    generate.add_argument("--as-of", type=iso_date, metavar="YYYY-MM-DD",
                          help="only trades dated on or before this day")  # fmt: skip
    generate.set_defaults(handler=generate_obligations)
    listing = sub.add_parser("list", help="list obligations, by settlement date")
    listing.add_argument("--due", type=iso_date, metavar="YYYY-MM-DD",
                         help="settling on this day")  # fmt: skip
    listing.add_argument("--status", choices=[s.value for s in ObligationStatus])
    add_format(listing)
    add_search(listing, "account (number or name), ISIN, description, counterparty or trade")
    for name, help_text in (
        ("instruct", "mark pending obligations instructed (refused while an exception stands)"),
        ("match", "mark instructed obligations matched with the counterparty"),
    ):
        move = sub.add_parser(name, help=help_text)
        move.add_argument("ids", nargs="+", type=int, metavar="ID")
        move.set_defaults(handler=move_obligations, move=name)
    fail = sub.add_parser(
        "fail", help="mark obligations failing with the market's reason code; prints how many"
    )
    fail.add_argument("ids", nargs="+", type=int, metavar="ID")
    fail.add_argument("--reason", required=True, choices=[r.value for r in FailReason],
                      help="the reason code (sese.024)")  # fmt: skip
    fail.set_defaults(handler=mark_failing)
    settle = sub.add_parser(
        "settle",
        help="settle an obligation fully or partially (prints the ledger posting id), "
        "or several fully (prints how many)",
        description="Settle what is left of a matched (or failing) obligation, or "
        "--quantity of it; the cash is its share unless --amount says otherwise. Given "
        "several IDs, settles all that is left of each that may settle, in one "
        "transaction, and lists the ones left as they were.",
    )
    settle.add_argument("ids", nargs="+", type=int, metavar="ID")
    settle.add_argument("--quantity", metavar="Q", help="part of the quantity left")
    settle.add_argument("--amount", metavar="A", help="the cash that moved with it")
    settle.set_defaults(handler=settle_obligation)
    export = sub.add_parser(
        "export",
        help="write an ISO 20022 sese.023 instruction per obligation settling on a date",
        description="Write one sese.023.001.11 XML file per pending or instructed obligation "
        "settling on --date into --out (named DESK-<obligation id>.xml), and mark the pending "
        "ones instructed. Obligations with an exception are left out and listed.",
    )
    export.add_argument("--date", type=iso_date, required=True, metavar="YYYY-MM-DD",
                        help="the settlement date")  # fmt: skip
    export.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="the folder the files go to (made if missing)")  # fmt: skip
    export.set_defaults(handler=export_instructions)
    net = sub.add_parser(
        "net",
        help="net each counterparty's pending obligations per instrument on a date",
        description="Pending obligations against payment with one counterparty, in one "
        "instrument, currency and SSI, settling on --date, become one net instruction to "
        "the street; each still settles to its own account. Prints how many nets.",
    )
    net.add_argument("--date", type=iso_date, required=True, metavar="YYYY-MM-DD")
    net.set_defaults(handler=net_obligations)
    unnet = sub.add_parser("unnet", help="undo a net before it is instructed")
    unnet.add_argument("net", type=int, metavar="NET")
    unnet.set_defaults(handler=unnet_obligations)
    status = sub.add_parser(
        "status",
        help="apply the market's statuses: a sese.024 file or a CSV (all or nothing)",
        description="Apply a sese.024 status advice, or a CSV with the columns instruction, "
        "status (matched, unmatched, pending or failing), reason (a code such as LACK) and "
        "note. One problem in any file applies none of them.",
    )
    status.add_argument("files", nargs="+", type=Path, metavar="FILE")
    status.set_defaults(handler=import_statuses)
    recheck = sub.add_parser(
        "recheck",
        help="check the exceptions of open obligations again; prints how many cleared",
        description="Check again why open obligations may not settle (no standing "
        "settlement instruction in force, the account closed or restricted): those whose "
        "cause has gone are cleared, new causes are raised. Prints how many cleared and "
        "how many remain, each remaining one with its reason. Exceptions the desk wrote "
        "itself stay until a person deals with them.",
    )
    recheck.add_argument("ids", nargs="*", type=int, metavar="ID")
    recheck.add_argument("--all", action="store_true", help="every open obligation")
    recheck.set_defaults(handler=recheck_obligations)
    reverse = sub.add_parser(
        "reverse", help="reverse a settlement posting with a new, linked one; prints its id"
    )
    reverse.add_argument("posting", type=int, metavar="POSTING")
    reverse.add_argument("--reason", required=True)
    reverse.set_defaults(handler=reverse_posting)
    listing.set_defaults(
        handler=lister(
            lambda ws, args: ws.settlements.obligations(
                due=args.due,
                status=ObligationStatus(args.status) if args.status else None,
                search=args.search,
            )
        )
    )


def generate_obligations(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        report = workspace.settlements.run(as_of=args.as_of)
    print(report.summary, file=sys.stderr)
    print(report.created)
    return EXIT_OK


def recheck_obligations(ctx: CommandContext, args: argparse.Namespace) -> int:
    if bool(args.ids) == bool(args.all):
        print("desk-app settlements recheck: error: give obligation IDs or --all (not both)",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    with ctx.open() as workspace:
        report = workspace.settlements.recheck(None if args.all else args.ids)
    print(report.summary, file=sys.stderr)
    for obligation_id, why in report.remaining:
        print(f"obligation {obligation_id}: {why}")
    left = len(report.remaining)
    print(f"{report.cleared} cleared, {left} remain{'s' if left == 1 else ''}")
    return EXIT_OK


def move_obligations(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        settling = workspace.settling
        moved = settling.instruct(args.ids) if args.move == "instruct" else settling.match(args.ids)
    print(moved)
    return EXIT_OK


def settle_obligation(ctx: CommandContext, args: argparse.Namespace) -> int:
    from desk_app.domain.trade_rows import parse_charge, parse_quantity

    if len(args.ids) > 1:
        if args.quantity or args.amount:
            print("desk-app settlements settle: error: --quantity and --amount settle one "
                  "obligation; give one ID", file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        return settle_many(ctx, args.ids)
    quantity = parse_quantity("quantity", args.quantity) if args.quantity else None
    amount = parse_charge("amount", args.amount) if args.amount else None
    with ctx.open() as workspace:
        done = workspace.settling.settle(args.ids[0], quantity=quantity, amount=amount)
    left = f", {done.residual} left" if done.residual else ""
    print(f"obligation {done.obligation_id}: {done.quantity} settled for {done.amount_text} "
          f"({done.status.label.lower()}{left})", file=sys.stderr)  # fmt: skip
    print(done.posting_id)
    return EXIT_OK


def mark_failing(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        count = workspace.settling.mark_failing(args.ids, args.reason)
    print(f"{count} obligation{'' if count == 1 else 's'} failing ({args.reason})", file=sys.stderr)
    print(count)
    return EXIT_OK


def settle_many(ctx: CommandContext, ids: list[int]) -> int:
    with ctx.open() as workspace:
        done = workspace.settling.settle_all(ids)
    for obligation_id, why in done.refused:
        print(f"obligation {obligation_id}: left as it was: {why}", file=sys.stderr)
    print(done.summary, file=sys.stderr)
    print(done.settled)
    return EXIT_OK


def reverse_posting(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        done = workspace.settling.reverse(args.posting, args.reason)
    print(f"obligation {done.obligation_id}: {-done.quantity} reversed "
          f"({done.status.label.lower()})", file=sys.stderr)  # fmt: skip
    print(done.posting_id)
    return EXIT_OK


def export_instructions(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        report = workspace.settlement_messages.export(args.out, day=args.date)
    for obligation_id, why in report.skipped:
        print(f"obligation {obligation_id}: left out: {why}", file=sys.stderr)
    print(report.summary, file=sys.stderr)
    print(len(report.files))
    return EXIT_OK


def import_statuses(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        report = workspace.settlement_messages.import_statuses(args.files)
    if not report.ok:
        return reject(*(str(p) for p in report.problems),
                      f"{len(report.problems)} problem(s); nothing applied")  # fmt: skip
    print(report.summary, file=sys.stderr)
    print(report.matched + report.failing + report.noted)
    return EXIT_OK


def net_obligations(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        report = workspace.netting.net(args.date)
    print(report.summary, file=sys.stderr)
    print(report.nets)
    return EXIT_OK


def unnet_obligations(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        count = workspace.netting.unnet(args.net)
    print(f"net {args.net} undone: {count} obligations gross again", file=sys.stderr)
    print(count)
    return EXIT_OK
