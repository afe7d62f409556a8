"""What a typed search means, in plain Python: the GUI, the CLI and the services share it.

A search is the words typed, split at blanks: every word must appear, in any case, in
some part of one of the fields the list searches (a client's name, an account number,
an ISIN). No SQLAlchemy here: `desk_app.db.text_search` turns the words into SQL.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Longer words are cut: a pasted paragraph should not become an unreadable query.
MAX_WORD = 64
#: Only the first words count (each is a condition on every searched field).
MAX_WORDS = 8


def search_words(text: str | None) -> tuple[str, ...]:
    """The words of ``text``, lower-cased, each once, in the order typed."""
    seen: dict[str, None] = {}
    for word in (text or "").split():
        seen.setdefault(word.lower()[:MAX_WORD], None)
    return tuple(seen)[:MAX_WORDS]


def codes_matching(word: str, labels: Mapping[str, str]) -> list[str]:
    """The codes whose code or label contains ``word`` (a status or kind as a person reads it)."""
    low = word.lower()
    return [code for code, label in labels.items() if low in code.lower() or low in label.lower()]


def whole_number(word: str) -> int | None:
    """``word`` as an id (a request or obligation number, "#12" too), or None."""
    digits = word.removeprefix("#")
    if digits.isdigit() and len(digits) <= 18:
        return int(digits)
    return None


def describe_search(text: str) -> str:
    """The search as a label shows it: the words between quotes."""
    return "“" + " ".join((text or "").split()) + "”"
