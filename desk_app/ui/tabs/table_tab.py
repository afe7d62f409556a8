"""What every list tab shares: a header with a row count, a paged table, copy, layout.

A tab subclass names its settings key and title, picks its page source from the
workspace, and may colour cells by status; everything else lives here so the four
tab modules stay a few lines each. A tab that sets `search_hint` gets a search box:
what it holds (`search_text`) goes to the tab's query, 300 ms after the last key
like the blotter's filters; Ctrl+F goes to it and Esc empties it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import ClassVar, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.listing import Column, PageSource, Row, SortSpec
from desk_app.domain.restrictions import BADGE, BADGE_NOTE
from desk_app.domain.text_search import describe_search
from desk_app.ui import theme
from desk_app.ui.models.paged_table_model import PagedTableModel
from desk_app.ui.settings import DeskSettings, HeaderLayout
from desk_app.ui.tabs.blotter_filter_bar import DEBOUNCE_MS
from desk_app.ui.tabs.workspace_view import WorkspaceView
from desk_app.ui.theme import Tone
from desk_app.ui.workers import run_in_background

__all__ = ["OPENING_TEXT", "TableTab", "WorkspaceView"]

T = TypeVar("T")

OPENING_TEXT = "Opening database…"
#: The columns that name an account, beside which a restriction badge shows.
ACCOUNT_KEYS = ("account", "account_number")
#: The longest reads wait for the table to paint (a tab that is not on screen).
PAINT_WAIT_MS = 300
MAX_INITIAL_COLUMN_WIDTH = 300


class TableTab(QWidget):
    """A titled, paged, sortable table over one `PageSource`."""

    #: A write made through this tab changed records: other tabs should read again.
    records_changed = Signal()
    #: The text of this tab's page in the tab bar changed (e.g. a pending count).
    tab_text_changed = Signal(str)
    #: A long list's exact row count arrived from its worker.
    counted = Signal()

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    empty_text: ClassVar[str] = "Nothing to show."
    #: Row statuses that grey out the whole row (history, closed records).
    muted_statuses: ClassVar[frozenset[str]] = frozenset()
    #: The colour of the status cell, by status code.
    status_tones: ClassVar[Mapping[str, Tone]] = MappingProxyType({})
    #: What the search box offers to find ("Number, client, rep"); empty: no search box.
    search_hint: ClassVar[str] = ""

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{self.key}_tab")
        self._settings = settings
        self._needs_sizing = False
        self._failure = ""
        self._workspace: WorkspaceView | None = None
        #: Reads running on workers; `clear` waits for them (see `reading`).
        self._readers: set[threading.Event] = set()
        #: The model's generation (`PagedTableModel.generation`) a worker is counting, if any.
        self._counting: int | None = None
        #: Reads that wait until the table has painted its rows (see `after_paint`).
        self._after_paint: list[Callable[[], None]] = []
        self._painted = True
        self._paint_timer = QTimer(self)  # a child: it goes with the tab
        self._paint_timer.setSingleShot(True)
        self._paint_timer.timeout.connect(self._run_after_paint)

        self._header_row = self._build_header()
        #: Where `insert_header_row` puts a row: under the title, or under the actions.
        self._rows_from = 1
        self.search_box: QLineEdit | None = None
        self._searched = ""
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_search)
        if self.search_hint:
            self._build_search()

        self._model = PagedTableModel(
            tone_rule=self.cell_tone, tooltip_rule=self.cell_tooltip, parent=self
        )
        self._view = QTableView(self)
        self._setup_view()
        self._placeholder = QLabel(OPENING_TEXT, self._view.viewport())
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._placeholder.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._view.viewport().installEventFilter(self)
        self._view.installEventFilter(self)  # Ctrl+C: see eventFilter

        layout = QVBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(self._header_row)
        layout.addWidget(self._view, 1)

        self._model.reloaded.connect(self._on_reloaded)
        self._model.rowsInserted.connect(self._update_labels)
        self._model.load_failed.connect(self._on_load_failed)

    # -- for subclasses ------------------------------------------------------------------
    def source_from(self, workspace: WorkspaceView) -> PageSource:
        """The list this tab shows, from ``workspace``."""
        raise NotImplementedError

    def cell_tone(self, column: Column, row: Row) -> Tone | None:
        """The colour of one cell: a restricted account's badge, muted rows, then the
        status cell's own tone."""
        if column.key == BADGE and self.model.value_in(row, BADGE):
            return Tone.WARNING
        status = self.model.value_in(row, "status")
        if status in self.muted_statuses:
            return Tone.MUTED
        if column.key == "status":
            return self.status_tones.get(str(status))
        return None

    def cell_tooltip(self, column: Column, row: Row) -> str | None:
        """A cell's own tooltip: a restriction badge says which, since when and why."""
        if column.key == BADGE:
            note = self.model.value_in(row, BADGE_NOTE)
            return str(note) if note else None
        return None

    def _place_badge(self) -> None:
        """The restriction badge beside the account column; its detail column hidden (the
        badge's tooltip shows it). Visual order only: the columns' keys stay as they are."""
        badge, note = self._model.column_of(BADGE), self._model.column_of(BADGE_NOTE)
        if badge < 0:
            return
        self._view.setColumnHidden(note, True)
        header = self._view.horizontalHeader()
        account = next(
            (self._model.column_of(k) for k in ACCOUNT_KEYS if self._model.column_of(k) >= 0), -1
        )
        if account >= 0:
            header.moveSection(header.visualIndex(badge), header.visualIndex(account) + 1)

    def insert_header_row(self, widget: QWidget) -> None:
        """A row of the tab's own (filters, *Show:*) between the title row and the table."""
        self._layout.insertWidget(self._rows_from, widget)

    def add_action_bar(self, bar: QWidget) -> None:
        """The tab's actions on a row of their own under the title, as wide as the tab
        (nothing in the title row squeezes them); rows added later go below it."""
        self._layout.insertWidget(1, bar)
        self._rows_from = 2

    def add_header_widget(self, widget: QWidget) -> None:
        """Put a tab's own control (a filter, a toggle) in the header, left of Refresh."""
        self._header_row.insertWidget(self._header_row.count() - 1, widget)

    def place_view_in(self, container: QSplitter) -> None:
        """Put the table inside ``container`` (a splitter beside a detail pane) in its place."""
        self._layout.replaceWidget(self._view, container)
        container.insertWidget(0, self._view)

    def show_notice(self, text: str, tone: Tone | None = None) -> None:
        """A one-line outcome in the header ("Request 7 sent for approval")."""
        self.notice.setText(text)
        palette = self.notice.palette()
        colour = theme.foreground(tone) if tone else self.palette().color(QPalette.ColorRole.Text)
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        self.notice.setPalette(palette)

    def empty_message(self) -> str:
        """What the empty table says (a tab with a filter names what it filtered)."""
        return self.empty_text

    def tab_text(self) -> str:
        """What the tab bar shows for this tab."""
        return self.title

    def current_row(self) -> Row | None:
        """The raw values of the row with the keyboard focus (None if there is none)."""
        index = self._view.currentIndex()
        if not index.isValid() or index.row() >= self._model.rowCount():
            return None
        return self._model.row_at(index.row())

    def search_text(self) -> str:
        """The search the list shows ("" for none): pass it to the tab's query."""
        return self._searched

    def set_search(self, text: str) -> None:
        """Put ``text`` in the search box and search for it at once."""
        if self.search_box is not None:
            self.search_box.setText(text)
        self.apply_search()

    def apply_search(self) -> None:
        """Search for what the box holds now, if that differs from what the list shows."""
        self._search_timer.stop()
        text = " ".join(self.search_box.text().split()) if self.search_box is not None else ""
        if text != self._searched:
            self._searched = text
            self.reload_source()

    def reload_source(self) -> None:
        """Ask `source_from` again (a tab's own control changed what it shows)."""
        if self._workspace is not None:
            self.set_source(self.source_from(self._workspace))

    # -- public ---------------------------------------------------------------------------
    @property
    def model(self) -> PagedTableModel:
        return self._model

    @property
    def view(self) -> QTableView:
        return self._view

    @property
    def workspace(self) -> WorkspaceView | None:
        return self._workspace

    def row_count_text(self) -> str:
        return self._count.text()

    def set_workspace(self, workspace: WorkspaceView) -> None:
        self._workspace = workspace
        self.set_source(self.source_from(workspace))

    def set_source(self, source: PageSource) -> None:
        """Show ``source`` with the user's saved column layout and sort, if they still fit."""
        keys = tuple(c.key for c in source.columns)
        shown = self._model.source()
        if shown is not None and tuple(c.key for c in shown.columns) == keys:
            # The same list narrowed anew: its columns and sort stay as the user has them
            # (saving and restoring the header would lay every column out again).
            self._failure = ""
            self._model.set_source(source, self._model.sort_spec())
            self._sync_sort_indicator()
            return
        if shown is not None:
            self.save_layout()
        saved = self._settings.header_layout(self.key)
        if saved is not None and saved.columns != keys:
            saved = None  # the columns changed since; start from the defaults
        sort = SortSpec(saved.sort_key, saved.descending) if saved else None
        self._failure = ""
        self._needs_sizing = saved is None
        self._model.set_source(source, sort)
        if saved is not None and sort is not None:
            self._view.horizontalHeader().restoreState(saved.state)
            spec = self._model.sort_spec()
            if spec != sort and self._model.column_of(sort.key) >= 0:  # the model decides
                self._model.sort(self._model.column_of(sort.key), _order(sort))
        else:
            self._place_badge()
        self._sync_sort_indicator()
        self._refresh_button.setEnabled(True)

    def clear(self, message: str = OPENING_TEXT) -> None:
        """Show an empty table and ``message`` (no database, or one being opened)."""
        self._counting = None
        self._after_paint, self._painted = [], True  # reads for the rows going away
        self._paint_timer.stop()
        self.wait_for_readers()
        if self._model.source() is not None:
            self.save_layout()
        self._workspace = None
        self._model.set_source(None)
        self._refresh_button.setEnabled(False)
        self._count.setText(message)
        self._show_placeholder(message)

    def refresh(self) -> None:
        self._failure = ""
        self._model.refresh()

    def save_layout(self) -> None:
        """Remember column order, widths and sort for the next start."""
        if self._model.source() is None:
            return
        sort = self._model.sort_spec()
        keys = tuple(c.key for c in self._model.columns())
        state = self._view.horizontalHeader().saveState()
        self._settings.set_header_layout(
            self.key, HeaderLayout(keys, state, sort.key, sort.descending)
        )

    def reset_layout(self) -> None:
        """Forget the saved layout: original column order, sizes fitted, default sort."""
        self._settings.clear_header_layout(self.key)
        header = self._view.horizontalHeader()
        for logical in range(header.count()):
            header.showSection(logical)
            header.moveSection(header.visualIndex(logical), logical)
        source = self._model.source()
        if source is not None:
            self._needs_sizing = True
            self._model.set_source(source)
            self._sync_sort_indicator()

    def copy_selection(self) -> str:
        """Copy the selected rows as tab-separated text with a header line."""
        header = self._view.horizontalHeader()
        sections = [
            header.logicalIndex(v) for v in range(header.count())
            if not header.isSectionHidden(header.logicalIndex(v))
        ]  # fmt: skip
        rows = sorted({i.row() for i in self._view.selectionModel().selectedRows()})
        if not rows:
            return ""
        columns = self._model.columns()
        lines = ["\t".join(columns[s].title for s in sections)]
        for r in rows:
            cells = (str(self._model.index(r, s).data() or "") for s in sections)
            lines.append("\t".join(_one_line(c) for c in cells))
        text = "\n".join(lines) + "\n"
        QGuiApplication.clipboard().setText(text)
        return text

    def repaint_colours(self) -> None:
        self._model.repaint_all()

    def reading(self, fn: Callable[[], T]) -> Callable[[], T]:
        """``fn`` for a worker, counted until it returns (see `wait_for_readers`)."""
        done = threading.Event()
        readers = self._readers
        readers.add(done)

        def run() -> T:
            try:
                return fn()
            finally:
                done.set()
                readers.discard(done)

        return run

    def after_paint(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the table has painted the rows it just read.

        For work a clerk can wait a moment for (the exact count, the totals): started
        with the rows, it competes with their painting for the processor. A tab that
        is not on screen does not paint, so it starts after `PAINT_WAIT_MS` anyway.
        """
        if self._painted:
            fn()
            return
        if not self._after_paint:
            self._paint_timer.start(PAINT_WAIT_MS)
        self._after_paint.append(fn)

    def _run_after_paint(self) -> None:
        self._painted = True
        waiting, self._after_paint = self._after_paint, []
        for fn in waiting:
            fn()

    def reads_pending(self) -> bool:
        """Whether reads wait for the next paint or run on workers (the count, the totals)."""
        return bool(self._after_paint) or bool(self._readers)

    def wait_for_readers(self, timeout: float = 10.0) -> None:
        """Let reads on their way finish before the workspace they use is closed.

        A read still holding a connection when its engine is disposed would leave
        that connection to be dropped unclosed.
        """
        for done in list(self._readers):
            done.wait(timeout)

    # -- internals ------------------------------------------------------------------------
    def _build_header(self) -> QHBoxLayout:
        """Title, row count, notice and Refresh, in one row above the table."""
        self._title = QLabel(self.title, self)
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self._title.setFont(font)
        self._count = QLabel(OPENING_TEXT, self)
        self._count.setObjectName("row_count")
        self._count.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.notice = QLabel("", self)
        self.notice.setObjectName("notice")
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._refresh_button = QPushButton("Refresh", self)
        self._refresh_button.setToolTip("Read the list again from the database (F5)")
        self._refresh_button.setEnabled(False)
        self._refresh_button.clicked.connect(self.refresh)

        header_row = QHBoxLayout()
        header_row.addWidget(self._title)
        header_row.addSpacing(12)
        header_row.addWidget(self._count, 0, Qt.AlignmentFlag.AlignBaseline)
        header_row.addSpacing(12)
        header_row.addWidget(self.notice, 0, Qt.AlignmentFlag.AlignBaseline)
        header_row.addStretch(1)
        header_row.addWidget(self._refresh_button)
        return header_row

    def _build_search(self) -> None:
        """The search box, left of Refresh: types ahead, Ctrl+F reaches it, Esc empties it."""
        box = QLineEdit(self)
        box.setObjectName("search")
        box.setPlaceholderText(f"Search {self.search_hint} (Ctrl+F)")
        box.setToolTip(
            f"Find by {self.search_hint}: any part of a word, any case; "
            "several words must all match. Esc clears it."
        )
        box.setClearButtonEnabled(True)
        # Wide where there is room, narrow rather than widening the window's minimum.
        chars = box.fontMetrics().averageCharWidth()
        box.setMinimumWidth(chars * 12)
        box.setMaximumWidth(chars * 34)
        box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        box.textChanged.connect(lambda _text: self._search_timer.start())
        box.returnPressed.connect(self.apply_search)
        box.installEventFilter(self)  # Esc: see eventFilter
        self._header_row.insertWidget(self._header_row.count() - 1, box)
        self.search_box = box
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.activated.connect(self._focus_search)

    def _focus_search(self) -> None:
        if self.search_box is not None:
            self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.search_box.selectAll()

    def _setup_view(self) -> None:
        view = self._view
        view.setModel(self._model)
        view.setSortingEnabled(True)
        view.setAlternatingRowColors(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.setShowGrid(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
        header = view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.sortIndicatorChanged.connect(self._on_sort_indicator_changed)
        copy = QAction("Copy", view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        view.addAction(copy)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _on_sort_indicator_changed(self, section: int, _order: Qt.SortOrder) -> None:
        columns = self._model.columns()
        if 0 <= section < len(columns) and not columns[section].sortable:
            self._sync_sort_indicator()  # the model ignored it; show the real order
        else:
            self._view.scrollToTop()  # a new order starts at its first row

    def _sync_sort_indicator(self) -> None:
        spec = self._model.sort_spec()
        section = self._model.column_of(spec.key)
        header = self._view.horizontalHeader()
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (section, _order(spec)):
            return
        header.blockSignals(True)  # the model is already sorted; do not sort it again
        header.setSortIndicator(section, _order(spec))
        header.blockSignals(False)
        header.viewport().update()

    def _on_reloaded(self) -> None:
        self._painted = False  # new rows: reads that can wait go after their first paint
        self._sync_sort_indicator()
        if self._needs_sizing and self._model.columnCount() and self._model.rowCount():
            self._size_columns()
            self._needs_sizing = False
        self._update_labels()

    def _size_columns(self) -> None:
        # Fitted to the first page; the padding leaves room for wider values further down.
        header = self._view.horizontalHeader()
        metrics = self._view.fontMetrics()
        cells = self._model.fitted_widths(metrics, header.resizeContentsPrecision())
        # A cell's text sits inside the focus frame's margin on each side, as drawn.
        margin = self._view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1
        padding = 2 * metrics.averageCharWidth() + 2 * margin
        for section, cell in enumerate(cells):
            width = max(cell, header.sectionSizeHint(section)) + padding
            header.resizeSection(section, min(width, MAX_INITIAL_COLUMN_WIDTH))

    def _on_load_failed(self, message: str) -> None:
        self._failure = message
        self._update_labels()

    def _update_labels(self, *_args: object) -> None:
        if self._model.source() is None:
            return
        if self._failure:
            self._count.setText("Could not read the list")
            self._count.setToolTip(self._failure)
        else:
            total, exact = self._model.quick_count()
            matching = f" matching {describe_search(self._searched)}" if self._searched else ""
            if exact and total == 0 and self._searched:
                self._count.setText(self._no_matches())
                self._count.setToolTip("")
            elif exact:
                rows = f"{total:,} row" if total == 1 else f"{total:,} rows"
                self._count.setText(rows + matching)
                self._count.setToolTip("")
            else:
                self._count.setText(f"{total:,}+ rows{matching}")
                self._count.setToolTip("Counting every row…")
                self._count_exactly()
        if self._model.rowCount():
            self._placeholder.hide()
        else:
            empty = self._no_matches() + "." if self._searched else self.empty_message()
            self._show_placeholder(self._failure or empty)

    def _no_matches(self) -> str:
        return f"No matches for {describe_search(self._searched)}"

    def _count_exactly(self) -> None:
        """Count a long list on a worker; the label says "10,000+ rows" meanwhile."""
        source = self._model.source()
        generation = self._model.generation()
        if source is None or self._counting == generation:
            return
        self._counting = generation

        def counted(count: int) -> None:
            if self._counting == generation:
                self._counting = None
            if generation == self._model.generation():
                self._model.set_count(generation, count)
                self._update_labels()
                self.counted.emit()

        def failed(exc: Exception) -> None:
            if self._counting == generation:
                self._counting = None
                self._count.setToolTip(f"The rows could not be counted: {exc}")

        self.after_paint(lambda: run_in_background(self.reading(source.count), counted, failed))

    def _show_placeholder(self, text: str) -> None:
        self._placeholder.setText(text)
        self._placeholder.setGeometry(self._view.viewport().rect())
        self._placeholder.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search_box
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Escape
            and self.search_box.text()
        ):
            self.set_search("")
            return True
        if watched is self._view.viewport() and event.type() == QEvent.Type.Resize:
            self._placeholder.setGeometry(self._view.viewport().rect())
        elif watched is self._view.viewport() and event.type() == QEvent.Type.Paint:
            if not self._painted:
                self._painted = True  # the rest runs once this paint is over
                self._paint_timer.start(0)
        elif (
            watched is self._view
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.matches(QKeySequence.StandardKey.Copy)
        ):
            # The view claims Ctrl+C for itself (copying one cell), so the Copy
            # action's shortcut never fires there: copy whole rows here instead.
            self.copy_selection()
            return True
        return super().eventFilter(watched, event)


def _order(spec: SortSpec) -> Qt.SortOrder:
    return Qt.SortOrder.DescendingOrder if spec.descending else Qt.SortOrder.AscendingOrder


def _one_line(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
