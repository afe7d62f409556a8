"""Logs go to a rotating file in the user's log folder; the console stays for messages.

The folder and every log file are the user's alone (`desk_app.private_files`), and no
line holds a full tax id: whatever a message or a traceback carries, a US social
security or employer number is masked to its last four digits before it is written.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path
from typing import Any

from desk_app.private_files import private_file, private_folder

LOG_FILE_BYTES = 2_000_000
LOG_FILE_COUNT = 5


#: A US tax id as people write it (SSN 123-45-6789, EIN 12-3456789) or nine digits.
_TAX_ID = re.compile(r"(?<![\w-])(\d{3}-\d{2}-\d{4}|\d{2}-\d{7}|\d{9})(?![\w-])")


def mask_tax_ids(text: str) -> str:
    """``text`` with every tax id masked; nine bare digits that are a CUSIP stay."""
    from stdnum import cusip

    from desk_app.domain.identifiers import mask_tax_id  # python-stdnum: not at startup

    def masked(match: re.Match[str]) -> str:
        number = match.group(0)
        if number.isdigit() and cusip.is_valid(number):
            return number  # a security, not a person
        return mask_tax_id(number)

    return _TAX_ID.sub(masked, text)


class MaskingFormatter(logging.Formatter):
    """Formats as usual, then masks tax ids in the line and its traceback alike."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_tax_ids(super().format(record))


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file it opens, the first and each after a rollover, is the owner's alone."""

    def _open(self) -> Any:
        private_file(Path(self.baseFilename))
        return super()._open()


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
        folder = private_folder(log_dir())
        path = folder / "desk.log"
        handler = PrivateRotatingFileHandler(
            path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_COUNT, encoding="utf-8"
        )
    except OSError:
        return None
    handler.desk_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(
        MaskingFormatter("%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
    )
    root.addHandler(handler)
    logging.getLogger(__name__).debug("logging to %s (pid %s)", path, os.getpid())
    return path
