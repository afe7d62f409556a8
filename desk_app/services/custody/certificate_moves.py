"""A certificate's life outside manifests: prepare, back to the vault, lost and found,
the stop transfer, cancel-and-reissue, and the supervised replacement of a lost one.

A replacement needs an indemnity bond and a principal's approval (the firm stands
behind a certificate that may still surface); the approval cancels the lost
certificate and registers its replacement, linked to it, in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.certificates import (
    CustodyKind,
    LossKind,
    NewCertificate,
    clean_number,
    parse_shares,
    reissue_balance,
    text_value,
)
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.permissions import Action
from desk_app.domain.states import CertificateStatus
from desk_app.domain.trade_rows import parse_iso_date
from desk_app.services import audit
from desk_app.services.custody import chain as custody
from desk_app.services.supervision.approvals import ApprovalService, Proposal
from desk_app.services.unit_of_work import UnitOfWork

CS = CertificateStatus
TABLE = "certificates"


@dataclass(frozen=True)
class LossReport:
    """What SEC Form X-17F-1A asks about one lost, stolen, missing or counterfeit certificate."""

    fields: tuple[tuple[str, str], ...]
    stop_placed: bool

    def text(self) -> str:
        width = max(len(name) for name, _ in self.fields)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in self.fields)


class CertificateMoves:
    """Moves a clerk makes on certificates in the firm's hands, each with its custody entry."""

    def __init__(self, uow: UnitOfWork, approvals: ApprovalService) -> None:
        self._uow = uow
        self._approvals = approvals
        approvals.register(_ReplaceHandler())

    @property
    def _actor(self) -> str:
        return self._uow.actor.username

    def prepare(self, references: Sequence[str], location: str = custody.SHIPPING_DESK) -> int:
        """Take certificates out of the vault for delivery; how many moved."""
        where = text_value("location", location, 80)
        with self._uow.write(Action.CERTIFICATE_MOVE) as session:
            certs = custody.find_all(session, references)
            for cert in certs:
                if cert.status is not CS.IN_VAULT:  # a manifest's own moves go through it
                    raise ValidationError(
                        "certificate", f"{cert.certificate_number} is "
                        f"{cert.status.label.lower()}: only a certificate in the vault is "
                        "prepared",
                    )  # fmt: skip
                custody.move(session, cert, CS.PREPARED, actor=self._actor, location=where)
            return len(certs)

    def to_vault(self, references: Sequence[str], location: str) -> int:
        """Put prepared, returned or found certificates (back) in the vault."""
        where = text_value("location", location, 80)
        with self._uow.write(Action.CERTIFICATE_MOVE) as session:
            certs = custody.find_all(session, references)
            for cert in certs:
                if cert.status is CS.LOST:
                    _close_loss(session, cert, "found")
                custody.move(
                    session, cert, CS.IN_VAULT, actor=self._actor, location=where,
                    note="Found" if cert.status is CS.LOST else "",
                )  # fmt: skip
            return len(certs)

    def set_stock_power(self, reference: str, attached: bool) -> None:
        """Record that a signed stock power is (or no longer is) kept with the certificate."""
        with self._uow.write(Action.CERTIFICATE_MOVE) as session:
            cert = custody.find(session, reference)
            if cert.status not in (CS.IN_VAULT, CS.PREPARED, CS.RETURNED):
                raise ValidationError(
                    "stock power", f"{cert.certificate_number} is {cert.status.label.lower()}; "
                    "a stock power is kept with a certificate only in the firm's hands, off "
                    "any manifest",
                )  # fmt: skip
            if cert.stock_power_attached == attached:
                state = "attached to" if attached else "detached from"
                raise ValidationError(
                    "stock power", f"is already {state} {cert.certificate_number}"
                )
            cert.stock_power_attached = attached

    def mark_returned(self, reference: str, by: str, note: str) -> None:
        """The recipient sent a delivered certificate back (rejected, not needed)."""
        party = text_value("returned by", by, 200)
        reason = text_value("note", note, 400)
        with self._uow.write(Action.CERTIFICATE_MOVE) as session:
            cert = custody.find(session, reference)
            custody.move(
                session, cert, CS.RETURNED, actor=self._actor, location="Returns shelf",
                from_party=party, to_party=custody.VAULT, kind=CustodyKind.RECEIPT, note=reason,
            )  # fmt: skip

    def report_lost(
        self,
        reference: str,
        kind: LossKind | str,
        discovered_on: date | str,
        circumstances: str,
        *,
        stop_agent: str = "",
        stop_reference: str = "",
    ) -> int:
        """Report a certificate lost, stolen, missing or counterfeit; the loss record's id."""
        what = _loss_kind(kind)
        found_on = _past("discovered_on", discovered_on)
        story = text_value("circumstances", circumstances, 400)
        agent = text_value("stop agent", stop_agent, 200, required=False)
        ref = text_value("stop reference", stop_reference, 40, required=False) or None
        if ref and not agent:
            raise ValidationError("stop agent", "name the transfer agent the stop was placed with")
        with self._uow.write(Action.CERTIFICATE_MOVE) as session:
            cert = custody.find(session, reference)
            if cert.status is CS.ON_MANIFEST:
                raise ValidationError(
                    "certificate", f"{cert.certificate_number} is on manifest "
                    f"{custody.open_manifest_of(session, cert.id)}: take it off the manifest "
                    "(or cancel it) first",
                )  # fmt: skip
            manifest = _manifest_in_transit(session, cert)
            loss = record_loss(
                session, cert, what, found_on, story, manifest=manifest, actor=self._actor,
            )  # fmt: skip
            if agent:  # placed as the loss is reported
                loss.stop_agent, loss.stop_placed_on = agent, market_today()
                loss.stop_reference = ref
            session.flush()
            return loss.id

    def place_stop(self, reference: str, agent: str, placed_on: date | str, ref: str = "") -> None:
        """Record the stop transfer placed with the transfer agent for a lost certificate."""
        name = text_value("stop agent", agent, 200)
        when = _past("stop placed on", placed_on)
        with self._uow.write(Action.CERTIFICATE_MOVE) as session:
            loss = _open_loss(session, custody.find(session, reference))
            loss.stop_agent, loss.stop_placed_on = name, when
            loss.stop_reference = text_value("stop reference", ref, 40, required=False) or None

    def loss_report(self, reference: str) -> LossReport:
        """The facts Form X-17F-1A needs, for the clerk to file with the SEC's program."""
        with self._uow.read() as session:
            cert = custody.find(session, reference)
            loss = _latest_loss(session, cert)
            manifest = (
                session.get(m.CourierManifest, loss.manifest_id) if loss.manifest_id else None
            )
            stop = (
                f"{loss.stop_placed_on} with {loss.stop_agent}"
                + (f" (ref. {loss.stop_reference})" if loss.stop_reference else "")
                if loss.stop_agent and loss.stop_placed_on else "NOT YET PLACED"
            )  # fmt: skip
            fields = (
                ("Type of loss", loss.kind.label),
                ("Discovered on", loss.discovered_on.isoformat()),
                ("Issuer", cert.issuer),
                ("Class of security", cert.security_class),
                ("CUSIP", cert.cusip),
                ("Certificate number", cert.certificate_number),
                ("Shares", f"{cert.shares:,}"),
                ("Registered holder", cert.registration_text),
                ("Issue date", cert.issue_date.isoformat()),
                ("Lost in transit", "Yes" if loss.in_transit else "No"),
                ("Courier", loss.courier or "—"),
                ("Manifest / airbill", (
                    f"{manifest.manifest_number} / {manifest.airbill or '—'}" if manifest else "—"
                )),
                ("Stop transfer", stop),
                ("Circumstances", loss.circumstances),
                ("Reported by", f"{loss.reported_by} at {loss.reported_at:%Y-%m-%d %H:%M} UTC"),
                ("Status", loss.closed_how.capitalize() if loss.closed_how else "Open"),
            )  # fmt: skip
            return LossReport(fields, bool(loss.stop_agent))

    def reissue(
        self,
        reference: str,
        issued: Sequence[NewCertificate],
        *,
        balance_number: str = "",
        agent: str,
        location: str,
    ) -> list[int]:
        """A transfer: the agent cancels the old certificate and issues new ones plus a balance
        certificate to the old holder for the shares not transferred; the new ones' ids."""
        from_agent = text_value("agent", agent, 200)
        where = text_value("location", location, 80)
        new = [_checked_new(c) for c in issued]
        with self._uow.write(Action.CERTIFICATE_MOVE) as session:
            old = custody.find(session, reference)
            if old.status not in (CS.IN_VAULT, CS.DELIVERED):
                raise ValidationError(
                    "certificate", f"{old.certificate_number} is {old.status.label.lower()}: only "
                    "a certificate in the vault or delivered to the transfer agent is reissued",
                )  # fmt: skip
            balance = reissue_balance(old.shares, new)
            if balance_number.strip() and clean_number("balance certificate", balance_number) in {
                c.certificate_number for c in new
            }:
                raise ValidationError(
                    "balance certificate", f"{balance_number.strip()} is also one of the new "
                    "certificates' numbers",
                )  # fmt: skip
            if balance and not balance_number.strip():
                raise ValidationError(
                    "balance certificate", f"{balance:,} shares stay with {old.registered_holder}: "
                    "give the balance certificate's number",
                )  # fmt: skip
            if not balance and balance_number.strip():
                raise ValidationError("balance certificate", "no shares are left for it")
            if balance:
                new.append(NewCertificate(
                    clean_number("balance certificate", balance_number), old.registered_holder,
                    old.registration_text, balance,
                    old.account.account_number if old.account else None,
                ))  # fmt: skip
            custody.move(
                session, old, CS.CANCELLED, actor=self._actor,
                location=f"Cancelled by {from_agent}",
                from_party=custody.holder(old.status) if old.status is CS.IN_VAULT else from_agent,
                to_party=from_agent, note="Cancelled on transfer",
            )  # fmt: skip
            made = [
                issue_in_place_of(session, old, c, actor=self._actor, agent=from_agent,
                                  location=where, note="Issued on transfer")
                for c in new
            ]  # fmt: skip
            return [c.id for c in made]

    def request_replacement(
        self,
        reference: str,
        *,
        new_number: str,
        indemnity_bond: str,
        surety: str,
        location: str,
        reason: str,
    ) -> int:
        """Ask a principal to approve replacing a lost certificate; the request's id."""
        number = clean_number("new certificate number", new_number)
        bond = text_value("indemnity_bond", indemnity_bond, 40)
        company = text_value("surety", surety, 200)
        where = text_value("location", location, 80)
        with self._uow.read() as session:
            cert = custody.find(session, reference)
            loss = _open_loss(session, cert)
            if not loss.stop_agent:
                raise ValidationError(
                    "stop transfer", f"place a stop transfer on {cert.certificate_number} with "
                    "the transfer agent before asking for a replacement",
                )  # fmt: skip
            _check_unused(session, cert.cusip, number)
            key = f"{TABLE}:{cert.cusip}:{cert.certificate_number}"
            proposal = Proposal(
                Action.CERTIFICATE_REPLACE, TABLE, key,
                f"Replace lost certificate {cert.certificate_number} ({cert.shares:,} sh "
                f"{cert.issuer}) with {number}; bond {bond} by {company}",
                {"certificate_number": cert.certificate_number, "status": cert.status.value},
                {"new_certificate_number": number, "indemnity_bond": bond, "surety": company,
                 "location": where, "stop_agent": loss.stop_agent},
                cert.id, cert.version,
            )  # fmt: skip
        return self._approvals.request(proposal, reason)


def record_loss(
    session: Session,
    cert: m.Certificate,
    kind: LossKind,
    discovered_on: date,
    circumstances: str,
    *,
    manifest: m.CourierManifest | None,
    actor: str,
) -> m.CertificateLoss:
    """Move ``cert`` to lost and open its loss record (also used by a receipt's difference)."""
    loss = m.CertificateLoss(
        certificate_id=cert.id, kind=kind, discovered_on=discovered_on,
        circumstances=circumstances, in_transit=manifest is not None,
        manifest_id=manifest.id if manifest else None,
        courier=manifest.courier if manifest else None, reported_by=actor,
        reported_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(loss)
    custody.move(
        session, cert, CS.LOST, actor=actor,
        location=f"{kind.label}: {circumstances}"[:80],
        from_party=manifest.courier if manifest else custody.holder(cert.status),
        to_party="Unknown", manifest_id=manifest.id if manifest else None,
        note=f"{kind.label} — {circumstances}",
    )  # fmt: skip
    return loss


def issue_in_place_of(
    session: Session,
    old: m.Certificate,
    new: NewCertificate,
    *,
    actor: str,
    agent: str,
    location: str,
    note: str,
) -> m.Certificate:
    """Register a certificate the transfer agent issued in place of ``old`` (a receipt)."""
    _check_unused(session, old.cusip, new.certificate_number)
    # The old client's account only for the old holder (a balance or replacement).
    same_holder = new.registered_holder.casefold() == old.registered_holder.casefold()
    account_id = old.account_id if same_holder else None
    if new.account:
        account_id = session.scalars(
            select(m.Account.id).where(m.Account.account_number == new.account)
        ).first()
        if account_id is None:
            raise ValidationError("account", "is not an account", new.account)
    now = datetime.now(UTC)
    cert = m.Certificate(
        certificate_number=new.certificate_number, cusip=old.cusip,
        instrument_id=old.instrument_id, issuer=old.issuer, security_class=old.security_class,
        registered_holder=new.registered_holder, registration_text=new.registration_text,
        shares=new.shares, issue_date=now.date(), restricted_legend=old.restricted_legend,
        form=old.form, account_id=account_id, location=location, status=CS.IN_VAULT,
        stock_power_attached=False, status_changed_at=now, replaces_id=old.id,
    )  # fmt: skip
    session.add(cert)
    session.flush()
    session.add(m.CustodyEntry(
        certificate_id=cert.id, at=now, kind=CustodyKind.RECEIPT, from_status=None,
        to_status=CS.IN_VAULT, from_party=agent, to_party=custody.VAULT, location=location,
        actor=actor, note=f"{note}, in place of {old.certificate_number}",
    ))  # fmt: skip
    return cert


def _checked_new(c: NewCertificate) -> NewCertificate:
    return NewCertificate(
        clean_number("new certificate number", c.certificate_number),
        text_value("registered_holder", c.registered_holder, 200),
        text_value("registration_text", c.registration_text or c.registered_holder, 400),
        parse_shares("shares", str(c.shares)),
        (c.account or "").strip().upper() or None,
    )


def _check_unused(session: Session, cusip: str, number: str) -> None:
    taken = session.scalars(
        select(m.Certificate.id).where(
            m.Certificate.cusip == cusip, m.Certificate.certificate_number == number
        )
    ).first()
    if taken is not None:
        raise ValidationError(
            "new certificate number", f"{number} of CUSIP {cusip} is already in the register"
        )


def _loss_kind(kind: LossKind | str) -> LossKind:
    try:
        return LossKind(str(kind).strip().lower())
    except ValueError:
        choices = ", ".join(k.value for k in LossKind)
        raise ValidationError("kind", f"is not one of {choices}", kind) from None


def _past(field: str, value: date | str) -> date:
    """A date that has come: a loss is discovered, a stop placed, today at the latest."""
    day = value if isinstance(value, date) else parse_iso_date(field, str(value).strip())
    if day > market_today():
        raise ValidationError(field, f"is after today ({market_today()})", str(day))
    return day


def _manifest_in_transit(session: Session, cert: m.Certificate) -> m.CourierManifest | None:
    """The manifest a certificate went missing on, when it was in transit."""
    if cert.status is not CS.IN_TRANSIT:
        return None
    return session.scalars(
        select(m.CourierManifest)
        .join(m.ManifestLine, m.ManifestLine.manifest_id == m.CourierManifest.id)
        .where(m.ManifestLine.certificate_id == cert.id)
        .order_by(m.CourierManifest.id.desc())
        .limit(1)
    ).first()


def _latest_loss(session: Session, cert: m.Certificate) -> m.CertificateLoss:
    loss = session.scalars(
        select(m.CertificateLoss)
        .where(m.CertificateLoss.certificate_id == cert.id)
        .order_by(m.CertificateLoss.id.desc())
        .limit(1)
    ).first()
    if loss is None:
        raise DeskError(f"{cert.certificate_number} has never been reported lost")
    return loss


def _open_loss(session: Session, cert: m.Certificate) -> m.CertificateLoss:
    loss = _latest_loss(session, cert)
    if cert.status is not CS.LOST or loss.closed_how is not None:
        raise ValidationError(
            "certificate", f"{cert.certificate_number} is {cert.status.label.lower()}, not lost"
        )
    return loss


def _close_loss(session: Session, cert: m.Certificate, how: str) -> m.CertificateLoss:
    loss = _open_loss(session, cert)
    loss.closed_how, loss.closed_at = how, datetime.now(UTC)
    return loss


class _ReplaceHandler:
    """Applies an approved replacement: the lost certificate cancelled, the new one registered."""

    action = Action.CERTIFICATE_REPLACE

    def current(self, session: Session, request: m.ApprovalRequest) -> Mapping[str, Any] | None:
        cert = session.get(m.Certificate, request.target_id) if request.target_id else None
        if cert is None:
            return None
        return {
            "certificate_number": cert.certificate_number,
            "status": cert.status.value,
            "version": cert.version,
        }

    def apply(self, session: Session, request: m.ApprovalRequest, after: Mapping[str, Any]) -> None:
        assert request.target_id is not None
        old = custody.get(session, request.target_id)
        loss = _close_loss(session, old, "replaced")
        actor = audit.context_of(session).app_user
        agent = loss.stop_agent or str(after["stop_agent"])
        custody.move(
            session, old, CS.CANCELLED, actor=actor, location="Replaced (stop transfer stands)",
            from_party="Unknown", to_party=agent,
            note=f"Replaced under indemnity bond {after['indemnity_bond']} by {after['surety']}",
        )  # fmt: skip
        new = issue_in_place_of(
            session, old,
            NewCertificate(str(after["new_certificate_number"]), old.registered_holder,
                           old.registration_text, old.shares),
            actor=actor, agent=agent, location=str(after["location"]),
            note=f"Replacement under indemnity bond {after['indemnity_bond']}",
        )  # fmt: skip
        loss.replacement_id = new.id
        loss.indemnity_bond = str(after["indemnity_bond"])
        loss.surety = str(after["surety"])
