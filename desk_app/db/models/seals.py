"""Record seals: each audited row's last state, bound into the audit trail (append-only)."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desk_app.db.models.base import Base


class SealLayout(Base):
    """The columns a seal covers (sorted names): a table's columns when it was sealed."""

    __tablename__ = "record_seal_layouts"
    __table_args__ = (UniqueConstraint("table_name", "columns"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(48))
    columns: Mapped[str] = mapped_column(Text)


class RecordSeal(Base):
    """One row's state after the audit entry ``seq``; no hash: the entry deleted it.

    Written only through `desk_app.services.audit`. The key orders a table's seals
    by record and then by entry, so a record's last seal is the last of its run.
    """

    __tablename__ = "record_seals"
    __table_args__ = {"sqlite_with_rowid": False}

    table_name: Mapped[str] = mapped_column(String(48), primary_key=True)
    record_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    layout_id: Mapped[int] = mapped_column(ForeignKey("record_seal_layouts.id"))
    row_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    fingerprints: Mapped[bytes | None] = mapped_column(LargeBinary)
