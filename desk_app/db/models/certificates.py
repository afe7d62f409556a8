"""Physical certificates, where each one is, and the manifests that move them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_app.db.models.base import Base, Versioned, code_enum, utcnow
from desk_app.db.models.reference import Account, Instrument
from desk_app.db.types import Money, Quantity, UTCDateTime
from desk_app.domain.states import CertificateStatus, ManifestStatus


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
