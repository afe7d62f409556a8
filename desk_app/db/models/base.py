"""Declarative base, naming convention and the optimistic-locking mixin."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from desk_app.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def code_enum(enum_cls: type[StrEnum]) -> Enum:
    """Store a StrEnum by value in a VARCHAR, the same on SQLite and PostgreSQL."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Versioned:
    """Optimistic locking: an UPDATE that finds another version raises StaleDataError."""

    version: Mapped[int] = mapped_column(nullable=False, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.version}


#: Indexes only PostgreSQL has, made by the migrations (SQLite cannot say NULLS FIRST
#: in an index, and reads its own indexes with NULLs first anyway). They let the
#: blotter sort by a column that may be empty, NULLs first, from an index.
POSTGRESQL_ONLY_INDEXES = frozenset(
    {"ix_trades_external_id_nulls_first", "ix_instruments_symbol_nulls_first"}
) | frozenset(  # trigram indexes for the search (migration 0017), where pg_trgm is
    {
        "ix_accounts_search", "ix_instruments_search", "ix_counterparties_search",
        "ix_certificates_search",
        "ix_courier_manifests_search", "ix_approval_requests_search",
        "ix_certificate_custody_search",
    }
)  # fmt: skip


def include_object(
    _obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """For comparing the models with a database: leave out `POSTGRESQL_ONLY_INDEXES`."""
    return not (type_ == "index" and name in POSTGRESQL_ONLY_INDEXES)
