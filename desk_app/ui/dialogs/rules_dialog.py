"""Reference → Settlement rules: cycles, calendar overrides, fail rules and aging limits.

One window, a page per kind (`rule_page.RulePage`); each page lists its rules with a
search and files requests to change them. The window stays open beside the tabs.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from desk_app.domain.rule_changes import RuleKind
from desk_app.ui.dialogs.rule_page import RulePage
from desk_app.ui.tabs.workspace_view import ActorView, RulesView

TITLES = {
    RuleKind.CYCLE: "Settlement cycles",
    RuleKind.OVERRIDE: "Calendar overrides",
    RuleKind.FAIL_RULE: "Fail rules",
    RuleKind.AGING_LIMIT: "Aging limits",
}


class RulesDialog(QDialog):
    """The editable settlement rules, a page per kind."""

    #: A page asked for Reference → Check settlement dates.
    check_dates_requested = Signal()

    def __init__(self, rules: RulesView, user: ActorView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rules_dialog")
        self.setWindowTitle("Settlement rules")
        self.tabs = QTabWidget(self)
        self.pages: dict[RuleKind, RulePage] = {}
        for kind, title in TITLES.items():
            page = RulePage(kind, rules, user, self.tabs)
            page.check_dates_requested.connect(self.check_dates_requested)
            self.pages[kind] = page
            self.tabs.addTab(page, title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(1000, 680)

    def show_page(self, kind: RuleKind) -> RulePage:
        page = self.pages[kind]
        self.tabs.setCurrentWidget(page)
        return page
