"""Passwords never reach the remembered or displayed database URL."""

from __future__ import annotations

import pytest

from desk_app.domain.db_address import redact as redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://ops:s3cret@db1:5432/desk", "postgresql+psycopg://ops@db1:5432/desk"),
        (
            "postgresql+psycopg://ops@db1/desk?password=s3cret&sslmode=require",
            "postgresql+psycopg://ops@db1/desk?sslmode=require",
        ),
        ("postgresql+psycopg://ops@db1/desk?PASSWORD=x", "postgresql+psycopg://ops@db1/desk"),
        ("sqlite:////home/ops/desk.db", "sqlite:////home/ops/desk.db"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert "s3cret" not in redact_url(url)
