"""The parties of an account: its owners, beneficiaries, custodian, trustees and the rest."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desk_app.db.models.base import Base, Versioned, code_enum
from desk_app.db.models.reference import Account
from desk_app.db.types import Quantity
from desk_app.domain.codes import PartyKind, PartyRole


class AccountParty(Versioned, Base):
    """A person or entity with a role on an account (FINRA 4512, SEC 17a-3(a)(17)).

    Changed only by an approved request; a removed party is ended (``ended_on``), never
    deleted, so the record as it stood on any day can be read back. The full tax id
    is in the vault, as an account's is.
    """

    __tablename__ = "account_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: Where it stands among the account's parties (the order the clerk gave).
    position: Mapped[int]
    role: Mapped[PartyRole] = mapped_column(code_enum(PartyRole))
    kind: Mapped[PartyKind] = mapped_column(code_enum(PartyKind))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    date_of_birth: Mapped[date | None]
    tax_id_ref: Mapped[int | None] = mapped_column(ForeignKey("tax_ids.id"))
    tax_id_masked: Mapped[str | None] = mapped_column(String(11))
    citizenship: Mapped[str | None] = mapped_column(String(2))
    occupation: Mapped[str | None] = mapped_column(String(100))
    employer: Mapped[str | None] = mapped_column(String(200))
    associated_person: Mapped[bool] = mapped_column(default=False)
    #: A beneficiary's share, in percent (primary shares add to 100, contingent ones too).
    share_percent: Mapped[Decimal | None] = mapped_column(Quantity())
    contingent: Mapped[bool] = mapped_column(default=False)
    per_stirpes: Mapped[bool] = mapped_column(default=False)
    added_on: Mapped[date]
    ended_on: Mapped[date | None]

    account: Mapped[Account] = relationship()
