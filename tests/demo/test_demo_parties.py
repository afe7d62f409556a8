"""The demo's client records: every account's parties fit its registration."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select

from desk_app.db import models as m
from desk_app.demo import generate_demo_data
from desk_app.domain.codes import RegistrationType
from desk_app.domain.registration_rules import holder_problems, record_problems
from desk_app.services.accounts import parties as party_rows
from desk_app.services.workspace import Workspace

TODAY = date(2025, 10, 14)
R = RegistrationType


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
            holder = {"tax_id": account.tax_id_masked, "mailing_address": account.mailing_address}
            problems += holder_problems(account.registration_type, holder)
            assert not problems, (account.account_number, account.registration_type, problems)
            _named_in_title(account, parties)
            roles.update(p["role"] for p in parties)
            assert account.account_type is not None and account.accepted_by
    assert {"owner", "joint-owner", "beneficiary", "custodian", "minor", "trustee",
            "executor", "trusted-contact", "power-of-attorney"} <= set(roles)  # fmt: skip


def _named_in_title(account: m.Account, parties: list[dict[str, Any]]) -> None:
    """Who the title names is who the record holds: owners, custodian and minor, entity."""
    kind, title = account.registration_type, account.name
    named = {p["role"]: p["name"] for p in reversed(parties)}  # the first of each role
    if kind in (R.INDIVIDUAL, R.IRA, R.TOD):
        assert title.startswith(named["owner"]), (title, parties)
    elif kind in (R.JOINT_JTWROS, R.JOINT_TIC, R.JOINT_COMMUNITY):
        first, joint = named["owner"], named["joint-owner"]
        assert title.startswith((first, first.split()[0])), (title, parties)
        assert f" & {joint} " in f"{title} ", (title, parties)
    elif kind in (R.UGMA, R.UTMA):
        custodian = named["custodian"].split()
        assert title.startswith(f"{custodian[0]} {custodian[-1]} Cust {named['minor']}")
    elif kind is R.CORPORATE:
        assert named["owner"] == title
