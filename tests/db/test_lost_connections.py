"""A PostgreSQL session the server ends: replaced unnoticed when idle, said plainly mid-call.

Each test ends only a session it opened itself (`tests.conftest._OUR_BACKENDS`), from
an administrator's connection, and waits until the server has really ended it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from desk_app.db.engine import DatabaseUnavailable, Disconnected
from desk_app.domain.errors import Retryable
from desk_app.services.workspace import Workspace, open_workspace
from tests.conftest import _OUR_BACKENDS, _admin_engine, settle_workers

ENDED = (
    "The database server closed the connection (PostgreSQL {where}): it ended this session "
    "(terminating connection due to administrator command). Nothing of what Desk was doing "
    "was saved; try again."
)


def end_session(pid: int) -> int:
    """End the server session ``pid`` (one this test run opened); wait until it is gone."""
    assert pid in _OUR_BACKENDS, "only a session this test opened may be ended"
    admin = _admin_engine()
    try:
        with admin.connect() as conn:  # the timeout: wait until it is gone (up to 5 s)
            ended = conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
            assert ended.scalar() is True
    finally:
        admin.dispose()
    return pid


def backend_pid(engine: Engine) -> int:
    """The session behind the connection the pool hands out next."""
    with engine.connect() as conn:
        dbapi: Any = conn.connection.dbapi_connection
        return int(dbapi.info.backend_pid)


def end_next_call(
    engine: Engine, when: str = "before_cursor_execute", *, on_worker: bool = False
) -> list[int]:
    """Arm ``engine`` to end its session once, at the next ``when`` (on a worker only).

    Returns the list the ended session's pid goes into.
    """
    ended: list[int] = []

    def end(conn: Any, *_args: Any) -> None:
        if ended or (on_worker and threading.current_thread() is threading.main_thread()):
            return
        ended.append(end_session(conn.connection.dbapi_connection.info.backend_pid))

    event.listen(engine, when, end)
    return ended


@pytest.fixture
def shared(pg_url: str) -> Iterator[Workspace]:
    ws = open_workspace(pg_url, "tester")
    yield ws
    settle_workers()
    ws.close()


def where(ws: Workspace) -> str:
    return ws.address.describe().removeprefix("PostgreSQL ")


def test_an_idle_session_the_server_ended_is_replaced_unnoticed(shared: Workspace) -> None:
    before = end_session(backend_pid(shared.engine))  # pooled, idle: as in a server restart
    assert len(shared.calendar.cycles()) == 24  # no error: the pool pinged and reconnected
    assert backend_pid(shared.engine) != before


def test_a_session_ended_mid_call_is_said_plainly_and_the_call_works_again(
    shared: Workspace,
) -> None:
    ended = end_next_call(shared.engine)
    with pytest.raises(Disconnected) as lost:
        shared.calendar.cycles()
    assert isinstance(lost.value, Retryable) and ended
    assert lost.value.message == ENDED.format(where=where(shared))
    assert "Cannot reach" not in lost.value.message  # the address was never the problem
    assert len(shared.calendar.cycles()) == 24  # again: on a new session
    assert backend_pid(shared.engine) != ended[0]


def test_a_session_ended_while_saving_says_so_and_offers_no_retry(shared: Workspace) -> None:
    ended = end_next_call(shared.engine, "commit")
    with pytest.raises(DatabaseUnavailable) as lost:
        with shared.uow.write("test.edit") as session:
            session.execute(text("SELECT 1"))
    assert ended and not isinstance(lost.value, Retryable)  # doing it again might do it twice
    assert lost.value.message.endswith(
        "It happened while Desk was saving, so the change may or may not have been saved: "
        "look before you do it again."
    )
