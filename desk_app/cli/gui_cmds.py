"""``screenshot``: the command that needs the window, registered by `desk_app.app`.

The command line cannot reach the window (they are siblings over the services), so
the app passes in the function that renders it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app.cli.common import EXIT_OK, CommandContext

if TYPE_CHECKING:
    from desk_app.services.workspace import Workspace

#: ``(the signed-in workspace, folder)`` → the PNG files written.
ScreenshotTaker = Callable[["Workspace", Path], list[Path]]


def register(commands: Any, take_screenshots: ScreenshotTaker) -> None:
    shot = commands.add_parser(
        "screenshot", help="render the main window with each tab selected, offscreen, to PNGs"
    )
    shot.add_argument("--out", type=Path, required=True, metavar="DIR")
    shot.set_defaults(handler=partial(screenshot, take_screenshots))


def screenshot(
    take_screenshots: ScreenshotTaker, ctx: CommandContext, args: argparse.Namespace
) -> int:
    # Signed in as any command is (a password from DESK_PASSWORD or the terminal), and
    # --demo fills a new demo first: the pictures show a desk at work, not empty tabs.
    with ctx.open(migrate=False) as workspace:
        paths = take_screenshots(workspace, args.out)
    for path in paths:
        print(path)
    print(f"{len(paths)} screenshots in {args.out}", file=sys.stderr)
    return EXIT_OK
