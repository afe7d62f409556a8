"""The published ISO 20022 schemas the tests check Desk's messages against."""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).parent / "data" / "iso20022"


@functools.cache
def schema(name: str) -> etree.XMLSchema:
    """``sese.023.001.11`` or ``sese.024.001.12``, compiled once."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{name}.xsd")))


def assert_valid(name: str, data: bytes) -> etree._Element:
    """Parse ``data`` and check it against the schema; the parsed root for reading back."""
    root = etree.fromstring(data)
    checker = schema(name)
    assert checker.validate(root), checker.error_log.filter_from_errors()
    return root


def text_at(root: etree._Element, path: str) -> str | None:
    """The text at a ``/``-separated path of unprefixed names under ``root``."""
    ns = root.nsmap[None]
    found = root.find("/".join(f"{{{ns}}}{part}" for part in path.split("/")))
    return None if found is None else found.text
