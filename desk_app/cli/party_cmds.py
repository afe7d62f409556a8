"""An account's parties on the command line: ``--party`` specs and ``accounts party``.

A party is written ``ROLE:NAME`` followed by ``;key=value`` pairs, for example
``beneficiary:Di Lee;share=50;dob=1990-04-02;tax-id=123-45-6789;contingent``.
Keys: kind (person|entity), dob, tax-id, address, citizenship, occupation, employer,
share (a beneficiary's percent) and the flags associated, contingent, per-stirpes.
Every problem with the parties is refused at once, a line each on stderr.
"""

from __future__ import annotations

import argparse
from typing import Any

from desk_app.cli.common import CommandContext, requested
from desk_app.domain.codes import PartyRole, RegistrationType
from desk_app.domain.errors import ValidationError

KEYS = {
    "kind": "kind", "dob": "date_of_birth", "tax-id": "tax_id", "address": "address",
    "citizenship": "citizenship", "occupation": "occupation", "employer": "employer",
    "share": "share_percent", "name": "name", "role": "role",
}  # fmt: skip
FLAGS = {
    "associated": "associated_person",
    "contingent": "contingent",
    "per-stirpes": "per_stirpes",
}
SPEC = "ROLE:NAME[;key=value...]"


def settings(text: str) -> dict[str, Any]:
    """``key=value;flag`` pairs as party fields; an unknown key is refused by name."""
    out: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, has_value, value = part.partition("=")
        key = key.strip().lower()
        if not has_value and key in FLAGS:
            out[FLAGS[key]] = True
        elif has_value and key in FLAGS:
            out[FLAGS[key]] = value.strip().lower() in ("1", "yes", "true", "y")
        elif has_value and key in KEYS:
            out[KEYS[key]] = value.strip()
        else:
            known = ", ".join([*KEYS, *FLAGS])
            raise ValidationError("party", f"unknown setting {key!r} (known: {known})")
    return out


def party_spec(text: str) -> dict[str, Any]:
    """``ROLE:NAME;key=value...`` as party fields."""
    head, _, rest = text.partition(";")
    role, colon, name = head.partition(":")
    if not colon:
        raise ValidationError("party", f"write a party as {SPEC}", text)
    return {"role": role.strip().lower(), "name": name.strip(), **settings(rest)}


def add_party_option(parser: argparse.ArgumentParser) -> None:
    roles = ", ".join(r.value for r in PartyRole)
    parser.add_argument(
        "--party", action="append", metavar=SPEC,
        help=f"a party of the account (repeat for each); ROLE is one of {roles}; an owner, "
        "joint owner, custodian or trustee gives dob, tax-id, address, occupation and "
        "employer (FINRA 4512; no employer when retired, unemployed, student or homemaker), "
        "an entity its EIN (tax-id) and address",
    )  # fmt: skip


def register(sub: Any) -> None:
    party = sub.add_parser("party", help="request a change of an account's parties")
    actions = party.add_subparsers(dest="party_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a party; prints the request id")
    add.add_argument("number", metavar="NUMBER")
    add.add_argument("spec", metavar=SPEC)
    amend = actions.add_parser("amend", help="change a party's details; prints the request id")
    amend.add_argument("number", metavar="NUMBER")
    amend.add_argument("party_id", metavar="PARTY", type=int, help="the party's id (accounts show)")
    amend.add_argument("changes", metavar="key=value[;key=value...]")
    remove = actions.add_parser("remove", help="end a party; prints the request id")
    remove.add_argument("number", metavar="NUMBER")
    remove.add_argument("party_id", metavar="PARTY", type=int)
    reveal = actions.add_parser("reveal", help="show a party's full tax id (recorded in the audit)")
    reveal.add_argument("number", metavar="NUMBER")
    reveal.add_argument("party_id", metavar="PARTY", type=int)
    reveal.set_defaults(handler=reveal_party)
    for parser in (add, amend, remove):
        parser.add_argument(
            "--registration", choices=[r.value for r in RegistrationType],
            help="change the registration in the same request",
        )  # fmt: skip
        parser.add_argument("--reason", required=True, help="why (the approver reads it)")
        parser.set_defaults(handler=request_parties)


def request_parties(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        accounts = workspace.accounts
        parties = [dict(p.values) for p in accounts.parties(args.number)]
        ids = [p["id"] for p in parties]
        if args.party_command == "add":
            parties.append(party_spec(args.spec))
        elif args.party_id not in ids:
            raise ValidationError("party", f"{args.number} has no party {args.party_id}")
        elif args.party_command == "amend":
            at = ids.index(args.party_id)
            parties[at] = {**parties[at], **settings(args.changes)}
        else:
            del parties[ids.index(args.party_id)]
        changes = {} if args.registration is None else {"registration_type": args.registration}
        request_id = accounts.request_amend(args.number, changes, args.reason, parties)
    what = f"{args.party_command} a party of {args.number.strip().upper()}"
    return requested(request_id, what)


def reveal_party(ctx: CommandContext, args: argparse.Namespace) -> int:
    """The party's full tax id alone on stdout; revealing it is an audit entry."""
    with ctx.open() as workspace:
        print(workspace.accounts.reveal_party_tax_id(args.number, args.party_id))
    return 0
