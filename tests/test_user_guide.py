"""The user guide holds together: every link and picture resolves, every page is reachable.

Desk shows the guide offline from the files installed with it, so a broken link is
a dead end for a clerk with no other help at hand.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide"

#: ``[text](target)`` and ``![alt](target)``; a target may carry a "title".
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _pages() -> list[Path]:
    return sorted(GUIDE.glob("*.md"))


def _local_targets(page: Path) -> list[str]:
    """The page's link and picture targets within the guide (no web addresses)."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # examples, not links
    targets = []
    for target in LINK.findall(text):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue
        if parts.path:
            targets.append(unquote(parts.path))
    return targets


def test_the_guide_has_its_contents_page() -> None:
    assert (GUIDE / "index.md").is_file()
    assert len(_pages()) > 1


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.name)
def test_every_link_and_picture_resolves(page: Path) -> None:
    missing = []
    for target in _local_targets(page):
        path = (page.parent / target).resolve()
        if path.exists():
            assert path.is_relative_to(GUIDE), f"{page.name}: {target} is outside the guide"
            continue
        missing.append(target)
    assert not missing, f"{page.name}: no such file: {', '.join(missing)}"


def test_every_page_and_picture_is_used() -> None:
    """A page nothing links to is never found; a picture nothing shows is dead weight."""
    linked = {
        (page.parent / target).resolve() for page in _pages() for target in _local_targets(page)
    }
    orphans = [p.name for p in _pages() if p.name != "index.md" and p.resolve() not in linked]
    assert not orphans, f"not linked from any page: {orphans}"
    unused = [p.name for p in sorted((GUIDE / "images").glob("*.png")) if p.resolve() not in linked]
    assert not unused, f"pictures no page shows: {unused}"


def test_pages_are_plain_markdown_for_the_help_window() -> None:
    """The help window renders CommonMark: no raw HTML, and a title on the first line."""
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        assert text.startswith("# "), f"{page.name}: the first line is the page's title"
        assert not re.search(r"<(img|a|div|table)\b", text), f"{page.name}: raw HTML"
