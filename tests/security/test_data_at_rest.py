"""Customer data at rest: the local database, its WAL and SHM files and the logs are private."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from desk_app.domain.codes import Role
from desk_app.logging_setup import MaskingFormatter, PrivateRotatingFileHandler, mask_tax_ids
from desk_app.private_files import private_folder
from desk_app.services.workspace import open_workspace

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_local_database_and_its_wal_files_are_the_owners_alone(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask: files 0644, folders 0755 unless Desk says so
    tmp_path.chmod(0o755)
    try:
        path = tmp_path / "new" / "folder" / "desk.db"
        with open_workspace(f"sqlite:///{path}", "tester") as ws:
            ws.users.add("clerk1", {Role.CLERK})  # a write: the WAL is in use
            companions = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
            assert all(p.exists() for p in companions)
            assert {mode(p) for p in (path, *companions)} == {0o600}
        assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
        assert mode(tmp_path) == 0o755  # a folder that was there keeps its own mode
    finally:
        os.umask(old)


def test_an_existing_database_open_to_others_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    with open_workspace(f"sqlite:///{path}", "tester"):
        pass
    path.chmod(0o644)
    with open_workspace(f"sqlite:///{path}", "tester"):
        assert mode(path) == 0o600


def test_log_files_are_private_from_the_first_and_after_each_rollover(tmp_path: Path) -> None:
    folder = private_folder(tmp_path / "logs")
    handler = PrivateRotatingFileHandler(folder / "desk.log", maxBytes=200, backupCount=2)
    handler.setFormatter(MaskingFormatter("%(message)s"))
    logger = logging.getLogger("desk.test.private")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for n in range(20):
            logger.warning("line %d of a log that rolls over after 200 bytes", n)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(folder.iterdir())
    assert [p.name for p in files] == ["desk.log", "desk.log.1", "desk.log.2"]
    assert {mode(p) for p in files} == {0o600} and mode(folder) == 0o700


def test_no_log_line_holds_a_full_tax_id(tmp_path: Path) -> None:
    handler = PrivateRotatingFileHandler(tmp_path / "desk.log")
    handler.setFormatter(MaskingFormatter("%(message)s"))
    logger = logging.getLogger("desk.test.masking")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning("account %s for %s, EIN %s", "NYC-1", "123-45-6789", "12-3456789")
        try:
            raise ValueError("tax id 123456789 refused")
        except ValueError:
            logger.exception("import failed for AAPL 037833100")
    finally:
        logger.removeHandler(handler)
        handler.close()
    text = (tmp_path / "desk.log").read_text(encoding="utf-8")
    for full in ("123-45-6789", "12-3456789", "123456789"):
        assert full not in text
    assert "***-**-6789" in text and "**-***56789" not in text and "6789" in text
    assert "037833100" in text  # a CUSIP is a security, not a person: kept
    assert "ValueError" in text  # the traceback is still there, masked


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("SSN 123-45-6789.", "SSN ***-**-6789."),
        ("EIN 12-3456789", "EIN **-***6789"),
        (
            "trade 1234567890 and account NYC-123456789",
            "trade 1234567890 and account NYC-123456789",
        ),
        ("CUSIP 037833100", "CUSIP 037833100"),
    ],
)
def test_masking_takes_tax_ids_and_nothing_else(line: str, shown: str) -> None:
    assert mask_tax_ids(line) == shown
