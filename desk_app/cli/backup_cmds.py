"""``db backup --out FILE`` and ``db restore FILE``: a checked copy, a checked restore."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app.cli.common import EXIT_OK, CommandContext

if TYPE_CHECKING:
    from desk_app.services.actor import Actor


def register_under(db_sub: Any) -> None:
    """Add ``backup`` and ``restore`` to the ``db`` command's actions."""
    backup = db_sub.add_parser(
        "backup",
        help="a consistent, checked copy of the local database (others may keep working)",
    )
    backup.add_argument("--out", required=True, type=Path, metavar="FILE", help="the copy")
    backup.set_defaults(handler=backup_command)
    restore = db_sub.add_parser(
        "restore",
        help="replace the local database by a backup whose audit trail verifies "
        "(admins; the replaced file is kept beside it)",
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    restore.add_argument(
        "--check",
        action="store_true",
        help="only check the file and say what it holds; change nothing",
    )
    restore.set_defaults(handler=restore_command)


def backup_command(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Sign in (the database is migrated to this Desk's schema), then copy and check."""
    from desk_app.services.backup.backups import backup_database, local_file

    local_file(ctx.url, "No backup was written")  # a shared database: say how, first
    with ctx.open():
        report = backup_database(ctx.url, args.out)
    print(
        f"backup checked: {report.audit_entries:,} audit entries, schema {report.revision}, "
        f"{report.size:,} bytes",
        file=sys.stderr,
    )
    print(report.path)
    return EXIT_OK


def restore_command(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Check the backup; then, as an admin of the database it replaces, restore it."""
    import os

    from desk_app.services.backup.backups import check_backup, local_file, restore
    from desk_app.services.database import missing_file

    target = local_file(ctx.url, "Nothing was restored")
    if args.check:
        for line in check_backup(args.file).lines():
            print(line)
        return EXIT_OK
    actor: Actor | str = ctx.actor  # no database yet: they sign in to the backup
    if missing_file(ctx.url) is None:
        with ctx.open(migrate=False) as workspace:  # who is acting, proven by this database
            actor = workspace.user
    report = restore(ctx.url, args.file, actor, password=os.environ.get("DESK_PASSWORD"))
    for line in report.check.lines():
        print(line, file=sys.stderr)
    if report.kept is not None:
        print(f"the replaced database is kept as {report.kept}", file=sys.stderr)
    print(f"restored {args.file} into {target}", file=sys.stderr)
    print(report.database)
    return EXIT_OK
