"""The editable settlement rules: what a change to each kind may say, every problem named.

Four kinds of reference data decide settlement dates and deadlines, so every change
to them is supervised (a principal other than the maker approves it):

- settlement cycles (T+N for an instrument type in a market, from a date): a new
  cycle from a day ends the one before it on that day; cycles never overlap, since
  the one in force is the latest start not after the trade date;
- calendar overrides (a day forced open or closed on a settlement calendar);
- fail rules (close-out deadlines and capital-charge ages, in settlement days);
- aging limits (after how many business days something becomes an exception).

A change dated in the past (a cycle or an override) would move dates already worked
out, so it needs a ``backdate_reason`` besides the request's own reason. A checker
here never stops at the first problem: it returns every one, field by field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from desk_app.domain.calendars import CALENDARS
from desk_app.domain.codes import InstrumentType
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.trade_rows import parse_instrument_type, parse_iso_date

#: A cycle longer than two weeks is a typo, not a market (the longest in use is T+3).
MAX_OFFSET = 10
MAX_RULE_DAYS = 365
MAX_TEXT = 200
_T = TypeVar("_T")


class RuleKind(StrEnum):
    """The kinds of editable rule, named as their tables are."""

    CYCLE = "settlement_cycles"
    OVERRIDE = "calendar_overrides"
    FAIL_RULE = "fail_rules"
    AGING_LIMIT = "aging_limits"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    RuleKind.CYCLE: "settlement cycle",
    RuleKind.OVERRIDE: "calendar override",
    RuleKind.FAIL_RULE: "fail rule",
    RuleKind.AGING_LIMIT: "aging limit",
}

#: The columns of an import file of each kind: (every column, the required ones).
CSV_COLUMNS: Mapping[RuleKind, tuple[tuple[str, ...], tuple[str, ...]]] = {
    RuleKind.CYCLE: (
        (
            "instrument_type",
            "market",
            "effective_from",
            "offset_days",
            "calendar_code",
            "note",
            "backdate_reason",
        ),
        ("instrument_type", "market", "effective_from", "offset_days", "calendar_code"),
    ),
    RuleKind.OVERRIDE: (
        ("calendar_code", "day", "settlement_day", "reason", "backdate_reason"),
        ("calendar_code", "day", "settlement_day", "reason"),
    ),
    RuleKind.FAIL_RULE: (("code", "days"), ("code", "days")),
    RuleKind.AGING_LIMIT: (("code", "days"), ("code", "days")),
}


class RuleProblems(DeskError):
    """Every problem with one proposed rule change (or one file), each naming its field."""

    def __init__(self, problems: list[ValidationError]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


@dataclass(frozen=True)
class Checked:
    """A checked change: its clean values (JSON-ready) or the problems found."""

    values: dict[str, Any]
    problems: list[ValidationError]

    def raise_problems(self) -> dict[str, Any]:
        if self.problems:
            raise RuleProblems(self.problems)
        return self.values


def _attempt(problems: list[ValidationError], check: Callable[[], _T]) -> _T | None:
    try:
        return check()
    except ValidationError as error:
        problems.append(error)
        return None


def _text(values: Mapping[str, Any], key: str) -> str:
    raw = values.get(key)
    return "" if raw is None else str(raw).strip()


def _required(field: str, raw: str) -> str:
    if not raw:
        raise ValidationError(field, "is required")
    return raw


def _calendar(field: str, raw: str) -> str:
    code = _required(field, raw).upper()
    if code not in CALENDARS:
        raise ValidationError(field, f"is not a calendar; known: {', '.join(CALENDARS)}", raw)
    return code


def _days(field: str, raw: str, low: int, high: int) -> int:
    if not re.fullmatch(r"-?\d+", _required(field, raw)):
        raise ValidationError(field, "is not a whole number of days", raw)
    days = int(raw)
    if not low <= days <= high:
        raise ValidationError(field, f"must be between {low} and {high}", raw)
    return days


def _date(field: str, raw: str) -> date:
    return parse_iso_date(field, _required(field, raw))


def _short(field: str, raw: str, *, required: bool) -> str:
    if required:
        _required(field, raw)
    if len(raw) > MAX_TEXT:
        raise ValidationError(field, f"is longer than {MAX_TEXT} characters")
    return raw


def _not_past(
    problems: list[ValidationError], field: str, day: date | None, today: date, backdate_reason: str
) -> None:
    """A supervised change dated before today moves dates already worked out: say why."""
    if day is not None and day < today and not backdate_reason:
        problems.append(
            ValidationError(
                field,
                f"is before today ({today.isoformat()}): a backdated change needs a "
                "backdate reason",
                day.isoformat(),
            )
        )


def check_cycle(values: Mapping[str, Any], today: date) -> Checked:
    """A new settlement cycle: every problem with it."""
    problems: list[ValidationError] = []
    kind = _attempt(
        problems,
        lambda: parse_instrument_type(
            "instrument_type", _required("instrument_type", _text(values, "instrument_type"))
        ),
    )
    if kind is InstrumentType.FUTURE:
        problems.append(ValidationError("instrument_type", "futures have no settlement cycle"))
    market = _text(values, "market").upper()
    if not re.fullmatch(r"[A-Z]{2}", market):
        problems.append(
            ValidationError("market", "must be a two-letter market code such as US", market or None)
        )
    start = _attempt(problems, lambda: _date("effective_from", _text(values, "effective_from")))
    offset = _attempt(
        problems, lambda: _days("offset_days", _text(values, "offset_days"), 0, MAX_OFFSET)
    )
    calendar = _attempt(
        problems, lambda: _calendar("calendar_code", _text(values, "calendar_code"))
    )
    note = _attempt(problems, lambda: _short("note", _text(values, "note"), required=False))
    backdate = _text(values, "backdate_reason")
    _not_past(problems, "effective_from", start, today, backdate)
    out = {
        "instrument_type": kind.value if kind else None,
        "market": market,
        "effective_from": start.isoformat() if start else None,
        "offset_days": offset,
        "calendar_code": calendar,
        "note": note or "",
    }
    if backdate:
        out["backdate_reason"] = backdate
    return Checked(out, problems)


def check_override(values: Mapping[str, Any], today: date) -> Checked:
    """A day forced open or closed on a calendar: every problem with it."""
    problems: list[ValidationError] = []
    calendar = _attempt(
        problems, lambda: _calendar("calendar_code", _text(values, "calendar_code"))
    )
    day = _attempt(problems, lambda: _date("day", _text(values, "day")))
    is_open = _attempt(
        problems, lambda: parse_open("settlement_day", _text(values, "settlement_day"))
    )
    reason = _attempt(problems, lambda: _short("reason", _text(values, "reason"), required=True))
    backdate = _text(values, "backdate_reason")
    _not_past(problems, "day", day, today, backdate)
    if day is not None and day.weekday() >= 5 and is_open:
        problems.append(
            ValidationError(
                "settlement_day",
                "a Saturday or Sunday cannot be opened for settlement",
                day.isoformat(),
            )
        )
    out = {
        "calendar_code": calendar,
        "day": day.isoformat() if day else None,
        "settlement_day": is_open,
        "reason": reason,
    }
    if backdate:
        out["backdate_reason"] = backdate
    return Checked(out, problems)


def check_override_key(values: Mapping[str, Any]) -> Checked:
    """Which override to remove: its calendar and day."""
    problems: list[ValidationError] = []
    calendar = _attempt(
        problems, lambda: _calendar("calendar_code", _text(values, "calendar_code"))
    )
    day = _attempt(problems, lambda: _date("day", _text(values, "day")))
    return Checked({"calendar_code": calendar, "day": day.isoformat() if day else None}, problems)


def check_days(kind: RuleKind, values: Mapping[str, Any]) -> Checked:
    """A fail rule's or an aging limit's new number of days: every problem with it.

    An aging limit of 0 would make everything an exception the day it happens, so an
    aging limit starts at 1; a fail rule may bite on the settlement date itself.
    """
    problems: list[ValidationError] = []
    code = _attempt(problems, lambda: _required("code", _text(values, "code")))
    low = 1 if kind is RuleKind.AGING_LIMIT else 0
    days = _attempt(problems, lambda: _days("days", _text(values, "days"), low, MAX_RULE_DAYS))
    if kind is RuleKind.FAIL_RULE and code:
        code = code.upper()
    return Checked({"code": code, "days": days}, problems)


def parse_open(field: str, raw: str) -> bool:
    """``open``/``yes`` (a settlement day after all) or ``closed``/``no``."""
    word = _required(field, raw).lower()
    if word in ("open", "yes", "true", "1"):
        return True
    if word in ("closed", "no", "false", "0"):
        return False
    raise ValidationError(field, "is not open or closed", raw)


def check_row(kind: RuleKind, values: Mapping[str, Any], today: date) -> Checked:
    """One change of ``kind`` (a form's or a file line's values)."""
    if kind is RuleKind.CYCLE:
        return check_cycle(values, today)
    if kind is RuleKind.OVERRIDE:
        return check_override(values, today)
    return check_days(kind, values)
