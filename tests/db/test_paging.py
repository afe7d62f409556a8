"""Keyset paging returns exactly the rows of one unpaged read, in every order."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desk_app.domain.listing import PageSource, Row, SortSpec
from desk_app.services.workspace import Workspace

SOURCES: dict[str, Callable[[Workspace], PageSource]] = {
    "trades": lambda ws: ws.blotter.trades(),
    "obligations": lambda ws: ws.settlements.obligations(),
    "open obligations": lambda ws: ws.settlements.obligations(open_only=True),
    "accounts": lambda ws: ws.reference.accounts(),
    "instruments": lambda ws: ws.reference.instruments(),
    "counterparties": lambda ws: ws.reference.counterparties(),
    "certificates": lambda ws: ws.certificates.certificates(),
}


def _paged(source: PageSource, sort: SortSpec, page: int) -> list[Row]:
    rows: list[Row] = []
    while True:
        batch = source.fetch(sort, rows[-1] if rows else None, page)
        rows.extend(batch)
        if len(batch) < page:
            return rows


@pytest.mark.parametrize("name", SOURCES)
def test_every_sortable_column_pages_without_gaps_or_repeats(demo_ws: Workspace, name: str) -> None:
    source = SOURCES[name](demo_ws)
    total = source.count()
    assert total > 0
    for column in source.columns:
        if not column.sortable:
            continue
        for descending in (False, True):
            sort = SortSpec(column.key, descending)
            whole = source.fetch(sort, None, total + 1)
            assert len(whole) == total
            assert _paged(source, sort, 97) == whole, (name, column.key, descending)
