"""``manifest create|airbill|verify|print|pickup|receipt|list|show|cancel|returned``."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext, add_format
from desk_app.cli.reference_cmds import lister
from desk_app.cli.search_option import add_search
from desk_app.domain.certificates import Dispatch
from desk_app.domain.errors import ValidationError
from desk_app.domain.money import format_amount
from desk_app.domain.states import ManifestStatus


def register(commands: Any) -> None:
    parser = commands.add_parser("manifest", help="courier manifests for physical certificates")
    sub = parser.add_subparsers(dest="manifest_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="build a courier manifest (a draft to verify)")
    create.add_argument("--courier", required=True, metavar="NAME")
    create.add_argument("--to", required=True, metavar="DESTINATION", help="the recipient")
    create.add_argument(
        "--address",
        default="",
        help="the recipient's address (default: where the last manifest to "
        "them went); use \\n between lines",
    )
    create.add_argument("--sender", default="", help="default: the last manifest's sender")
    create.add_argument("--airbill", default="", metavar="NUMBER")
    create.add_argument("--pickup", metavar="YYYY-MM-DDTHH:MM", help="the booked pickup time")
    create.add_argument(
        "--declared-value",
        metavar="AMOUNT",
        help="default: the certificates at the blotter's last prices",
    )
    create.add_argument("certificates", nargs="+", metavar="CERT_NO",
                        help="NUMBER, or CUSIP:NUMBER where a number repeats")  # fmt: skip
    create.set_defaults(handler=create_manifest)
    bill = sub.add_parser("airbill", help="record the courier's airbill before verification")
    bill.add_argument("number", metavar="NUMBER")
    bill.add_argument("airbill", metavar="AIRBILL", help="the airbill or tracking number")
    bill.add_argument("--pickup", metavar="YYYY-MM-DDTHH:MM", help="the booked pickup time")
    bill.set_defaults(handler=airbill_manifest)
    verify = sub.add_parser(
        "verify", help="the second person's blind count before printing (needs the airbill)"
    )
    verify.add_argument("number", metavar="NUMBER")
    verify.add_argument("--count", type=int, help="certificates you counted (must agree)")
    verify.add_argument("--shares", type=_shares, help="shares you counted (must agree)")
    verify.set_defaults(handler=verify_manifest)
    printed = sub.add_parser("print", help="print a manifest to PDF (a reprint is marked COPY)")
    printed.add_argument("number", metavar="NUMBER")
    printed.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    printed.add_argument("--paper", choices=("letter", "a4"), default="letter")
    printed.add_argument("--receipt", action="store_true",
                         help="the delivery receipt for the recipient to sign instead")  # fmt: skip
    printed.set_defaults(handler=print_manifest)
    pickup = sub.add_parser("pickup", help="record the courier's pickup (in transit)")
    pickup.add_argument("number", metavar="NUMBER")
    pickup.add_argument("--agent", required=True, help="the courier's agent who signed")
    pickup.add_argument("--seal", default="", metavar="BAG/SEAL")
    pickup.set_defaults(handler=pickup_manifest)
    receipt = sub.add_parser("receipt", help="record that the recipient acknowledged receipt")
    receipt.add_argument("number", metavar="NUMBER")
    receipt.add_argument(
        "--received-by", default="", metavar="NAME", help="who signed (default: the recipient)"
    )
    receipt.add_argument(
        "--missing",
        nargs="*",
        default=[],
        metavar="CERT_NO",
        help="certificates not in the package (each reported missing)",
    )
    receipt.add_argument("--note", default="", help="the difference, in words")  # fmt: skip
    receipt.set_defaults(handler=receipt_manifest)
    _register_follow_up(sub)


def _register_follow_up(sub: Any) -> None:
    listing = sub.add_parser("list", help="manifests, newest first")
    listing.add_argument("--status", action="append", choices=[s.value for s in ManifestStatus])
    add_format(listing)
    add_search(listing, "number, courier, destination, airbill or certificates")
    listing.set_defaults(handler=lister(
        lambda ws, args: ws.manifests.manifests(args.status or (), search=args.search)
    ))  # fmt: skip
    overdue = sub.add_parser(
        "unreceipted",
        help="picked up, not receipted within the limit (change it: aging-limits amend)",
    )
    overdue.set_defaults(handler=unreceipted)  # fmt: skip
    show = sub.add_parser("show", help="a manifest, its certificates and its prints")
    show.add_argument("number", metavar="NUMBER")
    show.set_defaults(handler=show_manifest)
    cancel = sub.add_parser("cancel", help="cancel a manifest before pickup")
    cancel.add_argument("number", metavar="NUMBER")
    cancel.add_argument("--reason", required=True)
    cancel.set_defaults(handler=cancel_manifest)
    back = sub.add_parser("returned", help="the courier brought the package back undelivered")
    back.add_argument("number", metavar="NUMBER")
    back.add_argument("--note", required=True)
    back.set_defaults(handler=returned_manifest)


def _shares(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number of shares: {text!r}") from None


def _pickup(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            "--pickup", "is not a date and time such as 2026-11-26T16:30", text
        ) from None


def create_manifest(ctx: CommandContext, args: argparse.Namespace) -> int:
    pickup = _pickup(args.pickup)
    dispatch = Dispatch(
        courier=args.courier, recipient=args.to,
        recipient_address=args.address.replace("\\n", "\n"), sender=args.sender,
        airbill=args.airbill, pickup_at=pickup, declared_value=args.declared_value,
    )  # fmt: skip
    with ctx.open() as workspace:
        number = workspace.manifests.create(dispatch, args.certificates)
        totals = workspace.manifests.view(number).totals
    print(f"manifest {number}: {totals.count} certificates, {totals.shares:,} shares; "
          "another user verifies it before it prints", file=sys.stderr)  # fmt: skip
    print(number)
    return EXIT_OK


def airbill_manifest(ctx: CommandContext, args: argparse.Namespace) -> int:
    pickup = _pickup(args.pickup)
    with ctx.open() as workspace:
        workspace.manifests.set_airbill(args.number, args.airbill, pickup)
    print(f"manifest {args.number}: airbill {args.airbill.strip()}; another user verifies it",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK


def verify_manifest(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.manifests.verify(args.number, args.count, args.shares)
    print(f"manifest {args.number} verified; it may print", file=sys.stderr)
    return EXIT_OK


def print_manifest(ctx: CommandContext, args: argparse.Namespace) -> int:
    document = "receipt" if args.receipt else "manifest"
    existed = args.out.exists()
    # The file opens first: a print is recorded only when it has somewhere to go.
    with args.out.open("ab") as out, ctx.open() as workspace:
        try:
            done = workspace.manifest_printing.print(args.number, document, args.paper)
        except BaseException:
            if not existed:
                out.close()
                args.out.unlink(missing_ok=True)
            raise
        out.truncate(0)
        out.write(done.pdf)
    kind = "COPY" if done.copy else "original"
    print(f"wrote {args.out}: {done.document.label.lower()} {done.manifest_number} ({kind}), "
          f"{done.pages} page{'s' if done.pages != 1 else ''}", file=sys.stderr)  # fmt: skip
    print(done.sha256)
    return EXIT_OK


def pickup_manifest(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.manifests.pickup(args.number, args.agent, args.seal)
    print(f"manifest {args.number} in transit", file=sys.stderr)
    return EXIT_OK


def receipt_manifest(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.manifests.receipt(
            args.number, args.received_by, missing=args.missing, note=args.note
        )
        status = workspace.manifests.view(args.number).status
    print(f"manifest {args.number}: {status.label.lower()}", file=sys.stderr)
    return EXIT_OK


def unreceipted(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        limit = workspace.manifests.unreceipted_limit()
        late = workspace.manifests.unreceipted()
    print(f"the limit: {limit} business days after pickup", file=sys.stderr)
    for view, age in late:
        print(f"{view.manifest_number}  {age:>3} business days  {view.courier} {view.airbill or ''}"
              f"  to {view.recipient}  ({len(view.lines)} certificates)")  # fmt: skip
    print(f"{len(late)} unreceipted manifest(s) past the limit", file=sys.stderr)
    return EXIT_OK


def show_manifest(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        view = workspace.manifests.view(args.number)
        prints = workspace.manifest_printing.prints(args.number)
    totals = view.totals
    for name, value in (
        ("Manifest", f"{view.manifest_number} ({view.status.label.lower()})"),
        ("Date", view.manifest_date.isoformat()), ("Courier", view.courier),
        ("Airbill", view.airbill or "—"), ("Sender", view.sender),
        ("Recipient", view.recipient), ("Address", view.recipient_address.replace("\n", ", ")),
        ("Prepared by", view.prepared_by), ("Verified by", view.verified_by or "—"),
        ("Picked up by", view.picked_up_by or "—"), ("Received by", view.received_by or "—"),
        ("Difference", view.difference_note or "—"),
        ("Totals", f"{totals.count} certificates, {totals.shares:,} shares, "
                   f"value {format_amount(totals.value)}"),
        ("Declared value", format_amount(view.declared_value)),
        ("Insured value", format_amount(view.insured_value)),
    ):  # fmt: skip
        print(f"{name:<15} {value}")
    print()
    for line in view.lines:
        print(f"{line.line_no:>4}  {line.certificate_number:<20} {line.cusip}  "
              f"{line.shares:>12,}  {line.status.label}")  # fmt: skip
    for document, paper, copy, pages, digest, who in prints:
        print(f"printed {document} on {paper} ({'COPY' if copy else 'original'}, {pages} pages) "
              f"by {who}: sha256 {digest}")  # fmt: skip
    return EXIT_OK


def cancel_manifest(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.manifests.cancel(args.number, args.reason)
    print(f"manifest {args.number} cancelled; its certificates are prepared for delivery",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK


def returned_manifest(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.manifests.returned(args.number, args.note)
    print(f"manifest {args.number} returned; put its certificates back in the vault",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK
