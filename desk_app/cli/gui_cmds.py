"""The window (no command) and ``screenshot``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desk_app.cli.common import EXIT_OK, CommandContext


def register(commands: Any) -> None:
    shot = commands.add_parser(
        "screenshot", help="render the main window with each tab selected, offscreen, to PNGs"
    )
    shot.add_argument("--out", type=Path, required=True, metavar="DIR")
    shot.set_defaults(handler=screenshot)


def run_gui_command(ctx: CommandContext) -> int:
    from desk_app.app import run_gui

    return int(
        run_gui(ctx.explicit_url, ctx.actor, demo=ctx.demo, exit_after_paint=ctx.exit_after_paint)
    )


def screenshot(ctx: CommandContext, args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desk_app.app import save_screenshots_of

    paths = save_screenshots_of(ctx.url, ctx.actor, args.out)
    for path in paths:
        print(path)
    print(f"{len(paths)} screenshots in {args.out}", file=sys.stderr)
    return EXIT_OK
