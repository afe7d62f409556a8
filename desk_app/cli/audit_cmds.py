"""``audit verify`` (the hash chain; ``--records``: every row too) and ``audit history``."""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any

from desk_app.cli.common import EXIT_OK, EXIT_USAGE, CommandContext, add_format, reject
from desk_app.domain.audit_chain import ChainReport
from desk_app.domain.history import moment_text


def register(commands: Any) -> None:
    audit = commands.add_parser("audit", help="the tamper-evident audit trail")
    sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)

    verify = sub.add_parser(
        "verify", help="check the hash chain; exit 1 naming the first bad entry"
    )
    verify.add_argument(
        "--records",
        action="store_true",
        help="also check every audited row against its last audited state (slower): "
        "list each row changed, added or deleted outside Desk",
    )
    verify.set_defaults(handler=verify_chain)

    history = sub.add_parser("history", help="every change to one record: who, when, what")
    which = history.add_mutually_exclusive_group(required=True)
    which.add_argument("--account", metavar="NUMBER", help="an account by its number")
    which.add_argument("--table", metavar="TABLE", help="any table (with --id)")
    history.add_argument("--id", dest="record_id", metavar="N", help="the record's id in --table")
    add_format(history)
    history.set_defaults(handler=record_history)


def verify_chain(ctx: CommandContext, args: argparse.Namespace) -> int:
    if args.records:
        return verify_records(ctx)
    with ctx.open() as workspace:
        report = workspace.history.verify()
    if report.problem is not None:
        return reject(str(report.problem))
    print(_intact(report))
    return EXIT_OK


def _intact(report: ChainReport) -> str:
    return (
        f"audit trail intact: {report.entries} entries, head {report.head_seq} {report.head_hash}"
    )


def verify_records(ctx: CommandContext) -> int:
    """The chain, then every row: one line per finding on stderr, exit 1 if any."""
    with ctx.open() as workspace:
        report = workspace.history.verify_records()
    problems = [str(p) for p in report.problems]
    if report.found > len(problems):
        problems.append(f"… and {report.found - len(problems):,} more")
    if report.chain.problem is not None:
        problems.insert(0, str(report.chain.problem))
    else:
        print(_intact(report.chain))
    if report.found:
        problems.append(report.summary)
    else:
        print(report.summary)
    return reject(*problems) if problems else EXIT_OK


def _value(value: object, field: str = "") -> str:
    """A recorded value as text: empty for none (the service has masked tax ids)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


HISTORY_HEADER = (
    "seq", "recorded_at", "app_user", "db_login", "action", "change", "approval_id",
    "field", "old", "new",
)  # fmt: skip


def record_history(ctx: CommandContext, args: argparse.Namespace) -> int:
    if bool(args.table) != bool(args.record_id):
        print("desk-app audit history: error: --table and --id go together", file=sys.stderr)
        return EXIT_USAGE
    with ctx.open() as workspace:
        if args.account:
            history = workspace.history.account_history(args.account)
        else:
            history = workspace.history.history(args.table, args.record_id)
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(HISTORY_HEADER)
        for index, change in enumerate(history.changes):
            head = (change.seq, change.recorded_at, change.app_user, change.db_login,
                    change.action, change.change, change.approval_id or "")  # fmt: skip
            diffs = history.diff(index)
            if not diffs:
                writer.writerow((*head, "", "", ""))
            for d in diffs:
                writer.writerow((*head, d.field, _value(d.old, d.field), _value(d.new, d.field)))
        return EXIT_OK
    print(history.title)
    if history.changed_outside:
        print(
            f"warning: {history.title} differs from what its audit trail says: it was "
            "changed outside Desk",
            file=sys.stderr,
        )
    for problem in history.seal_problems:
        print(f"warning: {history.title} {problem}", file=sys.stderr)
    if history.sealed_by is not None:
        sealed = history.sealed_by
        print(
            f"sealed as it stood by #{sealed.seq}  {moment_text(sealed.recorded_at)}  "
            f"{sealed.app_user} "
            f"(login {sealed.db_login})  {sealed.action}: a load of "
            f"{(sealed.after or {}).get('rows', '?')} rows, no change of its own since"
        )
    if not history.changes:
        print("no audited changes")
    for index, change in enumerate(history.changes):
        approval = f", approval request {change.approval_id}" if change.approval_id else ""
        print(
            f"\n#{change.seq}  {moment_text(change.recorded_at, seconds=True)}  {change.app_user} "
            f"(login {change.db_login})  {change.action}: {change.change}{approval}"
        )
        diffs = history.diff(index)
        if change.change == "event" and change.after:
            details = ", ".join(f"{k}={_value(v)}" for k, v in sorted(change.after.items()))
            print(f"    {details}")
            continue
        before, after = history.versions[index], history.versions[index + 1]
        for d in diffs:  # as a person reads them: business keys, money with its currency
            old = history.text(d.field, d.old, before or after) or "∅"
            new = history.text(d.field, d.new, after or before) or "∅"
            print(f"    {d.field}: {old} → {new}")
    print(f"{len(history.changes)} changes", file=sys.stderr)
    return EXIT_OK
