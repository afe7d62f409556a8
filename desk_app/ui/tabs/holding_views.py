"""What the Holdings page and the Prices tab read and call, as Protocols.

`desk_app.services.accounts.holdings.AccountHoldings` and
`desk_app.services.pricing.prices.PriceService` satisfy them by shape; the UI never
imports them (they load SQLAlchemy).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from desk_app.domain.holdings import AccountSummary, Basis
    from desk_app.domain.listing import PageSource
    from desk_app.domain.lots import Lot
    from desk_app.domain.trade_rows import RowProblem


class HoldingsView(Protocol):
    def summary(
        self, number: str, as_of: date | None = None, basis: Basis | str = ...
    ) -> AccountSummary: ...
    def lots(self, number: str, isin: str, as_of: date | None = None) -> Sequence[Lot]: ...


class PriceImportView(Protocol):
    @property
    def ok(self) -> bool: ...
    @property
    def problems(self) -> Sequence[RowProblem]: ...
    def summary(self) -> str: ...


class PricesView(Protocol):
    def prices(self, search: str = "", isin: str | None = None) -> PageSource: ...
    def import_file(self, path: Path) -> PriceImportView: ...
