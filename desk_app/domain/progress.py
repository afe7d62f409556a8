"""How long work reports progress and is stopped, without Qt (Orange3's ``state``).

A long service function takes ``progress`` and ``cancel``: it calls
``progress(done, total, text)`` now and then, and ``cancel.check()`` between steps.
The GUI runs it on a worker and cancels from its progress dialog; the CLI and the
tests call it directly.
"""

from __future__ import annotations

import threading
from typing import Protocol

from desk_app.domain.errors import DeskError


class Cancelled(DeskError):
    """The user stopped the work before it was saved; nothing was changed."""

    def __init__(self, what: str = "The work") -> None:
        super().__init__(f"{what} was cancelled; nothing was saved.")


class Progress(Protocol):
    def __call__(self, done: int, total: int, text: str, /) -> None: ...


def no_progress(_done: int, _total: int, _text: str) -> None:
    """A reporter that reports nowhere (the CLI, tests)."""


class CancelToken:
    """Set from any thread; checked by the work between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self, what: str = "The work") -> None:
        """Raise `Cancelled` once the token has been cancelled."""
        if self._event.is_set():
            raise Cancelled(what)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled (True) or ``timeout`` seconds pass (False).

        For work that has nothing to do until it is stopped: it waits on the event
        instead of polling the flag.
        """
        return self._event.wait(timeout)
