"""Where the user guide is, and which of its pages explains a tab or a dialog.

Plain paths and names only (no Qt widgets): the window imports this at start, while
the help window itself is imported only when help is first asked for.
"""

from __future__ import annotations

import sys
from pathlib import Path

import desk_app

INDEX_PAGE = "index.md"

#: The page of each tab of the main window, by the tab's key.
TAB_PAGES = {
    "blotter": "blotter.md",
    "settlements": "settlements.md",
    "fails": "fails.md",
    "accounts": "accounts.md",
    "certificates": "certificates.md",
    "manifests": "manifests.md",
    "approvals": "approvals.md",
    "counterparties": "counterparties.md",
    "instruments": "instruments.md",
    "prices": "prices.md",
    "estates": "estates.md",
    "acats": "acats.md",
}

#: The page a dialog's F1 opens, by the dialog's class name (or a base class's).
DIALOG_PAGES = {
    "TradeTicketDialog": "blotter.md",
    "RecordDeathDialog": "estates.md",
    "ReregisterDialog": "estates.md",
    "DocumentDateDialog": "estates.md",
    "BeneficiaryDiedDialog": "estates.md",
    "TradeCancelDialog": "blotter.md",
    "TradeHistoryDialog": "blotter.md",
    "ImportTradesDialog": "blotter.md",
    "AddInstrumentDialog": "instruments.md",
    "SettleDialog": "settlements.md",
    "SettleDateCheckDialog": "settlements.md",
    "SSIDialog": "reference-data.md",
    "AccountRequestDialog": "accounts.md",
    "TransferDialog": "accounts.md",
    "AcatsDialog": "acats.md",
    "CertificateDialog": "certificates.md",
    "MoveDialog": "certificates.md",  # report lost, stop transfer, replace
    "LossReportDialog": "certificates.md",
    "ReissueDialog": "certificates.md",
    "BoxCountDialog": "certificates.md",
    "ManifestDialog": "manifests.md",
    "_StepDialog": "manifests.md",  # verify, pickup, receipt
    "UsersDialog": "security.md",
    "UserForm": "security.md",
    "PasswordDialog": "security.md",
    "AuditCheckDialog": "security.md",
    "ReferenceRecordDialog": "reference-data.md",
    "ReferenceImportDialog": "reference-data.md",
    "SettingsDialog": "settings.md",
    "PriceProblemsDialog": "prices.md",
}


def guide_folder() -> Path:
    """The folder of the guide's Markdown pages and pictures.

    In the installed bundle it sits beside the program (``sys._MEIPASS``); in a
    source checkout it is ``docs/guide`` at the top of the repository.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "docs" / "guide"
    return Path(desk_app.__file__).resolve().parent.parent / "docs" / "guide"


def page_path(page: str) -> Path:
    """The file of ``page`` (``"fails.md"``), or the contents page if there is no such page."""
    path = guide_folder() / page
    return path if path.is_file() else guide_folder() / INDEX_PAGE


def tab_page(key: str) -> str:
    """The page that explains the tab ``key`` (the contents, for a tab it does not know)."""
    return TAB_PAGES.get(key, INDEX_PAGE)


def dialog_page(class_names: list[str]) -> str | None:
    """The page of the first of ``class_names`` (a dialog's class and its bases) with one."""
    return next((DIALOG_PAGES[name] for name in class_names if name in DIALOG_PAGES), None)
