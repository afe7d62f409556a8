"""The deficiency letter of an estate case: what the firm still needs before it re-registers.

On the shared paged layout (`desk_app.reports.paged`): the firm's name and address
head the page, the letter is addressed to the executor once there is one (their name
and address), names the account and the date of death, then lists each document
missing or expired, one a row. The same case printed at the same time gives
the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reportlab.pdfgen.canvas import Canvas

from desk_app.reports.paged import (
    BOLD,
    FONT,
    MARGIN,
    PagedTable,
    Paper,
    TableColumn,
    cell,
    register_fonts,
    wrap,
)

_SIZE = 9.0


def addressee(case: Any) -> list[str]:
    """Who the letter goes to: the executor (name, then address lines) once there is one."""
    decedent = case.decedent or case.name.removeprefix("Estate of ")
    names = " and ".join(getattr(case, "executors", ()))
    if not names:
        return [f"To the family and representatives of {decedent}", "", "Dear Sir or Madam,"]
    role = "executors" if len(getattr(case, "executors", ())) > 1 else "executor"
    address = [a.strip() for a in str(getattr(case, "executor_address", "") or "").splitlines()]
    return [f"{names}, {role} of the estate of {decedent}"[:110],
            *[a[:110] for a in address if a][:4], "", f"Dear {names},"[:110]]  # fmt: skip


def deficiency_letter_pdf(
    case: Any, *, firm: str = "", firm_address: Sequence[str] = (),
    printed_at: datetime | None = None, printed_by: str = "", paper: Paper = Paper.LETTER,
) -> bytes:  # fmt: skip
    """The letter for ``case`` (an estate case's view: account, name, documents) as PDF."""
    register_fonts()  # before the intro is measured
    wanted = list(case.wanted)
    width = paper.size[0] - 2 * MARGIN
    columns = (TableColumn("", 24, "r"), TableColumn("Document we still need", width - 24))
    title = f"Estate of {case.name.removeprefix('Estate of ')}"
    intro = (
        f"Account {case.account}. We were told that the account holder died on "
        f"{case.date_of_death.isoformat()}; please accept our condolences. Before we can "
        "re-register the account to its new owners we need the documents listed below. "
        "Letters must be recent; a copy that has expired needs to be sent again."
    )
    lines = [*addressee(case), "", *wrap(intro, FONT, 10, width, 6)]

    def first(canvas: Canvas, top: float, _width: float) -> None:
        canvas.setFont(BOLD, 14)
        canvas.drawString(MARGIN, top - 16, title)
        canvas.setFont(FONT, 10)
        canvas.drawString(MARGIN, top - 32, f"Estate case {case.id}: documents still needed")
        for n, line in enumerate(lines):
            canvas.drawString(MARGIN, top - 52 - 13 * n, line)

    def later(canvas: Canvas, top: float, _width: float) -> None:
        canvas.setFont(BOLD, 11)
        canvas.drawString(MARGIN, top - 12, f"{title} (continued)")

    def row(canvas: Canvas, item: tuple[int, str], xs: Sequence[float], top: float) -> None:
        for x, column, text in zip(xs, columns, (f"{item[0]}.", item[1]), strict=True):
            cell(canvas, column, x, top - 11, text, size=_SIZE)

    def closing(canvas: Canvas, top: float, _width: float) -> None:
        canvas.setFont(FONT, 10)
        text = (
            "Nothing more is needed: we will re-register the account shortly."
            if not wanted
            else "Please send the documents to us"
            + (" at the address at the top of this letter" if firm_address else "")
            + f", quoting estate case {case.id}."
        )
        canvas.drawString(MARGIN, top - 14, text)

    return PagedTable(
        title="Deficiency letter", reference=f"estate case {case.id}", paper=paper,
        columns=columns, rows=list(enumerate(wanted, 1)), row_height=16, draw_row=row,
        first_header=first, first_header_height=60 + 13 * len(lines), later_header=later,
        later_header_height=24, closing=closing, closing_height=24, subject=title,
        empty_text="Every document is in hand.", firm=firm, printed_at=printed_at,
        printed_by=printed_by, firm_address=firm_address,
    ).render()  # fmt: skip
