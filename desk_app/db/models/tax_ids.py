"""The tax id vault: full tax ids, written once, kept apart from the accounts.

Accounts hold a reference into the vault and the masked text that every screen,
list, history and export shows. On PostgreSQL the desk's logins can neither read
nor change the vault: a value enters through ``desk_keep_tax_id`` and leaves only
through ``desk_reveal_tax_id``, which records who looked in ``tax_id_reveals``
(`desk_app.db.tax_id_vault`). On a local file the same tables are read and written
directly: whoever can read the file can read the ids.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from desk_app.db.models.base import Base, utcnow
from desk_app.db.types import UTCDateTime

#: The engines on which a table is not sealed (`desk_app.db.sealing.sealed_tables`): on
#: PostgreSQL the desk cannot read the vault, whose rows privileges and triggers keep fixed;
#: the reveals are written beside their audit entries, which are what bind them.
UNSEALED_ON = "unsealed_on"


class TaxId(Base):
    """One full tax id (SSN, EIN or ITIN as validated), never changed once written."""

    __tablename__ = "tax_ids"
    __table_args__ = {"info": {UNSEALED_ON: ("postgresql",)}}

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(String(11))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TaxIdReveal(Base):
    """Who was shown which account's full tax id, and when (append-only).

    The database's own record of a reveal, beside the audit entry Desk appends for it
    (the trail is what binds it). On PostgreSQL only ``desk_reveal_tax_id`` writes
    it, with the login's own user; on a local file Desk writes it.
    """

    __tablename__ = "tax_id_reveals"
    __table_args__ = {"info": {UNSEALED_ON: ("postgresql", "sqlite")}}

    id: Mapped[int] = mapped_column(primary_key=True)
    tax_id_ref: Mapped[int] = mapped_column(ForeignKey("tax_ids.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    app_user: Mapped[str] = mapped_column(String(64))
    db_login: Mapped[str] = mapped_column(String(63))
    revealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
