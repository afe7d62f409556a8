"""``desk-app``: the one place that wires the layers.

The command line and the window are siblings over the services; this entry point
reads the command line, runs a command through `desk_app.cli`, or, with no command,
starts the window (`desk_app.ui.launch`) with the services that open its databases
(`desk_app.opening`). Everything heavy is imported inside functions: a command never
loads Qt, and the window paints before the database layer loads.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desk_app.cli.common import CommandContext
    from desk_app.services.workspace import Workspace


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: a command, or the window when there is none."""
    from desk_app.cli import main as run_command

    return run_command(argv, more=(_register_screenshot,), no_command=_start_window)


def run_window(
    url: str | None, actor: str, *, demo: bool = False, exit_after_paint: bool = False
) -> int:
    """Show the main window over the services; returns the exit status."""
    from desk_app.opening import ServiceOpener
    from desk_app.ui.launch import run_gui

    return run_gui(url, actor, ServiceOpener(), demo=demo, exit_after_paint=exit_after_paint)


def save_screenshots(workspace: Workspace, out_dir: Path, size: tuple[int, int]) -> list[Path]:
    """``desk-app screenshot``: the window over ``workspace`` with each tab, as PNGs."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desk_app.ui.launch import screenshot_application
    from desk_app.ui.screenshot import render_screenshots

    screenshot_application()
    return render_screenshots(workspace, out_dir, size)


def _start_window(ctx: CommandContext) -> int:
    return run_window(
        ctx.explicit_url, ctx.actor, demo=ctx.demo, exit_after_paint=ctx.exit_after_paint
    )


def _register_screenshot(commands: Any) -> None:
    from desk_app.cli import gui_cmds

    gui_cmds.register(commands, save_screenshots)
