"""The one way full tax ids go into the database and come back out.

An account holds ``tax_id_ref`` (a row of the write-once ``tax_ids`` vault) and
``tax_id_masked`` (``***-**-6789``), which is all that lists, histories, requests,
exports and the audit trail ever carry. `keep` puts values in; `reveal` takes one
out for one account and records who looked.

- PostgreSQL: the desk's logins have no privilege on ``tax_ids``. Values go in
  through ``desk_keep_tax_id(text)`` and come out through
  ``desk_reveal_tax_id(ref, account)``, both SECURITY DEFINER (migration 0016): the
  second checks that the login's Desk user is active and may reveal, that the value
  is the account's, and appends a row to ``tax_id_reveals`` before it returns it.
- A local file: the same tables, written and read directly (there are no
  privileges in a file: whoever can read it can read the ids). The vault's rows are
  sealed like any record, so a value changed in the file is found by ``audit
  verify --records``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from desk_app.db import sealing
from desk_app.db.models.reference import Account
from desk_app.db.models.tax_ids import TaxId, TaxIdReveal
from desk_app.domain.errors import DeskError
from desk_app.domain.identifiers import mask_tax_id, validate_tax_id

_KEEP_MANY = text(
    "SELECT desk_keep_tax_id(v.value) FROM unnest(:values) WITH ORDINALITY AS v(value, n) "
    "ORDER BY v.n"
).bindparams(bindparam("values", type_=ARRAY(Text)))
_REVEAL = text("SELECT desk_reveal_tax_id(:ref, :account)")


def keep(session: Session, value: str) -> tuple[int, str]:
    """Put one tax id in the vault: its reference and its masked text."""
    [kept] = keep_many(session, [value])
    return kept


def keep_many(session: Session, values: Sequence[str]) -> list[tuple[int, str]]:
    """Put tax ids in the vault, in one statement on PostgreSQL: (ref, masked) of each."""
    cleaned = [validate_tax_id(value) for value in values]
    if not cleaned:
        return []
    if session.get_bind().dialect.name == "postgresql":
        refs = [int(ref) for ref in session.scalars(_KEEP_MANY, {"values": cleaned})]
    else:
        made_at = datetime.now(UTC)
        refs = [
            int(session.execute(
                insert(TaxId).values(value=value, made_at=made_at).returning(TaxId.id)
            ).scalar_one())
            for value in cleaned
        ]  # fmt: skip
        sealing.note_written(session, "tax_ids", refs)  # sealed when the work commits
    return [(ref, mask_tax_id(value)) for ref, value in zip(refs, cleaned, strict=True)]


def reveal(
    session: Session, account: Account, app_user: str, db_login: str, ref: int | None = None
) -> str:
    """The account's full tax id ("" if it has none), or that of one of its parties (its
    ``ref``), with a record of who looked.

    ``app_user`` and ``db_login`` are what a local file records; PostgreSQL records
    the login's own user and ``session_user`` itself (and checks the id is the account's).
    """
    ref = account.tax_id_ref if ref is None else ref
    if ref is None:
        return ""
    if session.get_bind().dialect.name == "postgresql":
        return str(session.scalar(_REVEAL, {"ref": ref, "account": account.id}))
    value = session.scalar(select(TaxId.value).where(TaxId.id == ref))
    if value is None:
        raise DeskError(f"account {account.account_number}: its tax id is missing from the vault")
    session.execute(  # no record of its own in the trail: the caller's event is the record
        insert(TaxIdReveal).values(
            tax_id_ref=ref, account_id=account.id, app_user=app_user, db_login=db_login,
            revealed_at=datetime.now(UTC),
        )
    )  # fmt: skip
    return str(value)
