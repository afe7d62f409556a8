"""The printed manifest read back: its text, its barcodes at 200 dpi, its pages, its bytes."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from desk_app.domain.certificates import ManifestLineView, ManifestView
from desk_app.domain.states import CertificateStatus, ManifestStatus
from desk_app.reports.manifest import manifest_document, manifest_pdf, receipt_pdf
from desk_app.reports.paged import Paper
from tests.pdf_tools import barcodes, embedded_fonts, page_texts, pdf_text

NUMBER = "M261125-04"
AT = datetime(2026, 12, 7, 14, 5, tzinfo=UTC)  # 09:05 in New York
FIRM = "Water Street Securities LLC"
NAMES = {"carl": "Carl Clerkenwell", "sue": "Susan Q. Supervisor"}
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
    first, again = manifest_pdf(manifest, printed_at=AT), manifest_pdf(view(25), printed_at=AT)
    assert first == again
    copy = manifest_pdf(manifest, copy=True, printed_at=AT)
    assert copy != first and copy == manifest_pdf(manifest, copy=True, printed_at=AT)
    path = tmp_path / "copy.pdf"
    path.write_bytes(copy)
    for page in page_texts(path):
        assert "COPY" in page
    assert manifest_pdf(view(25, airbill="OTHER"), printed_at=AT) != first


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


def test_every_page_has_the_firm_the_print_time_its_totals_and_carried_forward(
    tmp_path: Path,
) -> None:
    manifest = view(45)
    path = tmp_path / "m.pdf"
    path.write_bytes(manifest_pdf(manifest, printed_at=AT, firm=FIRM, names=NAMES))
    pages = [" ".join(page.split()) for page in page_texts(path)]
    assert len(pages) > 3
    so_far: list[ManifestLineView] = []
    for number, page in enumerate(pages, 1):
        assert FIRM in page and "Printed 2026-12-07 09:05 EST" in page
        assert f"Page {number} of {len(pages)}" in page
        here = [line for line in manifest.lines if re.search(
            rf"\b{re.escape(line.certificate_number)} 459200101", page)]  # fmt: skip
        if not here:
            continue
        so_far += here
        mine = sum(line.value for line in here)
        assert f"This page: {len(here)} certificates, {sum(x.shares for x in here):,} shares, " \
            f"${mine:,.2f}" in page  # fmt: skip
        label = "Total" if len(so_far) == len(manifest.lines) else "Carried forward"
        assert f"{label}: {len(so_far)} certificates, {sum(x.shares for x in so_far):,} shares, " \
            f"${sum(x.value for x in so_far):,.2f}" in page  # fmt: skip
    assert so_far == list(manifest.lines)
    assert "Control totals: 45 certificates" in pages[-1]


def test_people_sign_with_their_names_and_the_pdf_is_dated_when_printed(tmp_path: Path) -> None:
    path = tmp_path / "m.pdf"
    path.write_bytes(manifest_pdf(view(3), printed_at=AT, firm=FIRM, names=NAMES))
    text = " ".join(pdf_text(path).split())
    for words in ("Prepared by Carl Clerkenwell (carl)", "Verified by Susan Q. Supervisor (sue)",
                  "Prepared by: Carl Clerkenwell login carl",
                  "Verified by: Susan Q. Supervisor login sue"):  # fmt: skip
        assert words in text
    data = path.read_bytes()
    assert b"/CreationDate (D:20261207090500-05'00')" in data and b"D:2000" not in data
    assert b"/Title (Courier manifest M261125-04)" in data
    assert b"/Author (Water Street Securities LLC)" in data


def test_descriptions_wrap_whole_and_one_holder_prints_once(tmp_path: Path) -> None:
    long = ("Berkshire Hathaway Inc. Class A Common Stock, restricted legend under Rule 144, "
            "issued in exchange")  # fmt: skip
    lines = tuple(replace(line, description=long, registered_holder=HOLDERS[0])
                  for line in view(12).lines)  # fmt: skip
    path = tmp_path / "m.pdf"
    path.write_bytes(manifest_pdf(replace(view(12), lines=lines), printed_at=AT))
    text = " ".join(pdf_text(path, layout=False).split())
    assert text.count(long) == 12 and "…" not in text
    assert text.count("John A Smith & Mary B Smith JT TEN WROS") == 1  # in the header
    assert "Registered holder" not in text


def test_where_holders_differ_a_run_of_one_holder_prints_it_once(tmp_path: Path) -> None:
    lines = tuple(replace(line, registered_holder=HOLDERS[line.line_no // 4 % 2])
                  for line in view(8).lines)  # fmt: skip
    path = tmp_path / "m.pdf"
    path.write_bytes(manifest_pdf(replace(view(8), lines=lines), printed_at=AT))
    text = " ".join(pdf_text(path, layout=False).split())
    assert text.count("same holder as above") == 5  # lines 2, 3, 5, 6, 7
