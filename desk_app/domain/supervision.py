"""Maker-checker rules: who may decide an approval request (FINRA 3110)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from desk_app.domain.codes import Role
from desk_app.domain.permissions import Action, refusal

#: Qualifying examinations of a principal who may approve supervised work.
PRINCIPAL_SERIES = frozenset({"S4", "S9", "S10", "S23", "S24", "S26", "S27", "S53"})
#: Every FINRA registration a user record may list.
KNOWN_SERIES = PRINCIPAL_SERIES | frozenset({"S6", "S7", "S57", "S63", "S65", "S66", "S79", "S99"})


@dataclass(frozen=True)
class Registration:
    """A FINRA registration held from a date (until a date, if it lapsed)."""

    series: str
    effective_from: date
    effective_to: date | None = None

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


def normalise_series(text: str) -> str:
    """``"Series 24"``, ``"s24"`` and ``"24"`` all mean ``S24``."""
    raw = text.strip().upper().removeprefix("SERIES").strip().removeprefix("S").strip()
    return f"S{raw}"


def decision_refusal(
    *,
    maker: str,
    approver: str,
    roles: Iterable[Role],
    registrations: Iterable[Registration],
    today: date,
    permission: Action = Action.APPROVAL_DECIDE,
) -> str | None:
    """Why ``approver`` may not decide a request made by ``maker``; None if they may.

    ``permission`` is what deciding this kind of request needs (a grant of power:
    `Action.GRANT_DECIDE`, which compliance holds too).
    """
    if approver.casefold() == maker.casefold():
        return f"{approver} made this request; another supervisor must decide it"
    reason = refusal(roles, permission)
    if reason is not None:
        return reason
    if not any(r.series in PRINCIPAL_SERIES and r.in_force(today) for r in registrations):
        qualifying = ", ".join(sorted(PRINCIPAL_SERIES, key=lambda s: int(s[1:])))
        return (
            f"{approver} holds no principal registration in force on {today.isoformat()} "
            f"({qualifying})"
        )
    return None
