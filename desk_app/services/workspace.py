"""One open database and the services over it: what the GUI and the CLI work with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property, partial

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db.engine import (
    DatabaseUnavailable,
    check_connection,
    create_desk_engine,
    is_read_only,
    session_factory,
)
from desk_app.db.migrate import check_schema, upgrade
from desk_app.domain.cutoffs import market_today
from desk_app.domain.db_address import DatabaseAddress
from desk_app.domain.first_user import FirstUser
from desk_app.services import audit
from desk_app.services.accounts.holdings import AccountHoldings
from desk_app.services.accounts.maintenance import AccountService, new_york_today
from desk_app.services.accounts.restriction_service import RestrictionService
from desk_app.services.actor import Actor, sign_in
from desk_app.services.backup.backups import BackupService
from desk_app.services.custody.box_counts import BoxCountService
from desk_app.services.custody.certificate_moves import CertificateMoves
from desk_app.services.custody.certificates import CertificateService
from desk_app.services.custody.manifest_printing import ManifestPrinting
from desk_app.services.custody.manifests import ManifestService
from desk_app.services.estates.cases import EstateService
from desk_app.services.firm import FirmService
from desk_app.services.presets import PresetService
from desk_app.services.pricing.prices import PriceService
from desk_app.services.reference.calendar import CalendarService
from desk_app.services.reference.counterparties import CounterpartyService
from desk_app.services.reference.instruments import InstrumentService
from desk_app.services.reference.lists import ReferenceService
from desk_app.services.reference.records import ReferenceChangeHandler
from desk_app.services.reference.rules import RulesService
from desk_app.services.settlement.fails import FailsService
from desk_app.services.settlement.netting import NettingService
from desk_app.services.settlement.restriction_sweeps import RestrictionSweeps
from desk_app.services.settlement.settlement_messages import SettlementMessageService
from desk_app.services.settlement.settlements import SettlementService
from desk_app.services.settlement.settling import SettlingService
from desk_app.services.settlement.ssis import SSIService
from desk_app.services.supervision.approvals import ApprovalService
from desk_app.services.supervision.bootstrap import create_first_user
from desk_app.services.supervision.history import HistoryService
from desk_app.services.supervision.users import UserService
from desk_app.services.trading.blotter import BlotterService
from desk_app.services.trading.settle_date_check import SettleDateCheck
from desk_app.services.trading.trade_import import TradeImportService
from desk_app.services.trading.trade_lookup import TradeLookupService
from desk_app.services.trading.trades import TradeService
from desk_app.services.transfers.acats import AcatsService
from desk_app.services.transfers.journals import TransferService
from desk_app.services.unit_of_work import UnitOfWork


@dataclass
class Workspace:
    """The services of one database, opened for one user."""

    url: str
    user: Actor
    engine: Engine
    sessions: sessionmaker[Session]
    server_version: str
    uow: UnitOfWork = field(init=False)
    reference: ReferenceService = field(init=False)
    blotter: BlotterService = field(init=False)
    restriction_sweeps: RestrictionSweeps = field(init=False)
    settlements: SettlementService = field(init=False)
    settling: SettlingService = field(init=False)
    settlement_messages: SettlementMessageService = field(init=False)
    certificates: CertificateService = field(init=False)
    calendar: CalendarService = field(init=False)
    settle_dates: SettleDateCheck = field(init=False)
    approvals: ApprovalService = field(init=False)
    accounts: AccountService = field(init=False)
    restrictions: RestrictionService = field(init=False)
    users: UserService = field(init=False)
    history: HistoryService = field(init=False)
    trades: TradeService = field(init=False)
    imports: TradeImportService = field(init=False)
    trade_lookup: TradeLookupService = field(init=False)
    presets: PresetService = field(init=False)
    transfers: TransferService = field(init=False)
    acats: AcatsService = field(init=False)
    fails: FailsService = field(init=False)
    ssis: SSIService = field(init=False)
    counterparties: CounterpartyService = field(init=False)
    instruments: InstrumentService = field(init=False)
    rules: RulesService = field(init=False)
    netting: NettingService = field(init=False)
    certificate_moves: CertificateMoves = field(init=False)
    manifests: ManifestService = field(init=False)
    manifest_printing: ManifestPrinting = field(init=False)
    box_counts: BoxCountService = field(init=False)
    firm: FirmService = field(init=False)
    backups: BackupService = field(init=False)
    prices: PriceService = field(init=False)
    holdings: AccountHoldings = field(init=False)
    estates: EstateService = field(init=False)
    #: Called as `close` begins: a window stops its timers and waits for its readers.
    _closing: list[Callable[[], None]] = field(init=False, default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.uow = UnitOfWork(self.sessions, self.user)
        self.reference = ReferenceService(self.sessions)
        self.blotter = BlotterService(self.sessions)
        self.restriction_sweeps = RestrictionSweeps(self.uow)
        self.settlements = SettlementService(self.sessions, self.uow, self.restriction_sweeps)
        self.settling = SettlingService(self.uow, self.restriction_sweeps)
        self.settlement_messages = SettlementMessageService(self.uow)
        self.certificates = CertificateService(self.sessions, self.uow)
        self.calendar = CalendarService(self.sessions)
        self.approvals = ApprovalService(self.uow)
        self.certificate_moves = CertificateMoves(self.uow, self.approvals)
        us_calendar = partial(self.calendar.calendar, "US")
        self.manifests = ManifestService(self.uow, us_calendar)
        self.manifest_printing = ManifestPrinting(self.uow)
        self.box_counts = BoxCountService(self.uow, us_calendar)
        self.accounts = AccountService(self.uow, self.approvals)
        self.restrictions = RestrictionService(self.uow, self.approvals)
        self.users = UserService(self.uow, self.approvals)
        self.history = HistoryService(self.uow, self.engine)
        # Whether a settlement date has passed is New York's business date, not the computer's.
        self.trades = TradeService(self.uow, self.approvals, self.calendar, new_york_today)
        self.imports = TradeImportService(self.uow, self.trades, self.calendar)
        self.settle_dates = SettleDateCheck(self.uow, self.trades, self.calendar)
        reference_changes = ReferenceChangeHandler()
        self.approvals.register(reference_changes)
        self.counterparties = CounterpartyService(self.uow, self.approvals, reference_changes)
        self.instruments = InstrumentService(self.uow, self.approvals, reference_changes)
        self.trade_lookup = TradeLookupService(self.uow, self.instruments)
        self.presets = PresetService(self.uow)
        self.transfers = TransferService(self.uow, self.approvals)
        self.acats = AcatsService(self.uow, self.approvals, us_calendar, new_york_today)
        self.fails = FailsService(self.sessions, self.uow, self.calendar)
        self.ssis = SSIService(self.uow, self.approvals)
        self.rules = RulesService(self.uow, self.approvals)
        self.netting = NettingService(self.uow)
        self.firm = FirmService(self.uow)
        self.backups = BackupService(self.url, self.user)
        self.prices = PriceService(self.sessions, self.uow)
        self.holdings = AccountHoldings(self.uow)
        self.estates = EstateService(self.uow, self.approvals)

    @property
    def actor(self) -> str:
        """The signed-in user's name."""
        return self.user.username

    @cached_property
    def address(self) -> DatabaseAddress:
        """Where the data lives, parsed once (the URL was checked when the engine was made)."""
        return DatabaseAddress.parse(self.url)

    @property
    def description(self) -> str:
        """Where the data lives, in a few words (a local file by its name)."""
        return self.address.describe(short=True)

    @property
    def read_only(self) -> bool:
        """Opened to read only (by choice, or a file this user cannot write)."""
        return is_read_only(self.engine)

    @property
    def is_shared(self) -> bool:
        """A PostgreSQL server the team shares (else a local SQLite file)."""
        return self.address.is_shared

    def ping(self) -> bool:
        """True while the database answers (the status bar's connection state)."""
        try:
            check_connection(self.engine)
        except Exception:
            return False
        return True

    def before_close(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` when `close` begins, before any connection is released.

        Whoever shows this database (the window) stops what still reads it there,
        whichever code closes it.
        """
        self._closing.append(hook)

    def close(self) -> None:
        """Release every connection; a read that comes later fails instead of reconnecting.

        A worker that starts a read after its window let go of this database would
        otherwise open a connection nobody closes.
        """
        hooks, self._closing = self._closing, []
        for hook in hooks:
            hook()
        if not event.contains(self.engine, "do_connect", _refuse_closed):
            event.listen(self.engine, "do_connect", _refuse_closed)
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _refuse_closed(*_args: object) -> None:
    raise DatabaseUnavailable("This database has been closed in Desk.")


def open_workspace(
    url: str,
    actor: str,
    *,
    password: str | None = None,
    migrate: bool = True,
    first_user: FirstUser | None = None,
) -> Workspace:
    """Connect, check the schema (migrating it if asked), sign in and build the services.

    Raises `DatabaseUnavailable` (or its `SchemaTooNew`) with a message for the user,
    `NotPermitted` for an unknown or deactivated user and `PasswordRequired` when the
    user has an app password and ``password`` is missing or wrong. ``first_user`` says
    who the first user of an empty database is (ignored once it has users).
    """
    if first_user is not None:
        first_user.check(market_today())  # before anything is created or migrated
    engine = create_desk_engine(url)
    try:
        server_version = check_connection(engine)
        if migrate:
            upgrade(engine)
        else:
            check_schema(engine)
        sessions = session_factory(engine)
        audit.install(sessions)
        if first_user is not None:
            create_first_user(sessions, engine, actor, first_user)
        user = sign_in(sessions, engine, actor, password)
        if is_read_only(engine):  # every change is refused, said before anyone tries
            user = replace(user, read_only=True)
    except BaseException:
        engine.dispose()
        raise
    return Workspace(url, user, engine, sessions, server_version)
