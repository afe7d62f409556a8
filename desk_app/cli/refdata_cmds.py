"""``counterparties add|amend|deactivate|activate|delete|import`` and the same for
``instruments``: reference data kept from the command line.

A command that adds prints the code (counterparties) or ISIN (instruments) alone on
its last line; an amendment of a record in use that needs a principal prints the
request id instead. Bad values: one line per problem (field and reason), exit 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from desk_app.cli.common import EXIT_OK, CommandContext, reject, requested
from desk_app.domain.reference_data import COUNTERPARTY_FIELDS, INSTRUMENT_FIELDS

if TYPE_CHECKING:
    from desk_app.domain.errors import ValidationError
    from desk_app.services.reference.records import Amended, ReferenceImport
    from desk_app.services.workspace import Workspace

#: Option name -> field, per kind of record.
_OPTIONS = {
    "counterparties": {f: f for f in COUNTERPARTY_FIELDS},
    "instruments": {**{f: f for f in INSTRUMENT_FIELDS}, "type": "instrument_type"},
}
_HELP = {
    "code": "the counterparty's code (up to 16 letters or digits)",
    "kind": "broker, custodian, clearing-house or transfer-agent",
    "bic": "BIC / SWIFT code (8 or 11 characters)",
    "lei": "Legal Entity Identifier (20 characters)",
    "dtc_participant": "DTC participant number (up to 4 digits; 417 is stored as 0417)",
    "isin": "ISIN (12 characters, check digit verified)",
    "cusip": "CUSIP (9 characters); a US or Canadian ISIN is made from it",
    "type": "equity, corporate-bond, municipal-bond, treasury, option, commercial-paper",
    "market": "two-letter market (default US)",
    "currency": "ISO 4217 code (USD)",
    "multiplier": "units per contract, greater than 0 (default 1)",
}
_IMPORT_COLUMNS = {
    "counterparties": "code, name, kind and optional bic, lei, dtc_participant, active",
    "instruments": "isin or cusip, description, instrument_type, currency and optional "
    "symbol, issuer, market, multiplier, active",
}


class _Service(Protocol):
    def problems(
        self, values: dict[str, Any], /, *, partial: bool = False
    ) -> list[ValidationError]: ...

    def add(self, values: dict[str, Any], /) -> str: ...

    def amend(self, key: str, changes: dict[str, Any], /, *, reason: str = "") -> Amended: ...

    def set_active(self, key: str, active: bool, /) -> None: ...

    def delete(self, key: str, /) -> None: ...

    def import_csv(self, path: Path, /, *, dry_run: bool = False) -> ReferenceImport: ...


def _service(workspace: Workspace, kind: str) -> _Service:
    if kind == "counterparties":
        return workspace.counterparties
    return workspace.instruments


def extend(kind: str, sub: Any) -> None:
    """Add the maintenance commands to ``kind``'s subcommands (``list`` is there already)."""
    key_name = "CODE" if kind == "counterparties" else "ISIN_OR_CUSIP"
    add = sub.add_parser("add", help=f"add one of the {kind}; prints its key last")
    amend = sub.add_parser(
        "amend", help=f"change one of the {kind} (a used record's settlement fields: a request)"
    )
    amend.add_argument("key", metavar=key_name)
    amend.add_argument("--reason", default="", help="why (needed when a principal approves)")
    for option, field in _OPTIONS[kind].items():
        flag = "--" + option.replace("_", "-")
        add.add_argument(flag, dest=field, metavar=option.upper(), help=_HELP.get(option))
        amend.add_argument(flag, dest=field, metavar=option.upper(), help=_HELP.get(option))
    add.set_defaults(handler=_add, record_kind=kind)
    amend.set_defaults(handler=_amend, record_kind=kind)
    for verb, text in (
        ("deactivate", "takes no new trades; what is booked settles as before"),
        ("activate", "takes trades again"),
        ("delete", "remove one nothing uses (a mistaken entry); a used one is refused"),
    ):
        parser = sub.add_parser(verb, help=text)
        parser.add_argument("key", metavar=key_name)
        parser.set_defaults(handler=_change_state, record_kind=kind, verb=verb)
    imported = sub.add_parser(
        "import", help=f"add the {kind} of a CSV file, all or none",
        description=f"Columns by header name: {_IMPORT_COLUMNS[kind]}. A record already on "
        "the database with the same values is skipped; one with other values is a problem "
        "(amend it instead).",
    )  # fmt: skip
    imported.add_argument("file", type=Path, metavar="FILE.csv")
    imported.add_argument("--dry-run", action="store_true", help="check only, store nothing")
    imported.set_defaults(handler=_import, record_kind=kind)


def _given(args: argparse.Namespace) -> dict[str, Any]:
    fields = _OPTIONS[args.record_kind].values()
    return {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}


def _problems(problems: list[ValidationError]) -> int:
    return reject(*(f"{p.field}: {p.reason}" for p in problems), "nothing was saved")


def _add(ctx: CommandContext, args: argparse.Namespace) -> int:
    values = _given(args)
    with ctx.open() as workspace:
        service = _service(workspace, args.record_kind)
        problems = service.problems(values)
        if problems:
            return _problems(problems)
        key = service.add(values)
    print(key)
    return EXIT_OK


def _amend(ctx: CommandContext, args: argparse.Namespace) -> int:
    changes = _given(args)
    if not changes:
        return reject("give at least one field to change (see --help)")
    with ctx.open() as workspace:
        service = _service(workspace, args.record_kind)
        problems = service.problems(changes, partial=True)
        if problems:
            return _problems(problems)
        done = service.amend(args.key, changes, reason=args.reason)
    if done.request_id is not None:
        return requested(done.request_id, f"change {', '.join(done.changed)} of {done.key}")
    print(f"{done.key}: changed {', '.join(done.changed)}", file=sys.stderr)
    print(done.key)
    return EXIT_OK


def _change_state(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        service = _service(workspace, args.record_kind)
        if args.verb == "delete":
            service.delete(args.key)
        else:
            service.set_active(args.key, args.verb == "activate")
    print(f"{args.key.upper()}: {args.verb}d", file=sys.stderr)
    print(args.key.upper())
    return EXIT_OK


def _import(ctx: CommandContext, args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        return reject(f"{path}: no such file")
    with ctx.open() as workspace:
        result = _service(workspace, args.record_kind).import_csv(path, dry_run=args.dry_run)
    if not result.ok:
        return reject(
            *(str(p) for p in result.problems),
            f"{path.name}: {len(result.problems)} problem(s); nothing was stored",
        )
    verb = "would add" if result.dry_run else "added"
    print(f"{path.name}: {verb} {result.added:,}, skipped {result.skipped:,} already on the "
          "database" + (" (dry run: nothing stored)" if result.dry_run else ""))  # fmt: skip
    return EXIT_OK
