"""What the blotter is narrowed to: a plain value the GUI, the CLI and presets share.

No SQLAlchemy here (the GUI imports it before the database layer loads);
`desk_app.services.trading.blotter` turns a `TradeFilter` into WHERE clauses.

Matching rules, as a clerk would expect them:

- dates are inclusive ranges; either end may be open;
- account, counterparty and instrument are exact codes, any case (an instrument by
  its ISIN, CUSIP or symbol);
- side, status and source are codes (``""`` for any). Status ``"current"`` means the
  latest version of each trade, i.e. active or cancelled, leaving out superseded
  versions: what is on the book now, with cancels still visible;
- external id matches as a prefix, exactly as typed (so an index serves it); a whole
  number also finds the trade with that id.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

#: The status that stands for "the latest version of every trade".
CURRENT = "current"

_DATES = ("trade_from", "trade_to", "settle_from", "settle_to")
_CODES = ("account", "instrument", "side", "status", "counterparty", "source")


@dataclass(frozen=True)
class TradeFilter:
    """Every field empty (the default) means the whole blotter."""

    trade_from: date | None = None
    trade_to: date | None = None
    settle_from: date | None = None
    settle_to: date | None = None
    account: str = ""
    instrument: str = ""
    side: str = ""
    status: str = ""
    counterparty: str = ""
    source: str = ""
    external_id: str = ""

    def __post_init__(self) -> None:
        # Codes compare as the database keeps them; stray blanks from a paste never count.
        for name in _CODES:
            value = (getattr(self, name) or "").strip()
            if name in ("account", "instrument", "counterparty"):
                value = value.upper()
            else:
                value = value.lower()
            object.__setattr__(self, name, value)
        object.__setattr__(self, "external_id", (self.external_id or "").strip())

    @property
    def is_empty(self) -> bool:
        return self == TradeFilter()

    def cleared(self, *names: str) -> TradeFilter:
        """This filter without the named fields (all of them if none are named)."""
        if not names:
            return TradeFilter()
        empty: dict[str, Any] = {n: None if n in _DATES else "" for n in names}
        return replace(self, **empty)

    def to_json(self) -> str:
        """Canonical JSON: only the fields that are set, keys sorted, ISO dates."""
        data = {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items()}
        return json.dumps({k: v for k, v in data.items() if v}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TradeFilter:
        """Read `to_json` output; keys a newer Desk added are ignored, bad dates dropped."""
        try:
            data = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in data.items():
            if key not in known or raw in (None, ""):
                continue
            if key in _DATES:
                try:
                    values[key] = date.fromisoformat(str(raw))
                except ValueError:
                    continue
            else:
                values[key] = str(raw)
        return cls(**values)

    def describe(self) -> str:
        """The filter in words ("trade date from 2026-05-01, account NYC-20417")."""
        parts: list[str] = []
        for label, low, high in (
            ("trade date", self.trade_from, self.trade_to),
            ("settlement date", self.settle_from, self.settle_to),
        ):
            if low and high:
                parts.append(f"{label} {low.isoformat()} to {high.isoformat()}")
            elif low:
                parts.append(f"{label} from {low.isoformat()}")
            elif high:
                parts.append(f"{label} up to {high.isoformat()}")
        for label, value in (
            ("account", self.account),
            ("instrument", self.instrument),
            ("side", self.side.replace("_", " ")),
            ("status", "current versions" if self.status == CURRENT else self.status),
            ("counterparty", self.counterparty),
            ("source", self.source.upper() if self.source != "manual" else self.source),
        ):
            if value:
                parts.append(f"{label} {value}")
        if self.external_id:
            parts.append(f"external id starting {self.external_id}")
        return ", ".join(parts)


@dataclass(frozen=True)
class CurrencyTotals:
    """What the filtered trades in one currency add up to (the blotter's totals row)."""

    currency: str
    count: int
    quantity: Decimal
    gross: Decimal
    net: Decimal
