"""``user add|list|update|password|roles``: who may use the desk, and what they may do."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from desk_app.cli.common import EXIT_OK, CommandContext, add_format, read_password, requested
from desk_app.cli.output import print_rows
from desk_app.domain.codes import Role
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.listing import Column, ColumnKind
from desk_app.domain.supervision import Registration

if TYPE_CHECKING:
    from desk_app.services.supervision.users import UserChange, UserView
    from desk_app.services.workspace import Workspace

ROLE_CHOICES = "|".join(role.value for role in Role)


def role_list(text: str) -> list[Role]:
    """``clerk`` or ``clerk,supervisor``: a usage error names the unknown role."""
    roles = []
    for code in filter(None, (part.strip().lower() for part in text.split(","))):
        try:
            roles.append(Role(code))
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{code}' is not a role ({ROLE_CHOICES})") from None
    if not roles:
        raise argparse.ArgumentTypeError(f"give a role ({ROLE_CHOICES})")
    return roles


def registration(text: str) -> Registration:
    from desk_app.services.supervision.users import parse_registration

    try:
        return parse_registration(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("yes", "no"):
        raise argparse.ArgumentTypeError(f"'{text}' is not yes or no")
    return value == "yes"


def _user_fields(parser: argparse.ArgumentParser, *, adding: bool) -> None:
    parser.add_argument("username", metavar="NAME", help="how they sign in (--user, OS login)")
    parser.add_argument(
        "--role",
        dest="roles",
        type=role_list,
        action="append",
        required=adding,
        metavar=ROLE_CHOICES,
        help="repeat, or a comma list (clerk,supervisor)"
        + ("" if adding else "; replaces the roles they have"),
    )
    parser.add_argument("--name", dest="full_name", metavar="FULL NAME")
    parser.add_argument(
        "--registration",
        dest="registrations",
        type=registration,
        action="append",
        metavar="S24[:FROM[:TO]]",
        help="a FINRA registration and its effective dates (YYYY-MM-DD); repeatable"
        + ("" if adding else "; replaces the registrations they have"),
    )
    parser.add_argument(
        "--db-login",
        metavar="LOGIN",
        help="their PostgreSQL login (one per person)" + ("" if adding else "; '' removes it"),
    )
    _reason(parser)


def _reason(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reason",
        default="",
        metavar="TEXT",
        help="why, for the principal who approves a grant of power (a role, a registration, "
        "a login, a password)",
    )


def register(commands: Any) -> None:
    user = commands.add_parser("user", help="users, their roles and registrations")
    sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="add a user (admins); prints the username")
    _user_fields(add, adding=True)
    add.add_argument(
        "--password-prompt",
        action="store_true",
        help="set an app password (asked twice; DESK_NEW_PASSWORD for scripts)",
    )
    add.set_defaults(handler=add_user)

    listing = sub.add_parser("list", help="every user (username first)")
    add_format(listing)
    listing.set_defaults(handler=list_users)

    update = sub.add_parser("update", help="change a user's roles, name, registrations or state")
    _user_fields(update, adding=False)
    update.add_argument("--active", type=yes_no, metavar="yes|no", help="no: deactivate")
    update.set_defaults(handler=update_user)

    password = sub.add_parser("password", help="set (or --clear) a user's app password")
    password.add_argument("username", metavar="NAME")
    password.add_argument("--clear", action="store_true", help="remove the password")
    _reason(password)
    password.set_defaults(handler=set_password)

    roles = sub.add_parser("roles", help="the role × action matrix (who may do what)")
    add_format(roles)
    roles.set_defaults(handler=role_matrix)


def _roles(args: argparse.Namespace) -> frozenset[Role] | None:
    if args.roles is None:
        return None
    return frozenset(role for group in args.roles for role in group)


def new_password(username: str) -> str:
    """From ``DESK_NEW_PASSWORD`` (scripts) or typed twice at a terminal."""
    given = os.environ.get("DESK_NEW_PASSWORD")
    if given:
        return given
    if not sys.stdin.isatty():
        raise DeskError(
            "password: set DESK_NEW_PASSWORD, or run the command at a terminal to type it"
        )
    first = read_password(f"New Desk password for {username}: ")
    if read_password("Again, to be sure: ") != first:
        raise ValidationError("password", "the two entries differ; nothing was changed")
    return first


def add_user(ctx: CommandContext, args: argparse.Namespace) -> int:
    password = new_password(args.username) if args.password_prompt else None
    with ctx.open() as workspace:
        change = workspace.users.add(
            args.username,
            _roles(args) or frozenset(),
            full_name=args.full_name or "",
            registrations=args.registrations or (),
            db_login=args.db_login,
            password=password,
            reason=args.reason,
        )
        hint = _sign_in_hint(workspace, args.username, args.db_login, password)
    if hint:
        print(hint, file=sys.stderr)
    return _done(change, "added")


def _sign_in_hint(
    workspace: Workspace, username: str, db_login: str | None, password: str | None
) -> str | None:
    """On a local file, a user who is not this computer's login needs a Desk password."""
    login = (db_login or "").strip() or username.strip()
    if workspace.is_shared or password or login.casefold() == workspace.user.db_login.casefold():
        return None
    return (
        f"note: {username.strip()} is not this computer's login ({workspace.user.db_login}) "
        "and has no Desk password, so they cannot sign in to this file: add them with "
        f"--password-prompt, or later: desk-app user password {username.strip()}"
    )


def _done(change: UserChange, verb: str) -> int:
    """A grant filed: say so and print the request id; else print the username."""
    if change.request_id is not None:
        return requested(
            change.request_id,
            f"giving {change.username} power is a grant that another principal "
            "(supervisor or compliance) approves",
        )
    view = change.view
    roles = f" ({view.role_text})" if view is not None else ""
    applied = (
        f"; applied at once, as the database has no principal yet ({change.applied_as})"
        if change.applied_as
        else ""
    )
    print(f"{verb} {change.username}{roles}{applied}", file=sys.stderr)
    print(change.username)
    return EXIT_OK


def update_user(ctx: CommandContext, args: argparse.Namespace) -> int:
    changes = (args.roles, args.full_name, args.registrations, args.db_login, args.active)
    if all(change is None for change in changes):
        raise DeskError(f"user update {args.username}: nothing to change (see --help)")
    with ctx.open() as workspace:
        current = workspace.users.get(args.username)
        change = workspace.users.update(
            current.username,
            current.version,
            full_name=args.full_name,
            roles=_roles(args),
            active=args.active,
            db_login=args.db_login,
            registrations=args.registrations,
            reason=args.reason,
        )
    return _done(change, "updated")


def set_password(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        target = workspace.users.get(args.username)
        me = workspace.user
        own = target.username.casefold() == me.username.casefold()
        current = None
        if own and target.has_password:
            current = os.environ.get("DESK_PASSWORD") or read_password("Current password: ")
        password = None if args.clear else new_password(target.username)
        request_id = workspace.users.set_password(
            target.username, password, current=current, reason=args.reason
        )
    if request_id is not None:
        what = "clearing" if args.clear else "setting"
        return requested(
            request_id,
            f"{what} {target.username}'s password is a grant that another principal approves",
        )
    print(
        f"{'cleared' if args.clear else 'set'} the password of {target.username}", file=sys.stderr
    )
    print(target.username)
    return EXIT_OK


USER_COLUMNS = (
    Column("username", "User"),
    Column("roles", "Roles"),
    Column("full_name", "Name"),
    Column("active", "Active", ColumnKind.BOOL),
    Column("db_login", "DB login"),
    Column("has_password", "Password", ColumnKind.BOOL),
    Column("registrations", "Registrations"),
)


def _registrations(view: UserView) -> str:
    """``S24 2019-03-01..`` or ``S7 2010-03-01..2015-12-31``; several separated by '; '."""
    return "; ".join(
        f"{r.series} {r.effective_from}..{r.effective_to or ''}" for r in view.registrations
    )


def list_users(ctx: CommandContext, args: argparse.Namespace) -> int:
    with ctx.open() as workspace:
        views = workspace.users.users()
    rows = [
        (v.username, ",".join(sorted(r.value for r in v.roles)), v.full_name, v.active,
         v.db_login, v.has_password, _registrations(v))
        for v in views
    ]  # fmt: skip
    print_rows(USER_COLUMNS, rows, args.format)
    return EXIT_OK


def role_matrix(ctx: CommandContext, args: argparse.Namespace) -> int:
    """The generated matrix: no database needed, it is the code's own table."""
    from desk_app.domain.permissions import matrix

    columns = (
        Column("action", "Action"),
        *(Column(role.value, role.value.capitalize(), ColumnKind.BOOL) for role in Role),
        Column("description", "Description"),
        Column("supervised", "Needs approval", ColumnKind.BOOL),
    )
    rows = [
        (action.value, *(grants[role] for role in Role), action.label, action.supervised)
        for action, grants in matrix()
    ]
    print_rows(columns, rows, args.format)
    return EXIT_OK
