"""``ssi list|add|change|import``: standing settlement instructions; a change is a request."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desk_app.cli.common import EXIT_OK, EXIT_USAGE, CommandContext, add_format, reject, requested
from desk_app.cli.reference_cmds import lister

#: Option -> SSI field, for the route and the dates.
ROUTE = {
    "place": "place_of_settlement", "agent": "agent_bic", "account": "safekeeping_account",
    "to": "effective_to",
}  # fmt: skip


def register(commands: Any) -> None:
    parser = commands.add_parser("ssi", help="standing settlement instructions")
    sub = parser.add_subparsers(dest="ssi_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="every instruction (its id first)")
    add_format(listing)
    listing.set_defaults(handler=lister(lambda ws, _args: ws.ssis.instructions()))
    add = sub.add_parser("add", help="request a new instruction (a principal approves it)")
    add.add_argument("--counterparty", required=True, metavar="CODE")
    add.add_argument("--for-account", metavar="NUMBER", help="only for this client account")
    add.add_argument("--market", required=True, metavar="M", help="e.g. US")
    add.add_argument("--asset-class", required=True, metavar="T", help="e.g. equity, treasury")
    add.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--place", required=True, metavar="BIC", help="place of settlement")
    add.add_argument("--agent", required=True, metavar="BIC", help="the agent's BIC")
    add.add_argument("--account", required=True, metavar="ID",
                     help="the counterparty's account at the depository")  # fmt: skip
    change = sub.add_parser(
        "change",
        help="request ending an instruction (a new route is a new instruction: ssi add)",
    )
    change.add_argument("id", type=int, metavar="ID")
    for kind in (add, change):
        kind.add_argument("--to", metavar="YYYY-MM-DD", help="the last day it is in force")
        kind.add_argument("--reason", required=True, help="why (the approver reads it)")
    add.set_defaults(handler=request_add)
    change.set_defaults(handler=request_change)
    load = sub.add_parser(
        "import", help="request every instruction in a CSV file (a request each; all or none)"
    )
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument("--dry-run", action="store_true", help="check the file; file nothing")
    load.add_argument("--reason", default="", help="why (needed unless --dry-run)")
    load.set_defaults(handler=import_file)


def _route(args: argparse.Namespace) -> dict[str, Any]:
    return {f: getattr(args, o, None) for o, f in ROUTE.items() if getattr(args, o, None)}


def request_add(ctx: CommandContext, args: argparse.Namespace) -> int:
    fields = {
        "counterparty": args.counterparty, "account": args.for_account, "market": args.market,
        "asset_class": args.asset_class, "effective_from": args.start, **_route(args),
    }  # fmt: skip
    with ctx.open() as workspace:
        request_id = workspace.ssis.request_add(fields, args.reason)
    return requested(request_id, "add a standing settlement instruction")


def request_change(ctx: CommandContext, args: argparse.Namespace) -> int:
    changes = _route(args)
    if not changes:
        print("desk-app ssi change: error: give --to (the last day it is in force)",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    with ctx.open() as workspace:
        request_id = workspace.ssis.request_change(args.id, changes, args.reason)
    return requested(request_id, f"change standing settlement instruction {args.id}")


def import_file(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        result = workspace.ssis.import_csv(args.file, args.reason, dry_run=args.dry_run)
    name = args.file.name
    if not result.ok:
        refused = "the file would be refused" if args.dry_run else "nothing was filed"
        return reject(*(str(p) for p in result.problems),
                      f"{name}: {len(result.problems)} problem(s); {refused}")  # fmt: skip
    if args.dry_run:
        print(f"{name}: {result.rows} instruction(s) would be requested")
        return EXIT_OK
    print(f"{name}: {len(result.request_ids)} request(s) filed, each waiting for a principal's "
          "approval", file=sys.stderr)  # fmt: skip
    for request_id in result.request_ids:
        print(request_id)
    return EXIT_OK
