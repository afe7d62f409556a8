"""What a list looks like, in plain Python: columns, sort order, rows, page sources.

The GUI imports this before the database layer is loaded, so it must stay free of
SQLAlchemy; `desk_app.db.paging` implements `PageSource` over SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class ColumnKind(StrEnum):
    TEXT = "text"
    INT = "int"
    DATE = "date"
    DATETIME = "datetime"
    AGE = "age"  # a past datetime shown as how long ago
    MONEY = "money"
    QUANTITY = "quantity"
    PRICE = "price"
    STATUS = "status"
    BOOL = "bool"


@dataclass(frozen=True)
class Column:
    """One column of a list: its key, header, kind and how codes read to a person."""

    key: str
    title: str
    kind: ColumnKind = ColumnKind.TEXT
    labels: Mapping[str, str] = field(default_factory=dict)
    tooltip: str = ""
    sortable: bool = True

    def display_code(self, value: object) -> str:
        text = "" if value is None else str(value)
        return self.labels.get(text, text)


@dataclass(frozen=True)
class SortSpec:
    key: str
    descending: bool = False


Row = tuple[Any, ...]
"""Raw values in column order, then the row's id as the last element."""


class PageSource(Protocol):
    """What a table needs: columns, a count, and pages after a given row."""

    @property
    def columns(self) -> Sequence[Column]: ...

    @property
    def default_sort(self) -> SortSpec: ...

    def count(self) -> int: ...

    def count_upto(self, limit: int) -> int:
        """``min(count(), limit)``, reading no more than ``limit`` rows (a cheap first look)."""
        ...

    def fetch(self, sort: SortSpec, after: Row | None, limit: int) -> list[Row]: ...


def iter_rows(source: PageSource, sort: SortSpec | None = None, page: int = 1000) -> Iterator[Row]:
    """Every row of a source, a page at a time (exports and CLI lists)."""
    order = sort or source.default_sort
    after: Row | None = None
    while True:
        rows = source.fetch(order, after, page)
        yield from rows
        if len(rows) < page:
            return
        after = rows[-1]


class ListSource:
    """A `PageSource` over rows already in memory (a computed list such as the fails).

    Sorted in Python by any column, empty values first, then by the row's id, so that
    paging after a row finds it again whatever the order.
    """

    def __init__(
        self, columns: Sequence[Column], rows: Sequence[Row], default_sort: SortSpec
    ) -> None:
        self._columns = tuple(columns)
        self._rows = list(rows)
        self._default = default_sort
        self._index = {c.key: n for n, c in enumerate(self._columns)}

    @property
    def columns(self) -> Sequence[Column]:
        return self._columns

    @property
    def default_sort(self) -> SortSpec:
        return self._default

    def count(self) -> int:
        return len(self._rows)

    def count_upto(self, limit: int) -> int:
        return min(len(self._rows), limit)

    def fetch(self, sort: SortSpec, after: Row | None, limit: int) -> list[Row]:
        column = self._index[sort.key]

        def key(row: Row) -> tuple[Any, ...]:
            value = row[column]
            return ((0,) if value is None else (1, value)), row[-1]

        ordered = sorted(self._rows, key=key, reverse=sort.descending)
        start = 0
        if after is not None:
            ids = [row[-1] for row in ordered]
            start = ids.index(after[-1]) + 1 if after[-1] in ids else len(ordered)
        return ordered[start : start + limit]
