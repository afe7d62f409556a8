"""What a standing settlement instruction must be: its fields, and a new one's request.

Shared by the SSI service (one instruction from a form) and the SSI file import (a
request each for the lines of a file), so that both check the same things.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import ValidationError
from desk_app.domain.identifiers import validate_bic
from desk_app.domain.permissions import Action
from desk_app.domain.trade_rows import parse_instrument_type, parse_iso_date
from desk_app.services.supervision.approvals import Proposal

TABLE = "standing_settlement_instructions"
SSI = m.StandingSettlementInstruction


def clean_route(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the fields of an SSI that may be given; raise naming the first bad one."""
    out: dict[str, Any] = {}
    for key, raw in values.items():
        text = "" if raw is None else str(raw).strip()
        if key in ("place_of_settlement", "agent_bic"):
            out[key] = validate_bic(text.upper(), key)
        elif key == "safekeeping_account":
            if not text or len(text) > 35:
                raise ValidationError(key, "is required (up to 35 characters)", text)
            out[key] = text
        elif key in ("effective_from", "effective_to"):
            out[key] = parse_iso_date(key, text) if text else None
        elif key == "market":
            if not re.fullmatch(r"[A-Za-z]{2}", text):
                raise ValidationError(key, "must be a two-letter market code such as US", text)
            out[key] = text.upper()
        elif key == "asset_class":
            out[key] = parse_instrument_type(key, text.lower()).value
        elif key in ("counterparty", "account"):
            out[key] = text.upper() or None
        else:
            raise ValidationError(key, "is not a field of a standing settlement instruction")
    start, end = out.get("effective_from"), out.get("effective_to")
    if start is not None and end is not None and end < start:
        raise ValidationError("effective_to", f"is before the start, {start}", str(end))
    return out


#: What a new instruction must give (``account`` and ``effective_to`` may be empty).
REQUIRED = ("counterparty", "market", "asset_class", "place_of_settlement", "agent_bic",
            "safekeeping_account", "effective_from")  # fmt: skip


def clean_new(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A new instruction's fields, checked; raise naming the first bad or missing one."""
    values = clean_route(fields)
    for required in REQUIRED:
        if not values.get(required):
            raise ValidationError(required, "is required for a new instruction")
    return values


def new_proposal(values: Mapping[str, Any]) -> Proposal:
    """The request for a new instruction of checked ``values``."""
    shown = {
        k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v is not None
    }
    whose = f" for {values['account']}" if values.get("account") else ""
    summary = (
        f"New SSI {values['counterparty']}{whose} / {values['market']} / "
        f"{values['asset_class']}: {values['place_of_settlement']} via {values['agent_bic']}"
    )
    key = (
        f"{TABLE}:{values['counterparty']}/{values.get('account') or '*'}/"
        f"{values['market']}/{values['asset_class']}/{shown['effective_from']}"
    )
    return Proposal(Action.SSI_CHANGE, TABLE, key, summary, {}, shown)


def check_new(session: Session, values: Mapping[str, Any]) -> None:
    """Refuse a new instruction whose counterparty or account is unknown, or that repeats
    one (an SSI starting on that route that day)."""
    party = counterparty_of(session, values["counterparty"])
    account = account_of(session, values["account"]).id if values.get("account") else None
    same = session.scalars(
        select(SSI.id).where(
            SSI.counterparty_id == party.id,
            SSI.account_id.is_(None) if account is None else SSI.account_id == account,
            SSI.market == values["market"],
            SSI.asset_class == InstrumentType(values["asset_class"]),
            SSI.effective_from == values["effective_from"],
        )
    ).first()
    if same is not None:
        raise ValidationError(
            "effective_from", f"SSI {same} already starts on this route that day; "
            "change its end date or start this one on another day",
            str(values["effective_from"]),
        )  # fmt: skip


def counterparty_of(session: Session, code: str) -> m.Counterparty:
    found = session.scalars(select(m.Counterparty).where(m.Counterparty.code == code)).first()
    if found is None:
        raise ValidationError("counterparty", "is not a counterparty", code)
    return found


def account_of(session: Session, number: str) -> m.Account:
    found = session.scalars(select(m.Account).where(m.Account.account_number == number)).first()
    if found is None:
        raise ValidationError("account", "is not an account", number)
    return found
