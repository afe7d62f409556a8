"""A table model that reads a `PageSource` a page at a time, sorted in SQL.

Keyset paging: each page is "the next N rows after the last one loaded" in the
current order, so rows never repeat or go missing however deep the user scrolls.
Sorting re-queries the source; a proxy model would sort only what happened to be
loaded.

Jumping to the end (`load_tail`) does not read everything before it: the last page
comes from the reversed ORDER BY, and the model then holds a loaded head, a gap and
a loaded tail, with the true row count. Rows in the gap show empty until painted;
painting one near either loaded edge reads the pages between that edge and it
(`GAP_FILL_LIMIT` pages at most: a row deep in the middle of a million stays empty
until the user scrolls towards it from an end or narrows the list).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from PySide6.QtCore import (
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFontMetrics

from desk_app.domain.listing import Column, ColumnKind, PageSource, Row, SortSpec
from desk_app.ui import theme
from desk_app.ui.models.cell_format import (
    alignment,
    exact_time,
    format_age,
    format_value,
    is_numeric,
)
from desk_app.ui.models.read_only_table_model import Index, ReadOnlyTableModel
from desk_app.ui.theme import Tone

# The cell formatting lives in `cell_format`; screens import it from here too.
__all__ = [
    "GAP_FILL_LIMIT",
    "PAGE_SIZE",
    "QUICK_COUNT_LIMIT",
    "PagedTableModel",
    "ToneRule",
    "exact_time",
    "format_age",
    "format_value",
    "is_numeric",
]

PAGE_SIZE = 200
#: Rows a quick count reads on the GUI thread; beyond, the exact count is a worker's.
QUICK_COUNT_LIMIT = 10_000
#: How many pages the model reads to reach a painted row in the gap (see above).
GAP_FILL_LIMIT = 25
log = logging.getLogger(__name__)
_ROOT = QModelIndex()

ToneRule = Callable[[Column, Row], Tone | None]
#: A cell's own tooltip (None: the column's), asked when the cell is hovered.
TooltipRule = Callable[[Column, Row], str | None]
"""Which tone, if any, a cell of a row shows (for status colours)."""

_ANSWERED = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.UserRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.BackgroundRole,
    }
)


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
        tooltip_rule: TooltipRule | None = None,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._source: PageSource | None = None
        self._columns: Sequence[Column] = ()
        self._key_index: dict[str, int] = {}
        self._rows: list[Row] = []
        #: Rows loaded from the end (in display order) once the user jumped there.
        self._tail: list[Row] = []
        #: The row count shown while there is a tail (head + gap + tail).
        self._span: int | None = None
        self._wanted_gap_row: int | None = None
        self._sort = SortSpec("")
        self._exhausted = True
        self._count: int | None = None
        #: At least this many rows (a quick count stopped there), until `_count` is known.
        self._floor: int | None = None
        self.quick_count_limit = QUICK_COUNT_LIMIT
        #: Goes up whenever the rows are read anew, so a count from before is not taken.
        self._reads = 0
        self._page_size = page_size
        self._tone_rule = tone_rule
        self._tooltip_rule = tooltip_rule
        #: The cell whose tone was asked last (its foreground, then its background).
        self._tone_row: Row | None = None
        self._tone_column: Column | None = None
        self._tone: Tone | None = None
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
        """The raw values of ``row``; a row in the gap is read first (see `load_tail`)."""
        found = self.loaded_row(row)
        if found is None:
            self._fill_gap_to(row, limit=None)
            found = self.loaded_row(row)
        if found is None:
            raise IndexError(row)
        return found

    def loaded_row(self, row: int) -> Row | None:
        """The raw values of ``row`` if it has been read, else None (a gap row)."""
        if 0 <= row < len(self._rows):
            return self._rows[row]
        if self._span is None:
            return None
        start = self._span - len(self._tail)
        if start <= row < self._span:
            return self._tail[row - start]
        return None

    def has_gap(self) -> bool:
        """True while rows between the loaded head and tail are still unread."""
        return self._span is not None and len(self._rows) + len(self._tail) < self._span

    def row_of_id(self, row_id: object) -> int:
        """The row showing the record with id ``row_id`` among those loaded, or -1."""
        for r, row in enumerate(self._rows):
            if row[-1] == row_id:
                return r
        if self._span is not None:
            start = self._span - len(self._tail)
            for r, row in enumerate(self._tail):
                if row[-1] == row_id:
                    return start + r
        return -1

    def load_tail(self) -> None:
        """Make the last rows available without reading those before them (Ctrl+End)."""
        if self._source is None or self._span is not None:
            return
        if self._exhausted:
            return  # everything is loaded already
        total = self.total_count()
        missing = total - len(self._rows)
        if missing <= self._page_size:  # the next page is the tail: read it the usual way
            self.fetchMore(QModelIndex())
            return
        tail = self._fetch_reversed(None, self._page_size)
        if not tail:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, total - 1)
        self._tail = tail
        self._span = total
        self._exhausted = True
        self.endInsertRows()

    def set_source(self, source: PageSource | None, sort: SortSpec | None = None) -> None:
        """Show ``source`` (or nothing), sorted by ``sort`` or the source's default."""
        self.beginResetModel()
        self._source = source
        self._columns = tuple(source.columns) if source is not None else ()
        self._key_index = {c.key: i for i, c in enumerate(self._columns)}
        self._sort = self._valid_sort(sort) if source is not None else SortSpec("")
        self._rows = []
        self._clear_tail()
        self._count = self._floor = None
        self._reads += 1
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
        tail_wanted = len(self._tail) if self._span is not None else 0
        self._rows = []
        self._clear_tail()
        self._count = self._floor = None
        self._reads += 1
        self._exhausted = False
        self._load_first(wanted)
        if tail_wanted and not self._exhausted:
            self._reload_tail(tail_wanted)
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

    def quick_count(self) -> tuple[int, bool]:
        """The row count and True, or, past ``quick_count_limit`` rows, that floor and False.

        Never reads more than the limit: a million trades count in 0.1 s on PostgreSQL,
        too long to hold the window, so the tab has a worker count them (`set_count`).
        """
        if self._source is None:
            return 0, True
        if self._count is not None:
            return self._count, True
        if self._exhausted and self._span is None:
            return len(self._rows), True  # every row is loaded
        if self._floor is None:
            try:
                seen = self._source.count_upto(self.quick_count_limit)
            except Exception as exc:  # the database went away; say so, show what we have
                log.warning("counting rows failed", exc_info=True)
                self.load_failed.emit(str(exc))
                return len(self._rows), True
            if seen < self.quick_count_limit:
                self._count = seen
                return seen, True
            self._floor = seen
        return self._floor, False

    def generation(self) -> int:
        """Which reading of the rows is shown: a count made for another one is not taken."""
        return self._reads

    def set_count(self, generation: int, count: int) -> None:
        """The exact count, made elsewhere for ``generation`` (ignored if read again since)."""
        if generation == self._reads and self._count is None:
            self._count = count

    def column_of(self, key: str) -> int:
        """The section of the column named ``key``, or -1."""
        return self._key_index.get(key, -1)

    def value_in(self, row: Row, key: str) -> Any:
        """The raw value of column ``key`` in ``row`` (None if there is no such column)."""
        index = self._key_index.get(key)
        return None if index is None else row[index]

    def fitted_widths(self, metrics: QFontMetrics, rows: int) -> list[int]:
        """The width of each column's widest text among the first ``rows`` loaded rows.

        What `QTableView.resizeColumnsToContents` finds, without asking `data` for
        every role of every cell: each distinct text is measured once.
        """
        head = self._rows[:rows]
        widths = []
        for c, column in enumerate(self._columns):
            texts = {format_value(column, row[c]) for row in head}
            widths.append(max((metrics.horizontalAdvance(t) for t in texts), default=0))
        return widths

    def repaint_all(self) -> None:
        """Ask views to redraw every cell (after the colour scheme changed)."""
        self._tone_row = None
        if self._row_total() and self._columns:
            last = self.index(self._row_total() - 1, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # -- QAbstractItemModel --------------------------------------------------------------
    def _row_total(self) -> int:
        if self._span is not None:
            return self._span  # head, gap and tail
        return len(self._rows)  # those loaded so far; `fetchMore` adds the next page

    def _column_total(self) -> int:
        return len(self._columns)

    def rowCount(self, parent: Index = _ROOT) -> int:
        # Views ask this on every paint and scroll: answered without another call.
        if parent.isValid():
            return 0
        return len(self._rows) if self._span is None else self._span

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Views ask about ten roles per cell and paint: answer the rest at once.
        if role not in _ANSWERED or not index.isValid():
            return None
        return self._cell(index.row(), index.column(), role)

    def multiData(  # noqa: N802 - Qt's name
        self,
        index: Index,
        roleDataSpan: QModelRoleDataSpan | QModelRoleData,  # noqa: N803
    ) -> None:
        """Every role a painted cell needs in one call (the delegate asks seven at once).

        Each value is formatted when its cell is painted, never for a whole page.
        """
        valid = index.isValid()
        r, c = index.row(), index.column()
        # The binding iterates a span (its type stub does not say so).
        wanted_roles: Iterable[QModelRoleData] = (
            (roleDataSpan,)
            if isinstance(roleDataSpan, QModelRoleData)
            else cast("Iterable[QModelRoleData]", roleDataSpan)
        )
        for wanted in wanted_roles:
            role = wanted.role()
            value = self._cell(r, c, role) if valid and role in _ANSWERED else None
            if value is None:
                wanted.clearData()
            else:
                wanted.setData(value)

    def _cell(self, r: int, c: int, role: int) -> Any:
        """What cell (``r``, ``c``) shows for ``role`` (one of `_ANSWERED`)."""
        row = self._rows[r] if r < len(self._rows) else self.loaded_row(r)
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= r < self._row_total():
                self._want_gap_row(r)
                return ""
            return None
        column = self._columns[c]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(column, row[c])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return alignment(column)
        if role == Qt.ItemDataRole.UserRole:
            return row[c]
        if role == Qt.ItemDataRole.ToolTipRole:
            value = row[c]
            if column.kind is ColumnKind.AGE and isinstance(value, datetime):
                return exact_time(value)
            own = self._tooltip_rule(column, row) if self._tooltip_rule is not None else None
            return own or column.tooltip or None
        if self._tone_rule is None:
            return None
        tone = self._tone_of(column, row)
        if tone is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return theme.foreground(tone)
        return theme.background(tone)

    def _tone_of(self, column: Column, row: Row) -> Tone | None:
        """The cell's tone, remembered for the cell last asked (its two colour roles)."""
        if row is not self._tone_row or column is not self._tone_column:
            assert self._tone_rule is not None
            self._tone_row, self._tone_column = row, column
            self._tone = self._tone_rule(column, row)
        return self._tone

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
            return alignment(column)
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
        self._clear_tail()
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

    def _clear_tail(self) -> None:
        self._tail = []
        self._span = None
        self._wanted_gap_row = None

    def _reload_tail(self, limit: int) -> None:
        """After a refresh: read the tail again, as deep as it was."""
        self._count = self._floor = None
        self._reads += 1
        total = self.total_count()
        if total - len(self._rows) <= limit:
            while not self._exhausted:  # head and tail meet: one list again
                more = self._fetch(self._rows[-1] if self._rows else None, self._page_size)
                self._rows.extend(more)
                if not more:
                    break
            return
        self._tail = self._fetch_reversed(None, limit)
        self._span = total
        self._exhausted = True

    def _fetch_reversed(self, before: Row | None, limit: int) -> list[Row]:
        """Up to ``limit`` rows before ``before`` (from the end if None), in display order."""
        assert self._source is not None
        reverse = SortSpec(self._sort.key, not self._sort.descending)
        try:
            rows = self._source.fetch(reverse, before, limit)
        except Exception as exc:  # the database went away; say why
            log.warning("loading the last rows failed", exc_info=True)
            self.load_failed.emit(str(exc))
            return []
        rows.reverse()
        return rows

    def _want_gap_row(self, row: int) -> None:
        """A gap row is being painted: read towards it once painting is over."""
        if self._wanted_gap_row is None:
            QTimer.singleShot(0, self._fill_wanted_gap)
        self._wanted_gap_row = row

    def _fill_wanted_gap(self) -> None:
        row, self._wanted_gap_row = self._wanted_gap_row, None
        if row is not None and self.has_gap():
            self._fill_gap_to(row, limit=GAP_FILL_LIMIT)

    def _fill_gap_to(self, row: int, limit: int | None) -> None:
        """Read pages from the nearer loaded edge until ``row`` is loaded (or ``limit``)."""
        if self._span is None or self._source is None:
            return
        tail_start = self._span - len(self._tail)
        head_end = len(self._rows)
        if not head_end <= row < tail_start:
            return
        from_head = row - head_end < tail_start - row
        pages = (row - head_end if from_head else tail_start - row) // self._page_size + 1
        if limit is not None and pages > limit:
            return  # too deep: wait until the user scrolls nearer an end
        changed_from, changed_to = row, row
        for _ in range(pages):
            tail_start = self._span - len(self._tail)
            room = tail_start - len(self._rows)
            if room <= 0:
                break
            take = min(self._page_size, room)
            if from_head:
                got = self._source_page(self._rows[-1] if self._rows else None, take)
                changed_from = min(changed_from, len(self._rows))
                self._rows.extend(got)
                changed_to = max(changed_to, len(self._rows) - 1)
            else:
                got = self._fetch_reversed(self._tail[0], take)
                self._tail[:0] = got
                changed_from = min(changed_from, self._span - len(self._tail))
                changed_to = max(changed_to, tail_start - 1)
            if len(got) < take:
                break
        if self._columns:
            last = len(self._columns) - 1
            self.dataChanged.emit(self.index(changed_from, 0), self.index(changed_to, last))

    def _source_page(self, after: Row | None, limit: int) -> list[Row]:
        assert self._source is not None
        try:
            return self._source.fetch(self._sort, after, limit)
        except Exception as exc:
            log.warning("loading a page failed", exc_info=True)
            self.load_failed.emit(str(exc))
            return []

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
