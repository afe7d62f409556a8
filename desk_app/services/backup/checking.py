"""What a file offered for restore is: a Desk database, of which schema, whose trail verifies.

Every check runs on a private copy (`copying.snapshot`), never on the file itself: a
backup on a read-only share, or one another program still holds, is looked at
without a single byte of it or beside it changing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select

from desk_app.db import models as m
from desk_app.db.engine import DatabaseUnavailable, create_desk_engine
from desk_app.db.migrate import check_schema, head_revision, upgrade
from desk_app.domain.db_address import DatabaseAddress
from desk_app.domain.errors import DeskError
from desk_app.domain.progress import Progress, no_progress
from desk_app.services.backup.copying import BackupFailed, snapshot
from desk_app.services.supervision.record_check import check_records

#: The tables without which a file is not a Desk database, whatever else it holds.
DESK_TABLES = frozenset(
    {"alembic_version", m.AuditEntry.__tablename__, m.AuditHead.__tablename__, m.User.__tablename__}
)


class NotRestorable(DeskError):
    """The file must not replace a database; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class BackupCheck:
    """What the checks found in a backup, for the person deciding to restore it."""

    path: Path
    revision: str
    head: str
    audit_entries: int
    last_change: str  # the trail's own text of the time (UTC); "" with no entries
    users: int
    trades: int
    rows_checked: int

    @property
    def migrates(self) -> bool:
        """Made by an older Desk: its schema is brought up to date as it is restored."""
        return self.revision != self.head

    def lines(self) -> list[str]:
        """The findings as a person reads them."""
        schema = (
            f"schema {self.revision}, older than this Desk's {self.head}: it is migrated "
            "as it is restored"
            if self.migrates
            else f"schema {self.revision} (current)"
        )
        last = f"{self.last_change[:19].replace('T', ' ')} UTC" if self.last_change else "none"
        return [
            f"{self.path}: a Desk database",
            schema,
            f"audit trail intact: {self.audit_entries:,} entries, last change {last}",
            f"records intact: {self.rows_checked:,} rows match their audited state",
            f"{self.users:,} users, {self.trades:,} trade records",
        ]


def stage(candidate: Path, staging: Path) -> None:
    """A private copy of ``candidate`` at ``staging``; refuse what is not an SQLite file."""
    candidate = candidate.absolute()
    if not candidate.is_file():
        raise NotRestorable(f"{candidate}: no such file. Nothing was changed.")
    _require_sqlite(candidate)
    try:
        snapshot(candidate, staging)
    except BackupFailed as exc:
        raise NotRestorable(f"{candidate}: {exc} Nothing was changed.") from None


def _require_sqlite(path: Path) -> None:
    with path.open("rb") as handle:
        magic = handle.read(16)
    if magic != b"SQLite format 3\x00":
        raise NotRestorable(
            f"{path} is not a Desk database (it is not an SQLite file). Nothing was changed."
        )


def check_staged(original: Path, staging: Path, progress: Progress = no_progress) -> BackupCheck:
    """Check the staged copy of ``original``: ours, not newer than this Desk, trail intact."""
    head = head_revision()
    _require_desk_tables(original, staging)
    engine = create_desk_engine(DatabaseAddress.sqlite_file(staging).url)
    try:
        try:
            revision = check_schema(engine)
        except DatabaseUnavailable as exc:
            raise NotRestorable(f"{original}: {exc}") from None
        if revision is None:
            raise NotRestorable(f"{original} is not a Desk database (it has no schema version).")
        if revision != head:
            # Older: brought to this Desk's schema first (on the private copy), so the
            # trail and the records are checked as this Desk reads and seals them.
            progress(0, 1, f"Migrating the copy from schema {revision}…")
            upgrade(engine)
        report = check_records(engine, progress)
        if report.chain.problem is not None:
            raise NotRestorable(
                f"{original}: its audit trail does not verify ({report.chain.problem}). "
                "A file whose history was altered is not restored; nothing was changed."
            )
        if report.found:
            first = "; ".join(str(p) for p in report.problems[:3])
            raise NotRestorable(
                f"{original}: {report.found:,} records differ from their audited state "
                f"({first}). A file changed outside Desk is not restored; nothing was changed."
            )
        users, trades, last = _counts(engine)
        return BackupCheck(
            original.absolute(), revision, head, report.chain.entries, last, users, trades,
            report.rows,
        )  # fmt: skip
    finally:
        engine.dispose()


def _require_desk_tables(original: Path, staging: Path) -> None:
    try:
        conn = sqlite3.connect(f"{staging.absolute().as_uri()}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise NotRestorable(f"{original} cannot be read ({exc}). Nothing was changed.") from None
    missing = sorted(DESK_TABLES - names)
    if missing:
        raise NotRestorable(
            f"{original} is not a Desk database (no {', '.join(missing)} table). "
            "Nothing was changed."
        )


def _counts(engine: Engine) -> tuple[int, int, str]:
    with engine.connect() as conn:
        users = int(conn.scalar(select(func.count()).select_from(m.User)) or 0)
        trades = (
            int(conn.scalar(select(func.count()).select_from(m.Trade)) or 0)
            if inspect(conn).has_table(m.Trade.__tablename__)
            else 0
        )
        last = conn.scalar(select(func.max(m.AuditEntry.recorded_at)))
    return users, trades, str(last or "")
