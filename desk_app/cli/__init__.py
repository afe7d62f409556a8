"""``desk-app <command>``: every batch job, headless, through the services (see CLI.md).

Exit status: 0 done; 1 rejected (bad input, not permitted, conflict, not found) with
one line per problem on stderr; 2 usage error. Parsing stays light: a command's
module imports the services only when it runs, so the window starts fast.
`desk_app.app` adds what needs the window (no command, and ``screenshot``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from desk_app import __version__
from desk_app.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, CommandContext, reject

log = logging.getLogger(__name__)

#: Adds commands to the ``desk-app`` parser (``commands.add_parser(...)``).
Registration = Callable[[Any], None]
#: Runs when no command is given (the window); returns the exit status.
NoCommand = Callable[[CommandContext], int]


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"desk-app {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="sqlite:///path/to/file.db or postgresql+psycopg://user@host/db "
        "(default: DESK_DB_URL, else the local file in your data folder)",
    )
    parser.add_argument(
        "--user", metavar="NAME", help="who acts (default: DESK_USER, else your login name)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use a separate demo database filled with sample data",
    )
    parser.add_argument(
        "--create",
        action="store_true",
        help="create the named SQLite file if it does not exist (else a missing file is an error)",
    )
    parser.add_argument("--exit-after-paint", action="store_true", help=argparse.SUPPRESS)


def build_parser(more: Sequence[Registration] = ()) -> argparse.ArgumentParser:
    """Every command, and ``more``; their modules load here, not when the window starts."""
    from desk_app.cli import (
        acats_cmds,
        account_cmds,
        approval_cmds,
        audit_cmds,
        calendar_cmds,
        certificate_cmds,
        db_cmds,
        estate_cmds,
        export_cmds,
        fails_cmds,
        import_cmds,
        manifest_cmds,
        price_cmds,
        reference_cmds,
        rules_cmds,
        settlement_cmds,
        ssi_cmds,
        trade_cmds,
        transfer_cmds,
        user_cmds,
    )

    parser = argparse.ArgumentParser(
        prog="desk-app",
        description="Desk back-office workstation. Without a command, opens the window.",
    )
    _add_global_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (
        db_cmds, calendar_cmds, account_cmds, reference_cmds,
        user_cmds, approval_cmds, audit_cmds, trade_cmds, import_cmds, export_cmds,
        settlement_cmds, transfer_cmds, acats_cmds, fails_cmds, ssi_cmds, certificate_cmds,
        manifest_cmds, rules_cmds, price_cmds, estate_cmds,
    ):  # fmt: skip
        module.register(commands)
    for register in more:
        register(commands)
    return parser


def _parse(
    argv: list[str], more: Sequence[Registration]
) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    """Global options alone mean the window: skip building every command's parser."""
    only_globals = argparse.ArgumentParser(prog="desk-app", add_help=False)
    _add_global_options(only_globals)
    args, rest = only_globals.parse_known_args(argv)
    if not rest:
        args.command = None
        return only_globals, args
    parser = build_parser(more)
    return parser, parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    *,
    more: Sequence[Registration] = (),
    no_command: NoCommand | None = None,
) -> int:
    """Run one command; without one, ``no_command`` (the window), else the usage."""
    parser, args = _parse(list(sys.argv[1:] if argv is None else argv), more)
    if args.demo and args.db:
        parser.error("--demo uses its own database; give either --db or --demo, not both")
    from desk_app.logging_setup import setup_logging

    setup_logging()
    ctx = CommandContext.from_args(args)
    handler = getattr(args, "handler", None)
    if handler is None:
        if no_command is None:
            build_parser(more).print_usage(sys.stderr)
            return EXIT_USAGE
        return no_command(ctx)
    try:
        from desk_app.services.database import driver_errors_explained

        with driver_errors_explained(ctx.url):
            return int(handler(ctx, args))
    except KeyboardInterrupt:
        print("interrupted; nothing was changed", file=sys.stderr)
        return EXIT_REJECTED
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, like any Unix filter.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_REJECTED
    except Exception as exc:
        message = _user_message(exc)
        if message is None:
            log.exception("command %s failed", args.command)
            raise
        log.warning("command %s rejected: %s", args.command, message)
        return reject(message)


def _user_message(exc: Exception) -> str | None:
    """What to tell the user about an expected failure; None for a bug.

    The services have already said a driver error (locked, damaged, gone while the
    command ran) as a `DeskError`.
    """
    from desk_app.domain.errors import DeskError

    if isinstance(exc, DeskError):
        return exc.message
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename or ''}: {exc.strerror}".lstrip(": ")
    return None


__all__ = ["EXIT_OK", "NoCommand", "Registration", "build_parser", "main"]
