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
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext

#: ``(database URL, actor, folder)`` → the PNG files written.
ScreenshotTaker = Callable[[str, str, Path], list[Path]]


def register(commands: Any, take_screenshots: ScreenshotTaker) -> None:
    shot = commands.add_parser(
        "screenshot", help="render the main window with each tab selected, offscreen, to PNGs"
    )
    shot.add_argument("--out", type=Path, required=True, metavar="DIR")
    shot.set_defaults(handler=partial(screenshot, take_screenshots))


def screenshot(
    take_screenshots: ScreenshotTaker, ctx: CommandContext, args: argparse.Namespace
) -> int:
    ctx.require_database()
    paths = take_screenshots(ctx.url, ctx.actor, args.out)
    for path in paths:
        print(path)
    print(f"{len(paths)} screenshots in {args.out}", file=sys.stderr)
    return EXIT_OK
