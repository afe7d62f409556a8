"""``--search TEXT`` for the list commands that have a search box in the window."""

from __future__ import annotations

import argparse


def add_search(parser: argparse.ArgumentParser, fields: str) -> None:
    """Give ``parser`` the window's search: every word must appear in one of ``fields``."""
    parser.add_argument(
        "--search",
        default="",
        metavar="TEXT",
        help=f"only rows whose {fields} contain every word of TEXT (any part, any case)",
    )
