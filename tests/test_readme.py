"""The README's role matrix is the one the services enforce."""

from __future__ import annotations

from pathlib import Path

from desk_app.domain.codes import Role
from desk_app.domain.permissions import matrix

README = Path(__file__).resolve().parents[1] / "README.md"
START = (
    "<!-- role matrix: generated from desk_app.domain.permissions, "
    "checked by tests/test_readme.py -->"
)
END = "<!-- end of role matrix -->"


def matrix_table() -> str:
    lines = ["| action | " + " | ".join(r.value for r in Role) + " |", "|---|" + "---|" * len(Role)]
    for action, row in matrix():
        supervised = " *(a request)*" if action.supervised else ""
        ticks = " | ".join("✓" if row[role] else "" for role in Role)
        lines.append(f"| {action.label}{supervised} | {ticks} |")
    return "\n".join(lines)


def test_readme_role_matrix_matches_the_permissions() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert block == matrix_table(), "regenerate the README's role matrix from matrix_table()"
