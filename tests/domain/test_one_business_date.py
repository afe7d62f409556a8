"""One rule for "today": the market's business date, never the computer's (issue 16)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import desk_app
from desk_app.domain.cutoffs import business_date, market_today

PACKAGE = Path(desk_app.__file__).parent


def test_no_module_reads_the_computers_date() -> None:
    """`date.today()` and `QDate.currentDate()` are the computer's zone: a desk west of
    New York at midnight, or a UTC server in New York's evening, would date the books a
    day apart. A service's `today=date.today` default counts too."""
    readers = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bdate\.today\b|\bQDate\.currentDate\(\)", line)
        and not line.lstrip().startswith(("#", '"', "`"))
        and "never `date.today()`" not in line
    ]
    assert readers == []


def test_market_today_is_new_yorks_business_date() -> None:
    before = business_date(datetime.now(UTC))
    today = market_today()
    assert today in {before, business_date(datetime.now(UTC))}  # unless midnight passed
