"""The certificate register as a pageable list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db.models import Account, Certificate
from desk_app.domain.states import CertificateStatus
from desk_app.services import labels
from desk_app.services.listing import Column, ColumnKind, SortSpec
from desk_app.services.paging import Expr, KeysetSource

K = ColumnKind

CERTIFICATE_COLUMNS = (
    Column("certificate_number", "Certificate"),
    Column("cusip", "CUSIP"),
    Column("issuer", "Issuer"),
    Column("security_class", "Class"),
    Column("registered_holder", "Registered holder"),
    Column("shares", "Shares", K.QUANTITY),
    Column("status", "Status", K.STATUS, labels.CERTIFICATE_STATUS),
    Column("location", "Location"),
    Column("account", "Account"),
    Column("issue_date", "Issued", K.DATE),
    Column("restricted_legend", "Legend", K.BOOL, tooltip="Restricted legend on the face"),
    Column("stock_power_attached", "Stock power", K.BOOL),
)


def _columns() -> list[Expr]:
    c = Certificate
    return [
        c.certificate_number, c.cusip, c.issuer, c.security_class, c.registered_holder,
        c.shares, c.status, c.location, Account.account_number, c.issue_date,
        c.restricted_legend, c.stock_power_attached,
    ]  # fmt: skip


def _joins(stmt: Select[Any]) -> Select[Any]:
    return stmt.select_from(Certificate).outerjoin(Account, Account.id == Certificate.account_id)


class CertificateService:
    """Where every certificate is."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def certificates(self, status: str | None = None) -> KeysetSource:
        """The register, optionally only certificates in one status."""
        where = [Certificate.status == CertificateStatus(status)] if status else []
        return KeysetSource(
            self._sessions,
            CERTIFICATE_COLUMNS,
            _columns,
            Certificate.id,
            _joins,
            SortSpec("certificate_number"),
            where=where,
        )
