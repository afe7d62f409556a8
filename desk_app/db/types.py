"""Column types that keep money exact and times in UTC on both engines."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine

from desk_app.domain.money import (
    MONEY_SCALE,
    PRICE_SCALE,
    QUANTITY_SCALE,
    canonical,
    from_scaled_int,
    to_scaled_int,
)


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal with a fixed number of exact decimal places.

    SQLAlchemy's ``Numeric`` goes through float on SQLite, so there the value is
    stored as an integer scaled by 10**scale: exact, sortable and summable in SQL.
    PostgreSQL gets a native NUMERIC. A value with more decimals than the column
    keeps is refused, never rounded.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(19 + self.scale, self.scale, asdecimal=True))
        return dialect.type_descriptor(BigInteger())

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        scaled = to_scaled_int(value, self.scale)  # validates on both engines alike
        if dialect.name == "postgresql":
            return value
        return scaled

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return canonical(Decimal(value))
        return from_scaled_int(int(value), self.scale)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


def Money() -> ScaledDecimal:  # noqa: N802 - reads like a type in column definitions
    return ScaledDecimal(MONEY_SCALE)


def Quantity() -> ScaledDecimal:  # noqa: N802
    return ScaledDecimal(QUANTITY_SCALE)


def Price() -> ScaledDecimal:  # noqa: N802
    return ScaledDecimal(PRICE_SCALE)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on both engines."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @property
    def python_type(self) -> type[datetime]:
        return datetime
