"""``approvals list|show|approve|reject|withdraw``: the maker-checker queue."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desk_app.cli.common import EXIT_OK, CommandContext, add_format
from desk_app.cli.output import print_rows, when_text
from desk_app.cli.search_option import add_search
from desk_app.domain.listing import iter_rows
from desk_app.domain.permissions import Action
from desk_app.domain.states import ApprovalStatus

if TYPE_CHECKING:
    from desk_app.services.supervision.approvals import ApprovalService

STATUSES = [s.value for s in ApprovalStatus]


def _request_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a request number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a request number")
    return value


def _non_blank(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def register(commands: Any) -> None:
    approvals = commands.add_parser("approvals", help="the approval queue (four eyes)")
    sub = approvals.add_subparsers(dest="approvals_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="requests, oldest first (request id first)")
    listing.add_argument(
        "--status", choices=[*STATUSES, "all"], default="pending", help="default: pending"
    )
    listing.add_argument("--mine", action="store_true", help="only the requests you made")
    add_format(listing)
    add_search(listing, "number, kind, requester, record or change")
    listing.set_defaults(handler=list_requests)

    show = sub.add_parser("show", help="a request beside the record it would change")
    show.add_argument("request_id", type=_request_id, metavar="ID")
    show.set_defaults(handler=show_request)

    approve = sub.add_parser("approve", help="approve and apply (never your own request)")
    approve.add_argument("request_id", type=_request_id, metavar="ID")
    approve.add_argument("--comment", default="", metavar="TEXT")
    approve.set_defaults(handler=approve_request)

    reject = sub.add_parser("reject", help="reject, saying why (never your own request)")
    reject.add_argument("request_id", type=_request_id, metavar="ID")
    reject.add_argument("--reason", required=True, type=_non_blank, metavar="TEXT")
    reject.set_defaults(handler=reject_request)

    withdraw = sub.add_parser("withdraw", help="take back a request of yours nobody decided")
    withdraw.add_argument("request_id", type=_request_id, metavar="ID")
    withdraw.set_defaults(handler=withdraw_request)


def list_requests(ctx: CommandContext, args: argparse.Namespace) -> int:
    status = None if args.status == "all" else ApprovalStatus(args.status)
    with ctx.open() as workspace:
        source = workspace.approvals.requests(status=status, mine=args.mine, search=args.search)
        count = print_rows(source.columns, iter_rows(source), args.format)
        limited = not args.mine and not workspace.user.can(Action.APPROVAL_VIEW_ALL)
    if args.format != "csv":
        print(
            f"{count} request{'s' if count != 1 else ''}"
            + (" (yours only: you may not see everyone's)" if limited else ""),
            file=sys.stderr,
        )
    return EXIT_OK


def _text(value: object) -> str:
    return "" if value is None else str(value)


def show_request(ctx: CommandContext, args: argparse.Namespace) -> int:
    from desk_app.domain import labels

    with ctx.open() as workspace:
        detail = workspace.approvals.detail(args.request_id)
    status = labels.APPROVAL_STATUS.get(detail.status.value, detail.status.value)
    lines = [
        ("Request", str(detail.id)),
        ("Status", status),
        ("Action", labels.ACTIONS.get(detail.action.value, detail.action.value)),
        ("Record", detail.target_key),
        ("Summary", detail.summary),
        ("Requested by", f"{detail.maker}, {when_text(detail.made_at)}"),
        ("Reason", detail.reason),
    ]
    if detail.decided_by:
        when = when_text(detail.decided_at) if detail.decided_at else ""
        lines.append(("Decided by", f"{detail.decided_by}, {when}"))
        if detail.decision_note:
            lines.append(("Comment or reason", detail.decision_note))
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label.ljust(width)}  {value}")
    print()
    table = [("Field", "At request", "Current", "Proposed")] + [
        (f.field + (" *" if f.changed_since_request else ""),
         _text(f.at_request), _text(f.current), _text(f.proposed))
        for f in detail.fields
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for n, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    if detail.stale:
        marked = (
            " (* marks the fields)" if any(f.changed_since_request for f in detail.fields) else ""
        )
        print(
            f"\nSTALE: the record changed after the request was made{marked}; "
            "approving is refused: reject it and ask for a new request."
        )
    if detail.status is ApprovalStatus.PENDING and detail.decision_refusal:
        print(f"\nYou may not decide it: {detail.decision_refusal}")
    return EXIT_OK


def _act_on_request(
    ctx: CommandContext, request_id: int, act: Callable[[ApprovalService], None], done: str
) -> int:
    """Run ``act`` on the queue; say the request is ``done`` and print its id for scripts."""
    with ctx.open() as workspace:
        act(workspace.approvals)
    print(f"request {request_id} {done}", file=sys.stderr)
    print(request_id)
    return EXIT_OK


def approve_request(ctx: CommandContext, args: argparse.Namespace) -> int:
    return _decide(
        ctx,
        args.request_id,
        lambda queue, credential: queue.approve(
            args.request_id, args.comment, credential=credential
        ),
        "approved and applied",
    )


def reject_request(ctx: CommandContext, args: argparse.Namespace) -> int:
    return _decide(
        ctx,
        args.request_id,
        lambda queue, credential: queue.reject(args.request_id, args.reason, credential=credential),
        "rejected",
    )


def _decide(
    ctx: CommandContext,
    request_id: int,
    act: Callable[[ApprovalService, str | None], None],
    done: str,
) -> int:
    """Decide as `_act_on_request`, asking for a password if signing in proved nothing."""

    from desk_app.services.actor import CredentialRequired

    def deciding(queue: ApprovalService) -> None:
        try:
            act(queue, None)
        except CredentialRequired as exc:
            act(queue, ctx.password_of(
                exc.username,
                "must confirm a decision with a password",
                f"Password of {exc.username} (Desk, else this computer's) to confirm: ",
            ))  # fmt: skip

    return _act_on_request(ctx, request_id, deciding, done)


def withdraw_request(ctx: CommandContext, args: argparse.Namespace) -> int:
    return _act_on_request(
        ctx, args.request_id, lambda queue: queue.withdraw(args.request_id), "withdrawn"
    )
