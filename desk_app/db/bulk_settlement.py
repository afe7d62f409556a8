"""Settling many obligations by set-based statements: the SQL behind a bulk settlement.

The statements run over the rows themselves, joined to a temporary table of the
chosen ids:

- the postings: ``INSERT ... SELECT`` from the obligations, returning their ids;
- their entries: ``INSERT ... SELECT`` from the postings, one ``SELECT`` per leg of
  `desk_app.domain.ledger.SETTLEMENT_LEGS` (the rule `settlement_movements` follows),
  so every posting balances by construction;
- the obligations: one ``UPDATE``, checked by its row count;
- the kept balances: each moves once, by the sum of the new entries for it
  (``UPDATE ... FROM`` the sums; the balances not kept yet are inserted).

Nothing is read twice: on SQLite the write lock is taken before the obligations are
read (`lock_for_writing`); on PostgreSQL `read` locks them ``FOR UPDATE``. Which of
them may settle is the caller's to decide (`desk_app.domain.settlement_rules`).
Every row these statements write is noted (`desk_app.db.sealing.note_written`), to
be sealed in the audit trail as it stands when the transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desk_app.db import ledger_book
from desk_app.db import models as m
from desk_app.db.ledger_book import SETTLEMENT
from desk_app.db.sealing import note_written, sqlite_has_json
from desk_app.db.types import UTCDateTime
from desk_app.domain.codes import Direction, Payment
from desk_app.domain.errors import StaleRecord
from desk_app.domain.ledger import SETTLEMENT_LEGS, Book, Leg
from desk_app.domain.settlement_rules import SETTLEABLE
from desk_app.domain.states import ObligationStatus

Ob, Po, En, Ba = m.SettlementObligation, m.LedgerPosting, m.LedgerEntry, m.LedgerBalance


#: Temporary tables (one per connection) of the ids one bulk settlement works on.
_SCRATCH = MetaData()
OBLIGATIONS = Table("desk_bulk_obligations", _SCRATCH, Column("id", Integer, primary_key=True),
                    prefixes=["TEMPORARY"])  # fmt: skip
POSTINGS = Table("desk_bulk_postings", _SCRATCH, Column("id", Integer, primary_key=True),
                 prefixes=["TEMPORARY"])  # fmt: skip
#: What the new entries move each balance by (summed once, for the update and the insert).
SUMS = Table(
    "desk_bulk_sums", _SCRATCH, Column("balance_key", En.balance_key.type),
    Column("book", En.book.type), Column("account_id", Integer),
    Column("counterparty_id", Integer), Column("instrument_id", Integer),
    Column("currency", En.currency.type), Column("quantity", En.quantity.type),
    Column("amount", En.amount.type), prefixes=["TEMPORARY"],
)  # fmt: skip


def _emptied(session: Session, table: Table) -> Any:
    """The connection, with ``table`` there and empty (made on first use by this connection)."""
    connection = session.connection()
    table.create(connection, checkfirst=True)
    connection.execute(delete(table))
    return connection


def fill(session: Session, table: Table, ids: Sequence[int]) -> None:
    """``table`` holding exactly ``ids`` (made on first use by this connection)."""
    connection = _emptied(session, table)
    if not ids:
        return
    if connection.dialect.name == "postgresql":  # one statement, the ids as one array
        connection.execute(
            text(f"INSERT INTO {table.name} (id) SELECT unnest(CAST(:ids AS BIGINT[]))"),
            {"ids": [int(i) for i in ids]},
        )
    elif sqlite_has_json():  # one statement, the ids as one JSON array
        listed = f"[{','.join(map(str, map(int, ids)))}]"
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} (id) SELECT value FROM json_each(?)", (listed,)
        )
    else:
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} (id) VALUES (?)", [(int(i),) for i in ids]
        )


def lock_for_writing(session: Session) -> None:
    """SQLite: take the write lock now, so nothing changes between reading and writing."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE ledger_balances SET version = version WHERE 0 = 1"))


def read(session: Session, ids: Sequence[int]) -> Sequence[Any]:
    """What the refusal rule needs of each obligation (locked on PostgreSQL).

    The ids go to `OBLIGATIONS` first: thousands of them, compiled into an ``IN`` list
    by SQLAlchemy one bound parameter at a time, cost more than the read.
    """
    fill(session, OBLIGATIONS, ids)
    stmt = (
        select(
            Ob.id,
            Ob.status,
            Ob.matched_at,
            Ob.exception_reason,
            Ob.trade_id,
            m.Trade.status.label("trade_status"),
            Ob.account_id,
            Ob.direction,
            Ob.payment,
        )  # fmt: skip
        .join(m.Trade, m.Trade.id == Ob.trade_id)
        .where(Ob.id.in_(select(OBLIGATIONS.c.id)))
        .order_by(Ob.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Ob)
    return session.connection().execute(stmt).all()  # plain rows: no ORM loading


def post_all_left(session: Session, ids: Sequence[int], posted_by: str, now: datetime) -> list[int]:
    """A posting for all that is left of each of ``ids``; mark them settled.

    The caller has read them (`read`) and chosen what may settle; a row that changed
    since means nothing is settled (`StaleRecord`). Call `enter_postings` next.
    """
    fill(session, OBLIGATIONS, ids)
    count = len(ids)
    chosen = select(OBLIGATIONS.c.id).scalar_subquery()
    # Free of payment moves no cash: nothing of the amount settles (as a single settlement).
    free = Ob.payment == Payment.FREE
    zero = literal(Decimal(0), Ob.amount.type)
    posting_ids = _insert_postings(
        session, Ob.quantity - Ob.settled_quantity,
        case((free, zero), else_=Ob.amount - Ob.settled_amount),
        literal(now, UTCDateTime()), posted_by,
    )  # fmt: skip
    marked = session.execute(
        update(Ob)
        .where(Ob.id.in_(chosen), Ob.status.in_(SETTLEABLE))
        .values(
            status=ObligationStatus.SETTLED, settled_quantity=Ob.quantity,
            settled_amount=case((free, Ob.settled_amount), else_=Ob.amount),
            status_changed_at=now, updated_at=now, version=Ob.version + 1,
        )
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if len(posting_ids) != count or marked.rowcount != count:  # type: ignore[attr-defined]
        raise StaleRecord(
            "Some of these obligations changed at the same moment; nothing was settled. "
            "Reload the list and try again."
        )
    fill(session, POSTINGS, posting_ids)
    note_written(session, Ob.__tablename__, ids)
    note_written(session, Po.__tablename__, posting_ids)
    return posting_ids


def enter_postings(session: Session, now: datetime) -> None:
    """The entries of the postings `post_all_left` just made, and the balances they move."""
    _enter(session)
    _move_balances(session, now)


def _insert_noted(
    session: Session, model: type[m.LedgerEntry] | type[m.LedgerBalance], statement: Any
) -> None:
    """Run ``statement``, an ``INSERT ... SELECT`` into ``model``; note the rows it made.

    PostgreSQL returns their ids. On SQLite the transaction holds the write lock, so
    the new rows are those after the last id before it (as `desk_app.db.bulk` counts
    on): a range, when their count says they took the next ids one by one.
    """
    name = model.__tablename__
    if session.get_bind().dialect.name == "postgresql":
        note_written(session, name, session.scalars(statement.returning(model.id)))
        return
    last = select(func.max(model.id))
    before = session.scalar(last) or 0
    made = session.execute(statement).rowcount  # type: ignore[attr-defined]
    after = session.scalar(last) or 0
    if after - before == made:
        note_written(session, name, range(before + 1, after + 1))
    else:
        note_written(session, name, session.scalars(select(model.id).where(model.id > before)))


def _insert_postings(
    session: Session, quantity: Any, amount: Any, posted_at: Any, posted_by: str
) -> list[int]:
    """One settlement posting per obligation in the temporary table; their new ids."""
    chosen = select(OBLIGATIONS.c.id).scalar_subquery()
    made = session.connection().execute(
        insert(Po)
        .from_select(
            ["obligation_id", "kind", "quantity", "amount", "currency", "reverses_id", "reason",
             "posted_at", "posted_by"],
            select(
                Ob.id, literal(SETTLEMENT, String), quantity, amount, Ob.currency, null(),
                null(), posted_at, literal(posted_by, String),
            ).where(Ob.id.in_(chosen)).order_by(Ob.id),
        )
        .returning(Po.id)
    )  # fmt: skip
    return list(made.scalars())


def post_settled(session: Session, posted_by: str) -> int:
    """Post what obligations already record as settled but the ledger does not hold yet.

    For a book loaded from elsewhere (the demo): each obligation with a settled
    quantity and no posting gets one posting of what it settled, when it settled.
    """
    posted = select(Po.obligation_id).where(Po.obligation_id == Ob.id).exists()
    ids = list(session.scalars(select(Ob.id).where(Ob.settled_quantity > 0, ~posted)))
    if not ids:
        return 0
    fill(session, OBLIGATIONS, ids)
    posting_ids = _insert_postings(
        session, Ob.settled_quantity, Ob.settled_amount, Ob.status_changed_at, posted_by
    )
    fill(session, POSTINGS, posting_ids)
    note_written(session, Po.__tablename__, posting_ids)
    enter_postings(session, datetime.now(UTC))
    return len(posting_ids)


def _enter(session: Session) -> None:
    """The entries of every new posting: one SELECT per leg, all in one INSERT."""
    new = _new_postings(session, Po.id)
    _insert_noted(session, En, insert(En).from_select(
        ["posting_id", "balance_key", "book", "account_id", "counterparty_id",
         "instrument_id", "currency", "quantity", "amount"],
        union_all(*(_leg(leg, new) for leg in SETTLEMENT_LEGS)),
    ))  # fmt: skip


def _new_postings(session: Session, posting_id: Any) -> Any:
    """``posting_id`` is one of the postings just made (`POSTINGS`).

    As a range of ids when they are one (a settlement's postings, made together,
    mostly are): then the database reads them straight off the postings' key rather
    than through the scratch table.
    """
    low, high, count = (
        session.connection()
        .execute(select(func.min(POSTINGS.c.id), func.max(POSTINGS.c.id), func.count()))
        .one()
    )
    if count and high - low + 1 == count:
        return posting_id.between(low, high)
    return posting_id.in_(select(POSTINGS.c.id))


def _leg(leg: Leg, new: Any) -> Any:
    """The entries of one leg for the new postings (``new``, on their id), as a SELECT."""
    to_account = (Ob.direction == Direction.RECEIVE) == leg.receiver  # the account's side?
    nothing = _typed_nulls()
    account = case((to_account, Ob.account_id), else_=nothing["id"])
    party = case((to_account, nothing["id"]), else_=Ob.counterparty_id)
    holder = case(
        (to_account, literal("account:", String) + cast(Ob.account_id, String)),
        else_=literal("counterparty:", String) + cast(Ob.counterparty_id, String),
    )
    securities = leg.book is Book.SECURITIES
    size = Po.quantity if securities else Po.amount
    signed: Any = size if leg.sign > 0 else -size
    asset = cast(Ob.instrument_id, String) if securities else Ob.currency
    stmt = (
        select(
            Po.id, holder + literal(f":{leg.book.value}:", String) + asset,
            literal(leg.book.value, String), account, party,
            Ob.instrument_id if securities else nothing["id"],
            nothing["currency"] if securities else Ob.currency,
            signed if securities else nothing["quantity"],
            nothing["amount"] if securities else signed,
        )
        .join(Ob, Ob.id == Po.obligation_id)
        .where(new)
    )  # fmt: skip
    if not securities:  # cash moves only against payment, and only if there is some
        stmt = stmt.where(Ob.payment == Payment.AGAINST, Po.amount != 0)
    return stmt


def _typed_nulls() -> dict[str, Any]:
    """NULLs of the entry columns' types: PostgreSQL types a UNION by its first SELECT."""
    return {
        "id": cast(null(), Integer), "currency": cast(null(), En.currency.type),
        "quantity": cast(null(), En.quantity.type), "amount": cast(null(), En.amount.type),
    }  # fmt: skip


def _move_balances(session: Session, now: datetime) -> None:
    """Each kept balance moves once, by the sum of the new entries; new ones are made.

    The balances are locked in key order first (PostgreSQL), as every posting locks
    them, so two settlements over the same balances wait for each other. The sums are
    made once, into `SUMS`, for both the update and the insert.
    """
    new = select(En).where(_new_postings(session, En.posting_id)).subquery()
    ledger_book.lock(session, select(new.c.balance_key))
    groups = (new.c.balance_key, new.c.book, new.c.account_id, new.c.counterparty_id,
              new.c.instrument_id, new.c.currency)  # fmt: skip
    _emptied(session, SUMS).execute(
        insert(SUMS).from_select(
            [c.name for c in SUMS.c],
            select(*groups, func.sum(new.c.quantity), func.sum(new.c.amount)).group_by(*groups),
        )
    )
    moved = session.scalars(
        update(Ba)
        .where(Ba.balance_key == SUMS.c.balance_key)
        .values(
            quantity=Ba.quantity + SUMS.c.quantity, amount=Ba.amount + SUMS.c.amount,
            version=Ba.version + 1, updated_at=now,
        )
        .returning(Ba.id)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    note_written(session, Ba.__tablename__, moved)
    kept = select(Ba.id).where(Ba.balance_key == SUMS.c.balance_key).exists()
    try:
        _insert_new_balances(session, SUMS, kept, now)
    except IntegrityError:
        raise StaleRecord(
            "Another settlement opened one of these balances at the same moment; nothing "
            "was settled. Try again."
        ) from None


def _insert_new_balances(session: Session, sums: Any, kept: Any, now: datetime) -> None:
    _insert_noted(session, Ba, insert(Ba).from_select(
        ["balance_key", "book", "account_id", "counterparty_id", "instrument_id",
         "currency", "quantity", "amount", "version", "updated_at"],
        select(
            sums.c.balance_key, sums.c.book, sums.c.account_id, sums.c.counterparty_id,
            sums.c.instrument_id, sums.c.currency, sums.c.quantity, sums.c.amount,
            literal(1, Integer), literal(now, UTCDateTime()),
        ).where(~kept, func.coalesce(sums.c.quantity, sums.c.amount) != 0),
    ))  # fmt: skip
