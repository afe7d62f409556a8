"""A form dialog's OK through `desk_app.ui.ops.Op`: off the GUI thread, the refusal inline.

The dialog reads its fields first (a bad field is said at once), then hands the
service call here. OK is disabled until the call has answered, so a second press
does not send it twice; a refusal shows in the dialog, which stays open; success
runs ``done``, which accepts the dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import shiboken6
from PySide6.QtWidgets import QAbstractButton, QDialog

from desk_app.domain.errors import DeskError
from desk_app.ui.ops import Op

T = TypeVar("T")


def submit(
    dialog: QDialog,
    call: Callable[[], T],
    *,
    done: Callable[[T], object],
    refused: Callable[[DeskError], object],
    button: QAbstractButton | None = None,
) -> bool:
    """Run ``call`` for ``dialog``; False (nothing sent) while its last call still runs."""

    def after() -> None:
        if button is not None and shiboken6.isValid(button):
            button.setEnabled(True)

    started = Op(
        dialog, call, done=done, refused=refused, busy_key=f"dialog:{id(dialog)}", after=after
    ).run()
    if started and button is not None:
        button.setEnabled(False)
    return started
