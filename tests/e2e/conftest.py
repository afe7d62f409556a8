"""The command line as people use it: each ``--user`` proven as the engine demands."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _staff_password(staff_password: None) -> None:
    """Every command here may name a staff user: on a local file it gives their password."""
