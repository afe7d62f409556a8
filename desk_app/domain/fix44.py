"""Reads FIX 4.4 execution reports (35=8) from a file: framing, checksums and fields.

A file holds messages of ``tag=value`` fields separated by SOH (``\\x01``) or ``|``;
messages are on their own lines (CRLF or LF) or simply follow one another, each
starting at ``8=FIX``. The delimiter is taken per message from its first field.
Logs written with ``|`` are SOH messages made readable, so BodyLength(9) and
CheckSum(10) are computed as if each ``|`` were SOH: the length is the same and the
checksum is lower by 123 (``|`` is 124, SOH is 1) for every ``|`` it covers.

Nothing here raises on bad content: every problem becomes a `RowProblem` naming the
physical line where its message starts and the tag, e.g. ``CheckSum(10)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal, TypeVar

from desk_app.domain.codes import Side
from desk_app.domain.errors import ValidationError
from desk_app.domain.trade_rows import (
    EXTERNAL_ID_MAX,
    RefusedRow,
    RowProblem,
    parse_charge,
    parse_currency,
    parse_cusip_as_isin,
    parse_isin,
    parse_price,
    parse_quantity,
    problem_from,
    shown_value,
)

ExecKind = Literal["trade", "correct", "cancel"]
_T = TypeVar("_T")

_NAMES = {
    1: "Account", 8: "BeginString", 9: "BodyLength", 10: "CheckSum", 12: "Commission",
    13: "CommType", 15: "Currency", 17: "ExecID", 19: "ExecRefID", 22: "SecurityIDSource",
    31: "LastPx", 32: "LastQty", 35: "MsgType", 48: "SecurityID", 54: "Side",
    60: "TransactTime", 64: "SettlDate", 75: "TradeDate", 76: "ExecBroker", 150: "ExecType",
    447: "PartyIDSource", 448: "PartyID", 452: "PartyRole", 453: "NoPartyIDs",
}  # fmt: skip
_EXEC_KINDS: dict[str, ExecKind] = {"F": "trade", "G": "correct", "H": "cancel"}
_EXEC_TYPE_NAMES = {
    "0": "New", "1": "Partial fill", "2": "Fill", "3": "Done for day", "4": "Canceled",
    "5": "Replaced", "6": "Pending cancel", "7": "Stopped", "8": "Rejected",
    "9": "Suspended", "A": "Pending new", "B": "Calculated", "C": "Expired",
    "D": "Restated", "E": "Pending replace", "I": "Order status",
}  # fmt: skip
# 5 is a short sale, 6 a short sale exempt from the Reg SHO price test: both are shorts.
_SIDES = {"1": Side.BUY, "2": Side.SELL, "5": Side.SELL_SHORT, "6": Side.SELL_SHORT}
_PARTY_TAGS = frozenset({447, 448, 452, 523, 802, 803})  # Parties with PtysSubGrp
_EXECUTING_FIRM = "1"

_SECURITY_ID_PARSERS = {"1": parse_cusip_as_isin, "4": parse_isin}  # by SecurityIDSource
_MESSAGE_START = re.compile(rb"(?<![^\n\r\x01|])8=FIX")  # at the start or after a delimiter
_DELIMITER = re.compile(rb"[\x01|]")
_VALUE_END = re.compile(rb"[^\x01|\r\n]*")
_FIX_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_FIX_TIME = r"-([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{3}))?"
_FIX_TIMESTAMP = re.compile(_FIX_DATE.pattern + _FIX_TIME)
_CONTROL = {"|": re.compile(r"[\x00-\x1f\x7f]"), "\x01": re.compile(r"[\x00\x02-\x1f\x7f]")}
_PIPE_MINUS_SOH = ord("|") - 1
_TAG_NUMBERS = {str(tag): tag for tag in range(1, 10_000)}  # faster than checking the text


@dataclass(frozen=True, slots=True)
class FixExecution:
    """One execution report; every field but the ids is set for a trade or correction."""

    line: int
    exec_type: ExecKind
    exec_id: str
    exec_ref_id: str | None = None
    account: str | None = None
    side: Side | None = None
    isin: str | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None
    currency: str | None = None
    trade_date: date | None = None
    settle_date: date | None = None
    transact_time: datetime | None = None
    counterparty: str | None = None
    commission: Decimal | None = None


@dataclass(frozen=True, slots=True)
class FixResult:
    """What a file yielded: the valid executions and every problem found."""

    executions: tuple[FixExecution, ...]
    problems: tuple[RowProblem, ...]
    #: Messages with a problem, as far as they could be read (see `RefusedRow`).
    refused: tuple[RefusedRow, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the file has no problem at all."""
        return not self.problems


def field_name(tag: int) -> str:
    """``CheckSum(10)``: how problems name a tag."""
    return f"{_NAMES.get(tag, 'Tag')}({tag})"


def _problem(file: str, line: int, field: str, reason: str, value: str | None) -> RowProblem:
    """Said as the CSV reader says it: the offending value quoted, short and escaped."""
    return problem_from(file, line, ValidationError(field, reason, value))


def read_fix_executions(data: bytes, file: str) -> FixResult:
    """Every execution report in ``data``; ``file`` is the name shown in problems."""
    problems: list[RowProblem] = []
    starts = [match.start() for match in _MESSAGE_START.finditer(data)]
    if not starts:
        reason = "holds no FIX message (none starts with 8=FIX.4.4)"
        problems.append(RowProblem(file, 1, "BeginString(8)", reason))
        return FixResult((), tuple(problems))
    if data[: starts[0]].strip():
        reason = "text before the first message is not FIX (messages start with 8=FIX.4.4)"
        problems.append(RowProblem(file, 1, "BeginString(8)", reason))
    seen: dict[str, tuple[int, int]] = {}  # ExecID -> (index, line) of its first message
    references: list[tuple[int, int, str, str]] = []  # (index, line, ExecID, ExecRefID)
    kept: dict[int, FixExecution] = {}
    refused: list[RefusedRow] = []
    line, counted_to = 1, 0
    for index, start in enumerate(starts):
        line += data.count(b"\n", counted_to, start)
        counted_to = start
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        message = _Message(file, line, problems)
        execution = message.read(data[start:end])
        exec_id = message.exec_id
        if exec_id is not None:
            if exec_id in seen:
                message.problem(17, f"repeats the ExecID of line {seen[exec_id][1]}", exec_id)
            else:
                seen[exec_id] = (index, line)
            if message.exec_ref_id is not None:
                references.append((index, line, exec_id, message.exec_ref_id))
        if execution is not None and message.clean:
            kept[index] = execution
        elif (partial := message.partial or execution) is not None:
            refused.append(_refused(partial))
    for index, line, exec_id, ref in references:
        # The original may be in the database; within the file it must come first.
        later = seen.get(ref, (-1, 0))
        if ref == exec_id:
            problems.append(_problem(file, line, "ExecRefID(19)", "refers to itself", ref))
        elif later[0] > index:
            reason = f"refers to a later message (line {later[1]}); it must follow its trade"
            problems.append(_problem(file, line, "ExecRefID(19)", reason, ref))
        else:
            continue
        kept.pop(index, None)
    problems.sort(key=lambda problem: problem.line)  # stable: a message's own order stays
    return FixResult(tuple(kept.values()), tuple(problems), tuple(refused))


def _refused(execution: FixExecution) -> RefusedRow:
    return RefusedRow(
        execution.line, execution.account, execution.isin, execution.counterparty,
        execution.trade_date,
    )  # fmt: skip


class _Message:
    """Checks one message, adding its problems to the file's list."""

    def __init__(self, file: str, line: int, problems: list[RowProblem]) -> None:
        self.file = file
        self.line = line
        self.problems = problems
        self.clean = True
        self.values: dict[int, str] = {}
        self.parties: list[list[str]] = []  # [PartyID, PartyRole or ""]
        self.exec_id: str | None = None
        self.exec_ref_id: str | None = None
        self.reported: set[int] = set()  # tags already found wrong: not also "missing"
        #: The execution as far as it was read, when it has a problem.
        self.partial: FixExecution | None = None

    def problem(self, field: int | str, reason: str, value: str | None = None) -> None:
        """Record a problem of this message; ``field`` is a tag or a description."""
        name = field_name(field) if isinstance(field, int) else field
        self.problems.append(_problem(self.file, self.line, name, reason, value))
        self.clean = False

    def read(self, raw: bytes) -> FixExecution | None:
        """The execution in ``raw`` (which starts at ``8=FIX``), or None."""
        found = _DELIMITER.search(raw)
        if found is None:
            self.problem(8, "is not followed by a field delimiter (SOH or |)")
            return None
        body = self._check_framing(raw, found.start(), found.group())
        self._split_fields(body, found.group().decode())
        return self._execution()

    def _check_framing(self, raw: bytes, first: int, delim: bytes) -> bytes:
        """BeginString, BodyLength and CheckSum; returns the body between 9= and 10=."""
        begin = raw[2:first].decode("latin-1")
        if begin != "FIX.4.4":
            self.problem(8, "only FIX.4.4 is read", begin)
        second = raw.find(delim, first + 1)
        second = len(raw) if second < 0 else second
        body_start = first + 1
        length_text: str | None = None
        if raw.startswith(b"9=", first + 1):
            length_text = raw[first + 3 : second].decode("latin-1")
            body_start = second + 1
        else:
            self.problem(9, "must be the second field")
        trailer = raw.find(delim + b"10=", first)
        if trailer < 0:
            self.problem(10, "is missing; a message must end with 10=nnn")
            body = raw[body_start:].rstrip(b"\r\n")
            return body[:-1] if body.endswith(delim) else body
        value_start = trailer + 4
        value_end = _VALUE_END.match(raw, value_start)
        assert value_end is not None  # the pattern also matches nothing
        after = raw[value_end.end() :]
        if after.startswith(delim):
            after = after[1:]
        if after.strip():
            self.problem(10, "is followed by more text; it must be the last field")
        body_end = trailer + 1  # the delimiter before 10= is part of the body
        if length_text is not None:
            if not (length_text.isascii() and length_text.isdigit() and len(length_text) < 10):
                self.problem(9, "is not a whole number", length_text)
            elif int(length_text) != body_end - body_start:
                counted = body_end - body_start
                self.problem(9, f"is {int(length_text)} but the body has {counted} bytes")
        declared = raw[value_start : value_end.end()].decode("latin-1")
        total = sum(raw[:body_end])
        if delim == b"|":
            total -= _PIPE_MINUS_SOH * raw.count(b"|", 0, body_end)
        computed = f"{total % 256:03d}"
        if not (len(declared) == 3 and declared.isascii() and declared.isdigit()):
            self.problem(10, f"must be three digits; the message adds up to {computed}", declared)
        elif declared != computed:
            self.problem(10, f"is {declared} but the message adds up to {computed}")
        return raw[body_start:trailer]

    def _split_fields(self, body: bytes, delim: str) -> None:
        """Fill ``values`` and ``parties``; malformed and repeated fields are problems."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self.problem("message", "is not valid UTF-8 text")
            text = body.decode("utf-8", "replace")
        control = _CONTROL[delim]
        check_each = control.search(text) is not None  # rare: look field by field
        for number, field in enumerate(text.split(delim) if text else [], start=3):
            tag_text, equals, value = field.partition("=")
            tag = _TAG_NUMBERS.get(tag_text) if equals else None
            if tag is None:
                self.problem(f"field {number}", "is not tag=value", field)
                continue
            if not value:
                self.reported.add(tag)
                self.problem(tag, "has no value")
            elif check_each and control.search(value):
                self.reported.add(tag)
                self.problem(tag, "contains a control character", value)
            elif tag == 448:
                self.parties.append([value, ""])
            elif tag in _PARTY_TAGS and not self.parties:
                self.problem(tag, "comes before its PartyID(448)", value)
            elif tag == 452:
                self.parties[-1][1] = value
            elif tag in _PARTY_TAGS:
                continue  # PartyIDSource and the sub-ids say nothing Desk keeps
            elif tag in self.values:
                self.problem(tag, "appears more than once", value)
            else:
                self.values[tag] = value

    def _execution(self) -> FixExecution | None:
        values = self.values
        if 35 not in values:
            self.problem(35, "is missing")
            return None
        msg_type = values[35]
        if msg_type != "8":
            self.problem(35, "is not an execution report (8)", msg_type)
            return None
        if next(iter(values)) != 35:
            self.problem(35, "must be the third field")
        self.exec_id = self._text(17, required=True)
        if self.exec_id is not None and len(self.exec_id) > EXTERNAL_ID_MAX:
            self.problem(17, f"is longer than {EXTERNAL_ID_MAX} characters", self.exec_id)
        ref = self._text(19, required=False)
        exec_type = self._text(150, required=True)
        if exec_type is None:
            return None
        kind = _EXEC_KINDS.get(exec_type)
        if kind is None:
            known = _EXEC_TYPE_NAMES.get(exec_type)
            shown = f"is {known}, not" if known else "is not"
            reason = f"{shown} a trade (F), correction (G) or cancel (H)"
            self.problem(150, reason, exec_type)
            return None
        if kind == "trade" and ref is not None:
            self.problem(19, "is only allowed on a correction (G) or cancel (H)", ref)
        elif kind != "trade" and ref is None:
            self.problem(19, f"is required on a {'correction' if kind == 'correct' else 'cancel'}")
        self.exec_ref_id = ref
        economics = kind != "cancel"  # a cancel may leave them out
        execution = FixExecution(
            line=self.line,
            exec_type=kind,
            exec_id=self.exec_id or "",
            exec_ref_id=ref if kind != "trade" else None,
            account=self._text(1, economics),
            side=self._side(economics),
            isin=self._isin(economics),
            quantity=self._parsed(32, parse_quantity, economics),
            price=self._parsed(31, parse_price, economics),
            currency=self._parsed(15, parse_currency, economics),
            trade_date=self._date(75, economics),
            settle_date=self._date(64, required=False),
            transact_time=self._timestamp(),
            counterparty=self._counterparty(economics),
            commission=self._commission(),
        )
        trade_date, settle_date = execution.trade_date, execution.settle_date
        if trade_date and settle_date and settle_date < trade_date:
            self.problem(64, "is before TradeDate(75)", self.values[64])
        if not self.clean:
            self.partial = execution
            return None
        return execution

    def _text(self, tag: int, required: bool) -> str | None:
        value = self.values.get(tag)
        if value is None and required and tag not in self.reported:
            self.problem(tag, "is missing")
        return value

    def _side(self, required: bool) -> Side | None:
        value = self._text(54, required)
        if value is None:
            return None
        side = _SIDES.get(value)
        if side is None:
            self.problem(54, "is not buy (1), sell (2) or sell short (5, 6)", value)
        return side

    def _isin(self, required: bool) -> str | None:
        source = self._text(22, required=48 in self.values)
        if source is None:
            self._text(48, required)  # says that it is missing
            return None
        parse = _SECURITY_ID_PARSERS.get(source)
        if parse is None:
            self.problem(22, "is not CUSIP (1) or ISIN (4)", source)
            return None
        return self._parsed(48, parse, required)

    def _parsed(self, tag: int, parse: Callable[[str, str], _T], required: bool) -> _T | None:
        """``parse`` (a trade_rows check, shared with the CSV reader) applied to ``tag``."""
        raw = self._text(tag, required)
        if raw is None:
            return None
        try:
            return parse(field_name(tag), raw)
        except ValidationError as error:
            self.problems.append(problem_from(self.file, self.line, error))
            self.clean = False
            return None

    def _date(self, tag: int, required: bool) -> date | None:
        value = self._text(tag, required)
        if value is None:
            return None
        parts = _FIX_DATE.fullmatch(value)
        if parts is not None:
            with suppress(ValueError):  # 20261131
                return date(*map(int, parts.groups()))
        self.problem(tag, "is not a date (YYYYMMDD)", value)
        return None

    def _timestamp(self) -> datetime | None:
        value = self.values.get(60)
        if value is None:
            return None
        parts = _FIX_TIMESTAMP.fullmatch(value)
        if parts is not None:
            year, month, day, hour, minute, second, millis = map(int, parts.groups("0"))
            with suppress(ValueError):
                return datetime(year, month, day, hour, minute, second, millis * 1000, UTC)
        self.problem(60, "is not a UTC time (YYYYMMDD-HH:MM:SS or .sss)", value)
        return None

    def _counterparty(self, required: bool) -> str | None:
        if self.parties and 453 not in self.values:
            self.problem(453, "is missing before the PartyID(448) fields")
        elif 453 in self.values:
            count = self.values[453]
            if count != str(len(self.parties)):
                found = len(self.parties)
                reason = f"is {shown_value(count)} but the message has {found} PartyID(448)"
                self.problem(453, reason)
        firms = [party_id for party_id, role in self.parties if role == _EXECUTING_FIRM]
        broker = self.values.get(76)
        if firms and broker is not None and broker != firms[0]:
            reason = f"is not the executing firm's PartyID(448) {shown_value(firms[0])}"
            self.problem(76, reason, broker)
        counterparty = firms[0] if firms else broker
        if counterparty is None and required:
            self.problem(76, "is missing (or a PartyID(448) with PartyRole(452) 1)")
        return counterparty

    def _commission(self) -> Decimal | None:
        commission = self._parsed(12, parse_charge, required=False)
        comm_type = self.values.get(13, "3")
        if commission is not None and comm_type != "3":
            self.problem(13, "only an absolute commission (3) is read", comm_type)
        return commission
