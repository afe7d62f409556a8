"""Files that hold customer data are the user's alone: folders 0700, files 0600.

The local database (and the WAL and shared-memory files SQLite makes beside it with
the database file's own mode), backups and logs hold names, accounts and positions.
On POSIX systems Desk creates them readable by their owner only, whatever the umask,
and tightens a database file of the user's own that an older Desk left open to the
group or others. On Windows the user's profile folders already keep them private.

Imported by the command line, the database layer and the logs alike: it needs only
the standard library.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
#: What SQLite keeps beside a database file in WAL mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

log = logging.getLogger(__name__)


def _posix() -> bool:
    return os.name == "posix"


def private_folder(path: Path) -> Path:
    """Make ``path`` (and missing parents); a folder Desk creates is the user's alone.

    A folder that exists already keeps its mode: the user chose it (their home, a
    shared drive), and it is not Desk's to change.
    """
    missing = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    path.mkdir(parents=True, exist_ok=True)
    if _posix():
        for created in missing:
            with contextlib.suppress(OSError):
                created.chmod(FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty for its owner alone if it does not exist; return it."""
    private_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return path
    os.close(fd)
    if _posix():
        path.chmod(FILE_MODE)  # whatever the umask
    return path


def tighten(path: Path) -> bool:
    """Take group and others' access off a file of the user's own; True if it had any."""
    if not _posix():
        return False
    try:
        info = path.stat()
        if info.st_uid != os.getuid() or not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            return False
        path.chmod(FILE_MODE)
    except OSError:
        return False
    log.info("%s was open to other users: now readable by its owner only", path)
    return True


def private_database(path: Path) -> None:
    """Before SQLite opens ``path``: the file exists and it and its companions are private.

    SQLite gives the WAL and shared-memory files the database file's own mode, so a
    private database file keeps them private too.
    """
    private_file(path)
    for candidate in (path, *(path.with_name(path.name + s) for s in SQLITE_COMPANIONS)):
        if candidate.exists():
            tighten(candidate)
