"""Reference data: users, instruments, counterparties, accounts, SSIs, calendars."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_app.db.models.base import Base, Versioned, code_enum, utcnow
from desk_app.db.types import Money, Quantity, UTCDateTime
from desk_app.domain.codes import (
    AccountStatus,
    AccountType,
    CounterpartyKind,
    InstrumentType,
    InvestmentObjective,
    RegistrationType,
    RiskTolerance,
    Role,
    TaxStatus,
    TimeHorizon,
)
from desk_app.domain.fails import Applies, FailSide, RuleKind


class User(Versioned, Base):
    """A person who uses Desk; on PostgreSQL mapped to their own database login."""

    __tablename__ = "users"
    __table_args__ = (Index("uq_users_db_login", "db_login", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(128))
    #: Role codes, sorted and comma-separated ("clerk,supervisor"): one readable audit diff.
    roles: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The PostgreSQL login that is this person (None: the username).
    db_login: Mapped[str | None] = mapped_column(String(63))
    #: argon2 hash of the optional app password (a shared local workstation).
    password_hash: Mapped[str | None] = mapped_column(String(200))

    registrations: Mapped[list[UserRegistration]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        order_by="UserRegistration.effective_from",
        lazy="selectin",
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(code) for code in self.roles.split(",") if code)

    @role_set.setter
    def role_set(self, roles: frozenset[Role]) -> None:
        self.roles = ",".join(sorted(role.value for role in roles))


class UserRegistration(Versioned, Base):
    """A FINRA registration (Series 7, 24, ...) a user holds, with its dates."""

    __tablename__ = "user_registrations"
    __table_args__ = (UniqueConstraint("user_id", "series", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    series: Mapped[str] = mapped_column(String(8))
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]

    user: Mapped[User] = relationship(back_populates="registrations")


class Instrument(Versioned, Base):
    __tablename__ = "instruments"
    __table_args__ = (
        # The blotter walks instruments in these orders when sorting by them.
        Index("ix_instruments_symbol_isin", "symbol", "isin", unique=True),
        Index("ix_instruments_description_isin", "description", "isin", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    isin: Mapped[str] = mapped_column(String(12), unique=True)
    cusip: Mapped[str | None] = mapped_column(String(9), unique=True)
    symbol: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    instrument_type: Mapped[InstrumentType] = mapped_column(code_enum(InstrumentType))
    market: Mapped[str] = mapped_column(String(8), default="US")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    #: Units of the underlying per contract (100 for a US listed option); 1 otherwise.
    multiplier: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(1))
    active: Mapped[bool] = mapped_column(default=True)
    #: On the Reg SHO threshold list: fails to deliver in it close out after 13 days.
    reg_sho_threshold: Mapped[bool] = mapped_column(default=False)


class Counterparty(Versioned, Base):
    __tablename__ = "counterparties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CounterpartyKind] = mapped_column(code_enum(CounterpartyKind))
    bic: Mapped[str | None] = mapped_column(String(11))
    lei: Mapped[str | None] = mapped_column(String(20))
    dtc_participant: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)


class Account(Versioned, Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_number: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    registration_type: Mapped[RegistrationType] = mapped_column(code_enum(RegistrationType))
    status: Mapped[AccountStatus] = mapped_column(code_enum(AccountStatus))
    registered_rep: Mapped[str] = mapped_column(String(64))
    #: The full tax id is in the vault (`desk_app.db.tax_id_vault`); the account shows it masked.
    tax_id_ref: Mapped[int | None] = mapped_column(ForeignKey("tax_ids.id"))
    tax_id_masked: Mapped[str | None] = mapped_column(String(11))
    residence_state: Mapped[str | None] = mapped_column(String(2))
    residence_country: Mapped[str] = mapped_column(String(2), default="US")
    base_currency: Mapped[str] = mapped_column(String(3), default="USD")
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    # The client's profile (FINRA 4512); empty on accounts opened before it was kept.
    account_type: Mapped[AccountType | None] = mapped_column(code_enum(AccountType))
    investment_objective: Mapped[InvestmentObjective | None] = mapped_column(
        code_enum(InvestmentObjective)
    )
    risk_tolerance: Mapped[RiskTolerance | None] = mapped_column(code_enum(RiskTolerance))
    time_horizon: Mapped[TimeHorizon | None] = mapped_column(code_enum(TimeHorizon))
    liquid_net_worth: Mapped[Decimal | None] = mapped_column(Money())
    annual_income: Mapped[Decimal | None] = mapped_column(Money())
    tax_status: Mapped[TaxStatus | None] = mapped_column(code_enum(TaxStatus))
    mailing_address: Mapped[str | None] = mapped_column(String(500))
    #: The principal whose approval opened the account (set by the approval, never typed).
    accepted_by: Mapped[str | None] = mapped_column(String(64))


class StandingSettlementInstruction(Versioned, Base):
    """Where and how a counterparty settles one market × asset class, from a date."""

    __tablename__ = "standing_settlement_instructions"
    __table_args__ = (
        Index("ix_ssi_lookup", "counterparty_id", "market", "asset_class", "effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    counterparty_id: Mapped[int] = mapped_column(ForeignKey("counterparties.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    market: Mapped[str] = mapped_column(String(8))
    asset_class: Mapped[InstrumentType] = mapped_column(code_enum(InstrumentType))
    place_of_settlement: Mapped[str] = mapped_column(String(11))
    agent_bic: Mapped[str] = mapped_column(String(11))
    safekeeping_account: Mapped[str] = mapped_column(String(35))
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]

    counterparty: Mapped[Counterparty] = relationship()


class SettlementCycle(Versioned, Base):
    """Reference data: T+N for an instrument type in a market, from a date."""

    __tablename__ = "settlement_cycles"
    __table_args__ = (UniqueConstraint("instrument_type", "market", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_type: Mapped[InstrumentType] = mapped_column(code_enum(InstrumentType))
    market: Mapped[str] = mapped_column(String(8))
    effective_from: Mapped[date]
    offset_days: Mapped[int]
    calendar_code: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(200), default="")


class FailRule(Versioned, Base):
    """Reference data: a fails deadline or flag (`desk_app.domain.fails.FailRule`)."""

    __tablename__ = "fail_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[RuleKind] = mapped_column(code_enum(RuleKind))
    side: Mapped[FailSide] = mapped_column(code_enum(FailSide))
    applies: Mapped[Applies] = mapped_column(code_enum(Applies))
    days: Mapped[int]


class CalendarOverride(Versioned, Base):
    """A user's correction to a settlement calendar: a day forced open or closed."""

    __tablename__ = "calendar_overrides"
    __table_args__ = (UniqueConstraint("calendar_code", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_code: Mapped[str] = mapped_column(String(16))
    day: Mapped[date]
    is_settlement_day: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(200))
