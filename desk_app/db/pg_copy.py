"""PostgreSQL's ``COPY ... FROM STDIN`` of Python rows, in binary where the types allow.

Binary COPY sends each value as the server stores it: a hash as its 32 bytes (not
64 hex digits to be parsed again), a numeric as its digits in base 10,000, a date
as a day number. The column types come from the server's catalog, so what is sent
is what the column holds; a table with a type psycopg does not know (an enum, a
domain) is sent as text, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


def copy_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """COPY ``rows`` (``columns`` wide) into ``table`` (a quoted name) in the transaction.

    Driver errors (a constraint, a value the column refuses) come as SQLAlchemy's
    `DBAPIError` subclasses, as from any other statement.
    """
    import psycopg
    from psycopg import sql

    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.SQL(table), names)
    try:
        types = _column_types(driver, table, columns)
        if types is not None:
            statement = sql.SQL("{} (FORMAT BINARY)").format(statement)
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            if types is not None:
                copy.set_types(types)
            write = copy.write_row
            for row in rows:
                write(row)
    except psycopg.Error as exc:  # the same exception classes as any other statement
        raise DBAPIError.instance(
            statement.as_string(driver), None, exc, psycopg.Error, dialect=connection.dialect
        ) from exc


def _column_types(driver: Any, table: str, columns: Sequence[str]) -> list[int] | None:
    """The type oids of ``columns`` of ``table``, or None if psycopg lacks one's binary form."""
    import psycopg

    found = dict(
        driver.execute(
            "SELECT attname, atttypid::int FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            (table,),
        ).fetchall()
    )
    oids = [found.get(name) for name in columns]
    known = psycopg.adapters.types
    if any(oid is None or known.get(oid) is None for oid in oids):
        return None
    return [int(oid) for oid in oids if oid is not None]
