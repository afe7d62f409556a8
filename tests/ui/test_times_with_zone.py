"""Every time a table shows names its zone: one rule for tabs, dialogs and the CLI."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from desk_app.domain.listing import Column, ColumnKind
from desk_app.ui.models.cell_format import format_value


@pytest.fixture
def new_york_clock() -> Iterator[None]:
    """The desk's computer set to New York time (restored afterwards)."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def test_a_table_time_shows_its_zone(new_york_clock: None) -> None:
    column = Column("at", "When", ColumnKind.DATETIME)
    assert format_value(column, datetime(2026, 12, 7, 14, 41, tzinfo=UTC)) == "2026-12-07 09:41 EST"
    assert format_value(column, datetime(2026, 7, 1, 13, 5, tzinfo=UTC)) == "2026-07-01 09:05 EDT"
