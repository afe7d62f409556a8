"""``db upgrade``, ``db firm-name``, ``db firm-address`` and ``demo-data``.

``db backup`` and ``db restore`` live in `desk_app.cli.backup_cmds`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desk_app.cli.backup_cmds import register_under as register_backup
from desk_app.cli.common import EXIT_OK, EXIT_USAGE, CommandContext, reject
from desk_app.cli.user_cmds import ROLE_CHOICES, registration, role_list


def register(commands: Any) -> None:
    db = commands.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_sub.add_parser(
        "upgrade",
        help="create or migrate the schema",
        description="Create or migrate the schema. With --name, a new database's first "
        "user is you (your login), with the roles and registrations given: an admin always, "
        "and clerk unless --role says otherwise.",
    )
    up.add_argument(
        "--name", dest="full_name", metavar="FULL NAME",
        help="your full name: make you the new database's first user",
    )  # fmt: skip
    up.add_argument(
        "--role", dest="roles", type=role_list, action="append", metavar=ROLE_CHOICES,
        help="the first user's roles (with --name; default clerk,admin; admin is required)",
    )  # fmt: skip
    up.add_argument(
        "--registration", dest="registrations", type=registration, action="append",
        metavar="S24[:FROM]", help="the first user's FINRA registration (with --name); repeatable",
    )  # fmt: skip
    up.set_defaults(handler=upgrade)
    firm = db_sub.add_parser("firm-name", help="the firm's name on its paperwork (admins set it)")
    firm.add_argument("name", nargs="?", metavar="NAME", help="the new name (default: show it)")
    firm.set_defaults(handler=firm_name)
    address = db_sub.add_parser(
        "firm-address", help="the firm's address on its paperwork (admins set it)"
    )
    address.add_argument(
        "lines",
        nargs="*",
        metavar="LINE",
        help="the new address, one argument a line (default: show it)",
    )
    address.add_argument("--clear", action="store_true", help="print no address")
    address.set_defaults(handler=firm_address)
    register_backup(db_sub)

    demo = commands.add_parser(
        "demo-data",
        help="fill an empty database with realistic, deterministic sample data "
        "(creates the file if it does not exist)",
    )
    demo.add_argument("--seed", type=int, default=1, help="the same seed gives the same book")
    demo.add_argument("--trades", type=_positive, default=30000, help="how many trades")
    demo.set_defaults(handler=demo_data)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def upgrade(ctx: CommandContext, args: argparse.Namespace) -> int:
    from desk_app.services.database import upgrade_database

    if args.full_name is not None:
        return _first_user(ctx, args)
    if args.roles or args.registrations:
        return reject("--role and --registration describe the first user: give --name too")
    changed, revision = upgrade_database(ctx.url)
    print(f"schema {'upgraded to' if changed else 'already at'} {revision}", file=sys.stderr)
    print(revision)
    return EXIT_OK


def _first_user(ctx: CommandContext, args: argparse.Namespace) -> int:
    """``db upgrade --name``: the schema, then the caller as the first user (every problem said)."""
    from desk_app.domain.cutoffs import market_today
    from desk_app.domain.first_user import DEFAULT_ROLES, FirstUser
    from desk_app.services.database import upgrade_database
    from desk_app.services.supervision.bootstrap import start_new_database

    roles = frozenset(r for group in args.roles for r in group) if args.roles else DEFAULT_ROLES
    profile = FirstUser(args.full_name, roles, tuple(args.registrations or ()))
    problems = profile.problems(market_today())
    if problems:
        return reject(*(problem.message for problem in problems))
    if not start_new_database(ctx.url, ctx.actor, profile):
        return reject(
            f"--name: this database already has users; {ctx.actor} was not made its first "
            "user (an admin adds people: desk-app user add NAME --role clerk)"
        )
    _changed, revision = upgrade_database(ctx.url)
    shown = ", ".join(sorted(role.value for role in profile.roles))
    print(f"schema at {revision}; first user {ctx.actor} ({shown})", file=sys.stderr)
    print(revision)
    return EXIT_OK


def demo_data(ctx: CommandContext, args: argparse.Namespace) -> int:
    from desk_app.demo import generate_demo_data

    shown = False

    def progress(done: int, total: int, stage: str) -> None:
        nonlocal shown
        shown = True
        print(f"\r{stage}: {done}/{total}".ljust(60), end="", file=sys.stderr, flush=True)

    try:
        with ctx.open(fill_demo=False, create=True) as workspace:
            summary = generate_demo_data(
                workspace.sessions,
                seed=args.seed,
                trades=args.trades,
                progress=progress,
                actor=workspace.user,
            )
    finally:
        if shown:
            print(file=sys.stderr)  # end the progress line
    print(summary)
    return EXIT_OK


def firm_name(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Show the firm's name on manifests and reports, or set it (audited)."""
    from desk_app.services import firm

    with ctx.open() as workspace:
        if args.name is not None:
            firm.set_firm_name(workspace.uow, args.name)
        with workspace.uow.read() as session:
            name = firm.firm_name(session)
    print(name or "not set: an admin sets it with desk-app db firm-name NAME")
    return EXIT_OK


def firm_address(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Show the firm's address on its paperwork, or set it (audited)."""
    from desk_app.services import firm

    if args.clear and args.lines:
        print("desk-app db firm-address: error: give lines or --clear, not both", file=sys.stderr)
        return EXIT_USAGE
    with ctx.open() as workspace:
        if args.lines or args.clear:
            firm.set_firm_address(workspace.uow, "\n".join(args.lines))
        with workspace.uow.read() as session:
            address = firm.firm_address(session)
    print(address or "not set: an admin sets it with desk-app db firm-address LINE...")
    return EXIT_OK
