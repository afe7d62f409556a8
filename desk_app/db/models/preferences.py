"""What a user keeps for themselves across workstations: named filters."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desk_app.db.models.base import Base, Versioned


class SavedFilter(Versioned, Base):
    """A named filter of one list ("blotter"), kept per user in the shared database."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "screen", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    screen: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    #: Canonical JSON of the filter's fields, as the screen's filter type reads it.
    definition: Mapped[str] = mapped_column(Text)
