"""Reference data lists: accounts, instruments, counterparties."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db.models import Account, Counterparty, Instrument, Trade
from desk_app.db.paging import Expr, KeysetSource
from desk_app.db.text_search import any_contains, every_word, in_codes
from desk_app.domain import labels
from desk_app.domain.listing import Column, ColumnKind, SortSpec
from desk_app.domain.text_search import codes_matching

K = ColumnKind

ACCOUNT_COLUMNS = (
    Column("account_number", "Account"),
    Column("name", "Name"),
    Column("registration_type", "Registration", K.STATUS, labels.REGISTRATION),
    Column("status", "Status", K.STATUS, labels.ACCOUNT_STATUS),
    Column("registered_rep", "Rep"),
    Column(
        "tax_id", "Tax ID", K.TEXT, tooltip="Masked: only the last four digits show", sortable=False
    ),
    Column("residence_state", "State"),
    Column("base_currency", "Ccy"),
    Column("opened_on", "Opened", K.DATE),
    Column("closed_on", "Closed", K.DATE),
)

INSTRUMENT_COLUMNS = (
    Column("isin", "ISIN"),
    Column("cusip", "CUSIP"),
    Column("symbol", "Symbol"),
    Column("description", "Description"),
    Column("instrument_type", "Type", K.STATUS, labels.INSTRUMENT_TYPE),
    Column("market", "Market"),
    Column("currency", "Ccy"),
    Column("issuer", "Issuer"),
)

COUNTERPARTY_COLUMNS = (
    Column("code", "Code"),
    Column("name", "Name"),
    Column("kind", "Kind", K.STATUS, labels.COUNTERPARTY_KIND),
    Column("bic", "BIC"),
    Column("lei", "LEI"),
    Column("dtc_participant", "DTC participant"),
)


def account_matches(word: str) -> ColumnElement[bool]:
    """An account whose number, client name, registration or rep contains ``word``."""
    a = Account
    return or_(
        any_contains(word, a.account_number, a.name, a.registered_rep),
        in_codes(a.registration_type, codes_matching(word, labels.REGISTRATION)),
    )


def profile_lines(acct: Account) -> list[tuple[str, str]]:
    """The client's profile and who accepted the account, as labelled lines."""

    def code(value: StrEnum | None) -> str:
        return "" if value is None else str(getattr(value, "label", value.value))

    def money(value: Decimal | None) -> str:
        return "" if value is None else f"{value:,.2f} {acct.base_currency}"

    return [
        ("Account type", code(acct.account_type)),
        ("Investment objective", code(acct.investment_objective)),
        ("Risk tolerance", code(acct.risk_tolerance)),
        ("Time horizon", code(acct.time_horizon)),
        ("Liquid net worth", money(acct.liquid_net_worth)),
        ("Annual income", money(acct.annual_income)),
        ("Tax status", code(acct.tax_status)),
        ("Mailing address", (acct.mailing_address or "").replace("\n", ", ")),
        ("Accepted by", acct.accepted_by or ""),
    ]


@dataclass(frozen=True)
class FirstSteps:
    """Which getting-started steps the book has done: each kind of record exists."""

    counterparties: bool
    instruments: bool
    accounts: bool
    trades: bool

    @property
    def done(self) -> bool:
        """The book has trades: it is in use, and the getting-started panel goes away."""
        return self.trades


def _same(stmt: Select[Any]) -> Select[Any]:
    return stmt


class ReferenceService:
    """Read access to reference data for lists, pickers and the CLI."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def accounts(self, search: str = "") -> KeysetSource:
        """Every account by number; ``search``: each word in its number, client name,
        registration or rep (any part, any case)."""

        def cols() -> list[Expr]:
            a = Account
            return [
                a.account_number, a.name, a.registration_type, a.status, a.registered_rep,
                a.tax_id_masked, a.residence_state, a.base_currency, a.opened_on, a.closed_on,
            ]  # fmt: skip

        return KeysetSource(
            self._sessions, ACCOUNT_COLUMNS, cols, Account.id, _same,
            SortSpec("account_number"), where=every_word(search, account_matches),
        )  # fmt: skip

    def first_steps(self) -> FirstSteps:
        """Whether any counterparty, instrument, account and trade exists (four tiny reads)."""
        with self._sessions() as session:

            def some(id_column: Any) -> bool:
                return session.scalar(select(id_column).limit(1)) is not None

            return FirstSteps(
                some(Counterparty.id), some(Instrument.id), some(Account.id), some(Trade.id)
            )

    def account(self, number: str) -> list[tuple[str, str]] | None:
        """An account's details as labelled lines (tax id masked), or None."""
        with self._sessions() as session:
            acct = session.scalars(
                select(Account).where(Account.account_number == number.strip())
            ).one_or_none()
            if acct is None:
                return None
            return [
                ("Account", acct.account_number),
                ("Name", acct.name),
                ("Registration", labels.REGISTRATION[acct.registration_type.value]),
                ("Status", labels.ACCOUNT_STATUS[acct.status.value]),
                ("Registered rep", acct.registered_rep),
                ("Tax ID", acct.tax_id_masked or ""),
                (
                    "Residence",
                    ", ".join(filter(None, [acct.residence_state, acct.residence_country])),
                ),
                ("Base currency", acct.base_currency),
                ("Opened", acct.opened_on.isoformat()),
                ("Closed", acct.closed_on.isoformat() if acct.closed_on else ""),
                *profile_lines(acct),
                ("Version", str(acct.version)),
            ]

    def instruments(self) -> KeysetSource:
        def cols() -> list[Expr]:
            i = Instrument
            return [
                i.isin, i.cusip, i.symbol, i.description, i.instrument_type, i.market,
                i.currency, i.issuer,
            ]  # fmt: skip

        return KeysetSource(
            self._sessions, INSTRUMENT_COLUMNS, cols, Instrument.id, _same, SortSpec("isin")
        )

    def counterparties(self) -> KeysetSource:
        def cols() -> list[Expr]:
            c = Counterparty
            return [c.code, c.name, c.kind, c.bic, c.lei, c.dtc_participant]

        return KeysetSource(
            self._sessions, COUNTERPARTY_COLUMNS, cols, Counterparty.id, _same, SortSpec("code")
        )
