"""A form dialog's OK through `desk_app.ui.ops.Op`: off the GUI thread, the refusal inline.

The dialog reads its fields first (a bad field is said at once), then hands the
service call here. While it runs the dialog's buttons are off (`Op` holds a dialog
whose call has a busy key), so a second press does not send it twice; a refusal
shows in the dialog, which stays open; success runs ``done``, which accepts it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QDialog

from desk_app.domain.errors import DeskError
from desk_app.ui.ops import Op

T = TypeVar("T")


def submit(
    dialog: QDialog,
    call: Callable[[], T],
    *,
    done: Callable[[T], object],
    refused: Callable[[DeskError], object],
) -> bool:
    """Run ``call`` for ``dialog``; False (nothing sent) while its last call still runs."""
    return Op(dialog, call, done=done, refused=refused, busy_key=f"dialog:{id(dialog)}").run()
