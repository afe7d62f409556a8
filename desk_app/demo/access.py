"""The demo database admits whoever runs it: its admin enrols them, audited like any admin.

The demo book's staff are fictional, so the person trying the demo is nobody there.
Rather than refusing them (the rule on a real database), the demo's own admin adds
them with enough roles to try every part of the desk: make requests (clerk), decide
other people's (supervisor, with a Series 24 registration) and manage users (admin).
That is a grant of power, so it goes the way every grant goes: the demo's admin files
it and one of the demo's principals approves it (the demo is a one-person sandbox
whose staff share a published password). The CLI and the GUI both call `admit`,
before signing in and again after filling.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from desk_app.db import models as m
from desk_app.db.engine import check_connection, create_desk_engine, session_factory
from desk_app.db.migrate import upgrade
from desk_app.demo.catalogue_people import DEMO_PASSWORD, demo_users_hint
from desk_app.domain.codes import Role
from desk_app.domain.supervision import Registration

#: The demo book's administrator (see ``demo_data.catalogue_people.STAFF``).
DEMO_ADMIN = "kfischer"
#: The demo's principals who approve the admin's grants, in the order asked.
DEMO_APPROVERS = ("mobrien", "lwashington")
DEMO_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})
DEMO_REGISTRATION = Registration("S24", date(2020, 1, 1), None)


def _usernames(url: str) -> dict[str, str]:
    """Every username on the (migrated) database, by its case-folded form."""
    engine = create_desk_engine(url)
    try:
        check_connection(engine)
        upgrade(engine)
        with session_factory(engine)() as session:
            return {name.casefold(): name for name in session.scalars(select(m.User.username))}
    finally:
        engine.dispose()


def admit(url: str, actor: str, *, newly_filled: bool = False) -> str | None:
    """Let ``actor`` use the demo database at ``url``; return a one-line note if enrolled.

    Does nothing until the demo data (and so its admin) exists: on an empty database
    the first-user rule makes the actor its admin. Right after filling
    (``newly_filled``) that first user also gets the demo roles; a user who was
    already there otherwise keeps the roles someone gave them.
    """
    from desk_app.services.workspace import open_workspace

    names = _usernames(url)
    if DEMO_ADMIN not in names:
        return None
    known = names.get(actor.casefold())
    if known is not None and not newly_filled:
        return None
    with open_workspace(url, names[DEMO_ADMIN], password=DEMO_PASSWORD, migrate=False) as admin:
        if known is None:
            # Someone other than this computer's login proves who they are with the
            # demo's published password, like the demo's own staff.
            stranger = actor.casefold() != admin.user.db_login.casefold()
            change = admin.users.add(
                actor,
                DEMO_ROLES,
                full_name=actor,
                registrations=[DEMO_REGISTRATION],
                password=DEMO_PASSWORD if stranger else None,
                reason="the person trying the demo",
            )
            verb = "added you with"
        else:
            user = admin.users.get(known)
            if DEMO_ROLES <= user.roles and any(
                r.series == DEMO_REGISTRATION.series for r in user.registrations
            ):
                return None
            registrations = list(user.registrations)
            if not any(r.series == DEMO_REGISTRATION.series for r in registrations):
                registrations.append(DEMO_REGISTRATION)
            change = admin.users.update(
                known,
                user.version,
                roles=user.roles | DEMO_ROLES,
                registrations=registrations,
                reason="the person trying the demo",
            )
            verb = "gave you"
    approver = None
    if change.request_id is not None:
        approver = _approve(url, change.request_id, change.username)
    roles = ", ".join(sorted(role.value for role in DEMO_ROLES))
    approved = f" (request {change.request_id}, approved by {approver})" if approver else ""
    return (
        f"Demo database: its admin {DEMO_ADMIN} {verb} the roles {roles} "
        f"and a Series 24 registration{approved}, so you ({actor}) can try everything. "
        + demo_users_hint()
    )


def _approve(url: str, request_id: int, subject: str) -> str:
    """One of the demo's principals approves the admin's grant (never its subject)."""
    from desk_app.services.workspace import open_workspace

    name = next(n for n in DEMO_APPROVERS if n.casefold() != subject.casefold())
    with open_workspace(url, name, password=DEMO_PASSWORD, migrate=False) as principal:
        principal.approvals.approve(request_id, "the demo admits the person trying it")
    return name
