"""The current certificate in detail, and its chain of custody, beside the register.

Who had it, from whom, when, where, with the bag or seal number and the manifest
that moved it: the custody record SEC 17a-3 wants, newest first.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView, QVBoxLayout, QWidget

from desk_app.domain import labels
from desk_app.domain.errors import DeskError
from desk_app.domain.listing import iter_rows
from desk_app.ui.models.static_table_model import Cell, StaticTableModel
from desk_app.ui.tabs.certificate_views import CertificateDetailView, CertificatesView

HEADERS = ("When", "Kind", "Status", "From", "To", "Location", "Bag/seal", "Manifest", "By")
NOTHING = "Select a certificate to see where it has been."


class CertificatePane(QWidget):
    """One certificate: its face, where it is, and every hand it passed through."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("certificate_pane")
        self.certificates: CertificatesView | None = None
        self.detail: CertificateDetailView | None = None
        self.summary = QLabel(NOTHING, self)
        self.summary.setObjectName("certificate_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.custody = StaticTableModel(HEADERS, self)
        self.table = QTableView(self)
        self.table.setObjectName("custody")
        self.table.setModel(self.custody)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Chain of custody (newest first)", self))
        layout.addWidget(self.table, 1)

    def show_certificate(self, certificate_id: int | None) -> None:
        """Read and show ``certificate_id`` (None: nothing chosen)."""
        self.detail = None
        if certificate_id is not None and self.certificates is not None:
            # On the GUI thread: one certificate by its id and its custody chain (a few
            # rows), read as the current row changes.
            try:
                self.detail = self.certificates.detail(certificate_id)
            except DeskError as exc:  # gone or not permitted: said in place of the detail
                self.summary.setText(escape(exc.message))
                self.custody.set_rows([])
                return
        if self.detail is None or self.certificates is None:
            self.summary.setText(NOTHING)
            self.custody.set_rows([])
            return
        lines = list(self.detail.fields)
        if self.detail.open_manifest:
            lines.append(("Open manifest", self.detail.open_manifest))
        rows = "".join(
            f"<tr><td><b>{escape(label)}</b>&nbsp;</td><td>{escape(text)}</td></tr>"
            for label, text in lines
        )
        self.summary.setText(f"<table>{rows}</table>")
        source = self.certificates.custody(self.detail.id)
        self.custody.set_rows([_cells(row) for row in iter_rows(source)])
        self.table.resizeColumnsToContents()


def _cells(row: tuple[object, ...]) -> list[Cell]:
    at, kind, _from, to, who_from, who_to, where, seal, manifest, actor, note = row[:11]
    when = at.astimezone().strftime("%Y-%m-%d %H:%M %Z") if isinstance(at, datetime) else ""
    status = labels.CERTIFICATE_STATUS.get(str(to), str(to))
    return [
        Cell(when, at), Cell(labels.CUSTODY_KIND.get(str(kind), str(kind)), kind),
        Cell(status, to, tooltip=str(note or "")), Cell(str(who_from)), Cell(str(who_to)),
        Cell(str(where)), Cell(str(seal or "")), Cell(str(manifest or "")), Cell(str(actor)),
    ]  # fmt: skip
