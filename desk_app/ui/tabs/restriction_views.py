"""What the Restrictions page reads and calls, as Protocols.

Structurally `desk_app.services.accounts.restriction_service.RestrictionService`,
declared here so the window never imports SQLAlchemy (see `workspace_view`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from desk_app.domain.codes import RestrictionKind
from desk_app.domain.listing import PageSource


class RestrictionLineView(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> RestrictionKind: ...
    @property
    def reason(self) -> str: ...
    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date | None: ...
    @property
    def placed_by(self) -> str: ...
    @property
    def placed_at(self) -> datetime: ...
    @property
    def state(self) -> str: ...
    @property
    def lifted_by(self) -> str | None: ...
    @property
    def lifted_at(self) -> datetime | None: ...
    @property
    def lift_reason(self) -> str | None: ...
    @property
    def lift_request(self) -> int | None: ...
    @property
    def open(self) -> bool: ...


class RestrictionsView(Protocol):
    """An account's restrictions: listed, placed at once, lifted on a principal's approval."""

    def restrictions(
        self, number: str, *, include_past: bool = ...
    ) -> Sequence[RestrictionLineView]: ...
    def place(
        self,
        number: str,
        kind: RestrictionKind | str,
        reason: str,
        *,
        starts_on: date | None = ...,
        ends_on: date | None = ...,
    ) -> int: ...
    def request_lift(self, restriction_id: int, reason: str) -> int: ...
    def badged(self, source: PageSource, account_key: str = ...) -> PageSource: ...
