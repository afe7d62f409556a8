"""What a trade ticket looks up as the clerk types: accounts, instruments, counterparties.

Every search is one short read returning at most ``limit`` small frozen records
(never ORM objects), ordered so that what can take a trade comes first. Adding an
instrument that is not on the database yet goes to the instrument service
(`desk_app.services.reference.instruments`), the same path as the Reference tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import AccountStatus, InstrumentType
from desk_app.domain.errors import ValidationError
from desk_app.domain.identifiers import cusip_to_isin, isin_to_cusip, validate_isin
from desk_app.services.reference.instruments import ADD_INSTRUMENT, InstrumentService
from desk_app.services.trading.trade_books import (
    AccountRef,
    InstrumentRef,
    PartyRef,
    account_ref,
    instrument_ref,
    party_ref,
)
from desk_app.services.unit_of_work import UnitOfWork

__all__ = ["ADD_INSTRUMENT", "SecurityId", "TradeLookupService", "security_id"]


@dataclass(frozen=True)
class SecurityId:
    """What an identifier a clerk typed stands for: an ISIN (from a CUSIP too), or a symbol."""

    text: str
    isin: str | None
    cusip: str | None

    @property
    def is_security_id(self) -> bool:
        return self.isin is not None


def _compact(text: str) -> str:
    return "".join(text.split()).upper()


def security_id(text: str) -> SecurityId:
    """Read ``text`` as an ISIN or a CUSIP (check digit verified), else as a symbol.

    Raises `ValidationError` for something shaped like an ISIN or a CUSIP whose check
    digit is wrong: treating it as a symbol would hide the typo.
    """
    number = _compact(text)
    if len(number) == 12 and number[:2].isalpha() and number.isalnum():
        isin = validate_isin(number, "instrument")
        return SecurityId(number, isin, isin_to_cusip(isin))
    if len(number) == 9 and any(c.isdigit() for c in number[:6]):
        try:
            isin = cusip_to_isin(number)
        except ValidationError as error:
            raise ValidationError("instrument", error.reason, error.value) from None
        return SecurityId(number, isin, number)
    return SecurityId(number, None, None)


def _pattern(text: str, *, anywhere: bool = False) -> str:
    """A LIKE pattern for ``text`` (its own ``%`` and ``_`` taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%" if anywhere else f"{escaped}%"


def _starts(column: Any, text: str) -> ColumnElement[bool]:
    return column.ilike(_pattern(text), escape="\\")  # type: ignore[no-any-return]


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    return column.ilike(_pattern(text, anywhere=True), escape="\\")  # type: ignore[no-any-return]


class TradeLookupService:
    """Searches for the ticket's completers, and adding an unknown instrument."""

    def __init__(self, uow: UnitOfWork, instruments: InstrumentService) -> None:
        self._uow = uow
        self._instruments = instruments

    # -- accounts ------------------------------------------------------------------------
    def find_accounts(self, text: str, limit: int = 20) -> list[AccountRef]:
        """Accounts whose number starts with ``text`` or whose name contains it.

        Open and restricted accounts come first, closed ones last (the ticket marks
        them); number matches before name matches.
        """
        text = text.strip()
        number_match = _starts(m.Account.account_number, text)
        stmt = select(m.Account).order_by(
            case((m.Account.status == AccountStatus.CLOSED, 1), else_=0),
            case((number_match, 0), else_=1),
            m.Account.account_number,
        )
        if text:
            stmt = stmt.where(or_(number_match, _contains(m.Account.name, text)))
        with self._uow.read() as session:
            return [account_ref(a) for a in session.scalars(stmt.limit(limit))]

    # -- instruments ---------------------------------------------------------------------
    def find_instruments(self, text: str, limit: int = 20) -> list[InstrumentRef]:
        """Instruments by ISIN, CUSIP or symbol prefix, or description contains; active first."""
        text = _compact(text) if len(text.split()) <= 1 else text.strip()
        code_match = or_(
            _starts(m.Instrument.isin, text),
            _starts(m.Instrument.cusip, text),
            _starts(m.Instrument.symbol, text),
        )
        stmt = select(m.Instrument).order_by(
            case((m.Instrument.active, 0), else_=1),
            case((code_match, 0), else_=1),
            m.Instrument.symbol,
            m.Instrument.isin,
        )
        if text:
            stmt = stmt.where(or_(code_match, _contains(m.Instrument.description, text)))
        with self._uow.read() as session:
            return [instrument_ref(i) for i in session.scalars(stmt.limit(limit))]

    def instrument(self, identifier: str) -> InstrumentRef | None:
        """The instrument ``identifier`` names exactly: ISIN, CUSIP or symbol (None: unknown).

        Raises `ValidationError` when it looks like an ISIN or CUSIP with a wrong check digit.
        """
        wanted = security_id(identifier)
        if not wanted.text:
            return None
        with self._uow.read() as session:
            return self._find(session, wanted)

    @staticmethod
    def _find(session: Session, wanted: SecurityId) -> InstrumentRef | None:
        if wanted.isin is not None:
            clause = m.Instrument.isin == wanted.isin
            if wanted.cusip is not None:
                clause = or_(clause, m.Instrument.cusip == wanted.cusip)
        else:
            clause = func.upper(m.Instrument.symbol) == wanted.text
        found = session.scalars(
            select(m.Instrument)
            .where(clause)
            .order_by(case((m.Instrument.active, 0), else_=1), m.Instrument.id)
        ).first()
        return None if found is None else instrument_ref(found)

    def add_instrument(
        self,
        identifier: str,
        symbol: str,
        description: str,
        instrument_type: InstrumentType,
        currency: str,
        *,
        market: str = "US",
        issuer: str = "",
        multiplier: Decimal = Decimal(1),
    ) -> InstrumentRef:
        """Add an instrument the database does not know, by its ISIN or CUSIP.

        The ticket's shortcut to the one instrument service the Reference tab uses too.
        """
        wanted = security_id(identifier)
        if wanted.isin is None:
            raise ValidationError(
                "instrument", "is neither an ISIN (12 characters) nor a CUSIP (9)", identifier
            )
        values = {
            "isin": wanted.isin, "cusip": wanted.cusip or "", "symbol": symbol,
            "description": description, "issuer": issuer, "instrument_type": instrument_type.value,
            "market": market, "currency": currency, "multiplier": str(multiplier),
        }  # fmt: skip
        try:
            isin = self._instruments.add(values)
        except ValidationError as error:
            if error.field in ("isin", "cusip"):  # the ticket has one field for both
                raise ValidationError("instrument", error.reason, identifier) from None
            raise
        found = self.instrument(isin)
        assert found is not None
        return found

    # -- counterparties ------------------------------------------------------------------
    def find_counterparties(self, text: str, limit: int = 20) -> list[PartyRef]:
        """Counterparties whose code starts with ``text`` or whose name contains it."""
        text = text.strip()
        code_match = _starts(m.Counterparty.code, text)
        stmt = select(m.Counterparty).order_by(
            case((m.Counterparty.active, 0), else_=1),
            case((code_match, 0), else_=1),
            m.Counterparty.code,
        )
        if text:
            stmt = stmt.where(or_(code_match, _contains(m.Counterparty.name, text)))
        with self._uow.read() as session:
            return [party_ref(c) for c in session.scalars(stmt.limit(limit))]
