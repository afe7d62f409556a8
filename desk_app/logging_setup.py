"""Logs go to a rotating file in the user's log folder; the console stays for messages."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

LOG_FILE_BYTES = 2_000_000
LOG_FILE_COUNT = 5


def log_dir() -> Path:
    from platformdirs import user_log_path

    return user_log_path("Desk", appauthor=False)


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Attach the rotating file handler once; return the log file (None if unwritable)."""
    root = logging.getLogger()
    if any(getattr(h, "desk_handler", False) for h in root.handlers):
        return Path(getattr(root.handlers[0], "baseFilename", ""))
    root.setLevel(level)
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "desk.log"
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_COUNT, encoding="utf-8"
        )
    except OSError:
        return None
    handler.desk_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
    )
    root.addHandler(handler)
    logging.getLogger(__name__).debug("logging to %s (pid %s)", path, os.getpid())
    return path
