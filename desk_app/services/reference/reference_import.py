"""Counterparties and instruments from CSV: all or nothing, every problem of every line named.

A file is read like a trades file (`desk_app.domain.csv_files`: columns by header
name, UTF-8, ``,`` or ``;``). Then each line is set against the database:

- a record the database does not have is added;
- one it has with the same values in every column the file gives is skipped, so a
  file can be imported again (a daily extract, an interrupted run);
- one it has with other values is a problem naming each differing field: an import
  never changes a record. Amending is a deliberate act, audited and, for a record in
  use, supervised; a file would slip past that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from desk_app.domain.csv_files import CsvTableReader
from desk_app.domain.errors import ValidationError
from desk_app.domain.reference_data import (
    COUNTERPARTY_FIELDS,
    COUNTERPARTY_REQUIRED,
    INSTRUMENT_FIELDS,
    INSTRUMENT_REQUIRED,
    clean_counterparty,
    clean_instrument,
)
from desk_app.domain.trade_rows import RowProblem, problem_from
from desk_app.services.reference.records import ReferenceImport, stored

Cleaner = Callable[[Mapping[str, Any]], tuple[dict[str, Any], list[ValidationError]]]


@dataclass(frozen=True)
class ParsedRow:
    line: int
    key: str
    values: dict[str, Any]
    #: The columns the file gave (an import compares only those with the database).
    given: frozenset[str]


@dataclass(frozen=True)
class Parsed:
    file: str
    rows: tuple[ParsedRow, ...]
    problems: tuple[RowProblem, ...]


class _Reader(CsvTableReader):
    def __init__(self, file_name: str, clean: Cleaner, key: str, unique: Sequence[str]) -> None:
        super().__init__(file_name)
        self.clean = clean
        self.key = key
        self.unique = unique
        self.rows: list[ParsedRow] = []
        self.first_line: dict[tuple[str, str], int] = {}

    def has_rows(self) -> bool:
        return bool(self.rows)

    def read_row(self, line: int, fields: list[str]) -> None:
        raw = self.values(line, fields)
        if raw is None:
            return
        values = {name: value for name, value in raw.items() if name}
        cleaned, problems = self.clean(values)
        for problem in problems:
            self.report_error(line, problem)
        if problems:
            return
        for name in self.unique:
            value = cleaned.get(name)
            if value is None:
                continue
            first = self.first_line.setdefault((name, str(value)), line)
            if first != line:
                self.report(line, name, f"{value} appears again; first on line {first}", value)
                return
        given = frozenset(k for k, v in values.items() if v) | {"isin", "cusip"} & set(cleaned)
        self.rows.append(ParsedRow(line, str(cleaned[self.key]), cleaned, given))


class _CounterpartyReader(_Reader):
    known = (*COUNTERPARTY_FIELDS, "active")
    required = COUNTERPARTY_REQUIRED
    row_noun = "counterparty"


class _InstrumentReader(_Reader):
    known = (*INSTRUMENT_FIELDS, "active")
    required = ("isin", *INSTRUMENT_REQUIRED)
    alternatives = {"isin": "cusip"}
    row_noun = "instrument"


def read_counterparties(content: bytes, file_name: str) -> Parsed:
    """Columns: code, name, kind and optional bic, lei, dtc_participant, active."""
    reader = _CounterpartyReader(file_name, clean_counterparty, "code", ("code",))
    reader.read_content(content)
    return Parsed(file_name, tuple(reader.rows), tuple(reader.problems))


def read_instruments(content: bytes, file_name: str) -> Parsed:
    """Columns: isin or cusip, description, instrument_type, currency and optional symbol,
    issuer, market (US), multiplier (1), active."""
    reader = _InstrumentReader(file_name, clean_instrument, "isin", ("isin", "cusip", "symbol"))
    reader.read_content(content)
    return Parsed(file_name, tuple(reader.rows), tuple(reader.problems))


def _same(now: Any, new: Any) -> bool:
    if isinstance(new, Decimal):
        return now is not None and Decimal(str(now)) == new
    return bool(stored(now) == stored(new))


@dataclass
class Plan:
    """What an import would do: add ``new``, skip ``skipped``; or its ``problems``."""

    new: list[ParsedRow] = field(default_factory=list)
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def result(self, file_name: str, dry_run: bool) -> ReferenceImport:
        if self.problems:
            return ReferenceImport(file_name, 0, 0, tuple(self.problems), dry_run)
        return ReferenceImport(file_name, len(self.new), self.skipped, (), dry_run)


def plan(
    parsed: Parsed,
    existing: Mapping[str, Mapping[str, Any]],
    noun: str,
    check_new: Callable[[ParsedRow], list[ValidationError]] | None = None,
) -> Plan:
    """Set each row against what the database has (``existing``: form values by key)."""
    out = Plan()
    for row in parsed.rows:
        now = existing.get(row.key)
        if now is None:
            problems = check_new(row) if check_new is not None else []
            out.problems.extend(problem_from(parsed.file, row.line, p) for p in problems)
            if not problems:
                out.new.append(row)
            continue
        differing = [k for k in sorted(row.given) if k in now and not _same(now[k], row.values[k])]
        if not differing:
            out.skipped += 1
        for key in differing:
            there = now[key] if now[key] not in (None, "") else "empty"
            out.problems.append(RowProblem(
                parsed.file, row.line, key,
                f"{noun} {row.key} is on the database with {there}: an import adds, it never "
                "changes; amend the record instead", stored(row.values[key]),
            ))  # fmt: skip
    return out
