"""``accounts list|show`` and the supervised changes: open, amend, close, reopen.

Restrictions have their own commands (`restriction_cmds`).

A change never applies directly: it becomes an approval request, whose id the
command prints; a principal other than the maker approves it (``approvals``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desk_app.cli import restriction_cmds
from desk_app.cli.common import (
    EXIT_OK,
    CommandContext,
    add_format,
    choice_of,
    reject,
    requested,
)
from desk_app.cli.party_cmds import add_party_option, party_spec
from desk_app.cli.party_cmds import register as register_parties
from desk_app.cli.search_option import add_search
from desk_app.domain.codes import (
    AccountType,
    InvestmentObjective,
    RegistrationType,
    RiskTolerance,
    TaxStatus,
    TimeHorizon,
)

#: Option → account field, for opening and amending.
FIELDS = {
    "name": "name",
    "registration": "registration_type",
    "rep": "registered_rep",
    "tax_id": "tax_id",
    "state": "residence_state",
    "country": "residence_country",
    "currency": "base_currency",
    "account_type": "account_type",
    "objective": "investment_objective",
    "risk": "risk_tolerance",
    "horizon": "time_horizon",
    "net_worth": "liquid_net_worth",
    "income": "annual_income",
    "tax_status": "tax_status",
    "mailing_address": "mailing_address",
}


def _field_options(parser: argparse.ArgumentParser, *, opening: bool) -> None:
    parser.add_argument("number", metavar="NUMBER", help="the account number (NYC-20417)")
    parser.add_argument("--name", required=opening, help="the account title")
    parser.add_argument(
        "--registration",
        required=opening,
        choices=[r.value for r in RegistrationType],
        type=choice_of(r.value for r in RegistrationType),
        help="how the account is registered (any case)",
    )
    parser.add_argument("--rep", required=opening, help="the registered representative")
    parser.add_argument("--tax-id", help="SSN or EIN (shown masked everywhere)")
    parser.add_argument("--state", help="two-letter state of residence")
    parser.add_argument("--country", help="two-letter country of residence" + (
        " (default US)" if opening else ""))  # fmt: skip
    parser.add_argument("--currency", help="base currency" + (" (default USD)" if opening else ""))
    profile = (
        ("--account-type", AccountType, "cash or margin"),
        ("--objective", InvestmentObjective, "investment objective"),
        ("--risk", RiskTolerance, "risk tolerance"),
        ("--horizon", TimeHorizon, "time horizon"),
        ("--tax-status", TaxStatus, "tax status"),
    )
    for option, codes, what in profile:
        parser.add_argument(option, choices=[c.value for c in codes], help=what,
                            type=choice_of(c.value for c in codes))  # fmt: skip
    parser.add_argument("--net-worth", metavar="AMOUNT", help="liquid net worth")
    parser.add_argument("--income", metavar="AMOUNT", help="annual income")
    parser.add_argument("--mailing-address", metavar="TEXT", help="lines separated by '\\n'")
    if opening:
        add_party_option(parser)
    _reason(parser)


def _reason(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reason", required=True, help="why (the approver reads it)")


def register(commands: Any) -> None:
    from desk_app.cli.reference_cmds import lister

    accounts = commands.add_parser("accounts", help="client accounts")
    sub = accounts.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="list accounts (account number first)")
    add_format(listing)
    add_search(listing, "number, client name, registration or rep")
    listing.set_defaults(handler=lister(lambda ws, args: ws.reference.accounts(args.search)))
    lots = sub.add_parser(
        "lots",
        help="an account's cost-basis lots in one instrument: acquired, quantity, cost, term",
    )
    lots.add_argument("number", metavar="NUMBER")
    lots.add_argument("--isin", required=True, metavar="I")
    lots.set_defaults(handler=show_lots)
    show = sub.add_parser("show", help="one account's details")
    show.add_argument("number", metavar="NUMBER")
    show.add_argument(
        "--reveal-tax-id", action="store_true", help="show the full tax id (recorded in the audit)"
    )
    show.set_defaults(handler=show_account)
    from desk_app.cli import holding_cmds

    holding_cmds.register(sub)

    opening = sub.add_parser("open", help="request a new account; prints the request id")
    _field_options(opening, opening=True)
    opening.set_defaults(handler=request_open)
    amend = sub.add_parser("amend", help="request a change of details; prints the request id")
    _field_options(amend, opening=False)
    amend.set_defaults(handler=request_amend)
    restriction_cmds.register(sub)
    for verb, status in (("close", "closed"), ("reopen", "open")):
        parser = sub.add_parser(verb, help=f"request to {verb} an account; prints the request id")
        parser.add_argument("number", metavar="NUMBER")
        _reason(parser)
        parser.set_defaults(handler=request_status, status=status)
    register_parties(sub)


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    values = {
        field: getattr(args, option)
        for option, field in FIELDS.items()
        if getattr(args, option) is not None
    }
    if "mailing_address" in values:
        values["mailing_address"] = values["mailing_address"].replace("\\n", "\n")
    return values


def request_open(ctx: CommandContext, args: argparse.Namespace) -> int:
    parties = None if args.party is None else [party_spec(p) for p in args.party]
    with ctx.open() as workspace:
        request_id = workspace.accounts.request_open(
            args.number, _fields(args), args.reason, parties
        )
    return requested(request_id, f"open {args.number.strip().upper()}")


def request_amend(ctx: CommandContext, args: argparse.Namespace) -> int:
    changes = _fields(args)
    if not changes:
        print(
            "desk-app accounts amend: error: give at least one field to change (see --help)",
            file=sys.stderr,
        )
        return 2
    with ctx.open() as workspace:
        request_id = workspace.accounts.request_amend(args.number, changes, args.reason)
    return requested(request_id, f"amend {args.number.strip().upper()}")


def request_status(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        request_id = workspace.accounts.request_status(args.number, args.status, args.reason)
    return requested(request_id, f"{args.accounts_command} {args.number.strip().upper()}")


def show_account(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        detail = workspace.reference.account(args.number.strip().upper())
        if detail is not None and args.reveal_tax_id:
            tax_id = workspace.accounts.reveal_tax_id(args.number)
            detail = [(label, tax_id if label == "Tax ID" else value) for label, value in detail]
        parties = [] if detail is None else workspace.accounts.parties(args.number)
    if detail is None:
        return reject(f"accounts show: no account numbered '{args.number}'")
    width = max(len(label) for label, _ in detail)
    for label, value in detail:
        print(f"{label.ljust(width)}  {value}")
    for party in parties:  # its id is what ``accounts party amend|remove`` takes
        print(f"{'Party ' + str(party.id):<{width}}  {party.line}")
    return EXIT_OK


def show_lots(ctx: CommandContext, args: argparse.Namespace) -> int:
    """One lot a line: acquired, quantity, cost (exact), term (short or long, today),
    oldest first; the total on stderr."""
    from desk_app.domain.cutoffs import market_today
    from desk_app.domain.lots import holding, term

    with ctx.open() as workspace:
        lots = workspace.transfers.lots(args.number, args.isin)
    today = market_today()
    for lot in lots:
        held = term(lot.acquired, today, inherited=lot.inherited)
        print(f"{lot.acquired.isoformat()},{lot.quantity},{lot.cost},{held.value}")
    quantity, cost = holding(lots)
    print(f"{len(lots)} lots: {quantity} for {cost}", file=sys.stderr)
    return EXIT_OK
