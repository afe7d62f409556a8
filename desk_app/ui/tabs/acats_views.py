"""What the ACATS tab reads and asks of the workspace (`AcatsService` by shape)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from desk_app.domain.acats import AcatsDirection, AcatsType
    from desk_app.domain.acats_records import TransferView
    from desk_app.domain.listing import PageSource


class AcatsOutcome(Protocol):
    @property
    def transfer_id(self) -> int: ...
    @property
    def request_id(self) -> int | None: ...
    @property
    def notes(self) -> tuple[str, ...]: ...


class AcatsView(Protocol):
    def transfers(self, statuses: Sequence[str] = ..., search: str = ...) -> PageSource: ...
    def view(self, transfer_id: int) -> TransferView: ...
    def new_from_text(
        self,
        direction: AcatsDirection,
        account: str,
        *,
        contra: str,
        contra_account: str,
        transfer_type: AcatsType,
        assets: Sequence[tuple[str, Decimal]],
        cash: Sequence[tuple[str, Decimal]],
    ) -> AcatsOutcome: ...
    def validate(self, transfer_id: int) -> AcatsOutcome: ...
    def take_exception(self, transfer_id: int, code: str, note: str = ...) -> AcatsOutcome: ...
    def correct(
        self, transfer_id: int, contra_account: str | None = ..., note: str = ...
    ) -> AcatsOutcome: ...
    def purge(self, transfer_id: int, reason: str) -> AcatsOutcome: ...
    def complete(self, transfer_id: int, reason: str = ...) -> AcatsOutcome: ...
    def reverse(self, transfer_id: int, reason: str) -> AcatsOutcome: ...
