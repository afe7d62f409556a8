"""``import trades FILE [--dry-run] [--problems OUT.csv]``: a trades CSV or a FIX 4.4 file.

All or nothing. Problems go to stderr one per line as ``file:line: field: reason``
(exit 1, nothing stored): the first hundred, then how many more, and ``--problems``
writes every one to a CSV file to send back with the file. Otherwise the counts go
to stdout, and the import's id alone on the last line (a dry run stores nothing and
prints no id).
"""

from __future__ import annotations

import argparse
from argparse import Namespace
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext, reject
from desk_app.domain.csv_files import path_problem
from desk_app.domain.trade_rows import RowProblem, problems_csv

#: Problems printed before "… and N more" (``--problems`` writes them all).
SHOWN_PROBLEMS = 100


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
    trades.add_argument(
        "--problems",
        metavar="OUT.csv",
        type=Path,
        help=f"write every problem to OUT.csv (file, line, field, reason, value); the "
        f"terminal shows the first {SHOWN_PROBLEMS}",
    )
    trades.set_defaults(handler=import_trades)


def import_trades(ctx: CommandContext, args: argparse.Namespace) -> int:
    path: Path = args.file
    wrong = path_problem(path)
    if wrong is not None:
        return reject(f"{path}: {wrong}")
    with ctx.open() as workspace:
        report = workspace.imports.import_file(path, dry_run=args.dry_run)
    if not report.ok:
        return reject(*_problem_lines(report.file_name, report.problems, args))
    kind = "FIX" if report.source.value == "fix" else "CSV"
    print(f"{report.file_name} ({kind}, {report.rows:,} rows)")
    if report.already_imported:
        print(report.already_imported)
    prefix = "would be: " if args.dry_run else ""
    print(f"{prefix}{report.summary}")
    if report.import_id is not None:
        print(report.import_id)
    return EXIT_OK


def _problem_lines(file_name: str, problems: Sequence[RowProblem], args: Namespace) -> list[str]:
    """The first problems, what is left unsaid, and the count; every one to ``--problems``."""
    lines = [str(p) for p in problems[:SHOWN_PROBLEMS]]
    more = len(problems) - SHOWN_PROBLEMS
    out: Path | None = args.problems
    if out is not None:
        try:
            out.write_text(problems_csv(problems), encoding="utf-8", newline="")
            lines.append(f"every problem is in {out}")
        except OSError as exc:
            lines.append(f"{out}: cannot be written ({exc.strerror or exc}); nothing was saved")
    elif more > 0:
        lines.append(f"… and {more:,} more: --problems OUT.csv writes every one")
    refused = "the file would be refused" if args.dry_run else "nothing was imported"
    lines.append(f"{file_name}: {len(problems):,} problem(s); {refused}")
    return lines
