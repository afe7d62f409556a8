"""The editable settlement rules: ``cycles``, ``calendar overrides``, ``fail-rules``,
``aging-limits``, each ``list``, a change (a request a principal approves) and ``import``.

A change never applies at once: the command files a request and prints its id last.
Every problem of a change or a file is one line on stderr, and nothing is filed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext, add_format, reject, requested
from desk_app.cli.output import print_rows
from desk_app.domain.codes import InstrumentType
from desk_app.domain.rule_changes import RuleKind, RuleProblems

Handler = Callable[[CommandContext, argparse.Namespace], int]
_DATES = (RuleKind.CYCLE, RuleKind.OVERRIDE)


def register(commands: Any) -> None:
    cycles = _group(commands, "cycles", "settlement cycles (T+N by instrument type and market)")
    add = cycles.add_parser("add", help="request a new cycle from a date (ends the one before)")
    add.add_argument(
        "--type",
        dest="instrument_type",
        required=True,
        metavar="T",
        choices=[t.value for t in InstrumentType if t is not InstrumentType.FUTURE],
    )
    add.add_argument("--market", required=True, metavar="M", help="e.g. US")
    add.add_argument("--from", dest="effective_from", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--days", dest="offset_days", required=True, metavar="N", help="0..10")
    add.add_argument("--calendar", dest="calendar_code", required=True, metavar="CODE")
    add.add_argument("--note", default="", help="e.g. the rule that sets it")
    _backdate(add)
    _reason(add)
    add.set_defaults(
        handler=_change(
            RuleKind.CYCLE,
            (
                "instrument_type",
                "market",
                "effective_from",
                "offset_days",
                "calendar_code",
                "note",
                "backdate_reason",
            ),
        )
    )
    _import(cycles, RuleKind.CYCLE)
    _list(cycles, RuleKind.CYCLE)
    for code, title, kind in (
        ("fail-rules", "close-out deadlines and capital-charge ages", RuleKind.FAIL_RULE),
        ("aging-limits", "when something becomes an exception", RuleKind.AGING_LIMIT),
    ):
        group = _group(commands, code, title)
        amend = group.add_parser("amend", help="request new days for one (as `list` shows it)")
        amend.add_argument("code", metavar="CODE")
        amend.add_argument("--days", required=True, metavar="N")
        _reason(amend)
        amend.set_defaults(handler=_change(kind, ("code", "days")))
        _import(group, kind)
        _list(group, kind)


def register_overrides(calendar_actions: Any) -> None:
    """``calendar overrides list|add|remove|import`` (beside ``calendar override``)."""
    sub = _subgroup(
        calendar_actions, "overrides", "days forced open or closed, changed by supervised request"
    )
    add = sub.add_parser("add", help="request forcing a day open or closed")
    add.add_argument("--calendar", dest="calendar_code", required=True, metavar="CODE")
    add.add_argument("--date", dest="day", required=True, metavar="YYYY-MM-DD")
    state = add.add_mutually_exclusive_group(required=True)
    state.add_argument("--closed", dest="settlement_day", action="store_const", const="closed")
    state.add_argument("--open", dest="settlement_day", action="store_const", const="open")
    add.add_argument(
        "--why",
        dest="override_reason",
        required=True,
        help="shown wherever the day is used (e.g. the exchange's notice)",
    )
    _backdate(add)
    _reason(add)
    add.set_defaults(
        handler=_change(
            RuleKind.OVERRIDE,
            ("calendar_code", "day", "settlement_day", "override_reason", "backdate_reason"),
        )
    )
    remove = sub.add_parser("remove", help="request removing an override")
    remove.add_argument("--calendar", dest="calendar_code", required=True, metavar="CODE")
    remove.add_argument("--date", dest="day", required=True, metavar="YYYY-MM-DD")
    _reason(remove)
    remove.set_defaults(handler=_remove)
    _import(sub, RuleKind.OVERRIDE)
    _list(sub, RuleKind.OVERRIDE)


def _group(commands: Any, name: str, title: str) -> Any:
    parser = commands.add_parser(name, help=f"{title}; changed by supervised request")
    return parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)


def _subgroup(actions: Any, name: str, title: str) -> Any:
    parser = actions.add_parser(name, help=title)
    return parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)


def _reason(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reason", required=True, help="why (the approver reads it)")


def _backdate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backdate-reason", default="", metavar="TEXT", help="needed when the date is before today"
    )


def _list(sub: Any, kind: RuleKind) -> None:
    listing = sub.add_parser("list", help=f"every {kind.label}")
    listing.add_argument("--search", default="", help="words the row must contain")
    add_format(listing)

    def run(ctx: CommandContext, args: argparse.Namespace) -> int:
        with ctx.open() as workspace:
            rows = workspace.rules.rows(kind, args.search)
        count = print_rows(workspace.rules.columns(kind), rows, args.format)
        if args.format != "csv":
            print(f"{count} row{'s' if count != 1 else ''}", file=sys.stderr)
        return EXIT_OK

    listing.set_defaults(handler=run)


def _import(sub: Any, kind: RuleKind) -> None:
    parser = sub.add_parser("import", help="request every change in a CSV file (all or nothing)")
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--dry-run", action="store_true", help="check the file; file nothing")
    parser.add_argument("--reason", default="", help="why (needed unless --dry-run)")

    def run(ctx: CommandContext, args: argparse.Namespace) -> int:
        if not args.dry_run and not args.reason.strip():
            return reject("--reason: say why the file's changes are needed")
        with ctx.open() as workspace:
            result = workspace.rules.import_csv(kind, args.file, args.reason, dry_run=args.dry_run)
        name = args.file.name
        if not result.ok:
            refused = "the file would be refused" if args.dry_run else "nothing was filed"
            return reject(
                *(str(p) for p in result.problems),
                f"{name}: {len(result.problems)} problem(s); {refused}",
            )
        if result.request_id is None:
            print(f"{name}: {result.rows} {kind.label}(s) would be requested")
            return EXIT_OK
        _dates_hint(kind)
        return requested(result.request_id, f"{result.rows} {kind.label}(s) from {name}")

    parser.set_defaults(handler=run)


def _dates_hint(kind: RuleKind) -> None:
    if kind in _DATES:
        from desk_app.services.reference.rules import DATES_HINT

        print(DATES_HINT, file=sys.stderr)


def _values(args: argparse.Namespace, keys: tuple[str, ...]) -> Mapping[str, Any]:
    values = {k: getattr(args, k) for k in keys}
    if "override_reason" in values:
        values["reason"] = values.pop("override_reason")
    return values


def _change(kind: RuleKind, keys: tuple[str, ...]) -> Handler:
    def run(ctx: CommandContext, args: argparse.Namespace) -> int:
        try:
            with ctx.open() as workspace:
                request_id = workspace.rules.request(kind, _values(args, keys), args.reason)
        except RuleProblems as refused:
            return reject(*(p.message for p in refused.problems))
        _dates_hint(kind)
        return requested(request_id, f"change a {kind.label}")

    return run


def _remove(ctx: CommandContext, args: argparse.Namespace) -> int:
    try:
        with ctx.open() as workspace:
            request_id = workspace.rules.request_removal(
                {"calendar_code": args.calendar_code, "day": args.day}, args.reason
            )
    except RuleProblems as refused:
        return reject(*(p.message for p in refused.problems))
    _dates_hint(RuleKind.OVERRIDE)
    return requested(request_id, "remove a calendar override")
