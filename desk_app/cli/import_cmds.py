"""``import trades FILE [--dry-run]``: a trades CSV or a FIX 4.4 file, all or nothing.

Problems go to stderr one per line as ``file:line: field: reason`` (exit 1, nothing
stored). Otherwise the counts go to stdout, and the import's id alone on the last
line (a dry run stores nothing and prints no id).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext, reject


def register(commands: Any) -> None:
    importing = commands.add_parser("import", help="import trades from a file")
    sub = importing.add_subparsers(dest="import_command", metavar="WHAT", required=True)
    trades = sub.add_parser(
        "trades",
        help="a trades CSV or FIX 4.4 execution reports; all or nothing; idempotent",
        description="Import a trades CSV (see the README for its columns) or a file of "
        "FIX 4.4 execution reports (tag=value, SOH or | separated). Every problem is "
        "listed and nothing is stored unless the whole file is right. Trades already on "
        "the blotter (same external id and terms) are counted, not added again.",
    )
    trades.add_argument("file", metavar="FILE", type=Path)
    trades.add_argument(
        "--dry-run", action="store_true", help="check the file and print the counts; store nothing"
    )
    trades.set_defaults(handler=import_trades)


def import_trades(ctx: CommandContext, args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        return reject(f"{path}: no such file")
    with ctx.open() as workspace:
        report = workspace.imports.import_file(path, dry_run=args.dry_run)
    if not report.ok:
        refused = "nothing was imported" if not args.dry_run else "the file would be refused"
        return reject(
            *(str(p) for p in report.problems),
            f"{report.file_name}: {len(report.problems)} problem(s); {refused}",
        )
    kind = "FIX" if report.source.value == "fix" else "CSV"
    print(f"{report.file_name} ({kind}, {report.rows:,} rows)")
    if report.already_imported:
        print(report.already_imported)
    prefix = "would be: " if args.dry_run else ""
    print(f"{prefix}{report.summary}")
    if report.import_id is not None:
        print(report.import_id)
    return EXIT_OK
