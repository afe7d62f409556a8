"""The current manifest in detail: where it goes, its certificates, and its prints."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView, QVBoxLayout, QWidget

from desk_app.domain.certificates import ManifestView
from desk_app.domain.errors import DeskError
from desk_app.domain.money import format_amount
from desk_app.ui.models.static_table_model import Cell, StaticTableModel
from desk_app.ui.tabs.certificate_views import ManifestPrintingView, ManifestsView
from desk_app.ui.theme import Tone

HEADERS = ("#", "Certificate", "CUSIP", "Registered holder", "Shares", "Value", "Status")
NOTHING = "Select a manifest to see its certificates."


class ManifestPane(QWidget):
    """One manifest: header, control totals, lines, and every print with its SHA-256."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("manifest_pane")
        self.manifests: ManifestsView | None = None
        self.printing: ManifestPrintingView | None = None
        self.view: ManifestView | None = None
        self.summary = QLabel(NOTHING, self)
        self.summary.setObjectName("manifest_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.lines = StaticTableModel(HEADERS, self)
        self.table = QTableView(self)
        self.table.setObjectName("manifest_lines")
        self.table.setModel(self.lines)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.prints = QLabel(self)
        self.prints.setObjectName("manifest_prints")
        self.prints.setWordWrap(True)
        self.prints.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.prints)

    def show_manifest(self, number: str | None) -> None:
        self.view = None
        self.prints.setText("")
        if number is None or self.manifests is None:
            self.summary.setText(NOTHING)
            self.lines.set_rows([])
            return
        # On the GUI thread: one manifest, its lines and its prints, as the current row changes.
        try:
            self.view = view = self.manifests.view(number)
            prints = self.printing.prints(number) if self.printing is not None else []
        except DeskError as exc:  # gone or not permitted: said in place of the detail
            self.summary.setText(escape(exc.message))
            self.lines.set_rows([])
            return
        totals = view.totals
        rows: list[tuple[str, str]] = [
            ("Manifest", f"{view.manifest_number} — {view.status.label}"),
            ("Courier", f"{view.courier} {view.airbill or ''}".strip()),
            ("To", f"{view.recipient}, {view.recipient_address.replace(chr(10), ', ')}"),
            ("Prepared / verified", f"{view.prepared_by} / {view.verified_by or '— not yet'}"),
            ("Picked up", f"{view.picked_up_by or '—'}"
             + (f", seal {view.bag_seal}" if view.bag_seal else "")),
            ("Received", view.received_by or "—"),
            ("Totals", f"{totals.count} certificates, {totals.shares:,} shares, "
             f"{format_amount(totals.value)}"),
            ("Insured", f"{format_amount(view.insured_value)} (declared "
             f"{format_amount(view.declared_value)})"),
        ]  # fmt: skip
        if view.difference_note:
            rows.append(("Difference", view.difference_note))
        html = "".join(
            f"<tr><td><b>{escape(k)}</b>&nbsp;</td><td>{escape(v)}</td></tr>" for k, v in rows
        )
        self.summary.setText(f"<table>{html}</table>")
        self.lines.set_rows([
            [Cell(str(line.line_no), line.line_no), Cell(line.certificate_number, bold=True),
             Cell(line.cusip), Cell(line.registered_holder), Cell(f"{line.shares:,}", line.shares),
             Cell(format_amount(line.value), line.value),
             Cell(line.status.label, line.status,
                  tone=Tone.NEGATIVE if line.status.value == "lost" else None)]
            for line in view.lines
        ])  # fmt: skip
        self.table.resizeColumnsToContents()
        self.prints.setText(
            "<br>".join(
                f"{escape(doc.capitalize())} on {escape(paper)}, {'COPY' if copy else 'original'}"
                f", {pages} p., {escape(who)}: <code>{digest[:16]}…</code>"
                for doc, paper, copy, pages, digest, who in prints
            )
            or "Not printed yet."
        )
