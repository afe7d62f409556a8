"""Bulk INSERT of complete rows through the driver's fastest path, on both engines.

For loads of thousands of rows (trade files, the demo book): ORM inserts with
RETURNING go row by row on SQLite, and psycopg re-parses every multi-row batch, so
30,000 trades took 11 s and 26 s that way. Here the values go through each column's
own bind processing, exactly as any SQLAlchemy insert (exact-money checks, UTC), and
then to one ``executemany`` on SQLite or one ``COPY`` on PostgreSQL.

No ORM object is made, so the audit listener sees none: the new ids are noted
(`desk_app.db.sealing.note_written`) and the rows are sealed in the audit trail, as
they stand then, when the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Integer, Table, func, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from desk_app.db.engine import hold_big_cache
from desk_app.db.models.base import Base
from desk_app.db.pg_copy import copy_rows
from desk_app.db.sealing import note_written
from desk_app.db.types import ScaledDecimal, UTCDateTime
from desk_app.domain.errors import DeskError
from desk_app.domain.money import to_scaled_int

Converter = Callable[[Any], Any]
#: Rows whose values show whether a column's values repeat (worth remembering).
_SAMPLE_ROWS = 200


class ConcurrentWriteError(DeskError):
    """Another program inserted into the table while the bulk insert ran."""


def bulk_insert(
    session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert ``rows`` in the session's transaction; return their new ids in row order.

    Every row gives every column except the ``id``, which the database assigns:
    no Python or server default is applied (so nothing reads the clock). Raises
    `ValueError` for a row that misses a column or names one the table lacks, and
    `StatementError` for a value its column refuses (more decimals than it keeps, a
    naive datetime); in both cases nothing of ``rows`` has been sent. Driver errors
    (constraints) come as SQLAlchemy's `DBAPIError` subclasses on both engines.
    Nothing is committed: the caller's transaction decides.
    """
    table = _table_of(model)
    if not rows:
        return []
    keys = [c.key for c in table.c if c.key != "id"]
    session.flush()  # the caller's pending ORM changes go first, as they were made
    columns = _bound_columns(table, keys, rows, session.connection().dialect)
    return _insert(session, table, keys, columns)


def bulk_insert_columns(
    session: Session,
    model: type[Base],
    columns: Mapping[str, Sequence[Any]],
    same: Mapping[str, Any] | None = None,
) -> list[int]:
    """`bulk_insert` of rows given column by column: each column's values in row order,
    and ``same``: columns whose value is one for every row (an import's own).

    No mapping is made per row, each column is converted as it comes, and a value
    of ``same`` once. The same checks and errors as `bulk_insert`.
    """
    table = _table_of(model)
    keys = [c.key for c in table.c if c.key != "id"]
    count = len(next(iter(columns.values()), ()))
    columns = {**columns, **{key: _Same(value, count) for key, value in (same or {}).items()}}
    missing, extra = sorted(set(keys) - set(columns)), sorted(set(columns) - set(keys))
    if "id" in extra:
        raise ValueError(f"{table.name}: the database assigns the id")
    if missing or extra:
        raise ValueError(f"{table.name}: no values for {missing}, no such column(s) {extra}")
    lengths = {len(columns[key]) for key in keys}
    if len(lengths) != 1:
        raise ValueError(f"{table.name}: columns of different lengths {sorted(lengths)}")
    if not lengths.pop():
        return []
    session.flush()  # the caller's pending ORM changes go first, as they were made
    dialect = session.connection().dialect
    pairs = [(key, _converter(table.c[key].type, dialect)) for key in keys]
    try:
        converted = [
            columns[key] if convert is None else _convert_all(convert, columns[key])
            for key, convert in pairs
        ]
    except Exception as exc:  # find the row and column, off the fast path
        lined = zip(*(columns[key] for key in keys), strict=True)
        rows = [dict(zip(keys, row, strict=True)) for row in lined]
        raise _explain(table, pairs, rows) from exc
    return _insert(session, table, keys, converted)


def _insert(
    session: Session, table: Table, keys: list[str], columns: list[Sequence[Any]]
) -> list[int]:
    """Send the bound ``columns`` by the engine's fastest path; note the new ids to seal."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        made = _copy(connection, table, keys, columns)
    else:
        made = _execute_many(connection, table, keys, list(zip(*columns, strict=True)))
    note_written(session, table.name, made)
    return made


def _table_of(model: type[Base]) -> Table:
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    primary = list(table.primary_key.columns)
    if [c.key for c in primary] != ["id"] or not isinstance(primary[0].type, Integer):
        raise ValueError(f"{table.name}: bulk_insert needs an integer primary key named id")
    return table


def _bound_columns(
    table: Table, keys: list[str], rows: Sequence[Mapping[str, Any]], dialect: Dialect
) -> list[Sequence[Any]]:
    """Each column's values in row order, as the driver takes them.

    Converted column by column (one C-level ``map`` per column, values remembered
    where they repeat).
    """
    pairs = [(key, _converter(table.c[key].type, dialect)) for key in keys]
    pick = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    try:
        columns = list(zip(*map(pick, rows), strict=True))
        converted = [
            column if convert is None else _convert_all(convert, column)
            for column, (_, convert) in zip(columns, pairs, strict=True)
        ]
    except Exception as exc:  # find the row and column, off the fast path
        raise _explain(table, pairs, rows) from exc
    width = len(keys)
    if set(map(len, rows)) == {width}:  # the usual case, checked without a loop in Python
        return converted
    for index, row in enumerate(rows):
        if len(row) != width:  # it has every column (see above), so it has more
            extra = sorted(set(row) - set(keys))
            if "id" in extra:
                raise ValueError(f"{table.name} row {index}: the database assigns the id")
            raise ValueError(f"{table.name} row {index}: no such column(s) {extra}")
    return converted


class _Same(list[Any]):
    """One value for every row of a load: converted once."""

    def __init__(self, value: Any, rows: int) -> None:
        super().__init__([value] * rows)
        self.value = value


def _convert_all(convert: Converter, column: Sequence[Any]) -> Sequence[Any]:
    if isinstance(column, _Same):
        return [convert(column.value)] * len(column)
    if isinstance(convert, _Remembered):
        head = column[:_SAMPLE_ROWS]
        try:
            out = list(map(convert.__getitem__, head))  # a hit costs a dict look-up
            if len(convert) * 2 > len(head):  # values hardly repeat: convert each once
                return out + list(map(convert.processor, column[_SAMPLE_ROWS:]))
            return out + list(map(convert.__getitem__, column[_SAMPLE_ROWS:]))
        except TypeError:  # an unhashable value (or one its processor refuses)
            pass
    return list(map(convert, column))


def _explain(
    table: Table, pairs: list[tuple[str, Converter | None]], rows: Sequence[Mapping[str, Any]]
) -> Exception:
    """The first row and column that cannot be inserted, as a clear error."""
    for index, row in enumerate(rows):
        missing = [key for key, _ in pairs if key not in row]
        if missing:
            return ValueError(
                f"{table.name} row {index}: no value for {missing}; bulk_insert applies no "
                "defaults, so give every column but the id"
            )
        for key, convert in pairs:
            if convert is None:
                continue
            try:
                convert(row[key])
            except Exception as exc:
                message = f"{table.name}.{key} in row {index}: {exc}"
                return StatementError(message, None, None, exc)
    return RuntimeError(f"{table.name}: a value failed its conversion only once")


class _Remembered(dict[Any, Any]):
    """A bind processor's results by value: a repeated value is looked up, not converted."""

    def __init__(self, processor: Converter) -> None:
        super().__init__()
        self.processor = processor

    def __missing__(self, value: Any) -> Any:
        out = self[value] = self.processor(value)
        return out

    def __call__(self, value: Any) -> Any:
        try:
            return self[value]
        except TypeError:  # unhashable: nothing to remember it by
            return self.processor(value)


def _converter(kind: TypeEngine[Any], dialect: Dialect) -> Converter | None:
    """The column's bind processor; remembered per value, since values repeat.

    Timestamps are remembered too: a load's created_at and updated_at are one value.
    Equal values convert alike (1.0 and 1 are the same scaled integer; aware
    datetimes equal as instants are the same UTC value), so the first one stands.
    """
    processor = kind.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return None
    return _Remembered(_shortcut(kind, dialect, processor))


_SAMPLES: dict[type[Any], tuple[Any, ...]] = {
    ScaledDecimal: (Decimal(0), Decimal("-12.5"), Decimal("210.25"), Decimal("1E+3")),
    UTCDateTime: (
        datetime(2025, 3, 3, 14, 30, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-5))),
    ),
}


def _shortcut(kind: TypeEngine[Any], dialect: Dialect, processor: Converter) -> Converter:
    """The same conversion without SQLAlchemy's layers, for Desk's money and time columns.

    Only for the values of the common case (a Decimal; an aware datetime), and only
    when it gives what ``processor`` gives for sample values; anything else goes to
    ``processor``, which also raises for what a column refuses.
    """
    sqlite = dialect.name == "sqlite"
    fast: Converter
    if isinstance(kind, ScaledDecimal):
        scale = kind.scale

        def fast(value: Any) -> Any:
            if type(value) is Decimal:
                scaled = to_scaled_int(value, scale)  # validates on both engines alike
                return scaled if sqlite else value
            return processor(value)

    elif isinstance(kind, UTCDateTime):

        def fast(value: Any) -> Any:
            if type(value) is datetime and value.tzinfo is not None:
                moment = value.astimezone(UTC)
                if sqlite:
                    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")
                return moment
            return processor(value)

    else:
        return processor
    samples = _SAMPLES[type(kind)]
    if [_exactly(fast(v)) for v in samples] != [_exactly(processor(v)) for v in samples]:
        return processor  # SQLAlchemy passes these differently: keep its way
    return fast


def _exactly(value: Any) -> tuple[Any, ...]:
    """A value with what ``==`` overlooks: its type, its zone, a Decimal's digits."""
    return (type(value), str(value), getattr(value, "tzinfo", None))


def _execute_many(
    connection: Connection, table: Table, keys: list[str], values: list[tuple[Any, ...]]
) -> list[int]:
    """One executemany; SQLite gives the rows ascending rowids in the order inserted."""
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(map(preparer.quote, keys))
    before = connection.scalar(select(func.max(table.c.id))) or 0
    hold_big_cache(connection, len(values))
    connection.exec_driver_sql(
        f"INSERT INTO {preparer.format_table(table)} ({columns}) "
        f"VALUES ({', '.join('?' for _ in keys)})",
        values,
    )
    made = list(connection.scalars(select(table.c.id).where(table.c.id > before).order_by("id")))
    if len(made) != len(values):  # another writer slipped in before our first row
        raise ConcurrentWriteError(
            f"Another program wrote to {table.name} during the bulk insert; try again."
        )
    return made


#: A load of at least this many rows, and at least as many as its table already
#: holds, builds the table's plain indexes afresh after it (`big_load`).
REBUILD_INDEX_ROWS = 20_000


@contextmanager
def big_load(session: Session, rows: int, model: type[Base] | None = None) -> Iterator[None]:
    """SQLite's larger page cache for a load of ``rows`` (see `engine.hold_big_cache`);
    and, given the ``model`` loaded into, its plain indexes built once after the load.

    Row by row, each new row goes into each of a table's indexes at its own place
    (the trades table has 16): 300,000 trades into a fresh book took 16 s that way,
    against 4 s into a table with two indexes. Sorting the rows once per index is
    far cheaper, so when the load is big (`REBUILD_INDEX_ROWS`) and at least as big
    as the table already is, the non-unique indexes are dropped before it and made
    again, by their own recorded statements, after it, in the same transaction: a
    failure rolls both back, other connections never see the table without them,
    and unique indexes stay, so a duplicate is refused at its row as before.
    Nothing changes on PostgreSQL, or for fewer rows than a big load.
    """
    connection = session.connection()
    hold_big_cache(connection, rows)
    dropped = _plain_indexes(connection, _table_of(model), rows) if model else []
    driver: Any = connection.connection.driver_connection
    if dropped and not driver.in_transaction:
        # The driver opens its transaction at the first INSERT: a DROP before it
        # would be committed on its own, and stay if the load then failed.
        connection.exec_driver_sql("BEGIN")
    for name, _sql in dropped:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        for _name, sql in dropped:  # as they were, whatever happened in between
            connection.exec_driver_sql(sql)


def _plain_indexes(connection: Connection, table: Table, rows: int) -> list[tuple[str, str]]:
    """The names and statements of ``table``'s non-unique indexes, if a load of ``rows``
    is worth building them afresh for (SQLite only; see `big_load`)."""
    if connection.dialect.name != "sqlite" or rows < REBUILD_INDEX_ROWS:
        return []
    if (connection.scalar(select(func.max(table.c.id))) or 0) > rows:
        return []
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY name",
        (str(table.name),),
    ).all()
    return [
        (str(name), str(sql))
        for name, sql in found
        if not str(sql).upper().startswith("CREATE UNIQUE")
    ]


def _copy(
    connection: Connection, table: Table, keys: list[str], columns: list[Sequence[Any]]
) -> list[int]:
    """COPY rows into PostgreSQL with ids drawn from the table's own sequence."""
    name = connection.dialect.identifier_preparer.format_table(table)
    ids = list(
        connection.scalars(
            text(
                "SELECT nextval(pg_get_serial_sequence(:t, 'id')) AS id "
                "FROM generate_series(1, :n) ORDER BY id"
            ),
            {"t": name, "n": len(columns[0])},
        )
    )
    copy_rows(connection, name, ["id", *keys], zip(ids, *columns, strict=True))
    return ids
