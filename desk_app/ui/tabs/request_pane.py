"""One approval request in detail: who asked for what and why, the record side by side,
and the decision buttons, enabled only when the service says this user may decide.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import labels
from desk_app.domain.errors import DeskError
from desk_app.domain.states import ApprovalStatus
from desk_app.ui import theme
from desk_app.ui.models.paged_table_model import exact_time, format_age
from desk_app.ui.models.record_fields import field_label, field_order, field_text
from desk_app.ui.models.static_table_model import Cell, StaticTableModel
from desk_app.ui.ops import Op
from desk_app.ui.tabs.workspace_view import FieldRowView, RequestDetailView, WorkspaceView
from desk_app.ui.theme import Tone

NOTHING_SELECTED = "Select a request to see the proposed change."
STALE_TEXT = (
    "The record changed after this request was made{where}. "
    "It can no longer be approved: reject it and ask for a new request."
)
REASON_NEEDED = "Type the reason for rejecting it in the box above"


def _ago(moment: datetime) -> str:
    age = format_age(moment)
    return age if age == "just now" else f"{age} ago"


def _comparison_row(row: FieldRowView) -> list[Cell]:
    """Field | At request | Current | Proposed; what moved since, and what would change."""
    name = row.field
    at_request, current, proposed = (
        field_text(name, v) for v in (row.at_request, row.current, row.proposed)
    )
    changed = row.changed_since_request
    would_change = row.proposed != row.current
    current_tip = f"Changed since the request was made (was {at_request})" if changed else current
    return [
        Cell(field_label(name), name),
        Cell(at_request, row.at_request, tooltip=at_request),
        Cell(current, row.current, tint=Tone.NEGATIVE if changed else None, bold=changed,
             tooltip=current_tip),
        Cell(proposed, row.proposed, tint=Tone.POSITIVE if would_change else None,
             bold=would_change, tooltip=proposed),
    ]  # fmt: skip


class RequestPane(QWidget):
    """The selected request and its Approve, Reject and Withdraw buttons."""

    #: A decision (or withdrawal) was recorded; the argument says what happened.
    decided = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("request_pane")
        self._workspace: WorkspaceView | None = None
        self._detail: RequestDetailView | None = None

        self.heading = QLabel(self)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.facts: dict[str, QLabel] = {}
        self._form = self._build_facts()
        self.stale_banner = QLabel(self)
        self.stale_banner.setObjectName("stale_banner")
        self.stale_banner.setWordWrap(True)
        self.stale_banner.setMargin(6)
        self.stale_banner.setAutoFillBackground(True)
        self.fields = StaticTableModel(("Field", "At request", "Current", "Proposed"), self)
        self.table = self._build_table()
        self.why_not = QLabel(self)
        self.why_not.setObjectName("why_not")
        self.why_not.setWordWrap(True)
        self.why_not.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.message = self._build_message()
        self.comment = QPlainTextEdit(self)
        self.comment.setObjectName("comment")
        self.comment.setPlaceholderText(
            "Comment for an approval (optional), or the reason for a rejection (required)"
        )
        self.comment.setMaximumHeight(4 * self.fontMetrics().lineSpacing() + 12)
        self.comment.setTabChangesFocus(True)
        self.comment.textChanged.connect(self._update_buttons)
        self.credential = self._build_credential()
        self.withdraw_button = QPushButton("Withdraw", self)
        self.reject_button = QPushButton("Reject", self)
        self.approve_button = QPushButton("Approve", self)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.reject_button.clicked.connect(self.reject)
        self.approve_button.clicked.connect(self.approve)

        self.empty = QLabel(NOTHING_SELECTED, self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.empty)
        self._stack.addWidget(self._build_page())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._stack)
        self.clear()

    def _build_facts(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        rows = (
            ("status", "Status"), ("record", "Record"), ("maker", "Requested by"),
            ("made", "Made"), ("reason", "Reason"), ("decision", "Decision"),
        )  # fmt: skip
        for key, title in rows:
            label = QLabel(self)
            label.setObjectName(key)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts[key] = label
            form.addRow(title, label)
        return form

    def _build_message(self) -> QLabel:
        label = QLabel(self)
        label.setObjectName("message")
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _build_credential(self) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName("credential")
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setPlaceholderText(
            "Your password: a decision needs it (your Desk password, else your computer's)"
        )
        edit.setToolTip(
            "You opened Desk through this computer's login without typing a password; "
            "approving or rejecting needs one once, to prove it is you."
        )
        return edit

    def _build_table(self) -> QTableView:
        table = QTableView(self)
        table.setModel(self.fields)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setWordWrap(True)  # a long name wraps rather than hides its end
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        return table

    def _build_page(self) -> QWidget:
        buttons = QHBoxLayout()
        buttons.addWidget(self.withdraw_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.approve_button)
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.stale_banner)
        layout.addLayout(self._form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.comment)
        layout.addWidget(self.credential)
        layout.addWidget(self.why_not)
        layout.addLayout(buttons)
        return page

    # -- public -------------------------------------------------------------------------------
    @property
    def request_id(self) -> int | None:
        return None if self._detail is None else self._detail.id

    @property
    def detail(self) -> RequestDetailView | None:
        return self._detail

    def set_workspace(self, workspace: WorkspaceView) -> None:
        self._workspace = workspace
        self.clear()

    def clear(self, text: str = NOTHING_SELECTED) -> None:
        self._detail = None
        self.empty.setText(text)
        self._stack.setCurrentIndex(0)
        self.fields.set_rows([])
        self._update_buttons()

    def show_request(self, request_id: int) -> None:
        """Read request ``request_id`` and show it (a new request starts a fresh comment)."""
        if request_id != self.request_id:
            self.comment.clear()
            self.message.clear()
        self._load(request_id)

    def reload(self) -> None:
        """Read the shown request again (its record or status may have changed)."""
        if self._detail is not None:
            self._load(self._detail.id)

    def approve(self) -> None:
        if self._detail is not None and self.approve_button.isEnabled():
            rid, comment = self._detail.id, self.comment.toPlainText()
            credential = self._take_credential()
            self._decide(lambda ws: ws.approvals.approve(rid, comment, credential=credential),
                         f"Request {rid} approved; the change is applied.")  # fmt: skip

    def reject(self) -> None:
        if self._detail is not None and self.reject_button.isEnabled():
            rid, reason = self._detail.id, self.comment.toPlainText()
            credential = self._take_credential()
            self._decide(lambda ws: ws.approvals.reject(rid, reason, credential=credential),
                         f"Request {rid} rejected.")  # fmt: skip

    def withdraw(self) -> None:
        if self._detail is not None and self.withdraw_button.isEnabled():
            rid = self._detail.id
            self._decide(lambda ws: ws.approvals.withdraw(rid), f"Request {rid} withdrawn.")

    # -- internals --------------------------------------------------------------------------
    def _take_credential(self) -> str | None:
        """The typed password, once: the field is emptied as the decision leaves."""
        text = self.credential.text() if self.credential.isVisible() else ""
        self.credential.clear()
        return text or None

    def _load(self, request_id: int) -> None:
        if self._workspace is None:
            return
        # On the GUI thread: one request by id, read as the selection moves (like a table
        # page); a refusal (gone, not permitted) is what the pane then shows.
        try:
            detail = self._workspace.approvals.detail(request_id)
        except DeskError as exc:  # the pane shows it in place of the request
            self.clear(exc.message)
            return
        self._detail = detail
        self._show(detail)

    def _decide(self, act: Callable[[WorkspaceView], None], done: str) -> None:
        """One short transaction on a worker; a refusal (stale, not permitted) is shown here."""
        workspace = self._workspace
        assert workspace is not None and self._detail is not None
        rid = self._detail.id

        def decided(_result: None) -> None:
            if self._detail is not None and self._detail.id == rid:
                self.comment.clear()  # the clerk may have moved on and typed for another
            self.reload()
            self._set_message(done, Tone.POSITIVE)
            self.decided.emit(done)

        if Op(
            self,
            lambda: act(workspace),
            done=decided,
            refused=self._refused,
            busy_key=f"approvals.decide.{id(self)}",
        ).run():
            # Until it answers (the reload after it sets them for the request shown).
            for button in (self.approve_button, self.reject_button, self.withdraw_button):
                button.setEnabled(False)

    def _refused(self, exc: DeskError) -> None:
        self.reload()
        self._set_message(exc.message, Tone.NEGATIVE)

    def _show(self, d: RequestDetailView) -> None:
        self._stack.setCurrentIndex(1)
        action = labels.ACTIONS.get(d.action.value, d.action.label)
        self.heading.setText(f"Request {d.id}: {d.summary}")
        self.heading.setToolTip(action)
        self.facts["status"].setText(f"{labels.APPROVAL_STATUS[d.status.value]} · {action}")
        self.facts["record"].setText(d.target_key.partition(":")[2] or d.target_key)
        self.facts["maker"].setText(d.maker)
        self.facts["made"].setText(_ago(d.made_at))
        self.facts["made"].setToolTip(exact_time(d.made_at))
        self.facts["reason"].setText(d.reason)
        decided = d.status is not ApprovalStatus.PENDING
        if decided:
            when = f" {_ago(d.decided_at)}" if d.decided_at else ""
            note = f": {d.decision_note}" if d.decision_note else ""
            self.facts["decision"].setText(
                f"{labels.APPROVAL_STATUS[d.status.value]} by {d.decided_by}{when}{note}"
            )
            self.facts["decision"].setToolTip(exact_time(d.decided_at) if d.decided_at else "")
        self._form.setRowVisible(self.facts["decision"], decided)
        self.stale_banner.setVisible(d.stale)
        if d.stale:
            marked = any(row.changed_since_request for row in d.fields)
            where = (
                " (changed values are marked)"
                if marked
                else ", in fields this request leaves alone"
            )
            self.stale_banner.setText(STALE_TEXT.format(where=where))
            palette = self.stale_banner.palette()
            palette.setColor(QPalette.ColorRole.Window, theme.tint(Tone.NEGATIVE))
            palette.setColor(QPalette.ColorRole.WindowText, theme.foreground(Tone.NEGATIVE))
            self.stale_banner.setPalette(palette)
        ordered = sorted(d.fields, key=lambda row: field_order(row.field))
        self.fields.set_rows([_comparison_row(row) for row in ordered])
        self.table.resizeRowsToContents()
        self.comment.setVisible(not decided)
        self._update_buttons()

    def _set_message(self, text: str, tone: Tone) -> None:
        self.message.setText(text[:1].upper() + text[1:])  # service messages start lower-case
        palette = self.message.palette()
        palette.setColor(QPalette.ColorRole.WindowText, theme.foreground(tone))
        self.message.setPalette(palette)

    def _update_buttons(self) -> None:
        """Enabled only when the service allows it; the tooltip says why not."""
        d, ws = self._detail, self._workspace
        if d is None or ws is None:
            for button in (self.approve_button, self.reject_button, self.withdraw_button):
                button.setEnabled(False)
            self.credential.setVisible(False)
            return
        pending = d.status is ApprovalStatus.PENDING
        closed = None if pending else f"Already {labels.APPROVAL_STATUS[d.status.value].lower()}"
        refusal = closed or d.decision_refusal
        stale = "The record changed since the request: it can only be rejected" if d.stale else None
        reason = None if self.comment.toPlainText().strip() else REASON_NEEDED
        self._set(self.approve_button, refusal or stale,
                  "Approve and apply the change now (the comment is optional)")  # fmt: skip
        self._set(self.reject_button, refusal or reason,
                  "Reject it; the reason is recorded and shown to the maker")  # fmt: skip
        self.why_not.setText(
            f"You cannot decide this request: {refusal}." if pending and refusal else ""
        )
        self.why_not.setVisible(bool(pending and refusal))
        self.credential.setVisible(pending and refusal is None and ws.approvals.needs_credential)
        mine = d.maker.casefold() == ws.actor.casefold()
        self.withdraw_button.setVisible(mine and pending)
        self._set(self.withdraw_button, None if mine and pending else "Not your pending request",
                  "Take back your request before anyone decides it")  # fmt: skip

    @staticmethod
    def _set(button: QPushButton, refusal: str | None, allowed_tip: str) -> None:
        button.setEnabled(refusal is None)
        button.setToolTip(allowed_tip if refusal is None else refusal)
