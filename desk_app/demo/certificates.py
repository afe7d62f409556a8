"""Paper certificates in every state, and the courier manifests that moved them.

About forty old-line issuers, each numbering its certificates its own way; most
certificates sit in the vault, the rest went out on manifests to transfer agents,
DTC or clients and are wherever that manifest's progress left them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from sqlalchemy import select

from desk_app.db import models as m
from desk_app.db.bulk import bulk_insert
from desk_app.demo.book import Account, Book, Row, draw, save, stamped
from desk_app.demo.catalogue_securities import US_EQUITIES
from desk_app.demo.catalogue_shipping import (
    CERTIFICATE_SERIES,
    CERTIFICATE_SHARES,
    COURIER_AGENTS,
    COURIERS,
    DEMO_FIRM,
    DTC_RECIPIENT,
    SENDER,
    TRANSFER_AGENTS,
    VAULTS,
    Recipient,
    airbill,
)
from desk_app.demo.history import tell_certificate
from desk_app.domain.certificates import CustodyKind, LossKind, insured_value
from desk_app.domain.codes import RegistrationType
from desk_app.domain.states import CertificateStatus as CS
from desk_app.domain.states import ManifestStatus as MS
from desk_app.domain.trade_math import principal
from desk_app.services.custody import chain as custody

_ZERO = Decimal(0)


@dataclass(slots=True)
class Step:
    """One link of a certificate's chain of custody, before the ids are known."""

    status: CS
    location: str
    at: datetime
    kind: CustodyKind
    from_party: str
    to_party: str
    manifest: Manifest | None = None
    bag_seal: str | None = None
    note: str = ""


@dataclass(slots=True)
class Cert:
    row: Row
    account: Account
    agent: Recipient
    value: Decimal
    shipped: bool = False
    id: int = 0
    history: list[Step] = field(default_factory=list)
    loss: Row | None = None


@dataclass(slots=True)
class Manifest:
    row: Row
    certs: list[Cert]
    recipient: Recipient
    id: int = 0


_PICKED_UP = (MS.IN_TRANSIT, MS.RECEIVED, MS.RECEIVED_WITH_DIFFERENCE, MS.RETURNED)
_RECEIVED = (MS.RECEIVED, MS.RECEIVED_WITH_DIFFERENCE)
#: Who the manifests go to, in turn: the first received one goes to a transfer agent.
_RECIPIENTS = ("agent", "dtc", "agent", "client", "agent", "dtc")
#: (status, manifests, lines each, how many trade days back they were made)
_MANIFEST_PLAN = (
    (MS.RECEIVED, 6, 5, (8, 60)),
    (MS.RECEIVED_WITH_DIFFERENCE, 2, 4, (6, 40)),
    (MS.CANCELLED, 2, 3, (10, 50)),
    (MS.RETURNED, 1, 2, (5, 30)),
    (MS.IN_TRANSIT, 4, 4, (1, 2)),
    (MS.PRINTED, 2, 4, (0, 0)),
    (MS.VERIFIED, 2, 3, (0, 0)),
    (MS.DRAFT, 2, 3, (0, 0)),
)


def make_certificates(book: Book, count: int = 400) -> tuple[int, int]:
    """Paper certificates in every state, and the courier manifests that moved them."""
    certs = _certificates(book, count)
    plan = [(status, lines, ages) for status, n, lines, ages in _MANIFEST_PLAN for _ in range(n)]
    manifests = [
        _manifest(book, certs, status, lines, ages, to=_RECIPIENTS[k % len(_RECIPIENTS)])
        for k, (status, lines, ages) in enumerate(plan)
    ]
    manifests.sort(key=lambda mf: mf.row["created_at"])
    _ship(book, manifests)
    _loose_certificates(book, [c for c in certs if not c.shipped])
    save(book, m.Certificate, certs)
    save(book, m.CourierManifest, manifests)
    lines = [
        {"manifest_id": mf.id, "certificate_id": c.id, "line_no": n, "shares": c.row["shares"],
         "value": c.value}
        for mf in manifests for n, c in enumerate(mf.certs, 1)
    ]  # fmt: skip
    bulk_insert(book.session, m.ManifestLine, lines)
    _save_custody(book, certs)
    _save_prints(book, manifests)
    for cert in certs:
        tell_certificate(book, cert.id, cert.row, cert.history)
    return len(certs), len(manifests)


def _certificates(book: Book, count: int) -> list[Cert]:
    """``count`` certificates over ~40 old-line issuers, numbered upwards per issuer."""
    rng = book.rng
    equities = {e.symbol: e for e in US_EQUITIES if e.certificated_since}
    issuers = [i for i in book.instruments if i.row["symbol"] in equities]
    issuers = rng.sample(issuers, min(40, len(issuers)))
    series, prefix, agent, number = list(CERTIFICATE_SERIES), {}, {}, {}
    for inst in issuers:  # each issuer its own prefix, so numbers are unique everywhere
        symbol = inst.row["symbol"].replace(".", "")
        prefix[inst.id] = f"{series.pop()} " if series and rng.random() < 0.3 else f"{symbol}-"
        agent[inst.id] = rng.choice(TRANSFER_AGENTS)
        number[inst.id] = rng.randrange(1000, 800000)
    holders = [a for a in book.accounts if a.row["registration_type"] is not RegistrationType.IRA]
    cum = list(accumulate(1 / (1 + k) ** 0.3 for k in range(len(issuers))))
    certs = []
    for _ in range(count):
        inst, account = draw(rng, issuers, cum), rng.choice(holders)
        number[inst.id] += rng.randint(1, 5000)
        digits = 6 if prefix[inst.id].endswith(" ") else 7
        equity = equities[inst.row["symbol"]]
        year = rng.randint(equity.certificated_since or 1950, 2019)
        issued = date(year, rng.randint(1, 12), rng.randint(1, 28))
        shares = Decimal(rng.choice(CERTIFICATE_SHARES) or rng.randint(10, 999))
        row = {
            "certificate_number": f"{prefix[inst.id]}{number[inst.id]:0{digits}d}",
            "cusip": inst.row["cusip"], "instrument_id": inst.id, "issuer": inst.row["issuer"],
            "security_class": equity.security_class, "registered_holder": account.holder.holder,
            "registration_text": account.holder.registration, "shares": shares,
            "issue_date": issued,
            "restricted_legend": rng.random() < 0.06, "form": "registered",
            "account_id": account.id, "stock_power_attached": False, "replaces_id": None,
            "reregistration": None,
        }  # fmt: skip
        since = max(issued, book.days[0] - timedelta(days=3000))  # in our vault since
        vaulted = book.at(since + timedelta(days=rng.randrange((book.days[0] - since).days)), 15)
        close = Decimal(f"{inst.mids[-1]:.2f}")
        value = principal(inst.kind, shares, close, inst.row["currency"])  # market value
        cert = Cert(row, account, agent[inst.id], value)
        where = f"{rng.choice(VAULTS)}, drawer {rng.randint(1, 40)}"
        _move(cert, CS.IN_VAULT, where, vaulted, kind=CustodyKind.RECEIPT,
              frm=f"Client {account.row['name']}", note="Deposited by the client")  # fmt: skip
        certs.append(cert)
    return certs


def _move(
    cert: Cert,
    status: CS,
    location: str,
    when: datetime,
    *,
    kind: CustodyKind = CustodyKind.MOVE,
    frm: str | None = None,
    to: str | None = None,
    manifest: Manifest | None = None,
    bag_seal: str | None = None,
    note: str = "",
) -> None:
    before = cert.history[-1].to_party if cert.history else ""
    cert.history.append(Step(
        status, location[:80], when, kind, (frm or before or "Vault")[:200],
        (to or custody.holder(status))[:200], manifest, bag_seal, note,
    ))  # fmt: skip
    cert.row.update(status=status, location=location[:80], status_changed_at=when)
    stamped(cert.row, when)


def _manifest(
    book: Book, certs: list[Cert], status: MS, lines: int, ages: tuple[int, int], *, to: str
) -> Manifest:
    """One manifest in ``status``, ``to`` a transfer agent, DTC or a client."""
    rng, day = book.rng, book.ago(*ages)
    free = [c for c in certs if not c.shipped]
    if to == "agent":
        recipient = rng.choice(TRANSFER_AGENTS)
        pool = [c for c in free if c.agent is recipient]
    if to == "dtc" or (to == "agent" and not pool):
        recipient, pool = DTC_RECIPIENT, free
    elif to == "client":
        owner = rng.choice(free).account
        pool = [c for c in free if c.account is owner]
        name = owner.row["name"]
        recipient = Recipient(name, "client", owner.holder.address, "Delivered to client")
    chosen = rng.sample(pool, min(lines, len(pool)))
    for cert in chosen:
        cert.shipped = True
    value = sum((c.value for c in chosen), _ZERO)
    courier = COURIERS[2] if value > 500000 else rng.choice(COURIERS[:2] + COURIERS[3:])
    prepared_by = rng.choice(book.clerks)
    checker = rng.choice([u for u in book.staff if u != prepared_by])
    created = book.at(day, 14, rng.randrange(60))
    pickup = book.at(day, 20, rng.randrange(60)) if status in _PICKED_UP else None
    received = None
    if status in _RECEIVED:  # the next or second business day, in office hours
        later = book.days[min(len(book.days) - 1, book.days.index(day) + rng.randint(1, 2))]
        received = book.at(later, rng.randint(14, 20), rng.randrange(60))
    printed = status not in (MS.DRAFT, MS.VERIFIED, MS.CANCELLED)
    row = {
        "manifest_date": day, "courier": courier, "pickup_at": pickup, "sender": SENDER,
        "airbill": None if status in (MS.DRAFT, MS.CANCELLED) else airbill(rng, courier),
        "recipient": recipient.name, "recipient_address": recipient.address,
        "declared_value": value,
        "insured_value": insured_value(value),
        "status": status, "prepared_by": prepared_by,
        "verified_by": None if status in (MS.DRAFT, MS.CANCELLED) else checker,
        "print_count": (2 if rng.random() < 0.2 else 1) if printed else 0,
        "received_at": received, "difference_note": None, "created_at": created,
        "verified_at": None if status in (MS.DRAFT, MS.CANCELLED)
        else created + timedelta(minutes=25),
        "picked_up_at": pickup,
        "picked_up_by": COURIER_AGENTS[len(chosen) % len(COURIER_AGENTS)] if pickup else None,
        "bag_seal": f"SEAL-{created:%d%H%M}" if pickup else None,
        "received_by": ("Mail room" if recipient is DTC_RECIPIENT else "Receiving clerk")
        if received else None,
        "cancel_reason": "Courier booking cancelled; certificates back to the vault"
        if status is MS.CANCELLED else None,
    }  # fmt: skip
    stamped(row, received or pickup or created + timedelta(minutes=40))
    return Manifest(row, chosen, recipient)


def _ship(book: Book, manifests: list[Manifest]) -> None:
    """Number the manifests by date and put each certificate where its manifest took it."""
    per_day: dict[date, int] = {}
    for mf in manifests:
        day = mf.row["manifest_date"]
        per_day[day] = seq = per_day.get(day, 0) + 1
        mf.row["manifest_number"] = f"M{day:%y%m%d}-{seq:02d}"
        for n, cert in enumerate(mf.certs):
            _carry(book, mf, n, cert)


def _carry(book: Book, mf: Manifest, n: int, cert: Cert) -> None:
    """Move the ``n``-th certificate of ``mf`` as far as the manifest got, step by step."""
    row, status, who = mf.row, mf.row["status"], mf.recipient
    number, created = row["manifest_number"], row["created_at"]
    to_agent = who in TRANSFER_AGENTS
    _move(cert, CS.PREPARED, "Shipping desk", created - timedelta(minutes=20))
    _move(cert, CS.ON_MANIFEST, f"Shipping desk — manifest {number}", created, manifest=mf)
    if status is MS.CANCELLED:
        when = row["updated_at"]
        _move(cert, CS.PREPARED, "Shipping desk", when, manifest=mf,
              note=f"Manifest {number} cancelled")  # fmt: skip
        _move(cert, CS.IN_VAULT, f"{VAULTS[0]}, drawer {3 + n} (back from {number})", when)
        return
    if status in (MS.DRAFT, MS.VERIFIED, MS.PRINTED):
        return
    courier = f"{row['courier']} ({row['picked_up_by']})"
    _move(cert, CS.IN_TRANSIT, f"In transit — {row['courier']} {row['airbill']}",
          row["picked_up_at"], to=courier, manifest=mf, bag_seal=row["bag_seal"])  # fmt: skip
    if status is MS.IN_TRANSIT:
        return
    if status is MS.RETURNED:
        when = row["picked_up_at"] + timedelta(days=2)
        row["difference_note"] = "Undeliverable: recipient's mail room closed for renovation"
        row["updated_at"] = when
        _move(cert, CS.RETURNED, "Returns shelf", when, kind=CustodyKind.RECEIPT,
              frm=row["courier"], to="Vault", manifest=mf,
              note=f"Package returned by {row['courier']}")  # fmt: skip
        return
    when = row["received_at"]
    if status is MS.RECEIVED_WITH_DIFFERENCE and n == 0:
        _lost_in_transit(mf, cert)
        return
    _move(cert, CS.DELIVERED, who.location, when, kind=CustodyKind.DELIVERY,
          frm=row["courier"], to=f"{who.name} ({row['received_by']})", manifest=mf)  # fmt: skip
    if status is MS.RECEIVED and n == 0 and to_agent:
        where = f"Returns shelf — rejected by {who.short}: no medallion guarantee"
        _move(cert, CS.RETURNED, where, when + timedelta(days=3), kind=CustodyKind.RECEIPT,
              frm=who.name, to="Vault", note="Rejected: no medallion guarantee")  # fmt: skip
    elif to_agent and book.rng.random() < 0.4:  # the transfer went through
        _move(cert, CS.CANCELLED, f"Cancelled on transfer by {who.short}",
              when + timedelta(days=5), frm=who.name, to=who.name,
              note="Cancelled on transfer")  # fmt: skip


def _lost_in_transit(mf: Manifest, cert: Cert) -> None:
    """The recipient reports a certificate missing from the package."""
    manifest = mf.row
    number, courier = cert.row["certificate_number"], manifest["courier"]
    manifest["difference_note"] = (
        f"Certificate {number} ({cert.row['shares']} sh) not in the package on receipt; "
        f"{courier} trace opened, stop transfer requested"
    )
    where = f"Missing from manifest {manifest['manifest_number']}; {courier} trace opened"
    when = manifest["received_at"]
    _move(cert, CS.LOST, where, when, frm=courier, to="Unknown", manifest=mf,
          note="Missing from the package on receipt")  # fmt: skip
    cert.loss = _loss(cert, LossKind.MISSING, when, "Not in the package on receipt", mf)


def _loss(
    cert: Cert, kind: LossKind, when: datetime, circumstances: str, mf: Manifest | None = None
) -> Row:
    day = when.date()
    return {
        "kind": kind, "discovered_on": day, "circumstances": circumstances,
        "in_transit": mf is not None, "courier": mf.row["courier"] if mf else None,
        "stop_agent": cert.agent.name, "stop_placed_on": day,
        "stop_reference": f"ST-{cert.row['certificate_number'][-6:]}",
        "reported_by": "system", "reported_at": when, "closed_how": None, "closed_at": None,
        "replacement_id": None, "indemnity_bond": None, "surety": None,
        "version": 1, "updated_at": when, "_manifest": mf,
    }  # fmt: skip


def _loose_certificates(book: Book, free: list[Cert]) -> None:
    """Certificates on no manifest: mostly vaulted, some prepared, lost or cancelled."""
    rng = book.rng
    rng.shuffle(free)
    for n, cert in enumerate(free):
        when = book.at(book.ago(1, 60), 15)
        if n < 10:
            _move(cert, CS.PREPARED, f"Shipping desk, tray {1 + n % 4}", book.at(book.days[-1], 13))
        elif n < 12:
            _move(cert, CS.LOST, f"Lost — reported {when:%Y-%m-%d}; stop transfer placed, "
                  "Form X-17F-1A filed", when, to="Unknown")  # fmt: skip
            cert.loss = _loss(cert, LossKind.LOST, when, "Not in its drawer at the box count")
        elif n < 20:
            _move(cert, CS.CANCELLED, f"Cancelled and reissued by {cert.agent.short}", when,
                  to=cert.agent.name, note="Cancelled on transfer")  # fmt: skip
        elif rng.random() < 0.12:
            cert.row["stock_power_attached"] = True  # only in the vault, never shipped with it


def _save_custody(book: Book, certs: list[Cert]) -> None:
    """Every certificate's chain of custody, and the loss records of the lost ones."""
    entries, losses = [], []
    for cert in certs:
        before: CS | None = None
        for step in cert.history:
            entries.append({
                "certificate_id": cert.id, "at": step.at, "kind": step.kind,
                "from_status": before, "to_status": step.status,
                "from_party": step.from_party, "to_party": step.to_party,
                "location": step.location, "bag_seal": step.bag_seal,
                "manifest_id": step.manifest.id if step.manifest else None,
                "actor": "system", "note": step.note,
            })  # fmt: skip
            before = step.status
        if cert.loss is not None:
            mf = cert.loss.pop("_manifest")
            losses.append({**cert.loss, "certificate_id": cert.id,
                           "manifest_id": mf.id if mf else None})  # fmt: skip
    entries.sort(key=lambda e: (e["at"], e["certificate_id"]))
    bulk_insert(book.session, m.CustodyEntry, entries)
    bulk_insert(book.session, m.CertificateLoss, losses)


def _save_prints(book: Book, manifests: list[Manifest]) -> None:
    """The prints of each printed manifest: the original, and a copy for some."""
    from desk_app.reports.manifest import manifest_document
    from desk_app.reports.paged import Paper
    from desk_app.services.custody.manifests import get, view_of

    prints = []
    names = {u: n for u, n in book.session.execute(select(m.User.username, m.User.full_name))}
    for mf in manifests:
        row = mf.row
        if not row["print_count"]:
            continue
        view = view_of(get(book.session, row["manifest_number"]))
        for n in range(row["print_count"]):
            at = row["verified_at"] + timedelta(minutes=10 + 30 * n)
            doc = manifest_document(
                view, Paper.LETTER, receipt=False, copy=n > 0, printed_at=at, firm=DEMO_FIRM,
                names=names, printed_by=names.get(row["prepared_by"], ""),
            )  # fmt: skip
            pdf = doc.render()
            prints.append({
                "manifest_id": mf.id, "document": "manifest", "paper": "letter", "copy": n > 0,
                "pages": len(doc.pages()), "sha256": hashlib.sha256(pdf).hexdigest(),
                "printed_at": at, "printed_by": row["prepared_by"],
            })  # fmt: skip
    bulk_insert(book.session, m.ManifestPrint, prints)
