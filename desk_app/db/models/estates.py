"""Estates of deceased holders: the case, its documents, and what each path requires."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_app.db.models.base import Base, Versioned, code_enum, utcnow
from desk_app.db.models.reference import Account
from desk_app.db.types import Money, UTCDateTime
from desk_app.domain.estate_rules import CaseStatus, DocumentStatus, EstatePath


class EstateDocumentRequirement(Versioned, Base):
    """Reference data: a document an estate case needs, on which paths, how recent.

    ``paths`` and ``states`` are comma-separated lists (empty: every one); a copy
    older than ``recency_days`` has expired (letters testamentary: 60 days).
    """

    __tablename__ = "estate_document_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    paths: Mapped[str] = mapped_column(String(200), default="")
    recency_days: Mapped[int | None]
    states: Mapped[str] = mapped_column(String(200), default="")
    needs_certificates: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)  # the checklist's order


class EstateCase(Versioned, Base):
    """A deceased holder's account from notice of death until it is re-registered."""

    __tablename__ = "estate_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    date_of_death: Mapped[date]
    notice_source: Mapped[str] = mapped_column(String(200))
    #: The registration at death (a sole account is retitled "estate" meanwhile).
    registration: Mapped[str] = mapped_column(String(32))
    path: Mapped[EstatePath] = mapped_column(code_enum(EstatePath))
    status: Mapped[CaseStatus] = mapped_column(code_enum(CaseStatus))
    #: The executor elected the alternate valuation date (six months after death).
    alternate_valuation: Mapped[bool] = mapped_column(default=False)
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The owner who died (a joint account's notice names which one), as on the parties.
    decedent: Mapped[str | None] = mapped_column(String(200))
    #: Whether the joint owners are spouses: the basis rule reads it (default yes).
    spouses: Mapped[bool] = mapped_column(default=True)
    #: The supervised requests it filed: the retitle, the re-registration.
    retitle_request_id: Mapped[int | None] = mapped_column(ForeignKey("approval_requests.id"))
    reregister_request_id: Mapped[int | None] = mapped_column(ForeignKey("approval_requests.id"))

    account: Mapped[Account] = relationship()
    predeceased: Mapped[list[EstatePredeceased]] = relationship(
        back_populates="case", order_by="EstatePredeceased.id"
    )
    documents: Mapped[list[EstateDocument]] = relationship(
        back_populates="case", order_by="EstateDocument.position"
    )


class EstateDocument(Versioned, Base):
    """One line of a case's checklist: required, then received, then verified."""

    __tablename__ = "estate_documents"
    __table_args__ = (UniqueConstraint("case_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("estate_cases.id"))
    kind: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    #: Stored as required, received or verified; expired is read from ``expires_on``.
    status: Mapped[DocumentStatus] = mapped_column(code_enum(DocumentStatus))
    dated: Mapped[date | None]  # the document's own date (letters: when issued)
    expires_on: Mapped[date | None]
    received_on: Mapped[date | None]
    received_by: Mapped[str | None] = mapped_column(String(64))
    verified_on: Mapped[date | None]
    verified_by: Mapped[str | None] = mapped_column(String(64))

    case: Mapped[EstateCase] = relationship(back_populates="documents")


class EstatePredeceased(Versioned, Base):
    """A party (a primary beneficiary) who died before the holder, as the case records it."""

    __tablename__ = "estate_predeceased"
    __table_args__ = (UniqueConstraint("case_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("estate_cases.id"))
    party_id: Mapped[int] = mapped_column(ForeignKey("account_parties.id"))
    name: Mapped[str] = mapped_column(String(200))
    date_of_death: Mapped[date]
    recorded_by: Mapped[str] = mapped_column(String(64))

    case: Mapped[EstateCase] = relationship(back_populates="predeceased")


class SmallEstateLimit(Versioned, Base):
    """Reference data: a state's small-estate affidavit limit, its statute, and the first
    date of death it applies to (None: no start date on file, any date before the next)."""

    __tablename__ = "small_estate_limits"
    __table_args__ = (UniqueConstraint("state", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(2))
    limit: Mapped[Decimal] = mapped_column(Money())
    source: Mapped[str] = mapped_column(String(300))  # the statute: "Cal. Prob. Code 13100"
    effective_from: Mapped[date | None]
