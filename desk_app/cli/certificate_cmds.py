"""``certificates`` (the register, moves, losses, reissues) and ``box-count`` (SEC 17a-13)."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext, add_format, reject, requested
from desk_app.cli.output import print_rows
from desk_app.cli.reference_cmds import lister
from desk_app.cli.search_option import add_search
from desk_app.domain.certificates import LossKind, NewCertificate
from desk_app.domain.states import CertificateStatus
from desk_app.domain.trade_rows import parse_iso_date


def register(commands: Any) -> None:
    certs = commands.add_parser("certificates", help="the physical certificate register")
    sub = certs.add_subparsers(dest="certificates_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="list certificates (number first)")
    listing.add_argument("--status", choices=[s.value for s in CertificateStatus])
    add_format(listing)
    add_search(listing, "number, CUSIP or ISIN, issuer or holder")
    listing.set_defaults(
        handler=lister(
            lambda ws, args: ws.certificates.certificates(status=args.status, search=args.search)
        )
    )
    show = sub.add_parser("show", help="one certificate and its chain of custody")
    show.add_argument("certificate", metavar="CERT_NO", help="NUMBER, or CUSIP:NUMBER")
    show.set_defaults(handler=show_certificate)
    imported = sub.add_parser(
        "import", help="register the certificates of a CSV file, all or none",
        description="Columns by header name: certificate_number, cusip, issuer, "
        "security_class, registered_holder, shares, issue_date, location, and optional "
        "registration_text, restricted_legend, form, account, stock_power_attached, "
        "received_from.",
    )  # fmt: skip
    imported.add_argument("file", type=Path, metavar="FILE.csv")
    imported.set_defaults(handler=import_certificates)
    moves = sub.add_parser("movements", help="receipts and deliveries (the blotter's record)")
    moves.add_argument("--since", metavar="YYYY-MM-DD")
    add_format(moves)
    moves.set_defaults(handler=lister(
        lambda ws, args: ws.certificates.movements(
            parse_iso_date("--since", args.since) if args.since else None
        )
    ))  # fmt: skip
    lost = sub.add_parser("lost", help="report a certificate lost, stolen, missing or counterfeit")
    lost.add_argument("certificate", metavar="CERT_NO")
    lost.add_argument("--kind", choices=[k.value for k in LossKind], default="lost")
    lost.add_argument("--discovered", required=True, metavar="YYYY-MM-DD")
    lost.add_argument("--circumstances", required=True)
    lost.add_argument("--stop-agent", default="", metavar="NAME",
                      help="the transfer agent the stop transfer was placed with")  # fmt: skip
    lost.set_defaults(handler=report_lost)
    stop = sub.add_parser("stop", help="record the stop transfer placed on a lost certificate")
    stop.add_argument("certificate", metavar="CERT_NO")
    stop.add_argument("--agent", required=True, metavar="NAME")
    stop.add_argument("--on", required=True, metavar="YYYY-MM-DD")
    stop.add_argument("--reference", default="", metavar="REF")
    stop.set_defaults(handler=place_stop)
    report = sub.add_parser("loss-report", help="the facts SEC Form X-17F-1A asks for")
    report.add_argument("certificate", metavar="CERT_NO")
    report.set_defaults(handler=loss_report)
    _register_moves(sub)
    _register_box_count(commands)


def _register_moves(sub: Any) -> None:
    prepare = sub.add_parser("prepare", help="take certificates out of the vault for delivery")
    prepare.add_argument("certificates", nargs="+", metavar="CERT_NO")
    prepare.set_defaults(handler=prepare_certificates)
    vault = sub.add_parser("vault", help="put certificates (back) in the vault")
    vault.add_argument("certificates", nargs="+", metavar="CERT_NO")
    vault.add_argument("--location", required=True, help="vault and drawer")
    vault.set_defaults(handler=vault_certificates)
    replace = sub.add_parser(
        "replace", help="request replacing a lost certificate (a principal approves)"
    )
    replace.add_argument("certificate", metavar="CERT_NO")
    replace.add_argument("--new-number", required=True, metavar="NUMBER")
    replace.add_argument("--bond", required=True, help="the indemnity bond's number")
    replace.add_argument("--surety", required=True, help="the surety company")
    replace.add_argument("--location", required=True, help="where the replacement will be")
    replace.add_argument("--reason", required=True)
    replace.set_defaults(handler=request_replacement)
    reissue = sub.add_parser(
        "reissue", help="a transfer: cancel a certificate, register the new ones and a balance"
    )
    reissue.add_argument("certificate", metavar="CERT_NO")
    reissue.add_argument(
        "--new",
        action="append",
        required=True,
        metavar="NUMBER:SHARES:HOLDER",
        help="a certificate issued in its place (repeat for each)",
    )
    reissue.add_argument(
        "--balance",
        default="",
        metavar="NUMBER",
        help="the balance certificate to the old holder, if shares are left",
    )
    reissue.add_argument("--agent", required=True, help="the transfer agent")
    reissue.add_argument("--location", required=True, help="where the new ones are")
    reissue.set_defaults(handler=reissue_certificate)  # fmt: skip


def _register_box_count(commands: Any) -> None:
    box = commands.add_parser("box-count", help="the quarterly box count (SEC 17a-13)")
    sub = box.add_subparsers(dest="box_count_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="every count, newest first")
    add_format(listing)
    listing.set_defaults(handler=lister(lambda ws, _args: ws.box_counts.counts()))
    start = sub.add_parser("start", help="freeze a count sheet of the certificates the firm holds")
    start.add_argument("--quarter", metavar="YYYY-QN", help="default: this quarter")
    start.set_defaults(handler=start_count)
    sheet = sub.add_parser("sheet", help="print the count sheet to PDF")
    sheet.add_argument("id", type=int, metavar="ID")
    sheet.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    sheet.add_argument("--paper", choices=("letter", "a4"), default="letter")
    sheet.set_defaults(handler=count_sheet)
    record = sub.add_parser("record", help="enter what the counters found")
    record.add_argument("id", type=int, metavar="ID")
    record.add_argument(
        "--found",
        nargs="*",
        default=[],
        metavar="CERT_NO",
        help="found (CUSIP:NUMBER adds one the sheet does not list)",
    )
    record.add_argument("--missing", nargs="*", default=[], metavar="CERT_NO")
    record.add_argument("--location", default="", help="where the found ones were, if elsewhere")
    record.add_argument("--note", default="")
    record.set_defaults(handler=record_count)  # fmt: skip
    finish = sub.add_parser("finish", help="the count is done: start the 7-business-day clock")
    finish.add_argument("id", type=int, metavar="ID")
    finish.add_argument("--counted-on", metavar="YYYY-MM-DD")
    finish.set_defaults(handler=finish_count)
    reopen = sub.add_parser("reopen", help="count again before the count closes")
    reopen.add_argument("id", type=int, metavar="ID")
    reopen.set_defaults(handler=reopen_count)
    diffs = sub.add_parser("differences", help="what the count found different from the register")
    diffs.add_argument("id", type=int, metavar="ID")
    add_format(diffs)
    diffs.set_defaults(
        handler=lister(lambda ws, args: ws.box_counts.items(args.id, differences_only=True))
    )
    resolve = sub.add_parser("resolve", help="record how a difference was resolved")
    resolve.add_argument("id", type=int, metavar="ID")
    resolve.add_argument("certificate", metavar="CERT_NO")
    resolve.add_argument("--note", required=True)
    resolve.set_defaults(handler=resolve_difference)
    close = sub.add_parser("close", help="close a count whose differences are all resolved")
    close.add_argument("id", type=int, metavar="ID")
    close.set_defaults(handler=close_count)


def show_certificate(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        found = workspace.certificates.find(args.certificate)
        detail = workspace.certificates.detail(found)
        for name, value in detail.fields:
            print(f"{name:<18} {value}")
        if detail.open_manifest:
            print(f"{'Open manifest':<18} {detail.open_manifest}")
        print()
        source = workspace.certificates.custody(found)
        from desk_app.domain.listing import iter_rows

        print_rows(source.columns, iter_rows(source), "table")
    return EXIT_OK


def import_certificates(ctx: CommandContext, args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        return reject(f"{path}: no such file")
    with ctx.open() as workspace:
        result = workspace.certificates.import_csv(path)
    if not result.ok:
        return reject(
            *(str(p) for p in result.problems),
            f"{path.name}: {len(result.problems)} problem(s); nothing was registered",
        )
    print(f"{path.name}: {result.added:,} certificates registered in the vault")
    return EXIT_OK


def report_lost(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.certificate_moves.report_lost(
            args.certificate, args.kind, args.discovered, args.circumstances,
            stop_agent=args.stop_agent,
        )  # fmt: skip
        report = workspace.certificate_moves.loss_report(args.certificate)
    print(report.text())
    if not report.stop_placed:
        print("place a stop transfer with the transfer agent: desk-app certificates stop",
              file=sys.stderr)  # fmt: skip
    return EXIT_OK


def place_stop(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.certificate_moves.place_stop(args.certificate, args.agent, args.on,
                                               args.reference)  # fmt: skip
    print(f"stop transfer on {args.certificate} recorded", file=sys.stderr)
    return EXIT_OK


def loss_report(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        print(workspace.certificate_moves.loss_report(args.certificate).text())
    return EXIT_OK


def prepare_certificates(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        moved = workspace.certificate_moves.prepare(args.certificates)
    print(f"{moved} prepared for delivery", file=sys.stderr)
    return EXIT_OK


def vault_certificates(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        moved = workspace.certificate_moves.to_vault(args.certificates, args.location)
    print(f"{moved} put in {args.location}", file=sys.stderr)
    return EXIT_OK


def request_replacement(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        request_id = workspace.certificate_moves.request_replacement(
            args.certificate, new_number=args.new_number, indemnity_bond=args.bond,
            surety=args.surety, location=args.location, reason=args.reason,
        )  # fmt: skip
    return requested(request_id, f"replace lost certificate {args.certificate}")


def reissue_certificate(ctx: CommandContext, args: argparse.Namespace) -> int:
    issued = []
    for text in args.new:
        number, _, rest = text.partition(":")
        shares, _, holder = rest.partition(":")
        if not (number and shares and holder):
            return reject(f"--new: is not NUMBER:SHARES:HOLDER ({text!r})")
        try:
            amount = Decimal(shares.replace(",", ""))
        except InvalidOperation:
            return reject(f"--new: shares is not a number ({shares!r})")
        issued.append(NewCertificate(number, holder, holder, amount))
    with ctx.open() as workspace:
        made = workspace.certificate_moves.reissue(
            args.certificate, issued, balance_number=args.balance, agent=args.agent,
            location=args.location,
        )  # fmt: skip
    print(f"{args.certificate} cancelled; {len(made)} new certificates registered",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK


def start_count(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        count_id = workspace.box_counts.start(args.quarter)
        summary = workspace.box_counts.summary(count_id)
    print(f"box count {count_id} ({summary.quarter}): {summary.items:,} certificates to count",
          file=sys.stderr)  # fmt: skip
    print(count_id)
    return EXIT_OK


def count_sheet(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        pdf = workspace.box_counts.sheet_pdf(args.id, args.paper)
    args.out.write_bytes(pdf)
    print(f"wrote {args.out}", file=sys.stderr)
    return EXIT_OK


def record_count(ctx: CommandContext, args: argparse.Namespace) -> int:
    if not args.found and not args.missing:
        return reject("name certificates with --found or --missing")
    with ctx.open() as workspace:
        counts = workspace.box_counts
        counts.record_many(args.id, found=args.found, missing=args.missing,
                           location=args.location, note=args.note)  # fmt: skip
        left = counts.summary(args.id).pending
    print(f"recorded {len(args.found)} found, {len(args.missing)} missing; {left:,} not counted "
          "yet", file=sys.stderr)  # fmt: skip
    return EXIT_OK


def finish_count(ctx: CommandContext, args: argparse.Namespace) -> int:
    day = parse_iso_date("--counted-on", args.counted_on) if args.counted_on else None
    with ctx.open() as workspace:
        deadline = workspace.box_counts.finish(args.id, day)
        summary = workspace.box_counts.summary(args.id)
    print(f"box count {args.id}: {len(summary.differences)} difference(s); record them by "
          f"{deadline.isoformat()}")  # fmt: skip
    return EXIT_OK


def reopen_count(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.box_counts.reopen(args.id)
    print(f"box count {args.id} is counting again", file=sys.stderr)
    return EXIT_OK


def resolve_difference(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.box_counts.resolve(args.id, args.certificate, args.note)
        left = workspace.box_counts.summary(args.id).open_differences
    print(f"{left} difference(s) still open", file=sys.stderr)
    return EXIT_OK


def close_count(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        workspace.box_counts.close(args.id)
    print(f"box count {args.id} closed", file=sys.stderr)
    return EXIT_OK
