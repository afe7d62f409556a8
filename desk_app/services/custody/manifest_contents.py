"""A courier manifest's contents: finding and reading it, its lines, their values, its number.

The lifecycle (create, verify, dispatch, receipt) is `manifests.ManifestService`; the
rules it checks lines by, the values it puts on them and the view it shows are here,
shared with printing (`manifest_printing`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from desk_app.db import models as m
from desk_app.domain import labels
from desk_app.domain.calendars import SettlementCalendar
from desk_app.domain.certificates import (
    ManifestLineView,
    ManifestTotals,
    ManifestView,
    insured_value,
)
from desk_app.domain.certificates import manifest_number as number_for
from desk_app.domain.custody_rules import OPEN_MANIFEST, SHIPPABLE, SHIPPING
from desk_app.domain.errors import ValidationError
from desk_app.domain.listing import Column, ColumnKind
from desk_app.domain.states import CertificateStatus, ManifestStatus, TradeStatus
from desk_app.domain.trade_rows import parse_amount

CS, MS = CertificateStatus, ManifestStatus
K = ColumnKind
OPEN = OPEN_MANIFEST  # the name callers know
MANIFEST_COLUMNS = (
    Column("manifest_number", "Manifest"),
    Column("manifest_date", "Date", K.DATE),
    Column("status", "Status", K.STATUS, labels.MANIFEST_STATUS),
    Column("courier", "Courier"),
    Column("airbill", "Airbill"),
    Column("recipient", "Recipient"),
    Column("lines", "Certificates", K.INT),
    Column("declared_value", "Declared value", K.MONEY),
    Column("prepared_by", "Prepared by"),
    Column("verified_by", "Verified by"),
    Column("picked_up_at", "Picked up", K.DATETIME),
    Column("received_at", "Received", K.DATETIME),
)


def money_value(name: str, raw: Decimal | str | None) -> Decimal | None:
    if raw is None or raw == "":
        return None
    return parse_amount(name, str(raw).strip(), 2, zero_allowed=True)  # dollars and cents


def check_shippable(cert: m.Certificate) -> None:
    """Refuse a certificate that may not go on a manifest, saying why."""
    name = cert.certificate_number
    if cert.status in SHIPPING:
        raise ValidationError(
            "certificate", f"{name} is already {cert.status.label.lower()} ({cert.location}): "
            "a certificate is on one open manifest at most",
        )  # fmt: skip
    if cert.status not in SHIPPABLE:
        raise ValidationError(
            "certificate", f"{name} is {cert.status.label.lower()}: only a certificate in the "
            "vault or prepared for delivery goes on a manifest",
        )  # fmt: skip
    if cert.stock_power_attached:
        raise ValidationError(
            "certificate", f"{name} has its signed stock power attached: never ship the two "
            "together; detach the stock power and send it separately",
        )  # fmt: skip


def check_lines(row: m.CourierManifest) -> None:
    """Refuse a manifest that may not go on: a certificate on it lost, or its stock power
    attached since it went on (checked again at verification, printing and pickup)."""
    for line in row.lines:
        cert = line.certificate
        if cert.stock_power_attached:
            raise ValidationError(
                "certificate", f"{cert.certificate_number} has its signed stock power "
                "attached: never ship the two together; detach it or take the certificate off",
            )  # fmt: skip
        if cert.status is CS.LOST:
            raise ValidationError(
                "certificate", f"{cert.certificate_number} is reported lost: take it off "
                f"manifest {row.manifest_number}",
            )  # fmt: skip


def aware(moment: datetime | None) -> datetime | None:
    """A time typed without a zone is the desk's local time."""
    return moment.astimezone() if moment is not None and moment.tzinfo is None else moment


def declared_by_hand(row: m.CourierManifest) -> tuple[Decimal | None, Decimal | None]:
    """The declared and insured values, if a person set them (kept when lines change)."""
    totals = ManifestTotals.of((line.shares, line.value) for line in row.lines)
    declared = None if row.declared_value == totals.value else row.declared_value
    insured = None if row.insured_value == insured_value(row.declared_value) else row.insured_value
    return declared, insured


def get(session: Session, number: str) -> m.CourierManifest:
    row = session.scalars(
        select(m.CourierManifest)
        .where(m.CourierManifest.manifest_number == number.strip().upper())
        .options(selectinload(m.CourierManifest.lines).selectinload(m.ManifestLine.certificate))
    ).first()
    if row is None:
        raise ValidationError("manifest", "is not a manifest number", number)
    return row


def last_used(session: Session, column: Any, where: Any) -> str | None:
    return session.scalars(
        select(column).where(where).order_by(m.CourierManifest.id.desc()).limit(1)
    ).first()


def next_number(session: Session, day: date) -> str:
    prefix = number_for(day, 1)[:-2]
    taken = session.scalar(
        select(func.count())
        .select_from(m.CourierManifest)
        .where(m.CourierManifest.manifest_number.like(f"{prefix}%"))
    )
    return number_for(day, (taken or 0) + 1)


def last_prices(session: Session, instrument_ids: set[int]) -> dict[int, Decimal]:
    """Each instrument's price on its latest live trade on the blotter."""
    if not instrument_ids:
        return {}
    t = m.Trade
    latest = (
        select(t.instrument_id, func.max(t.id).label("id"))
        .where(t.instrument_id.in_(instrument_ids), t.status == TradeStatus.ACTIVE)
        .group_by(t.instrument_id)
        .subquery()
    )
    found = select(t.instrument_id, t.price).join(latest, latest.c.id == t.id)
    return {instrument_id: price for instrument_id, price in session.execute(found)}


def set_values(row: m.CourierManifest, declared: Decimal | None, insured: Decimal | None) -> None:
    totals = ManifestTotals.of((line.shares, line.value) for line in row.lines)
    row.declared_value = declared if declared is not None else totals.value
    row.insured_value = insured if insured is not None else insured_value(row.declared_value)


def business_days(calendar: SettlementCalendar, start: date, end: date) -> int:
    days, day = 0, start
    while day < end:
        day = calendar.next_settlement_day(day)
        if day <= end:
            days += 1
    return days


def view_of(row: m.CourierManifest) -> ManifestView:
    lines = tuple(
        ManifestLineView(
            line.line_no, line.certificate_id, line.certificate.certificate_number,
            line.certificate.cusip,
            f"{line.certificate.issuer} {line.certificate.security_class}".strip(),
            line.certificate.registered_holder, line.shares, line.value,
            line.certificate.status,
        )
        for line in row.lines
    )  # fmt: skip
    return ManifestView(
        row.id, row.manifest_number, row.manifest_date, row.status, row.courier, row.airbill,
        row.pickup_at, row.sender, row.recipient, row.recipient_address, row.declared_value,
        row.insured_value, row.prepared_by, row.verified_by, row.picked_up_by, row.bag_seal,
        row.received_by, row.received_at, row.difference_note, row.print_count, row.version,
        lines,
    )  # fmt: skip
