"""The certificate register: the list, one certificate's record and chain of custody,
the receipts and deliveries blotter, and adding certificates by hand or from a CSV.

Adding a certificate is a receipt: it enters the vault with a custody entry from
whoever delivered it, and receipts and deliveries are the blotter's record of
securities received and delivered by certificate number (SEC 17a-3(a)(1)).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from desk_app.db import models as m
from desk_app.db.models import Account, Certificate, CustodyEntry
from desk_app.db.paging import Expr, KeysetSource
from desk_app.db.restriction_book import restriction_text
from desk_app.db.text_search import any_contains, every_word
from desk_app.domain import labels
from desk_app.domain.certificates import (
    CertificateEntry,
    CustodyKind,
    clean_entry,
    read_certificates_csv,
)
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import ValidationError
from desk_app.domain.listing import Column, ColumnKind, SortSpec
from desk_app.domain.permissions import Action
from desk_app.domain.states import CertificateStatus
from desk_app.domain.trade_rows import RowProblem
from desk_app.services.custody import chain as custody
from desk_app.services.unit_of_work import UnitOfWork

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
CUSTODY_COLUMNS = (
    Column("at", "When", K.DATETIME),
    Column("kind", "Kind", K.STATUS, labels.CUSTODY_KIND),
    Column("from_status", "From status", K.STATUS, labels.CERTIFICATE_STATUS),
    Column("to_status", "To status", K.STATUS, labels.CERTIFICATE_STATUS),
    Column("from_party", "From"),
    Column("to_party", "To"),
    Column("location", "Location"),
    Column("bag_seal", "Bag/seal"),
    Column("manifest", "Manifest"),
    Column("actor", "By"),
    Column("note", "Note"),
)
MOVEMENT_COLUMNS = (
    Column("at", "When", K.DATETIME),
    Column("kind", "Receipt/delivery", K.STATUS, labels.CUSTODY_KIND),
    Column("certificate_number", "Certificate"),
    Column("cusip", "CUSIP"),
    Column("issuer", "Issuer"),
    Column("shares", "Shares", K.QUANTITY),
    Column("account", "Account"),
    Column("from_party", "From"),
    Column("to_party", "To"),
    Column("manifest", "Manifest"),
    Column("actor", "By"),
)
#: The CSV's columns, in the order a template lists them.
CSV_HEADER = (
    "certificate_number", "cusip", "issuer", "security_class", "registered_holder",
    "registration_text", "shares", "issue_date", "location", "restricted_legend", "form",
    "account", "stock_power_attached", "received_from",
)  # fmt: skip


def _columns() -> list[Expr]:
    c = Certificate
    return [
        c.certificate_number, c.cusip, c.issuer, c.security_class, c.registered_holder,
        c.shares, c.status, c.location, Account.account_number, c.issue_date,
        c.restricted_legend, c.stock_power_attached,
    ]  # fmt: skip


def _joins(stmt: Select[Any]) -> Select[Any]:
    return stmt.select_from(Certificate).outerjoin(Account, Account.id == Certificate.account_id)


def certificate_matches(word: str) -> ColumnElement[bool]:
    """A certificate whose number, CUSIP, issuer or registered holder contains ``word``,
    or whose security's ISIN does."""
    c, i = Certificate, m.Instrument
    return or_(
        any_contains(word, c.certificate_number, c.cusip, c.issuer, c.registered_holder),
        c.cusip.in_(select(i.cusip).where(any_contains(word, i.isin), i.cusip.is_not(None))),
    )


def _movement_matches(word: str) -> ColumnElement[bool]:
    e, mf = CustodyEntry, m.CourierManifest
    return or_(
        e.certificate_id.in_(select(Certificate.id).where(certificate_matches(word))),
        any_contains(word, e.from_party, e.to_party),
        e.manifest_id.in_(select(mf.id).where(any_contains(word, mf.manifest_number))),
    )


@dataclass(frozen=True)
class CertificateDetail:
    """One certificate as its detail pane shows it."""

    id: int
    reference: str
    fields: tuple[tuple[str, str], ...]
    status: CertificateStatus
    stock_power_attached: bool
    open_manifest: str | None
    open_loss: int | None
    version: int


@dataclass(frozen=True)
class ImportResult:
    """What a CSV import did: certificates added, or the problems that stopped it."""

    added: int
    problems: tuple[RowProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


class CertificateService:
    """Where every certificate is, and what came in and went out."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        uow: UnitOfWork | None = None,
        today: Callable[[], date] = market_today,
    ) -> None:
        self._sessions = sessions
        self._uow = uow
        self._today = today

    def certificates(
        self, status: str | None = None, statuses: Sequence[str] = (), search: str = ""
    ) -> KeysetSource:
        """The register, optionally only certificates in one status (or several);
        ``search``: each word in the number, CUSIP or ISIN, issuer or holder."""
        wanted = [CertificateStatus(s) for s in ((status,) if status else statuses)]
        where: list[ColumnElement[bool]] = [Certificate.status.in_(wanted)] if wanted else []
        where += every_word(search, certificate_matches)
        return KeysetSource(
            self._sessions, CERTIFICATE_COLUMNS, _columns, Certificate.id, _joins,
            SortSpec("certificate_number"), where=where,
        )  # fmt: skip

    def custody(self, certificate_id: int) -> KeysetSource:
        """One certificate's chain of custody, newest first."""
        e, mf = CustodyEntry, m.CourierManifest
        return KeysetSource(
            self._sessions, CUSTODY_COLUMNS,
            lambda: [e.at, e.kind, e.from_status, e.to_status, e.from_party, e.to_party,
                     e.location, e.bag_seal, mf.manifest_number, e.actor, e.note],
            e.id,
            lambda stmt: stmt.select_from(e).outerjoin(mf, mf.id == e.manifest_id),
            SortSpec("at", descending=True), where=[e.certificate_id == certificate_id],
        )  # fmt: skip

    def movements(self, since: date | None = None, search: str = "") -> KeysetSource:
        """Receipts and deliveries of certificates, newest first: the blotter's record;
        ``search``: each word in the certificate (as `certificates` finds it), the parties
        or the manifest number."""
        e, c, mf = CustodyEntry, Certificate, m.CourierManifest
        where: list[Any] = [e.kind.in_((CustodyKind.RECEIPT, CustodyKind.DELIVERY))]
        where += every_word(search, _movement_matches)
        if since is not None:
            where.append(e.at >= datetime(since.year, since.month, since.day).astimezone())
        return KeysetSource(
            self._sessions, MOVEMENT_COLUMNS,
            lambda: [e.at, e.kind, c.certificate_number, c.cusip, c.issuer, c.shares,
                     Account.account_number, e.from_party, e.to_party, mf.manifest_number,
                     e.actor],
            e.id,
            lambda stmt: (
                stmt.select_from(e).join(c, c.id == e.certificate_id)
                .outerjoin(Account, Account.id == c.account_id)
                .outerjoin(mf, mf.id == e.manifest_id)
            ),
            SortSpec("at", descending=True), where=where,
        )  # fmt: skip

    def detail(self, certificate_id: int) -> CertificateDetail:
        with self._sessions() as session:
            cert = custody.get(session, certificate_id)
            loss = session.scalars(
                select(m.CertificateLoss.id).where(
                    m.CertificateLoss.certificate_id == cert.id,
                    m.CertificateLoss.closed_how.is_(None),
                )
            ).first()
            replaces = session.get(Certificate, cert.replaces_id) if cert.replaces_id else None
            fields: tuple[tuple[str, str], ...] = (
                ("Certificate", cert.certificate_number),
                ("CUSIP", cert.cusip),
                ("Issuer", f"{cert.issuer} — {cert.security_class}"),
                ("Registered holder", cert.registered_holder),
                ("Registration", cert.registration_text),
                ("Shares", f"{cert.shares:,}"),
                ("Issued", cert.issue_date.isoformat()),
                ("Form", cert.form.capitalize()),
                ("Restricted legend", "Yes" if cert.restricted_legend else "No"),
                ("Stock power", "Attached" if cert.stock_power_attached else "Not attached"),
                ("Account", cert.account.account_number if cert.account else "—"),
                ("Status", labels.CERTIFICATE_STATUS[cert.status.value]),
                ("Location", cert.location),
                ("Replaces", custody.reference(replaces) if replaces else "—"),
            )
            restricted = restriction_text(session, cert.account)
            if restricted:  # what keeps it in the vault, beside its account
                at = [name for name, _ in fields].index("Account") + 1
                fields = (*fields[:at], ("Restriction", restricted), *fields[at:])
            return CertificateDetail(
                cert.id, custody.reference(cert), fields, cert.status,
                cert.stock_power_attached, custody.open_manifest_of(session, cert.id), loss,
                cert.version,
            )  # fmt: skip

    def find(self, reference: str) -> int:
        """The id of the certificate a clerk names (``NUMBER`` or ``CUSIP:NUMBER``)."""
        with self._sessions() as session:
            return custody.find(session, reference).id

    # -- adding ------------------------------------------------------------------------

    def add(self, values: Mapping[str, str]) -> int:
        """Register one certificate received into the vault; its id."""
        entry = clean_entry(values, self._today())
        with self._write(Action.CERTIFICATE_REGISTER) as session:
            problems = _conflicts(session, [entry], "entry")
            if problems:
                raise ValidationError(problems[0].field, problems[0].reason)
            (cert,) = _store(session, [entry], self._actor)
            return cert.id

    def import_csv(self, path: Path | str, content: bytes | None = None) -> ImportResult:
        """Register every certificate of a CSV file, or none: the problems say why."""
        path = Path(path)
        data = path.read_bytes() if content is None else content
        parsed = read_certificates_csv(data, path.name, self._today())
        if not parsed.ok:
            return ImportResult(0, parsed.problems)
        with self._write(Action.CERTIFICATE_REGISTER) as session:
            problems = _conflicts(session, parsed.entries, path.name)
            if problems:
                return ImportResult(0, tuple(problems))
            return ImportResult(len(_store(session, parsed.entries, self._actor)), ())

    @property
    def _actor(self) -> str:
        assert self._uow is not None
        return self._uow.actor.username

    def _write(self, action: Action) -> Any:
        if self._uow is None:
            raise RuntimeError("this certificate service is read-only")
        return self._uow.write(action)


def _conflicts(
    session: Session, entries: Sequence[CertificateEntry], file: str
) -> list[RowProblem]:
    """Entries whose number the register has for that CUSIP, or whose account is unknown."""
    problems: list[RowProblem] = []
    keys = [(e.cusip, e.certificate_number) for e in entries]
    taken: set[tuple[str, str]] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        taken.update(
            (cusip, number)
            for cusip, number in session.execute(
                select(Certificate.cusip, Certificate.certificate_number).where(
                    tuple_(Certificate.cusip, Certificate.certificate_number).in_(chunk)
                )
            )
        )
    accounts = {e.account for e in entries if e.account}
    known = set(
        session.scalars(select(Account.account_number).where(Account.account_number.in_(accounts)))
    ) if accounts else set()  # fmt: skip
    for e in entries:
        if (e.cusip, e.certificate_number) in taken:
            problems.append(RowProblem(
                file, e.line, "certificate_number",
                f"{e.certificate_number} of CUSIP {e.cusip} is already in the register",
            ))  # fmt: skip
        if e.account and e.account not in known:
            problems.append(
                RowProblem(file, e.line, "account", f"is not an account ('{e.account}')")
            )
    return problems


def _store(session: Session, entries: Sequence[CertificateEntry], actor: str) -> list[Certificate]:
    cusips = {e.cusip for e in entries}
    by_cusip = select(m.Instrument.cusip, m.Instrument.id).where(m.Instrument.cusip.in_(cusips))
    instruments = {cusip: iid for cusip, iid in session.execute(by_cusip)}
    numbers = {e.account for e in entries if e.account}
    by_number = select(Account.account_number, Account.id).where(
        Account.account_number.in_(numbers)
    )
    accounts = {number: aid for number, aid in session.execute(by_number)} if numbers else {}
    certs, now = [], datetime.now(UTC)
    for e in entries:
        cert = Certificate(
            certificate_number=e.certificate_number, cusip=e.cusip,
            instrument_id=instruments.get(e.cusip), issuer=e.issuer,
            security_class=e.security_class, registered_holder=e.registered_holder,
            registration_text=e.registration_text, shares=e.shares, issue_date=e.issue_date,
            restricted_legend=e.restricted_legend, form=e.form.value,
            account_id=accounts.get(e.account) if e.account else None, location=e.location,
            status=CertificateStatus.IN_VAULT, stock_power_attached=e.stock_power_attached,
            status_changed_at=now,
        )  # fmt: skip
        session.add(cert)
        certs.append(cert)
    session.flush()
    for cert, e in zip(certs, entries, strict=True):
        session.add(CustodyEntry(
            certificate_id=cert.id, at=cert.status_changed_at, kind=CustodyKind.RECEIPT,
            from_status=None, to_status=CertificateStatus.IN_VAULT,
            from_party=(e.received_from or "Not recorded")[:200], to_party=custody.VAULT,
            location=e.location, actor=actor, note="Registered on receipt",
        ))  # fmt: skip
    return certs
