"""The printed manifest read back: its text, its barcodes at 200 dpi, its pages, its bytes."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from desk_app.domain.certificates import ManifestLineView, ManifestView
from desk_app.domain.states import CertificateStatus, ManifestStatus
from desk_app.reports.manifest import manifest_document, manifest_pdf, receipt_pdf
from desk_app.reports.paged import Paper
from tests.pdf_tools import barcodes, embedded_fonts, page_texts, pdf_text

NUMBER = "M261125-04"
HOLDERS = ("John A Smith & Mary B Smith JT TEN WROS", "Estate of Harold P. Winterbottom-Smythe III",
           "Acme Pension Trust U/A 1999")  # fmt: skip


def _number(n: int) -> str:
    """Certificate numbers in the shapes issuers use: prefixes, spaces, long and short."""
    return (f"NY {100000 + n * 7}", f"IBM-{1234500 + n}", f"C0{n:05d}",
            f"XRX/AB-{n:012d}")[n % 4]  # fmt: skip


def view(lines: int, **more: object) -> ManifestView:
    rows = tuple(
        ManifestLineView(
            n, n, _number(n), "459200101", "International Business Machines Common Stock",
            HOLDERS[n % 3], Decimal(25 * n), Decimal(f"{n * 1234.5:.2f}"),
            CertificateStatus.ON_MANIFEST,
        )
        for n in range(1, lines + 1)
    )  # fmt: skip
    values: dict[str, object] = {
        "id": 1, "manifest_number": NUMBER, "manifest_date": date(2026, 11, 25),
        "status": ManifestStatus.VERIFIED, "courier": "Brink's Global Services",
        "airbill": "BRK 4471 0093", "pickup_at": datetime(2026, 11, 25, 16, 30),
        "sender": "Physical Securities Dept., 55 Water Street, 12th Floor, New York, NY 10041",
        "recipient": "Computershare Trust Company, N.A.",
        "recipient_address": "Attn: Transfer Department\n150 Royall Street\nCanton, MA 02021",
        "declared_value": sum((r.value for r in rows), Decimal(0)),
        "insured_value": Decimal(1_000_000), "prepared_by": "carl", "verified_by": "sue",
        "picked_up_by": None, "bag_seal": None, "received_by": None, "received_at": None,
        "difference_note": None, "print_count": 0, "version": 1, "lines": rows, **more,
    }  # fmt: skip
    return ManifestView(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("paper", list(Paper))
def test_every_certificate_and_the_totals_are_in_the_text(tmp_path: Path, paper: Paper) -> None:
    manifest = view(30)
    path = tmp_path / "m.pdf"
    path.write_bytes(manifest_pdf(manifest, paper))
    text = " ".join(pdf_text(path).split())
    for line in manifest.lines:
        assert line.certificate_number in text
    totals = manifest.totals
    assert f"Control totals: 30 certificates {totals.shares:,} shares" in text
    assert f"value ${totals.value:,.2f}" in text and "Insured value $1,000,000.00" in text
    for words in ("Prepared by: carl", "Verified by: sue", "Courier pickup", "BRK 4471 0093",
                  "Received for Computershare"):  # fmt: skip
        assert words in text
    assert all(embedded for _, embedded in embedded_fonts(path))
    assert {name.split("+")[-1] for name, _ in embedded_fonts(path)} == {
        "DejaVuSans", "DejaVuSans-Bold",
    }  # fmt: skip


@pytest.mark.parametrize("paper", list(Paper))
def test_every_barcode_decodes_from_a_200_dpi_rendering(tmp_path: Path, paper: Paper) -> None:
    manifest = view(40)
    path = tmp_path / "m.pdf"
    path.write_bytes(manifest_pdf(manifest, paper))
    pages = len(manifest_document(manifest, paper, receipt=False, copy=False).pages())
    found = barcodes(path, tmp_path)
    expected = Counter({line.certificate_number: 1 for line in manifest.lines})
    expected[NUMBER] = pages  # the manifest's own number on every page
    assert found == expected


def test_a_thousand_certificates_paginate_with_the_header_on_every_page(tmp_path: Path) -> None:
    manifest = view(1000)
    path = tmp_path / "m.pdf"
    path.write_bytes(manifest_pdf(manifest))
    pages = page_texts(path)
    assert len(pages) == len(manifest_document(manifest, Paper.LETTER, receipt=False,
                                               copy=False).pages()) > 50  # fmt: skip
    listed: list[str] = []
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
        assert NUMBER in page
        rows = re.findall(r"^\s*(\d+) (\S+(?: \d+)?)\s+459200101", page, re.MULTILINE)
        if rows:
            assert re.search(r"# Certificate\s+CUSIP\s+Description\s+Registered holder\s+Shares"
                             r"\s+Value", page)  # fmt: skip
        listed += [n for _, n in rows]
    assert listed == [line.certificate_number for line in manifest.lines]
    assert "Control totals: 1,000 certificates" in " ".join(pages[-1].split())


def test_the_same_data_prints_the_same_bytes_and_a_copy_says_so(tmp_path: Path) -> None:
    manifest = view(25)
    first, again = manifest_pdf(manifest), manifest_pdf(view(25))
    assert first == again
    copy = manifest_pdf(manifest, copy=True)
    assert copy != first and copy == manifest_pdf(manifest, copy=True)
    path = tmp_path / "copy.pdf"
    path.write_bytes(copy)
    for page in page_texts(path):
        assert "COPY" in page
    assert manifest_pdf(view(25, airbill="OTHER")) != first


def test_the_delivery_receipt_lists_every_certificate_for_a_signature(tmp_path: Path) -> None:
    manifest = view(60)
    path = tmp_path / "r.pdf"
    path.write_bytes(receipt_pdf(manifest, Paper.A4))
    text = " ".join(pdf_text(path).split())
    assert "DELIVERY RECEIPT" in text and "Received the certificates listed above" in text
    for line in manifest.lines:
        assert line.certificate_number in text
    assert barcodes(path, tmp_path) == Counter({NUMBER: len(page_texts(path))})


def test_an_empty_manifest_still_prints_its_frame(tmp_path: Path) -> None:
    path = tmp_path / "e.pdf"
    path.write_bytes(manifest_pdf(view(0)))
    text = " ".join(pdf_text(path).split())
    assert "No certificates on this manifest." in text and "Page 1 of 1" in text
