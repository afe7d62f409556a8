"""Moving a certificate: the state machine's check and a chain-of-custody entry, together.

Every service that changes where a certificate is or who holds it goes through
`move`, so no status changes without its custody entry (SEC 17a-3(a)(5): the
location of every certificate is always on record).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.restriction_book import refuse_if
from desk_app.domain.certificates import CustodyKind
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.restrictions import Movement
from desk_app.domain.states import CERTIFICATE, CertificateStatus
from desk_app.domain.states import ManifestStatus as MS

CS = CertificateStatus
VAULT = "Vault"
SHIPPING_DESK = "Shipping desk"


def holder(status: CertificateStatus) -> str:
    """Who holds a certificate in ``status`` inside the firm (the custody entry's party)."""
    if status in (CS.PREPARED, CS.ON_MANIFEST):
        return SHIPPING_DESK
    if status is CS.LOST:
        return "Unknown (lost)"
    return VAULT


def move(
    session: Session,
    cert: m.Certificate,
    to: CertificateStatus,
    *,
    actor: str,
    location: str,
    to_party: str | None = None,
    from_party: str | None = None,
    kind: CustodyKind = CustodyKind.MOVE,
    bag_seal: str | None = None,
    manifest_id: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> m.CustodyEntry:
    """Move ``cert`` to ``to`` (raising `IllegalTransition` if it may not), and record it.

    A certificate on its way out of custody (prepared from the vault, put on a manifest,
    handed to the courier) is refused while a restriction stops its account's
    certificates going out (`AccountRestricted`, naming it).
    """
    before = cert.status
    CERTIFICATE.check(before, to)
    if cert.account is not None and _leaving(before, to):
        refuse_if(session, cert.account, Movement.CERTIFICATE_OUT, market_today())
    when = at or datetime.now(UTC)
    entry = m.CustodyEntry(
        certificate_id=cert.id, at=when, kind=kind, from_status=before, to_status=to,
        from_party=(from_party or holder(before))[:200], to_party=(to_party or holder(to))[:200],
        location=location[:80], bag_seal=bag_seal, manifest_id=manifest_id, actor=actor,
        note=note[:400],
    )  # fmt: skip
    session.add(entry)
    cert.status = to
    cert.location = location[:80]
    cert.status_changed_at = when
    return entry


def _leaving(before: CertificateStatus, to: CertificateStatus) -> bool:
    """A step towards leaving the firm (not back: a cancelled manifest's certificates)."""
    if to is CS.PREPARED:
        return before in (CS.IN_VAULT, CS.RETURNED)
    return to in (CS.ON_MANIFEST, CS.IN_TRANSIT)


def find(session: Session, reference: str) -> m.Certificate:
    """The certificate a clerk names: ``NUMBER``, or ``CUSIP:NUMBER`` when a number repeats."""
    text = " ".join(reference.split()).upper()
    cusip, _, number = text.rpartition(":") if ":" in text else ("", "", text)
    stmt = select(m.Certificate).where(m.Certificate.certificate_number == number.strip())
    if cusip:
        stmt = stmt.where(m.Certificate.cusip == cusip.strip())
    found = session.scalars(stmt.limit(2)).all()
    if not found:
        raise ValidationError("certificate", "is not in the register", reference)
    if len(found) > 1:
        cusips = ", ".join(sorted(c.cusip for c in found))
        raise ValidationError(
            "certificate", f"is the number of certificates of several CUSIPs ({cusips}); "
            "name it as CUSIP:NUMBER", reference,
        )  # fmt: skip
    return found[0]


def find_all(session: Session, references: Sequence[str]) -> list[m.Certificate]:
    """Each named certificate once, in the order named; refuse a repeat."""
    certs: list[m.Certificate] = []
    seen: set[int] = set()
    for reference in references:
        cert = find(session, reference)
        if cert.id in seen:
            raise ValidationError("certificate", "is named twice", reference)
        seen.add(cert.id)
        certs.append(cert)
    if not certs:
        raise ValidationError("certificates", "name at least one certificate")
    return certs


def get(session: Session, cert_id: int) -> m.Certificate:
    cert = session.get(m.Certificate, cert_id)
    if cert is None:
        raise DeskError(f"no certificate {cert_id}")
    return cert


def reference(cert: m.Certificate) -> str:
    """How Desk names a certificate to a person: its number, with its CUSIP."""
    return f"{cert.certificate_number} ({cert.cusip})"


def open_manifest_of(session: Session, cert_id: int) -> str | None:
    """The number of the open manifest ``cert_id`` is on, if any."""
    open_states = (MS.DRAFT, MS.VERIFIED, MS.PRINTED, MS.IN_TRANSIT)
    return session.scalars(
        select(m.CourierManifest.manifest_number)
        .join(m.ManifestLine, m.ManifestLine.manifest_id == m.CourierManifest.id)
        .where(m.ManifestLine.certificate_id == cert_id, m.CourierManifest.status.in_(open_states))
        .limit(1)
    ).first()


def count_in(session: Session, statuses: Sequence[CertificateStatus]) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(m.Certificate)
            .where(m.Certificate.status.in_(statuses))
        )
        or 0
    )
