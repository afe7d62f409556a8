"""The insider's tools: a SQL client through someone's own login, and PostgreSQL only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from tests.services.conftest import Desk


@contextmanager
def sql_as(desk: Desk, name: str) -> Iterator[Connection]:
    """A plain SQL connection through ``name``'s own login (autocommit: one statement each)."""
    engine = create_engine(desk.url_of(name), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def refused(conn: Connection, statement: str, **params: object) -> str:
    """Run ``statement``; it must be refused by the server. Return the server's reason."""
    with pytest.raises(DBAPIError) as refusal:
        conn.execute(text(statement), params)
    return str(refusal.value.orig)


@pytest.fixture
def pg_desk(desk: Desk) -> Desk:
    if not desk.shared:
        pytest.skip("the server's own checks: PostgreSQL")
    return desk
