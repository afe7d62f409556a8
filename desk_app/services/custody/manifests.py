"""Courier manifests: build one from certificates, verify it (dual control), dispatch it,
and record the recipient's receipt, a difference, or the package coming back.

One user prepares a manifest and another verifies it before it may print; a
certificate is on at most one open manifest (its status says so, and the version
column refuses a second manifest taking it at the same moment); a certificate whose
signed stock power is kept with it never ships (the two together are a bearer
instrument). Each line's value is the shares at the last price on the blotter, so
the declared value, and the insured value rounded up to a thousand, are known.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from desk_app.db import models as m
from desk_app.db.paging import KeysetSource
from desk_app.db.text_search import any_contains, every_word
from desk_app.domain.calendars import SettlementCalendar
from desk_app.domain.certificates import (
    CustodyKind,
    Dispatch,
    LossKind,
    ManifestTotals,
    ManifestView,
    text_value,
)
from desk_app.domain.codes import Role
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, NotPermitted, ValidationError
from desk_app.domain.listing import SortSpec
from desk_app.domain.money import round_money
from desk_app.domain.permissions import Action
from desk_app.domain.states import MANIFEST, CertificateStatus, ManifestStatus
from desk_app.services import audit
from desk_app.services.custody import chain as custody
from desk_app.services.custody.certificate_moves import record_loss
from desk_app.services.custody.manifest_airbill import check_airbill
from desk_app.services.custody.manifest_contents import (
    MANIFEST_COLUMNS,
    OPEN,
    aware,
    business_days,
    check_lines,
    check_shippable,
    declared_by_hand,
    get,
    last_prices,
    last_used,
    money_value,
    next_number,
    set_values,
    view_of,
)
from desk_app.services.custody.manifest_counts import (
    COUNT_ATTEMPTS,
    COUNT_FAILED,
    disagrees,
    failed_counts,
)
from desk_app.services.unit_of_work import UnitOfWork

#: What callers have always imported from here; the contents live in `manifest_contents`.
__all__ = ["MANIFEST_COLUMNS", "OPEN", "ManifestService", "check_lines", "get", "view_of"]

CS, MS = CertificateStatus, ManifestStatus
UNRECEIPTED_LIMIT = "manifest_unreceipted"


def manifest_matches(word: str) -> ColumnElement[bool]:
    """A manifest whose number, courier, destination or airbill contains ``word``, or
    that carries a certificate whose number does."""
    mf, line, cert = m.CourierManifest, m.ManifestLine, m.Certificate
    carried = (
        select(line.manifest_id)
        .join(cert, cert.id == line.certificate_id)
        .where(any_contains(word, cert.certificate_number))
    )
    return or_(
        any_contains(
            word, mf.manifest_number, mf.courier, mf.recipient, mf.recipient_address, mf.airbill
        ),
        mf.id.in_(carried),
    )


class ManifestService:
    """Manifests from draft to receipt; each step checks who may take it."""

    def __init__(
        self,
        uow: UnitOfWork,
        calendar: Callable[[], SettlementCalendar],
        today: Callable[[], date] = market_today,
    ) -> None:
        self._uow = uow
        self._calendar = calendar
        self._today = today

    @property
    def _actor(self) -> str:
        return self._uow.actor.username

    # -- reading -------------------------------------------------------------------------

    def manifests(
        self,
        statuses: Sequence[str] = (),
        numbers: Sequence[str] | None = None,
        search: str = "",
    ) -> KeysetSource:
        """Every manifest, newest first; optionally only some statuses, or some numbers;
        ``search``: each word in its number, courier, destination, airbill or the number
        of a certificate on it."""
        mf = m.CourierManifest
        lines = select(func.count()).where(m.ManifestLine.manifest_id == mf.id).scalar_subquery()
        where: list[ColumnElement[bool]] = []
        if statuses:
            where.append(mf.status.in_([MS(s) for s in statuses]))
        if numbers is not None:
            where.append(mf.manifest_number.in_(list(numbers)))
        where += every_word(search, manifest_matches)
        return KeysetSource(
            self._uow.sessions, MANIFEST_COLUMNS,
            lambda: [mf.manifest_number, mf.manifest_date, mf.status, mf.courier, mf.airbill,
                     mf.recipient, lines, mf.declared_value, mf.prepared_by, mf.verified_by,
                     mf.picked_up_at, mf.received_at],
            mf.id, lambda stmt: stmt.select_from(mf),
            SortSpec("manifest_number", descending=True), where=where,
        )  # fmt: skip

    def view(self, number: str) -> ManifestView:
        with self._uow.read() as session:
            return view_of(get(session, number))

    def unreceipted(self) -> list[tuple[ManifestView, int]]:
        """Manifests picked up and not receipted within the limit, with their age in
        business days (reference data ``manifest_unreceipted``): exceptions to chase."""
        calendar = self._calendar()
        today = self._today()
        with self._uow.read() as session:
            limit = session.scalars(
                select(m.AgingLimit.days).where(m.AgingLimit.code == UNRECEIPTED_LIMIT)
            ).first()
            if limit is None:
                raise DeskError(f"reference data has no aging limit {UNRECEIPTED_LIMIT!r}")
            rows = session.scalars(
                select(m.CourierManifest)
                .where(m.CourierManifest.status == MS.IN_TRANSIT)
                .order_by(m.CourierManifest.picked_up_at)
                .options(
                    selectinload(m.CourierManifest.lines).selectinload(m.ManifestLine.certificate)
                )
            ).all()
            out = []
            for row in rows:
                sent = (row.picked_up_at or row.updated_at).date()
                age = business_days(calendar, sent, today)
                if age > limit:
                    out.append((view_of(row), age))
            return out

    def unreceipted_limit(self) -> int | None:
        with self._uow.read() as session:
            return session.scalars(
                select(m.AgingLimit.days).where(m.AgingLimit.code == UNRECEIPTED_LIMIT)
            ).first()

    def known_address(self, recipient: str) -> str | None:
        """The address the last manifest to ``recipient`` went to."""
        with self._uow.read() as session:
            return last_used(session, m.CourierManifest.recipient_address,
                         m.CourierManifest.recipient == recipient.strip())  # fmt: skip

    # -- building ------------------------------------------------------------------------

    def create(self, dispatch: Dispatch, references: Sequence[str]) -> str:
        """A draft manifest of the named certificates; its number."""
        for _attempt in range(3):
            try:
                return self._create(dispatch, references)
            except IntegrityError:
                continue  # another desk took the day's next number: take the one after
        raise DeskError("other desks are numbering manifests at the same moment; try again")

    def _create(self, dispatch: Dispatch, references: Sequence[str]) -> str:
        """One attempt: another desk may take the day's next number first (then retry)."""
        courier = text_value("courier", dispatch.courier, 80)
        recipient = text_value("recipient", dispatch.recipient, 200)
        airbill = text_value("airbill", dispatch.airbill, 40, required=False) or None
        if airbill is not None:
            check_airbill(courier, airbill)
        declared = money_value("declared value", dispatch.declared_value)
        insured = money_value("insured value", dispatch.insured_value)
        with self._uow.write(Action.MANIFEST_PREPARE) as session:
            address = text_value(
                "address", dispatch.recipient_address, 400, required=False, one_line=False
            ) or last_used(
                session, m.CourierManifest.recipient_address,
                m.CourierManifest.recipient == recipient,
            )  # fmt: skip
            if not address:
                raise ValidationError(
                    "address", f"is required: nothing was sent to {recipient} yet"
                )
            sender = text_value("sender", dispatch.sender, 200, required=False) or last_used(
                session, m.CourierManifest.sender, m.CourierManifest.sender != ""
            )  # fmt: skip
            if not sender:
                raise ValidationError("sender", "is required for the first manifest")
            day = self._today()
            row = m.CourierManifest(
                manifest_number=next_number(session, day), manifest_date=day, courier=courier,
                airbill=airbill, pickup_at=aware(dispatch.pickup_at), sender=sender,
                recipient=recipient, recipient_address=address, declared_value=Decimal(0),
                insured_value=Decimal(0), status=MS.DRAFT, prepared_by=self._actor,
                created_at=datetime.now(UTC),
            )  # fmt: skip
            session.add(row)
            session.flush()
            self._add_lines(session, row, custody.find_all(session, references))
            set_values(row, declared, insured)
            return row.manifest_number

    def add(self, number: str, references: Sequence[str]) -> None:
        """Add certificates to a manifest not yet printed (a verified one needs verifying again)."""
        with self._uow.write(Action.MANIFEST_PREPARE) as session:
            row = get(session, number)
            self._reopen(row)
            declared = declared_by_hand(row)
            self._add_lines(session, row, custody.find_all(session, references))
            set_values(row, *declared)

    def remove(self, number: str, references: Sequence[str]) -> None:
        """Take certificates off a manifest not yet printed; they stay prepared for delivery."""
        with self._uow.write(Action.MANIFEST_PREPARE) as session:
            row = get(session, number)
            self._reopen(row)
            declared = declared_by_hand(row)
            gone = {c.id for c in custody.find_all(session, references)}
            lines = [line for line in row.lines if line.certificate_id in gone]
            if len(lines) != len(gone):
                raise ValidationError("certificate", f"is not on manifest {number}")
            if len(lines) == len(row.lines):
                raise ValidationError("certificates", "a manifest keeps at least one; cancel it")
            for line in lines:
                custody.move(
                    session, line.certificate, CS.PREPARED, actor=self._actor,
                    location=custody.SHIPPING_DESK, manifest_id=row.id,
                    note=f"Taken off manifest {number}",
                )  # fmt: skip
                session.delete(line)
            session.flush()
            session.refresh(row)
            for n, line in enumerate(row.lines, 1):
                line.line_no = n
            set_values(row, *declared)

    def set_airbill(self, number: str, airbill: str, pickup_at: datetime | None = None) -> None:
        """The courier's airbill or tracking number (and the pickup time), before printing."""
        bill = text_value("airbill", airbill, 40)
        with self._uow.write(Action.MANIFEST_PREPARE) as session:
            row = get(session, number)
            if row.status not in (MS.DRAFT, MS.VERIFIED):
                raise ValidationError(
                    "airbill", f"manifest {number} is {row.status.label.lower()}: the paper "
                    "already carries its airbill",
                )  # fmt: skip
            self._reopen(row)  # the airbill prints: a verified manifest is verified again
            row.airbill = check_airbill(row.courier, bill)
            if pickup_at is not None:
                row.pickup_at = aware(pickup_at)

    def _reopen(self, row: m.CourierManifest) -> None:
        """A change to a draft or verified manifest: back to draft, and whoever changes it
        is its preparer (so never its verifier)."""
        if row.status is MS.VERIFIED:
            row.status = MANIFEST.check(row.status, MS.DRAFT)
            row.verified_by = row.verified_at = None
        elif row.status is not MS.DRAFT:
            raise ValidationError(
                "manifest", f"{row.manifest_number} is {row.status.label.lower()}; only a "
                "draft or verified manifest changes",
            )  # fmt: skip
        row.prepared_by = self._actor

    def _add_lines(
        self, session: Session, row: m.CourierManifest, certs: Sequence[m.Certificate]
    ) -> None:
        prices = last_prices(session, {c.instrument_id for c in certs if c.instrument_id})
        start = len(row.lines)
        for n, cert in enumerate(certs, start + 1):
            check_shippable(cert)
            if cert.status is CS.IN_VAULT:
                custody.move(session, cert, CS.PREPARED, actor=self._actor,
                             location=custody.SHIPPING_DESK)  # fmt: skip
            custody.move(
                session, cert, CS.ON_MANIFEST, actor=self._actor,
                location=f"Shipping desk — manifest {row.manifest_number}", manifest_id=row.id,
            )  # fmt: skip
            price = prices.get(cert.instrument_id or 0, Decimal(0))
            row.lines.append(m.ManifestLine(
                certificate=cert, line_no=n, shares=cert.shares,
                value=round_money(cert.shares * price, "USD"),
            ))  # fmt: skip

    # -- dual control, dispatch, receipt ---------------------------------------------------

    def verify(self, number: str, count: int | None = None, shares: Decimal | None = None) -> None:
        """The second person's blind check: never the preparer; the airbill is on it; the
        counted totals, if given, must agree.

        A count that does not agree is told only that (never the manifest's totals, which
        would make the count a copy) and is recorded in the audit trail. After
        `COUNT_ATTEMPTS` such counts the manifest is locked: only a supervisor (not its
        preparer) may count and verify it; a verification unlocks it.
        """
        with self._uow.write(Action.MANIFEST_VERIFY) as session:
            row = get(session, number)
            if row.prepared_by == self._actor:
                raise NotPermitted(
                    f"dual control: {self._actor} prepared manifest {number}; another user "
                    "must verify it"
                )
            MANIFEST.check(row.status, MS.VERIFIED)
            check_airbill(row.courier, row.airbill, manifest=row.manifest_number)
            check_lines(row)
            failed = failed_counts(session, row.id)
            supervisor = Role.SUPERVISOR in self._uow.current_actor(session).roles
            if failed >= COUNT_ATTEMPTS and not supervisor:
                raise NotPermitted(
                    f"manifest {row.manifest_number} is locked after {failed} counts that did "
                    "not agree: a supervisor counts the envelope and verifies it"
                )
            if failed and (count is None or shares is None):
                # Else a count that disagreed is simply left out, and the lock never comes.
                raise ValidationError(
                    "count", f"an earlier count of manifest {row.manifest_number} did not "
                    "agree: count both the certificates and the shares to verify it",
                )  # fmt: skip
            totals = ManifestTotals.of((line.shares, line.value) for line in row.lines)
            wrong = [
                name for name, counted, listed in (
                    ("certificates", count, totals.count), ("shares", shares, totals.shares)
                ) if counted is not None and counted != listed
            ]  # fmt: skip
            if not wrong:
                row.status = MS.VERIFIED
                row.verified_by, row.verified_at = self._actor, datetime.now(UTC)
                return
            row_id, manifest = row.id, row.manifest_number
        with self._uow.write(COUNT_FAILED, permission=Action.MANIFEST_VERIFY) as session:
            audit.record_event(session, "courier_manifests", row_id, {
                "manifest": manifest, "attempt": failed + 1, "disagrees": wrong,
                "counted_certificates": count, "counted_shares": None if shares is None
                else str(shares),
            })  # fmt: skip
        raise ValidationError("count", disagrees(manifest, wrong, failed + 1, supervisor))

    def cancel(self, number: str, reason: str) -> None:
        """Cancel a manifest before pickup; its certificates stay prepared for delivery."""
        why = text_value("reason", reason, 400)
        with self._uow.write(Action.MANIFEST_PREPARE) as session:
            row = get(session, number)
            row.status = MANIFEST.check(row.status, MS.CANCELLED)
            row.cancel_reason = why
            for line in row.lines:
                custody.move(
                    session, line.certificate, CS.PREPARED, actor=self._actor,
                    location=custody.SHIPPING_DESK, manifest_id=row.id,
                    note=f"Manifest {number} cancelled: {why}",
                )  # fmt: skip

    def pickup(
        self, number: str, agent: str, bag_seal: str = "", at: datetime | None = None
    ) -> None:
        """The courier's agent signed for the package: the certificates are in transit."""
        who = text_value("courier agent", agent, 80)
        seal = text_value("bag/seal", bag_seal, 40, required=False) or None
        with self._uow.write(Action.MANIFEST_PREPARE) as session:
            row = get(session, number)
            row.status = MANIFEST.check(row.status, MS.IN_TRANSIT)
            check_lines(row)
            when = at or datetime.now(UTC)
            row.picked_up_at, row.picked_up_by, row.bag_seal = when, who, seal
            for line in row.lines:
                custody.move(
                    session, line.certificate, CS.IN_TRANSIT, actor=self._actor,
                    location=f"In transit — {row.courier} {row.airbill or ''}".strip(),
                    to_party=f"{row.courier} ({who})", bag_seal=seal, manifest_id=row.id,
                    at=when,
                )  # fmt: skip

    def receipt(
        self,
        number: str,
        received_by: str = "",
        *,
        missing: Sequence[str] = (),
        note: str = "",
        at: datetime | None = None,
    ) -> None:
        """The recipient acknowledged the package: all items, or all but the named missing ones
        (each reported missing in transit, with the manifest and courier on its loss record)."""
        remark = text_value("difference", note, 400, required=bool(missing))
        with self._uow.write(Action.MANIFEST_PREPARE) as session:
            row = get(session, number)
            if row.status is MS.PRINTED:
                raise ValidationError(
                    "manifest", f"{number} has not been picked up: record the courier's pickup "
                    "first",
                )  # fmt: skip
            who = text_value("received by", received_by, 200, required=False) or row.recipient
            target = MS.RECEIVED_WITH_DIFFERENCE if missing or remark else MS.RECEIVED
            row.status = MANIFEST.check(row.status, target)
            when = at or datetime.now(UTC)
            row.received_by, row.received_at = who, when
            row.difference_note = remark or None
            absent = {c.id for c in custody.find_all(session, missing)} if missing else set()
            on_it = {line.certificate_id for line in row.lines}
            if absent - on_it:
                raise ValidationError("missing", f"names a certificate not on manifest {number}")
            for line in row.lines:
                cert = line.certificate
                if cert.status is CS.LOST:
                    continue  # reported lost in transit already: its loss record says so
                if cert.id in absent:
                    record_loss(
                        session, cert, LossKind.MISSING, when.date(),
                        f"Not in the package on receipt of manifest {number}: {remark}"[:400],
                        manifest=row, actor=self._actor,
                    )  # fmt: skip
                    continue
                custody.move(
                    session, cert, CS.DELIVERED, actor=self._actor,
                    location=f"Delivered: {row.recipient}", from_party=row.courier,
                    to_party=row.recipient if who == row.recipient else f"{row.recipient} ({who})",
                    kind=CustodyKind.DELIVERY,
                    manifest_id=row.id, at=when,
                )  # fmt: skip

    def returned(self, number: str, note: str) -> None:
        """The courier brought the package back undelivered; the certificates are returned."""
        why = text_value("note", note, 400)
        with self._uow.write(Action.MANIFEST_PREPARE) as session:
            row = get(session, number)
            row.status = MANIFEST.check(row.status, MS.RETURNED)
            row.difference_note = why
            for line in row.lines:
                if line.certificate.status is CS.LOST:
                    continue  # reported lost in transit: not in the package
                custody.move(
                    session, line.certificate, CS.RETURNED, actor=self._actor,
                    location="Returns shelf", from_party=row.courier, to_party=custody.VAULT,
                    manifest_id=row.id, note=f"Package returned by {row.courier}: {why}",
                )  # fmt: skip
