"""Printing a manifest or its delivery receipt: the first print is the original, every
later one is marked COPY, and each is recorded (and audited) with its SHA-256.

A manifest prints only once verified (dual control). It carries the firm's name, the
print time and the people's full names; the same manifest, paper, copy flag and print
time give the same bytes, so the hash recorded with each print proves what was on the
paper that left the building. A preview is what the next print will be (at its own
time), recording nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.errors import ValidationError
from desk_app.domain.permissions import Action
from desk_app.domain.states import ManifestStatus
from desk_app.services.custody import manifests
from desk_app.services.firm import letterhead
from desk_app.services.unit_of_work import UnitOfWork

MS = ManifestStatus


class Document(StrEnum):
    MANIFEST = "manifest"
    RECEIPT = "receipt"

    @property
    def label(self) -> str:
        return "Courier manifest" if self is Document.MANIFEST else "Delivery receipt"


@dataclass(frozen=True)
class PrintedDocument:
    """A PDF as printed (or previewed): its bytes, hash, pages, and whether it is a copy."""

    pdf: bytes
    sha256: str
    copy: bool
    pages: int
    document: Document
    manifest_number: str


class ManifestPrinting:
    """Prints manifests and receipts, recording every print."""

    def __init__(
        self, uow: UnitOfWork, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._uow = uow
        #: The print time on the paper and in the PDF (a test fixes it to compare bytes).
        self.clock = clock

    def preview(
        self, number: str, document: Document | str = Document.MANIFEST, paper: str = "letter"
    ) -> PrintedDocument:
        """What printing now would give (COPY if an original was printed), recording nothing."""
        kind = Document(document)
        self._uow.actor.require(Action.VIEW_BOOKS)
        with self._uow.read() as session:
            row = manifests.get(session, number)
            copy = _printed_before(session, row.id, kind)
            return _document(session, row, kind, paper, copy,
                             printed_by=self._uow.actor.full_name, at=self.clock())  # fmt: skip

    def print(
        self, number: str, document: Document | str = Document.MANIFEST, paper: str = "letter"
    ) -> PrintedDocument:
        """Print: the PDF, recorded with its hash; the first manifest print marks it printed."""
        kind = Document(document)
        with self._uow.write(Action.MANIFEST_PREPARE) as session:
            row = manifests.get(session, number)
            _check_printable(row, kind)
            if kind is Document.MANIFEST and row.status is MS.VERIFIED:
                manifests.check_lines(row)
            copy = _printed_before(session, row.id, kind)
            at = self.clock()  # on the paper and on record: a reprint at it is the same bytes
            done = _document(session, row, kind, paper, copy,
                             printed_by=self._uow.actor.full_name, at=at)  # fmt: skip
            if kind is Document.MANIFEST:
                if row.status is MS.VERIFIED:
                    row.status = MS.PRINTED
                row.print_count += 1
            else:  # the manifest's version moves too: two desks cannot both print an original
                row.updated_at = datetime.now(UTC)
            session.add(m.ManifestPrint(
                manifest_id=row.id, document=kind.value, paper=paper, copy=copy,
                pages=done.pages, sha256=done.sha256, printed_by=self._uow.actor.username,
                printed_at=at,
            ))  # fmt: skip
            return done

    def prints(self, number: str) -> list[tuple[str, str, bool, int, str, str]]:
        """Every print of a manifest: (document, paper, copy, pages, SHA-256, by at when)."""
        with self._uow.read() as session:
            row = manifests.get(session, number)
            found = session.scalars(
                select(m.ManifestPrint)
                .where(m.ManifestPrint.manifest_id == row.id)
                .order_by(m.ManifestPrint.id)
            ).all()
            return [
                (p.document, p.paper, p.copy, p.pages, p.sha256,
                 f"{p.printed_by} at {p.printed_at:%Y-%m-%d %H:%M} UTC")
                for p in found
            ]  # fmt: skip


def _check_printable(row: m.CourierManifest, kind: Document) -> None:
    if row.status is MS.CANCELLED:
        raise ValidationError("manifest", f"{row.manifest_number} is cancelled")
    if kind is Document.MANIFEST and row.status is MS.DRAFT:
        raise ValidationError(
            "manifest", f"{row.manifest_number} is not verified yet: dual control wants "
            "another user to verify it before it prints",
        )  # fmt: skip
    if kind is Document.RECEIPT and row.status in (MS.DRAFT, MS.VERIFIED):
        raise ValidationError(
            "manifest", f"print manifest {row.manifest_number} before its delivery receipt"
        )


def _printed_before(session: Session, manifest_id: int, kind: Document) -> bool:
    return bool(
        session.scalar(
            select(func.count())
            .select_from(m.ManifestPrint)
            .where(m.ManifestPrint.manifest_id == manifest_id, m.ManifestPrint.document == kind)
        )
    )


def _document(
    session: Session, row: m.CourierManifest, kind: Document, paper: str, copy: bool, *,
    printed_by: str, at: datetime,
) -> PrintedDocument:  # fmt: skip
    if paper not in ("letter", "a4"):
        raise ValidationError("paper", "is not letter or a4", paper)
    from desk_app.reports.manifest import manifest_document  # ReportLab: only when printing
    from desk_app.reports.paged import Paper

    logins = [login for login in (row.prepared_by, row.verified_by) if login]
    found = select(m.User.username, m.User.full_name).where(m.User.username.in_(logins))
    names = {login: name for login, name in session.execute(found)}
    firm, address = letterhead(session)
    doc = manifest_document(
        manifests.view_of(row), Paper(paper), receipt=kind is Document.RECEIPT, copy=copy,
        printed_at=at, firm=firm, names=names,
        printed_by=printed_by, firm_address=address,
    )  # fmt: skip
    pdf, pages = doc.render(), len(doc.pages())
    return PrintedDocument(
        pdf, hashlib.sha256(pdf).hexdigest(), copy, pages, kind, row.manifest_number
    )
