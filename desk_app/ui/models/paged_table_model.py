"""A table model that reads a `PageSource` a page at a time, sorted in SQL.

Keyset paging: each page is "the next N rows after the last one loaded" in the
current order, so rows never repeat or go missing however deep the user scrolls.
Sorting re-queries the source; a proxy model would sort only what happened to be
loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal

from desk_app.domain.money import canonical, format_amount, format_quantity
from desk_app.services.listing import Column, ColumnKind, PageSource, Row, SortSpec
from desk_app.ui import theme
from desk_app.ui.models.read_only_table_model import Index, ReadOnlyTableModel
from desk_app.ui.theme import Tone

PAGE_SIZE = 200
log = logging.getLogger(__name__)

ToneRule = Callable[[Column, Row], Tone | None]
"""Which tone, if any, a cell of a row shows (for status colours)."""

_NUMERIC = {ColumnKind.INT, ColumnKind.MONEY, ColumnKind.QUANTITY, ColumnKind.PRICE}
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def format_age(value: datetime, now: datetime | None = None) -> str:
    """How long ago ``value`` was, in its largest whole unit: "35 min", "5 h", "3 d"."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # Desk stores UTC
    seconds = ((now or datetime.now(UTC)) - aware).total_seconds()
    if seconds < 60:  # also a clock a little ahead of the server's
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 24 else f"{hours // 24} d"


def exact_time(value: datetime) -> str:
    """A moment in local time and in UTC (the tooltip behind an age)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    local = aware.astimezone()
    return (
        f"{local:%Y-%m-%d %H:%M:%S} local time ({local.tzname()})\n"
        f"{aware.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    )


def format_value(column: Column, value: Any, now: datetime | None = None) -> str:
    """The text a clerk sees for a raw value of ``column`` (``now`` for ages)."""
    if value is None:
        return ""
    kind = column.kind
    if kind is ColumnKind.AGE and isinstance(value, datetime):
        return format_age(value, now)
    if kind is ColumnKind.MONEY:
        return format_amount(value)
    if kind is ColumnKind.QUANTITY:
        return format_quantity(value)
    if kind is ColumnKind.PRICE:
        return format_amount(canonical(value)) if isinstance(value, Decimal) else str(value)
    if kind is ColumnKind.DATETIME and isinstance(value, datetime):
        local = value.astimezone() if value.tzinfo else value
        return local.strftime("%Y-%m-%d %H:%M")
    if kind is ColumnKind.DATE and isinstance(value, date):
        return value.isoformat()
    if kind is ColumnKind.STATUS:
        shown = column.display_code(value)
        # A lower-case code without a label ("open", "sell_short") still reads as words;
        # upper-case codes ("LACK", ISO reason codes) are what clerks know them by.
        return shown.replace("_", " ").capitalize() if shown.islower() else shown
    if kind is ColumnKind.BOOL:
        return "Yes" if value else ""
    return str(value)


def is_numeric(column: Column) -> bool:
    return column.kind in _NUMERIC


class PagedTableModel(ReadOnlyTableModel):
    """Rows of a `PageSource`, loaded on demand in 200-row pages."""

    #: A page could not be read (e.g. the server went away); the argument says why.
    load_failed = Signal(str)
    #: The rows were replaced: a new source, a new sort, or a refresh.
    reloaded = Signal()

    def __init__(
        self,
        source: PageSource | None = None,
        *,
        tone_rule: ToneRule | None = None,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._source: PageSource | None = None
        self._columns: Sequence[Column] = ()
        self._key_index: dict[str, int] = {}
        self._rows: list[Row] = []
        self._sort = SortSpec("")
        self._exhausted = True
        self._count: int | None = None
        self._page_size = page_size
        self._tone_rule = tone_rule
        if source is not None:
            self.set_source(source)

    # -- what the tab uses -------------------------------------------------------------
    def source(self) -> PageSource | None:
        return self._source

    def columns(self) -> Sequence[Column]:
        return self._columns

    def sort_spec(self) -> SortSpec:
        return self._sort

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def set_source(self, source: PageSource | None, sort: SortSpec | None = None) -> None:
        """Show ``source`` (or nothing), sorted by ``sort`` or the source's default."""
        self.beginResetModel()
        self._source = source
        self._columns = tuple(source.columns) if source is not None else ()
        self._key_index = {c.key: i for i, c in enumerate(self._columns)}
        self._sort = self._valid_sort(sort) if source is not None else SortSpec("")
        self._rows = []
        self._count = None
        self._exhausted = source is None
        self._load_first(self._page_size)
        self.endResetModel()
        self.reloaded.emit()

    def refresh(self) -> None:
        """Re-read from the database, keeping the sort and as many rows as were loaded."""
        if self._source is None:
            return
        self.beginResetModel()
        wanted = max(self._page_size, len(self._rows))
        self._rows = []
        self._count = None
        self._exhausted = False
        self._load_first(wanted)
        self.endResetModel()
        self.reloaded.emit()

    def total_count(self) -> int:
        """How many rows the source has in all (not just those loaded)."""
        if self._source is None:
            return 0
        if self._count is None:
            try:
                self._count = self._source.count()
            except Exception as exc:  # the database went away; say so, show what we have
                log.warning("counting rows failed", exc_info=True)
                self.load_failed.emit(str(exc))
                return len(self._rows)
        return self._count

    def column_of(self, key: str) -> int:
        """The section of the column named ``key``, or -1."""
        return self._key_index.get(key, -1)

    def value_in(self, row: Row, key: str) -> Any:
        """The raw value of column ``key`` in ``row`` (None if there is no such column)."""
        index = self._key_index.get(key)
        return None if index is None else row[index]

    def repaint_all(self) -> None:
        """Ask views to redraw every cell (after the colour scheme changed)."""
        if self._rows and self._columns:
            last = self.index(len(self._rows) - 1, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # -- QAbstractItemModel --------------------------------------------------------------
    def _row_total(self) -> int:
        return len(self._rows)  # those loaded so far; `fetchMore` adds the next page

    def _column_total(self) -> int:
        return len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        column = self._columns[index.column()]
        row = self._rows[index.row()]
        value = row[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(column, value)
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if is_numeric(column) else _LEFT
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.kind is ColumnKind.AGE and isinstance(value, datetime):
                return exact_time(value)
            return column.tooltip or None
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            tone = self._tone_rule(column, row) if self._tone_rule else None
            if tone is None:
                return None
            if role == Qt.ItemDataRole.ForegroundRole:
                return theme.foreground(tone)
            return theme.background(tone)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if is_numeric(column) else _LEFT
        return None

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._source is not None and not self._exhausted

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        rows = self._fetch(self._rows[-1] if self._rows else None, self._page_size)
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-query in the new order; columns the source cannot sort by are ignored."""
        if self._source is None or not 0 <= column < len(self._columns):
            return
        if not self._columns[column].sortable:
            return
        spec = SortSpec(self._columns[column].key, order == Qt.SortOrder.DescendingOrder)
        if spec == self._sort:
            return
        self.beginResetModel()
        self._sort = spec
        self._rows = []
        self._exhausted = False
        self._load_first(self._page_size)
        self.endResetModel()
        self.reloaded.emit()

    # -- internals ----------------------------------------------------------------------------
    def _valid_sort(self, sort: SortSpec | None) -> SortSpec:
        assert self._source is not None
        sortable = {c.key for c in self._columns if c.sortable}
        if sort is not None and sort.key in sortable:
            return sort
        return self._source.default_sort

    def _load_first(self, limit: int) -> None:
        if self._source is not None:
            self._rows = self._fetch(None, limit, page=limit)

    def _fetch(self, after: Row | None, limit: int, page: int | None = None) -> list[Row]:
        assert self._source is not None
        try:
            rows = self._source.fetch(self._sort, after, limit)
        except Exception as exc:  # the database went away; stop paging and say why
            log.warning("loading a page failed", exc_info=True)
            self._exhausted = True
            self.load_failed.emit(str(exc))
            return []
        if len(rows) < (page or self._page_size):
            self._exhausted = True
        return rows
