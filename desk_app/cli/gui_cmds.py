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

#: ``(the signed-in workspace, folder, window size)`` → the PNG files written.
ScreenshotTaker = Callable[["Workspace", Path, tuple[int, int]], list[Path]]
#: The README's pictures; the user guide's are taken at 1366x768 (``--size``).
DEFAULT_SIZE = (1400, 800)


def window_size(text: str) -> tuple[int, int]:
    """``--size 1366x768``: the window's width and height in pixels."""
    width, sep, height = text.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1366x768")
    size = (int(width), int(height))
    if not (640 <= size[0] <= 7680 and 480 <= size[1] <= 4320):
        raise argparse.ArgumentTypeError(f"{text!r}: from 640x480 to 7680x4320")
    return size


def register(commands: Any, take_screenshots: ScreenshotTaker) -> None:
    shot = commands.add_parser(
        "screenshot", help="render the main window with each tab selected, offscreen, to PNGs"
    )
    shot.add_argument("--out", type=Path, required=True, metavar="DIR")
    shot.add_argument(
        "--size",
        type=window_size,
        default=DEFAULT_SIZE,
        metavar="WxH",
        help="the window's size in pixels (default 1400x800)",
    )
    shot.set_defaults(handler=partial(screenshot, take_screenshots))


def screenshot(
    take_screenshots: ScreenshotTaker, ctx: CommandContext, args: argparse.Namespace
) -> int:
    # Signed in as any command is (a password from DESK_PASSWORD or the terminal), and
    # --demo fills a new demo first: the pictures show a desk at work, not empty tabs.
    with ctx.open(migrate=False) as workspace:
        paths = take_screenshots(workspace, args.out, args.size)
    for path in paths:
        print(path)
    print(f"{len(paths)} screenshots in {args.out}", file=sys.stderr)
    return EXIT_OK
