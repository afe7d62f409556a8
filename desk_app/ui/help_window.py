"""Help → User guide: the guide's Markdown pages, read inside Desk.

Floor desktops are often offline and may have no browser a clerk is allowed to
open, so the guide is shown here, from the files installed with Desk: pages and
pictures are local, links between pages work, and Back and Forward remember the way.
Imported only when help is first asked for: the window's first paint stays light.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QImage,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QStyle,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desk_app.ui.action_icons import action_icon
from desk_app.ui.help_topics import INDEX_PAGE, guide_folder, page_path

#: Pictures are never drawn narrower than this, however narrow the window.
MIN_PICTURE_WIDTH = 480
#: Lines longer than this are hard to read: a wide window gets wider margins instead.
MAX_TEXT_WIDTH = 980
#: After a resize, the pictures are fitted again once the size has settled.
REFIT_DELAY_MS = 150
DEFAULT_SIZE = QSize(1000, 760)


class GuideBrowser(QTextBrowser):
    """A text browser that fits the guide's pictures to its width (never wider)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guide_browser")
        # A link to a web page (there are none in the guide itself) goes to the
        # desktop's browser; every page of the guide opens here.
        self.setOpenExternalLinks(True)
        self.document().setDocumentMargin(12)
        self._fitted_width = 0
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(REFIT_DELAY_MS)
        self._refit_timer.timeout.connect(self._refit)

    def picture_width(self) -> int:
        """The widest a picture is drawn now: the page's width inside its margins.

        Counted as if the scroll bar were shown: whether it is depends on the pictures'
        size, and a picture that brought it up must not then be too wide for the page.
        """
        margins = self.viewportMargins()
        room = self.contentsRect().width() - margins.left() - margins.right()
        room -= self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        room -= int(self.document().documentMargin()) * 2 + 4
        return max(MIN_PICTURE_WIDTH, room)

    def loadResource(self, type: int, name: QUrl | str) -> object:  # noqa: A002 (Qt's name)
        name = QUrl(name)
        url = self.source().resolved(name) if name.isRelative() else name
        if type != QTextDocument.ResourceType.ImageResource.value:
            if url.isLocalFile() and not Path(url.toLocalFile()).is_file():
                # A page not installed (a link to a newer page): say so; Back still works.
                return (
                    "# No such page\n\n"
                    f"*{Path(url.toLocalFile()).name}* is not in this copy of the user guide. "
                    "Go back, or to the contents."
                )
            return super().loadResource(type, name)
        image = QImage(url.toLocalFile())
        if image.isNull():
            return super().loadResource(type, name)
        self._fitted_width = self.picture_width()
        if image.width() > self._fitted_width:
            image = image.scaledToWidth(
                self._fitted_width, Qt.TransformationMode.SmoothTransformation
            )
        return image

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        side = max(0, (self.width() - MAX_TEXT_WIDTH) // 2)
        if self.viewportMargins().left() != side:
            self.setViewportMargins(side, 0, side, 0)
        if self._fitted_width and self.picture_width() != self._fitted_width:
            self._refit_timer.start()

    def _refit(self) -> None:
        # Reading the page again loads its pictures again, at the new width; the
        # reader stays where they were.
        bar = self.verticalScrollBar()
        fraction = bar.value() / bar.maximum() if bar.maximum() else 0.0
        self.reload()
        bar.setValue(round(fraction * bar.maximum()))


class FindBar(QWidget):
    """Find on this page (Ctrl+F): Enter or F3 for the next match, Shift+F3 back, Esc hides."""

    def __init__(self, browser: QTextBrowser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("find_bar")
        self._browser = browser
        self.box = QLineEdit(self)
        self.box.setObjectName("find_box")
        self.box.setPlaceholderText("Find on this page")
        self.box.setClearButtonEnabled(True)
        self.box.textChanged.connect(lambda _text: self.find_match(from_start=True))
        self.box.returnPressed.connect(self.find_match)
        self.box.installEventFilter(self)
        self.status = QLabel("", self)
        self.status.setObjectName("find_status")
        previous = QToolButton(self)
        previous.setText("Previous")
        previous.clicked.connect(lambda _checked=False: self.find_match(backward=True))
        following = QToolButton(self)
        following.setText("Next")
        following.clicked.connect(lambda _checked=False: self.find_match())
        close = QToolButton(self)
        close.setText("Close")
        close.setToolTip("Hide the find bar (Esc)")
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(QLabel("Find:", self))
        row.addWidget(self.box, 1)
        row.addWidget(previous)
        row.addWidget(following)
        row.addWidget(self.status)
        row.addWidget(close)

    def start(self) -> None:
        """Show the bar with the box focused and its text selected, to type over."""
        self.show()
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()

    def find_match(self, *, backward: bool = False, from_start: bool = False) -> bool:
        """Select the next match (wrapping round the page); say so when there is none."""
        text = self.box.text()
        if not text:
            self.status.setText("")
            return False
        browser = self._browser
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        if from_start:
            cursor = browser.textCursor()
            cursor.setPosition(cursor.selectionStart())  # typing more keeps the match
            browser.setTextCursor(cursor)
        found = browser.find(text, flags)
        if not found:  # wrap round, from the other end
            cursor = browser.textCursor()
            cursor.movePosition(
                cursor.MoveOperation.End if backward else cursor.MoveOperation.Start
            )
            browser.setTextCursor(cursor)
            found = browser.find(text, flags)
        self.status.setText("" if found else "Not on this page")
        return found

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.box
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Escape
        ):
            self.hide()
            self._browser.setFocus()
            return True
        return super().eventFilter(watched, event)


class HelpWindow(QMainWindow):
    """The user guide: one page at a time, with Back, Forward, Contents and Find."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("help_window")
        self.setWindowTitle("Desk — User guide")
        self.browser = GuideBrowser(self)
        self.browser.setSearchPaths([str(guide_folder())])
        self.find_bar = FindBar(self.browser, self)
        self.find_bar.hide()
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.browser, 1)
        column.addWidget(self.find_bar)
        self.setCentralWidget(body)

        bar = QToolBar("Navigation", self)
        bar.setObjectName("help_toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(bar)
        self.back_action = self._action(bar, "Back", "back", "Alt+Left", self.browser.backward)
        self.forward_action = self._action(
            bar, "Forward", "forward", "Alt+Right", self.browser.forward
        )
        self.contents_action = self._action(
            bar, "Contents", "contents", "Alt+Home", lambda: self.open_page(INDEX_PAGE)
        )
        bar.addSeparator()
        self.find_action = self._action(bar, "Find…", "find", "Ctrl+F", self.find_bar.start)
        self._action(None, "Find next", "", "F3", lambda: self._find_again(backward=False))
        self._action(None, "Find previous", "", "Shift+F3", lambda: self._find_again(backward=True))
        self._action(None, "Larger text", "", "Ctrl++", lambda: self.browser.zoomIn(1))
        self._action(None, "Smaller text", "", "Ctrl+-", lambda: self.browser.zoomOut(1))
        self._action(None, "Close", "", "Ctrl+W", self.close)
        self.back_action.setEnabled(False)
        self.forward_action.setEnabled(False)
        self.browser.backwardAvailable.connect(self.back_action.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_action.setEnabled)
        self.browser.sourceChanged.connect(self._on_source_changed)
        self.resize(DEFAULT_SIZE)

    def _action(
        self, bar: QToolBar | None, text: str, icon: str, keys: str, slot: object
    ) -> QAction:
        action = QAction(text, self)
        if icon:
            action.setObjectName(f"{icon}_help")
            action.setIcon(action_icon(action.objectName()))
        action.setShortcut(QKeySequence(keys))
        action.setToolTip(f"{text} ({QKeySequence(keys).toString()})")
        action.triggered.connect(slot)
        self.addAction(action)
        if bar is not None:
            bar.addAction(action)
        return action

    def open_page(self, page: str) -> None:
        """Show ``page`` of the guide (``"fails.md"``); the contents, if there is no such page."""
        path = page_path(page)
        if not path.is_file():  # a copy of Desk installed without its guide: say so
            self.browser.setMarkdown(
                "# The user guide is missing\n\n"
                f"This copy of Desk has no user guide: it looked in {guide_folder()}. "
                "Ask whoever installed Desk to install it whole."
            )
            return
        if self.page() != path:
            self.browser.setSource(
                QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource
            )

    def page(self) -> Path | None:
        """The file shown now, or None before any."""
        source = self.browser.source()
        return Path(source.toLocalFile()) if source.isLocalFile() else None

    def _find_again(self, *, backward: bool) -> None:
        if self.find_bar.isHidden() or not self.find_bar.box.text():
            self.find_bar.start()
        else:
            self.find_bar.find_match(backward=backward)

    def _on_source_changed(self, _url: QUrl) -> None:
        first = self.browser.document().firstBlock().text().strip()
        self.setWindowTitle(f"Desk — {first}" if first else "Desk — User guide")
        self.find_bar.status.setText("")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.find_bar.hide()
        super().closeEvent(event)
