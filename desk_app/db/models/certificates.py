"""Physical certificates, where each one is, and the manifests that move them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_app.db.models.base import Base, Versioned, code_enum, utcnow
from desk_app.db.models.reference import Account, Instrument
from desk_app.db.types import Money, Quantity, UTCDateTime
from desk_app.domain.certificates import CountResult, CustodyKind, LossKind
from desk_app.domain.states import BoxCountStatus, CertificateStatus, ManifestStatus


class Certificate(Versioned, Base):
    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("cusip", "certificate_number"),
        Index("ix_certificates_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_number: Mapped[str] = mapped_column(String(20), index=True)
    cusip: Mapped[str] = mapped_column(String(9))
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instruments.id"))
    issuer: Mapped[str] = mapped_column(String(200))
    security_class: Mapped[str] = mapped_column(String(60))
    registered_holder: Mapped[str] = mapped_column(String(200))
    registration_text: Mapped[str] = mapped_column(String(400))
    shares: Mapped[Decimal] = mapped_column(Quantity())
    issue_date: Mapped[date]
    restricted_legend: Mapped[bool] = mapped_column(default=False)
    form: Mapped[str] = mapped_column(String(20), default="registered")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    location: Mapped[str] = mapped_column(String(80))
    status: Mapped[CertificateStatus] = mapped_column(code_enum(CertificateStatus))
    stock_power_attached: Mapped[bool] = mapped_column(default=False)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The certificate this one was issued in place of (a transfer, or a replacement).
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), index=True)
    #: Flagged for re-registration with the transfer agent, by what (``estate:3``).
    reregistration: Mapped[str | None] = mapped_column(String(64))

    instrument: Mapped[Instrument | None] = relationship()
    account: Mapped[Account | None] = relationship()


class CourierManifest(Versioned, Base):
    __tablename__ = "courier_manifests"

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_number: Mapped[str] = mapped_column(String(16), unique=True)
    manifest_date: Mapped[date]
    courier: Mapped[str] = mapped_column(String(80))
    airbill: Mapped[str | None] = mapped_column(String(40))
    pickup_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sender: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(200))
    recipient_address: Mapped[str] = mapped_column(String(400))
    declared_value: Mapped[Decimal] = mapped_column(Money())
    insured_value: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[ManifestStatus] = mapped_column(code_enum(ManifestStatus))
    prepared_by: Mapped[str] = mapped_column(String(64))
    verified_by: Mapped[str | None] = mapped_column(String(64))
    print_count: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    difference_note: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The courier's agent who signed for the package.
    picked_up_by: Mapped[str | None] = mapped_column(String(80))
    bag_seal: Mapped[str | None] = mapped_column(String(40))
    #: Who signed the delivery receipt at the recipient.
    received_by: Mapped[str | None] = mapped_column(String(200))
    cancel_reason: Mapped[str | None] = mapped_column(String(400))

    lines: Mapped[list[ManifestLine]] = relationship(
        back_populates="manifest", order_by="ManifestLine.line_no"
    )


class ManifestLine(Base):
    __tablename__ = "manifest_lines"
    __table_args__ = (UniqueConstraint("manifest_id", "certificate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("courier_manifests.id"))
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    line_no: Mapped[int]
    shares: Mapped[Decimal] = mapped_column(Quantity())
    value: Mapped[Decimal] = mapped_column(Money())

    manifest: Mapped[CourierManifest] = relationship(back_populates="lines")
    certificate: Mapped[Certificate] = relationship()


class CustodyEntry(Base):
    """One link in a certificate's chain of custody; append-only."""

    __tablename__ = "certificate_custody"
    __table_args__ = (Index("ix_certificate_custody_certificate_id_id", "certificate_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[CustodyKind] = mapped_column(code_enum(CustodyKind))
    from_status: Mapped[CertificateStatus | None] = mapped_column(code_enum(CertificateStatus))
    to_status: Mapped[CertificateStatus] = mapped_column(code_enum(CertificateStatus))
    from_party: Mapped[str] = mapped_column(String(200))
    to_party: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(80))
    bag_seal: Mapped[str | None] = mapped_column(String(40))
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("courier_manifests.id"))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(400), default="")


class CertificateLoss(Versioned, Base):
    """A lost, stolen, missing or counterfeit certificate: the Form X-17F-1A facts."""

    __tablename__ = "certificate_losses"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    kind: Mapped[LossKind] = mapped_column(code_enum(LossKind))
    discovered_on: Mapped[date]
    circumstances: Mapped[str] = mapped_column(String(400))
    in_transit: Mapped[bool] = mapped_column(default=False)
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("courier_manifests.id"))
    courier: Mapped[str | None] = mapped_column(String(80))
    #: The stop transfer placed with the transfer agent.
    stop_agent: Mapped[str | None] = mapped_column(String(200))
    stop_placed_on: Mapped[date | None]
    stop_reference: Mapped[str | None] = mapped_column(String(40))
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: How the loss ended: found again, or replaced (None while open).
    closed_how: Mapped[str | None] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replacement_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    indemnity_bond: Mapped[str | None] = mapped_column(String(40))
    surety: Mapped[str | None] = mapped_column(String(200))


class ManifestPrint(Base):
    """One printing of a manifest or its receipt, with the SHA-256 of the PDF's bytes."""

    __tablename__ = "manifest_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("courier_manifests.id"), index=True)
    document: Mapped[str] = mapped_column(String(16))  # manifest | receipt
    paper: Mapped[str] = mapped_column(String(8))  # letter | a4
    copy: Mapped[bool]
    pages: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    printed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    printed_by: Mapped[str] = mapped_column(String(64))


class AgingLimit(Versioned, Base):
    """Reference data: after how many business days something becomes an exception."""

    __tablename__ = "aging_limits"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    days: Mapped[int]


class BoxCount(Versioned, Base):
    """A quarterly count of the certificates in the firm's possession (SEC 17a-13)."""

    __tablename__ = "box_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), unique=True)  # 2026-Q4; a recount reopens
    status: Mapped[BoxCountStatus] = mapped_column(code_enum(BoxCountStatus))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_by: Mapped[str] = mapped_column(String(64))
    counted_on: Mapped[date | None]
    deadline: Mapped[date | None]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text())

    items: Mapped[list[BoxCountItem]] = relationship(
        back_populates="box_count", order_by="BoxCountItem.id"
    )


class BoxCountItem(Versioned, Base):
    """One certificate on a count sheet, or one found that the register did not expect."""

    __tablename__ = "box_count_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    box_count_id: Mapped[int] = mapped_column(ForeignKey("box_counts.id"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    certificate_number: Mapped[str] = mapped_column(String(20))
    cusip: Mapped[str] = mapped_column(String(9))
    shares: Mapped[Decimal | None] = mapped_column(Quantity())
    expected_location: Mapped[str | None] = mapped_column(String(80))
    result: Mapped[CountResult] = mapped_column(code_enum(CountResult))
    counted_location: Mapped[str | None] = mapped_column(String(80))
    counted_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(400))
    #: How a difference was recorded and resolved (None: not yet, or no difference).
    resolution: Mapped[str | None] = mapped_column(String(400))
    resolved_by: Mapped[str | None] = mapped_column(String(64))

    box_count: Mapped[BoxCount] = relationship(back_populates="items")
