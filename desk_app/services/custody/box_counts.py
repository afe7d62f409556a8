"""The quarterly box count (SEC 17a-13): count every certificate the firm holds, compare
with the register, and record the differences within seven business days.

Starting a count freezes its sheet: every certificate in the vault, prepared,
on a manifest not yet picked up, or returned, with where the register says it is.
Counters mark each found or missing (and where they found it), and add what
they found that the sheet does not list. Finishing the count sets the deadline;
each difference is then resolved with a note by a supervisor or compliance, and
a count closes when none is left open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.db.paging import KeysetSource
from desk_app.domain import labels
from desk_app.domain.calendars import SettlementCalendar
from desk_app.domain.certificates import CountResult, box_count_deadline, clean_number
from desk_app.domain.custody_rules import IN_POSSESSION
from desk_app.domain.cutoffs import market_today
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.identifiers import validate_cusip
from desk_app.domain.listing import Column, ColumnKind, SortSpec
from desk_app.domain.permissions import Action
from desk_app.domain.states import BOX_COUNT, BoxCountStatus
from desk_app.services.firm import letterhead
from desk_app.services.unit_of_work import UnitOfWork

K = ColumnKind
BS, CR = BoxCountStatus, CountResult
Item = m.BoxCountItem
_IS_DIFFERENCE = (Item.result.in_((CR.MISSING, CR.UNRECORDED))) | (
    (Item.result == CR.FOUND)
    & Item.counted_location.is_not(None)
    & (Item.expected_location.is_(None) | (Item.counted_location != Item.expected_location))
)
ITEM_COLUMNS = (
    Column("expected_location", "Location on record"),
    Column("certificate_number", "Certificate"),
    Column("cusip", "CUSIP"),
    Column("shares", "Shares", K.QUANTITY),
    Column("result", "Result", K.STATUS, labels.COUNT_RESULT),
    Column("counted_location", "Found at"),
    Column("counted_by", "Counted by"),
    Column("note", "Note"),
    Column("resolution", "Resolution"),
)
COUNT_COLUMNS = (
    Column("id", "Count", K.INT),
    Column("quarter", "Quarter"),
    Column("status", "Status", K.STATUS, labels.BOX_COUNT_STATUS),
    Column("started_by", "Started by"),
    Column("counted_on", "Counted on", K.DATE),
    Column("deadline", "Differences due", K.DATE),
    Column("items", "Certificates", K.INT),
    Column("differences", "Differences", K.INT),
    Column("open", "Open differences", K.INT),
)


@dataclass(frozen=True)
class Difference:
    """One line of the differences report."""

    item_id: int
    certificate_number: str
    cusip: str
    kind: str
    expected_location: str | None
    counted_location: str | None
    note: str | None
    resolution: str | None


@dataclass(frozen=True)
class CountSummary:
    id: int
    quarter: str
    status: BoxCountStatus
    counted_on: date | None
    deadline: date | None
    items: int
    pending: int
    differences: tuple[Difference, ...]

    @property
    def open_differences(self) -> int:
        return sum(1 for d in self.differences if d.resolution is None)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


class BoxCountService:
    """Starts counts, takes the counters' results, and tracks the differences to their end."""

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

    def counts(self) -> KeysetSource:
        """Every count, newest first, with its differences."""
        c = m.BoxCount
        items = select(func.count()).where(Item.box_count_id == c.id).scalar_subquery()
        diffs = (
            select(func.count()).where(Item.box_count_id == c.id, _IS_DIFFERENCE).scalar_subquery()
        )
        unresolved = (
            select(func.count())
            .where(Item.box_count_id == c.id, _IS_DIFFERENCE, Item.resolution.is_(None))
            .scalar_subquery()
        )
        return KeysetSource(
            self._uow.sessions, COUNT_COLUMNS,
            lambda: [c.id, c.quarter, c.status, c.started_by, c.counted_on, c.deadline, items,
                     diffs, unresolved],
            c.id, lambda stmt: stmt.select_from(c), SortSpec("id", descending=True),
        )  # fmt: skip

    def items(self, count_id: int, *, differences_only: bool = False) -> KeysetSource:
        """A count's sheet, by location on record then number."""
        i = Item
        where = [i.box_count_id == count_id]
        if differences_only:
            where.append(_IS_DIFFERENCE)
        return KeysetSource(
            self._uow.sessions, ITEM_COLUMNS,
            lambda: [i.expected_location, i.certificate_number, i.cusip, i.shares, i.result,
                     i.counted_location, i.counted_by, i.note, i.resolution],
            i.id, lambda stmt: stmt.select_from(i), SortSpec("expected_location"), where=where,
        )  # fmt: skip

    def open_count(self) -> int | None:
        """The count not yet closed, if there is one."""
        with self._uow.read() as session:
            return session.scalars(
                select(m.BoxCount.id)
                .where(m.BoxCount.status != BS.CLOSED)
                .order_by(m.BoxCount.id)
                .limit(1)
            ).first()

    def summary(self, count_id: int) -> CountSummary:
        with self._uow.read() as session:
            count = _get(session, count_id)
            pending = sum(1 for i in count.items if i.result is CR.PENDING)
            return CountSummary(
                count.id, count.quarter, count.status, count.counted_on, count.deadline,
                len(count.items), pending, tuple(_differences(count)),
            )  # fmt: skip

    def overdue(self) -> list[CountSummary]:
        """Counts whose differences are not all recorded by their deadline: exceptions."""
        today = self._today()
        with self._uow.read() as session:
            ids = session.scalars(
                select(m.BoxCount.id).where(
                    m.BoxCount.status == BS.COUNTED, m.BoxCount.deadline < today
                )
            ).all()
        found = [self.summary(i) for i in ids]
        return [s for s in found if s.open_differences]

    # -- counting ------------------------------------------------------------------------

    def start(self, quarter: str | None = None) -> int:
        """Freeze a count sheet of every certificate the firm holds; the count's id.

        One count per quarter (a recount reopens it before it closes): two desks
        starting at once cannot both succeed, the database's unique quarter refuses
        the second.
        """
        try:
            return self._start(quarter)
        except IntegrityError:
            raise ValidationError(
                "box count", "another user started this quarter's count a moment ago"
            ) from None

    def _start(self, quarter: str | None) -> int:
        name = (quarter or quarter_of(self._today())).strip().upper()
        if not (len(name) == 7 and name[4:6] == "-Q" and name[:4].isdigit() and name[6] in "1234"):
            raise ValidationError("quarter", "is not a quarter such as 2026-Q4", quarter)
        with self._uow.write(Action.BOX_COUNT) as session:
            _take_turn(session)  # two desks starting counts: the second sees the first's
            busy = session.scalars(
                select(m.BoxCount).where(m.BoxCount.status != BS.CLOSED).limit(1)
            ).first()
            if busy is not None:
                raise ValidationError(
                    "box count", f"count {busy.id} ({busy.quarter}) is still "
                    f"{busy.status.label.lower()}; close it first",
                )  # fmt: skip
            done = session.scalars(select(m.BoxCount.id).where(m.BoxCount.quarter == name)).first()
            if done is not None:
                raise ValidationError(
                    "quarter", f"{name} was counted already (count {done}, closed)"
                )
            count = m.BoxCount(quarter=name, status=BS.COUNTING, started_by=self._actor)
            session.add(count)
            session.flush()
            certs = session.execute(
                select(m.Certificate.id, m.Certificate.certificate_number, m.Certificate.cusip,
                       m.Certificate.shares, m.Certificate.location)
                .where(m.Certificate.status.in_(IN_POSSESSION))
                .order_by(m.Certificate.location, m.Certificate.certificate_number)
            ).all()  # fmt: skip
            session.add_all(
                Item(box_count_id=count.id, certificate_id=cid, certificate_number=number,
                     cusip=cusip, shares=shares, expected_location=where, result=CR.PENDING)
                for cid, number, cusip, shares, where in certs
            )  # fmt: skip
            return count.id

    def record(
        self,
        count_id: int,
        reference: str,
        *,
        found: bool,
        location: str = "",
        note: str = "",
    ) -> None:
        """Mark one certificate found (where) or missing; see `record_many`."""
        if found:
            self.record_many(count_id, found=[reference], location=location, note=note)
        else:
            self.record_many(count_id, missing=[reference], note=note)

    def record_many(
        self,
        count_id: int,
        *,
        found: Sequence[str] = (),
        missing: Sequence[str] = (),
        location: str = "",
        note: str = "",
    ) -> None:
        """Mark certificates on the sheet found (where, if elsewhere) or missing, all or none;
        one found that the sheet does not list is added, as CUSIP:NUMBER."""
        where = location.strip()[:80] or None
        remark = note.strip()[:400] or None
        with self._uow.write(Action.BOX_COUNT) as session:
            count = _get(session, count_id)
            if count.status is not BS.COUNTING:
                raise ValidationError(
                    "box count", f"count {count_id} is {count.status.label.lower()}"
                )
            for reference, was_found in [(r, True) for r in found] + [(r, False) for r in missing]:
                try:
                    self._record(session, count, reference, was_found, where=where, remark=remark)
                except ValidationError as exc:
                    raise ValidationError(exc.field, f"{reference}: {exc.reason}") from None

    def _record(
        self,
        session: Session,
        count: m.BoxCount,
        reference: str,
        found: bool,
        *,
        where: str | None,
        remark: str | None,
    ) -> None:
        item = _item(session, count, reference)
        if item is None:
            if not found:
                raise ValidationError("certificate", "is not on the count sheet")
            item = _unrecorded(session, count, reference)
        if item.certificate_id is None and not found:
            raise ValidationError(
                "certificate", f"{item.certificate_number} is not on record here, so it "
                "cannot be missing; note what happened to it when you resolve it",
            )  # fmt: skip
        item.result = CR.FOUND if item.certificate_id is not None else CR.UNRECORDED
        if not found:
            item.result = CR.MISSING
        if where is not None and _same_place(where, item.expected_location):
            where = item.expected_location  # the same drawer, typed another way
        item.counted_location = where if found else None
        item.counted_by, item.note = self._actor, remark

    def finish(self, count_id: int, counted_on: date | None = None) -> date:
        """Every certificate on the sheet is counted: the differences' deadline."""
        day = counted_on or self._today()
        if day > self._today():
            raise ValidationError("counted_on", f"is after today ({self._today()})", str(day))
        with self._uow.write(Action.BOX_COUNT) as session:
            count = _get(session, count_id)
            pending = [i.certificate_number for i in count.items if i.result is CR.PENDING]
            if pending:
                shown = ", ".join(pending[:5]) + (" …" if len(pending) > 5 else "")
                raise ValidationError(
                    "box count", f"{_many(len(pending), 'certificate')} not counted yet: {shown}"
                )
            count.status = BOX_COUNT.check(count.status, BS.COUNTED)
            count.counted_on = day
            deadline = box_count_deadline(day, self._calendar())
            # A recount does not buy time: the first count's deadline stands.
            count.deadline = min(count.deadline or deadline, deadline)
            return count.deadline

    def reopen(self, count_id: int) -> None:
        """Count again before the count closes: its results stay, to be corrected, and its
        deadline stands."""
        with self._uow.write(Action.BOX_COUNT) as session:
            count = _get(session, count_id)
            count.status = BOX_COUNT.check(count.status, BS.COUNTING)

    def resolve(self, count_id: int, reference: str, resolution: str) -> None:
        """Record how a difference was dealt with (found, register corrected, reported)."""
        text = resolution.strip()
        if not text:
            raise ValidationError("resolution", "say how the difference was resolved")
        with self._uow.write(Action.BOX_COUNT_RESOLVE) as session:
            count = _get(session, count_id)
            if count.status is not BS.COUNTED:
                raise ValidationError(
                    "box count", f"count {count_id} is {count.status.label.lower()}; differences "
                    "are recorded once the count is finished",
                )  # fmt: skip
            item = _item(session, count, reference)
            if item is None or item.id not in {d.item_id for d in _differences(count)}:
                raise ValidationError("certificate", "is not a difference of this count", reference)
            item.resolution, item.resolved_by = text[:400], self._actor

    def close(self, count_id: int, note: str = "") -> None:
        with self._uow.write(Action.BOX_COUNT_RESOLVE) as session:
            count = _get(session, count_id)
            open_ = [d.certificate_number for d in _differences(count) if d.resolution is None]
            if open_:
                raise ValidationError(
                    "box count", f"{_many(len(open_), 'difference')} not resolved: "
                    + ", ".join(open_[:5]),
                )  # fmt: skip
            count.status = BOX_COUNT.check(count.status, BS.CLOSED)
            count.closed_at, count.closed_by = datetime.now(UTC), self._actor
            count.note = note.strip() or None

    def sheet_pdf(self, count_id: int, paper: str = "letter") -> bytes:
        """The count sheet the counters take to the vault."""
        from desk_app.reports.box_count import CountLine, count_sheet_pdf
        from desk_app.reports.paged import Paper

        with self._uow.read() as session:
            count = _get(session, count_id)
            lines = [
                CountLine(i.expected_location or "", i.certificate_number, i.cusip,
                          i.shares, i.result.label if i.result is not CR.PENDING else "")
                for i in sorted(count.items, key=lambda i: (i.expected_location or "",
                                                              i.certificate_number))
            ]  # fmt: skip
            firm, address = letterhead(session)
            return count_sheet_pdf(count.id, count.quarter, lines, Paper(paper),
                                   firm=firm, firm_address=address,
                                   printed_by=self._uow.actor.full_name)  # fmt: skip


#: Key of the PostgreSQL advisory lock that makes starting a count one desk at a time.
START_LOCK_KEY = 0x4442434E  # "DBCN"


def _take_turn(session: Session) -> None:
    """Wait for another desk starting a count to finish, so one count is open at most."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": START_LOCK_KEY})
    else:  # a write statement takes SQLite's write lock, which writers hold in turn
        session.execute(text("DELETE FROM box_counts WHERE 0 = 1"))


def _get(session: Session, count_id: int) -> m.BoxCount:
    count = session.get(m.BoxCount, count_id)
    if count is None:
        raise DeskError(f"no box count {count_id}")
    return count


def _item(session: Session, count: m.BoxCount, reference: str) -> m.BoxCountItem | None:
    text = " ".join(reference.split()).upper()
    cusip, _, number = text.rpartition(":")
    hits = [
        i for i in count.items
        if i.certificate_number == number.strip() and (not cusip or i.cusip == cusip.strip())
    ]  # fmt: skip
    if len(hits) > 1:
        raise ValidationError("certificate", "names several certificates: use CUSIP:NUMBER")
    return hits[0] if hits else None


def _unrecorded(session: Session, count: m.BoxCount, reference: str) -> m.BoxCountItem:
    """A certificate found in the vault that the sheet does not list."""
    text = " ".join(reference.split()).upper()
    cusip, sep, number = text.rpartition(":")
    if not sep:
        raise ValidationError(
            "certificate", "is not on the count sheet: give it as CUSIP:NUMBER to add it", reference
        )
    known = session.scalars(
        select(m.Certificate).where(
            m.Certificate.cusip == validate_cusip(cusip.strip(), "cusip"),
            m.Certificate.certificate_number == clean_number("certificate", number),
        )
    ).first()
    item = Item(
        box_count_id=count.id, certificate_id=None, certificate_number=clean_number(
            "certificate", number), cusip=validate_cusip(cusip.strip(), "cusip"),
        shares=known.shares if known else None,
        expected_location=(
            f"Not on record here ({known.status.label.lower()}: {known.location})"[:80]
            if known else "Not in the register"
        ),
        result=CR.UNRECORDED,
    )  # fmt: skip
    session.add(item)
    count.items.append(item)
    return item


def _many(n: int, noun: str) -> str:
    """``1 certificate is``, ``3 certificates are``."""
    return f"{n} {noun} is" if n == 1 else f"{n} {noun}s are"


def _same_place(typed: str, on_record: str | None) -> bool:
    def norm(text: str) -> str:
        return " ".join(text.replace(",", " ").split()).casefold()

    return on_record is not None and norm(typed) == norm(on_record)


def _differences(count: m.BoxCount) -> list[Difference]:
    out = []
    for i in count.items:
        moved = (
            i.result is CR.FOUND
            and i.counted_location is not None
            and i.counted_location != i.expected_location
        )
        if i.result in (CR.MISSING, CR.UNRECORDED) or moved:
            kind = "Found elsewhere" if moved else i.result.label
            out.append(Difference(
                i.id, i.certificate_number, i.cusip, kind, i.expected_location,
                i.counted_location, i.note, i.resolution,
            ))  # fmt: skip
    return out
