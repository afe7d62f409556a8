"""One open database and the services over it: what the GUI and the CLI work with."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db import urls
from desk_app.db.engine import check_connection, create_desk_engine, session_factory
from desk_app.db.migrate import check_schema, upgrade
from desk_app.services.blotter import BlotterService
from desk_app.services.calendar import CalendarService
from desk_app.services.certificates import CertificateService
from desk_app.services.reference import ReferenceService
from desk_app.services.settlements import SettlementService


@dataclass
class Workspace:
    """The services of one database, opened for one user."""

    url: str
    actor: str
    engine: Engine
    sessions: sessionmaker[Session]
    server_version: str
    reference: ReferenceService = field(init=False)
    blotter: BlotterService = field(init=False)
    settlements: SettlementService = field(init=False)
    certificates: CertificateService = field(init=False)
    calendar: CalendarService = field(init=False)

    def __post_init__(self) -> None:
        self.reference = ReferenceService(self.sessions)
        self.blotter = BlotterService(self.sessions)
        self.settlements = SettlementService(self.sessions)
        self.certificates = CertificateService(self.sessions)
        self.calendar = CalendarService(self.sessions)

    @property
    def description(self) -> str:
        return urls.describe(self.url)

    @property
    def is_shared(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def ping(self) -> bool:
        """True while the database answers (the status bar's connection state)."""
        try:
            check_connection(self.engine)
        except Exception:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_workspace(url: str, actor: str, *, migrate: bool = True) -> Workspace:
    """Connect, check the schema (migrating it if asked) and build the services.

    Raises `DatabaseUnavailable` (or its `SchemaTooNew`) with a message for the user.
    """
    engine = create_desk_engine(url)
    try:
        server_version = check_connection(engine)
        if migrate:
            upgrade(engine)
        else:
            check_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return Workspace(url, actor, engine, session_factory(engine), server_version)
