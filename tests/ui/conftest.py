"""What the GUI tests share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.listing import iter_rows
from desk_app.domain.states import ApprovalStatus
from desk_app.services.workspace import Workspace

FreeAccounts = Callable[[Workspace], list[str]]


def _free_accounts(ws: Workspace) -> list[str]:
    """Open accounts, in list order, that no pending approval request touches and no
    restriction (the demo's ACATS freeze) holds."""
    with ws.uow.read() as session:
        busy = set(
            session.scalars(
                select(m.ApprovalRequest.target_key).where(
                    m.ApprovalRequest.status == ApprovalStatus.PENDING
                )
            )
        )
        R, A = m.AccountRestriction, m.Account
        held = session.scalars(
            select(A.account_number).join(R, R.account_id == A.id).where(R.lifted_at.is_(None))
        )
        busy |= {f"accounts:{number}" for number in held}
    return [
        row[0] for row in iter_rows(ws.reference.accounts())
        if row[3] == "open" and f"accounts:{row[0]}" not in busy
    ]  # fmt: skip


@pytest.fixture
def free_accounts() -> FreeAccounts:
    return _free_accounts


def wait_ops(qtbot: Any, timeout: int = 30_000) -> None:
    """Wait until every `desk_app.ui.ops.Op` a screen started has finished (callbacks run)."""
    from desk_app.ui import ops

    qtbot.waitUntil(lambda: ops.running() == 0, timeout=timeout)
