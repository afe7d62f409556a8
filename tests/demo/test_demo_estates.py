"""The demo's estate case: a sole holder's death, the case waiting for the executor."""

from __future__ import annotations

from sqlalchemy import select

from desk_app.db import models as m
from desk_app.domain.codes import RestrictionKind
from desk_app.domain.cutoffs import market_today
from desk_app.domain.estate_rules import DocumentStatus, EstatePath
from desk_app.services.accounts import restrictions
from desk_app.services.workspace import Workspace


def test_the_sole_holder_s_case_waits_for_the_executor(demo_ws: Workspace) -> None:
    (case,) = demo_ws.estates.open_cases()
    assert case.path is EstatePath.EXECUTOR and case.registration == "individual"
    view = demo_ws.estates.case(case.id)
    assert view.executor_state == "waiting for the executor"
    assert view.retitle_request_id is None and view.decedent == view.name
    statuses = {d.kind: d.status for d in view.documents}
    assert statuses["death-certificate"] is DocumentStatus.VERIFIED
    assert statuses["letters"] is DocumentStatus.REQUIRED
    assert demo_ws.estates.executor_refusal(case.id) is None
    with demo_ws.uow.read() as session:
        holder = session.scalars(
            select(m.Account).where(m.Account.account_number == view.account)
        ).one()
        kinds = [r.kind for r in restrictions.in_force(session, holder.id, market_today())]
    assert kinds == [RestrictionKind.DECEASED]
