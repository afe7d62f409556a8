"""Bulk INSERT of complete rows through the driver's fastest path, on both engines.

For loads of thousands of rows (trade files, the demo book): ORM inserts with
RETURNING go row by row on SQLite, and psycopg re-parses every multi-row batch, so
30,000 trades took 11 s and 26 s that way. Here the values go through each column's
own bind processing, exactly as any SQLAlchemy insert (exact-money checks, UTC), and
then to one ``executemany`` on SQLite or one ``COPY`` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Integer, Table, func, select, text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from desk_app.db.models.base import Base
from desk_app.db.types import UTCDateTime
from desk_app.domain.errors import DeskError

Converter = Callable[[Any], Any]


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
    connection = session.connection()
    dialect = connection.dialect
    values = _bound_values(table, keys, rows, dialect)
    if dialect.name == "postgresql":
        return _copy(connection, table, keys, values)
    return _execute_many(connection, table, keys, values)


def _table_of(model: type[Base]) -> Table:
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    primary = list(table.primary_key.columns)
    if [c.key for c in primary] != ["id"] or not isinstance(primary[0].type, Integer):
        raise ValueError(f"{table.name}: bulk_insert needs an integer primary key named id")
    return table


def _bound_values(
    table: Table, keys: list[str], rows: Sequence[Mapping[str, Any]], dialect: Dialect
) -> list[tuple[Any, ...]]:
    """Each row's values in column order, as the driver takes them."""
    pairs = [(key, _converter(table.c[key].type, dialect)) for key in keys]
    try:
        values = [tuple([row[k] if c is None else c(row[k]) for k, c in pairs]) for row in rows]
    except Exception as exc:  # find the row and column, off the fast path
        raise _explain(table, pairs, rows) from exc
    width = len(keys)
    for index, row in enumerate(rows):
        if len(row) != width:  # it has every column (see above), so it has more
            extra = sorted(set(row) - set(keys))
            if "id" in extra:
                raise ValueError(f"{table.name} row {index}: the database assigns the id")
            raise ValueError(f"{table.name} row {index}: no such column(s) {extra}")
    return values


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


def _converter(kind: TypeEngine[Any], dialect: Dialect) -> Converter | None:
    """The column's bind processor; remembered per value where values repeat."""
    processor = kind.dialect_impl(dialect).bind_processor(dialect)
    if processor is None or isinstance(kind, UTCDateTime):  # timestamps hardly repeat
        return processor
    done: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            out = done.get(value, done)
        except TypeError:  # unhashable: nothing to remember it by
            return processor(value)
        if out is done:
            out = done[value] = processor(value)
        return out

    return convert


def _execute_many(
    connection: Connection, table: Table, keys: list[str], values: list[tuple[Any, ...]]
) -> list[int]:
    """One executemany; SQLite gives the rows ascending rowids in the order inserted."""
    preparer = connection.dialect.identifier_preparer
    columns = ", ".join(map(preparer.quote, keys))
    before = connection.scalar(select(func.max(table.c.id))) or 0
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


def _copy(
    connection: Connection, table: Table, keys: list[str], values: list[tuple[Any, ...]]
) -> list[int]:
    """COPY rows into PostgreSQL with ids drawn from the table's own sequence."""
    import psycopg
    from psycopg import sql

    name = connection.dialect.identifier_preparer.format_table(table)
    ids = list(
        connection.scalars(
            text(
                "SELECT nextval(pg_get_serial_sequence(:t, 'id')) AS id "
                "FROM generate_series(1, :n) ORDER BY id"
            ),
            {"t": name, "n": len(values)},
        )
    )
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.SQL(name), sql.SQL(", ").join(map(sql.Identifier, ["id", *keys]))
    )
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for new_id, row in zip(ids, values, strict=True):
                copy.write_row((new_id, *row))
    except psycopg.Error as exc:  # the same exception classes as any other statement
        raise DBAPIError.instance(
            statement.as_string(driver), None, exc, psycopg.Error, dialect=connection.dialect
        ) from exc
    return ids
