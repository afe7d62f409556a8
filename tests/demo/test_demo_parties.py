"""The demo's client records: every account's parties fit its registration."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from desk_app.db import models as m
from desk_app.demo import generate_demo_data
from desk_app.domain.codes import RegistrationType
from desk_app.domain.registration_rules import record_problems
from desk_app.services.accounts import parties as party_rows
from desk_app.services.workspace import Workspace

TODAY = date(2025, 10, 14)


def test_every_account_has_the_parties_its_registration_needs(workspace: Workspace) -> None:
    generate_demo_data(workspace.sessions, seed=7, trades=50, today=TODAY)
    roles: Counter[str] = Counter()
    with workspace.sessions() as session:
        accounts = session.scalars(select(m.Account).order_by(m.Account.id)).all()
        assert {a.registration_type for a in accounts} == set(RegistrationType)
        for account in accounts:
            parties = party_rows.current(session, account.id)
            assert parties, account.account_number
            problems = record_problems(account.registration_type, parties, TODAY)
            assert not problems, (account.account_number, account.registration_type, problems)
            roles.update(p["role"] for p in parties)
            assert account.account_type is not None and account.accepted_by
    assert {"owner", "joint-owner", "beneficiary", "custodian", "minor", "trustee",
            "executor", "trusted-contact", "power-of-attorney"} <= set(roles)  # fmt: skip
