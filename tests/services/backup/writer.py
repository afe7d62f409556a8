"""A second desk for the backup tests: audited writes through Desk's services, in a loop.

Run as ``python -m tests.services.backup.writer URL FOLDER``. After ``READY_AFTER``
writes it creates ``FOLDER/ready``; it stops when ``FOLDER/stop`` appears and then
writes the number of writes it made to ``FOLDER/done``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from desk_app.services import firm
from desk_app.services.workspace import open_workspace

READY_AFTER = 20
#: A bound, so that a test gone wrong cannot leave it running for ever.
MOST = 100_000


def main(url: str, folder: Path) -> None:
    with open_workspace(url, "tester", migrate=False) as ws:
        count = 0
        while count < MOST and not (folder / "stop").exists():
            count += 1
            firm.set_firm_name(ws.uow, f"Firm number {count}")
            if count == READY_AFTER:
                (folder / "ready").touch()
    (folder / "done").write_text(str(count))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
