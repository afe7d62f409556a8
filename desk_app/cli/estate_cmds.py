"""``estate open|show|executor|receive|beneficiary-deceased|letter|reregister``: a deceased
holder's account, to its new owners.

``open`` restricts the account and opens the case with its checklist; it prints the
case id (a sole account's case then waits for its executor). ``executor`` files the
retitle to "Estate of ..." with the executor and the estate's EIN, and ``reregister``
the re-registration: each prints the request id; a principal other than the maker
approves it (``approvals approve``).
"""

from __future__ import annotations

import argparse
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext, requested
from desk_app.cli.party_cmds import settings
from desk_app.domain.errors import ValidationError
from desk_app.services.estates.case_views import CaseView


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _percent(text: str) -> Decimal:
    try:
        return Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None


def register(commands: Any) -> None:
    parser = commands.add_parser("estate", help="estates of deceased holders")
    sub = parser.add_subparsers(dest="estate_command", metavar="STEP", required=True)
    opening = sub.add_parser(
        "open", help="record a holder's death: restrict, open the case (prints its id)",
        description="Restrict the account (deceased) and open the estate case with the "
        "documents its registration's path needs. A sole account's case then waits for its "
        "executor (estate executor). Prints the case id.",
    )  # fmt: skip
    opening.add_argument("account", metavar="ACCOUNT")
    opening.add_argument("--date-of-death", required=True, type=_day, metavar="D")
    opening.add_argument("--source", default="", metavar="T",
                         help="who gave notice (a family member's call, a letter)")  # fmt: skip
    opening.add_argument("--holder", default="", metavar="NAME",
                         help="the owner who died, as on the parties (a joint account; "
                         "default the first owner)")  # fmt: skip
    opening.add_argument("--not-spouses", action="store_true",
                         help="the joint owners are not spouses: the whole value steps up, "
                         "less the survivor's shown contribution (given at reregister)",
                         )  # fmt: skip
    opening.add_argument("--small-estate", action="store_true",
                         help="go by the small-estate affidavit instead of letters (a "
                         "sole account under its state's limit, no executor named)")  # fmt: skip
    opening.set_defaults(handler=open_case)
    executor = sub.add_parser(
        "executor", help="name a sole account's executor: files the retitle (prints the "
        "request id)",
        description="File ONE supervised amendment: the account retitled \"Estate of "
        "<decedent>\" (registration estate), the executor added as a party and the estate's "
        "own EIN as the account's tax id (kept in the vault, shown masked). Refused while "
        "the case's executor retitle waits for approval.",
    )  # fmt: skip
    executor.add_argument("case", type=int, metavar="CASE")
    executor.add_argument(
        "executor", metavar="NAME[;key=value...]",
        help="the executor as the letters name them, then the party fields as --party takes "
        "them: kind (person|entity), dob, tax-id, address, citizenship, occupation, employer",
    )  # fmt: skip
    executor.add_argument("--ein", default="", metavar="EIN", help="the estate's own EIN")
    executor.add_argument("--reason", default="", metavar="T", help="why (default: the case)")
    executor.set_defaults(handler=add_executor)
    show = sub.add_parser("show", help="the case and its checklist")
    show.add_argument("case", type=int, metavar="CASE")
    show.set_defaults(handler=show_case)
    receive = sub.add_parser("receive", help="record a document received (or verified)")
    receive.add_argument("case", type=int, metavar="CASE")
    receive.add_argument("document", metavar="DOCUMENT", help="its kind, as `estate show` lists")
    receive.add_argument("--verified", action="store_true", help="and verified it")
    receive.add_argument(
        "--dated",
        type=_day,
        metavar="D",
        help="the document's own date (letters: when issued; default today)",
    )
    receive.set_defaults(handler=receive_document)
    died = sub.add_parser(
        "beneficiary-deceased", help="record that a beneficiary died before the holder",
        description="The beneficiary's share goes per stirpes if the designation says so (the "
        "executor names who takes it), else to the other primary beneficiaries pro rata, or "
        "to the contingent beneficiaries when no primary survives.",
    )  # fmt: skip
    died.add_argument("case", type=int, metavar="CASE")
    died.add_argument("name", metavar="NAME", help="the beneficiary, as on the parties")
    died.add_argument("--date-of-death", required=True, type=_day, metavar="D")
    died.set_defaults(handler=beneficiary_deceased)
    letter = sub.add_parser("letter", help="print the deficiency letter (PDF)")
    letter.add_argument("case", type=int, metavar="CASE")
    letter.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    letter.set_defaults(handler=print_letter)
    rereg = sub.add_parser(
        "reregister", help="request re-registration to the new owners (prints the request id)",
        description="Move every position and cash balance to the named accounts: whole shares "
        "by percentage (largest remainder, ties to the first listed), cash to the cent "
        "(the odd cents to the first). Without percentages the shares are equal.",
    )  # fmt: skip
    rereg.add_argument("case", type=int, metavar="CASE")
    rereg.add_argument("--to", action="append", required=True, metavar="ACCOUNT[=PERCENT]")
    rereg.add_argument("--alternate-valuation", action="store_true",
                       help="the executor elected the value six months after death")  # fmt: skip
    rereg.add_argument("--survivor-contribution", type=_percent, default=None, metavar="P",
                       help="joint owners who are not spouses: the percentage the survivor "
                       "shows they contributed (that part keeps its basis; the rest steps "
                       "up, IRC 2040(a)); none given, all of it steps up")  # fmt: skip
    rereg.add_argument("--evidence", default="", metavar="T",
                       help="what shows the survivor's contribution")  # fmt: skip
    rereg.add_argument("--reason", default="", metavar="T")
    rereg.set_defaults(handler=request_reregistration)


def open_case(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        case_id = workspace.estates.open_case(
            args.account, args.date_of_death, args.source, decedent=args.holder,
            spouses=not args.not_spouses, small_estate=args.small_estate,
        )  # fmt: skip
        view = workspace.estates.case(case_id)
    print(f"Estate case for {view.account} ({view.path.label}); "
          f"{len(view.documents)} documents to collect")  # fmt: skip
    if view.executor_state:
        print(f"Executor: {view.executor_state} (estate executor {case_id} NAME)")
    print(case_id)
    return EXIT_OK


def executor_fields(text: str) -> dict[str, Any]:
    """``NAME;key=value...`` as the executor's party fields (the role is executor)."""
    name, _, rest = text.partition(";")
    fields = settings(rest)
    for key in ("role", "share_percent", "contingent", "per_stirpes"):
        if key in fields:
            raise ValidationError("executor", f"{key.replace('_', '-')}: not a setting of an "
                                  "executor")  # fmt: skip
    return {**fields, "name": fields.get("name", name.strip())}


def add_executor(ctx: CommandContext, args: argparse.Namespace) -> int:
    party = executor_fields(args.executor)
    with ctx.open() as workspace:
        request_id = workspace.estates.add_executor(args.case, party, args.ein, args.reason)
    return requested(request_id, f"executor retitle of estate case {args.case}")


def show_case(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        view = workspace.estates.case(args.case)
    print(f"Estate case {view.id}: {view.account} {view.name} ({view.registration})")
    print(f"Died {view.date_of_death.isoformat()}; notice: {view.notice_source}")
    print(f"Path: {view.path.label}; status: {view.status.value}; open {view.age_days} days")
    if view.executor_state:
        print(f"Executor: {view.executor_state}")
    print_owners(view)
    for doc in view.documents:
        extra = "; ".join(
            x for x in (
                f"received {doc.received}" if doc.received else "",
                f"verified {doc.verified}" if doc.verified else "",
                f"expires {doc.expires_on.isoformat()}" if doc.expires_on else "",
            ) if x
        )  # fmt: skip
        print(
            f"  {doc.kind:<24} {doc.status.value:<9} {doc.label}" + (f" ({extra})" if extra else "")
        )
    return EXIT_OK


def print_owners(view: CaseView) -> None:
    """Who died, who takes what (and the account in that name), what waits for a decision."""
    if view.decedent:
        spouses = "" if view.registration not in {"joint-jtwros", "joint-community"} else (
            "; the joint owners are spouses" if view.spouses else
            "; the joint owners are not spouses (all steps up, less the survivor's shown "
            "contribution)"
        )  # fmt: skip
        print(f"Decedent: {view.decedent}{spouses}")
    for line in view.predeceased:
        print(f"Predeceased: {line}")
    print("New owners proposed:")
    for owner in view.new_owners:
        where = f" -> {owner.account}" if owner.account else ""
        print(f"  {owner.percent}% {owner.name} ({owner.why}){where}")
    for decision in view.decisions:
        print(f"Needs a decision: {decision}")
    if view.small_estate:
        print(f"Small-estate affidavit: {view.small_estate}")


def beneficiary_deceased(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.estates.beneficiary_deceased(args.case, args.name, args.date_of_death)
        view = workspace.estates.case(args.case)
    print_owners(view)
    return EXIT_OK


def receive_document(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        doc = workspace.estates.receive(args.case, args.document, verified=args.verified,
                                        dated=args.dated)  # fmt: skip
    print(f"{doc.label}: {doc.status.value}")
    return EXIT_OK


def print_letter(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        path = workspace.estates.letter(args.case, args.out)
    print(path)
    return EXIT_OK


def parse_target(text: str) -> tuple[str, Decimal | None]:
    """``ACCOUNT`` or ``ACCOUNT=PERCENT``."""
    account, sep, percent = text.partition("=")
    if not sep:
        return account.strip(), None
    try:
        return account.strip(), Decimal(percent.strip().rstrip("%"))
    except InvalidOperation:
        raise ValidationError("to", "the percentage is not a number", text) from None


def request_reregistration(ctx: CommandContext, args: argparse.Namespace) -> int:
    targets = [parse_target(t) for t in args.to]
    with ctx.open() as workspace:
        request_id = workspace.estates.request_reregistration(
            args.case,
            targets,
            args.alternate_valuation,
            args.reason,
            survivor_contribution=args.survivor_contribution,
            evidence=args.evidence,
        )
    return requested(request_id, f"re-registration of estate case {args.case}")
