"""Standing settlement instructions from a CSV file: every line a request, all or none.

Each line is a new instruction, checked field by field (BICs by ISO 9362) and against
the database (counterparty, account, an instruction already starting on that route
that day) and the lines before it; every problem is named with its line. A clean
file files one request per line, all in one transaction; a principal other than the
maker approves each, as for an instruction added by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desk_app.domain.csv_files import CsvTableReader, path_problem
from desk_app.domain.errors import ValidationError
from desk_app.domain.permissions import Action
from desk_app.domain.trade_rows import RowProblem, problem_from
from desk_app.services.settlement.ssi_checks import REQUIRED, check_new, clean_route, new_proposal
from desk_app.services.supervision.approvals import ApprovalService
from desk_app.services.unit_of_work import UnitOfWork

COLUMNS = (*REQUIRED, "account", "effective_to")


@dataclass
class SSIImport:
    """What an import found: every problem, or the requests it filed (none on a dry run)."""

    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    request_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _SSIReader(CsvTableReader):
    known = COLUMNS
    required = REQUIRED
    row_noun = "instruction"

    def __init__(self, file_name: str) -> None:
        super().__init__(file_name)
        self.rows: list[tuple[int, dict[str, Any]]] = []

    def has_rows(self) -> bool:
        return bool(self.rows)

    def read_row(self, line: int, fields: list[str]) -> None:
        values = self.values(line, fields)
        if values is None:
            self.rows.append((line, {}))
            return
        clean: dict[str, Any] = {}
        for key, raw in values.items():
            if not key or not raw:
                continue  # empty: reported below if it is required
            try:
                clean.update(clean_route({key: raw}))
            except ValidationError as error:
                self.report_error(line, error)
        for key in REQUIRED:
            if key in self.columns and not values.get(key):
                self.report(line, key, "is required for a new instruction")
        start, end = clean.get("effective_from"), clean.get("effective_to")
        if start is not None and end is not None and end < start:
            self.report(line, "effective_to", f"is before the start, {start}", str(end))
        self.rows.append((line, clean))


def import_ssis(
    uow: UnitOfWork, approvals: ApprovalService, path: Path, reason: str, *, dry_run: bool = False
) -> SSIImport:
    """Check every line of ``path``; unless ``dry_run``, file a request for each, all or none."""
    uow.actor.require(Action.SSI_CHANGE)
    result = SSIImport()
    problem = path_problem(path)
    if problem is not None:
        result.problems.append(RowProblem(path.name, 1, "file", problem))
        return result
    if not dry_run and not reason.strip():
        result.problems.append(RowProblem(path.name, 1, "reason", "say why the change is needed"))
        return result
    reader = _SSIReader(path.name)
    reader.read_content(path.read_bytes())
    result.problems.extend(reader.problems)
    result.rows = len(reader.rows)
    bad = {p.line for p in reader.problems}
    sound = [(line, values) for line, values in reader.rows if line not in bad]
    seen: dict[str, int] = {}
    with uow.read() as session:
        for line, values in sound:
            key = new_proposal(values).target_key
            if key in seen:
                result.problems.append(
                    RowProblem(path.name, line, "row", f"repeats line {seen[key]}")
                )
                continue
            seen[key] = line
            try:
                check_new(session, values)
            except ValidationError as error:
                result.problems.append(problem_from(path.name, line, error))
    result.problems.sort(key=lambda p: p.line)
    if result.problems or dry_run:
        return result
    with uow.write("approval.request", permission=Action.SSI_CHANGE) as session:
        for _line, values in sound:
            result.request_ids.append(approvals.file(session, new_proposal(values), reason.strip()))
    return result
