"""Who is acting: resolved before anything heavy is imported (the GUI starts from here)."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping


def resolve_actor(explicit: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """``--user`` wins, then ``DESK_USER``, then the operating-system login."""
    if explicit:
        return explicit
    if environ.get("DESK_USER"):
        return environ["DESK_USER"]
    try:
        return getpass.getuser()
    except OSError:  # no login name (some containers and services)
        return "unknown"
