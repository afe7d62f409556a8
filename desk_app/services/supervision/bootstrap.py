"""The first user of a brand-new database: the one grant nobody else can approve.

Every later grant of power (a supervising role, a registration) is filed for a
principal other than its maker and its subject. The very first user has nobody to
ask, so they state who they are when the database is created (the window's welcome,
or ``desk-app db upgrade --name ...`` on a local file) and it applies at once:

- they are the login that created the database (the operating-system login on a
  local file, the database login on a server): identity is proven, never typed;
- they are always an admin (otherwise nobody could ever add a user) and take the
  other roles and registrations they state, so that a one-person firm can book a
  trade from the first minute (an admin alone may not);
- it is audited as ``user.bootstrap_admin``, the action of every database's first
  user, and if it makes a principal the database records them as its first
  principal, so that every grant after it needs a second person.

A database that already has a user is left as it is: this never adds a second one.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db import models as m
from desk_app.db.engine import check_connection, create_desk_engine, session_factory
from desk_app.db.migrate import upgrade
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError
from desk_app.domain.first_user import FirstUser
from desk_app.services import audit
from desk_app.services.actor import database_login
from desk_app.services.supervision import user_rows

SHARED_REFUSAL = (
    "--name is for a local file: on a shared database the login that upgrades it is the "
    "DBA's, never a person's; the first person to connect with their own login becomes "
    "its admin"
)
#: The audit action of the user a brand-new database was created by.
BOOTSTRAP = "user.bootstrap_admin"


def create_first_user(
    sessions: sessionmaker[Session], engine: Engine, name: str, profile: FirstUser
) -> bool:
    """Make ``name`` the first user of an empty database, as ``profile`` says.

    Returns False (and changes nothing) when the database already has users: then
    signing in decides who ``name`` is, as on any database. A `ValidationError`
    names the first thing wrong with ``profile``.
    """
    profile.check(market_today())
    login = database_login(engine)
    try:
        with sessions.begin() as session:
            if session.scalar(select(func.count()).select_from(m.User)):
                return False
            _add(session, name, login, profile)
    except IntegrityError:
        return False  # another workstation made the first user at the same moment
    return True


def _add(session: Session, name: str, login: str, profile: FirstUser) -> None:
    session.info[audit.CONTEXT_KEY] = audit.AuditContext(name, login, BOOTSTRAP)
    same = name.casefold() == login.casefold()
    user = m.User(
        username=name, full_name=profile.full_name.strip(), active=True,
        db_login=None if same else login,
    )  # fmt: skip
    user.role_set = profile.roles
    session.add(user)
    user_rows.set_registrations(user, profile.registrations)
    session.flush()
    if profile.registrations:
        user_rows.first_principal_made(session, name)


def start_new_database(url: str, name: str, profile: FirstUser) -> bool:
    """``db upgrade --name``: create or migrate the schema, then make ``name`` its first user.

    False when the database already has users (they are left as they are). Only for a
    local file: a shared database is upgraded by the DBA's login, which must never be a
    person's, so there the first person to connect with their own login is its admin.
    """
    profile.check(market_today())
    engine = create_desk_engine(url)
    try:
        if engine.dialect.name != "sqlite":
            raise DeskError(SHARED_REFUSAL)
        check_connection(engine)
        upgrade(engine)
        sessions = session_factory(engine)
        audit.install(sessions)
        return create_first_user(sessions, engine, name, profile)
    finally:
        engine.dispose()
