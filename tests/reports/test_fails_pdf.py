"""The printed fails report read back: its buckets, every fail, its pages, its fonts, its bytes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from desk_app.domain.fails import BucketTotal, Fail, FailSide
from desk_app.domain.states import ObligationStatus
from desk_app.reports.fails import fails_report_pdf
from tests.pdf_tools import embedded_fonts, page_texts, pdf_text

AS_OF = date(2026, 12, 3)
AT = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)
BUCKETS = (BucketTotal("1–3", 2, 1), BucketTotal("4–5", 0, 0), BucketTotal("6–13", 1, 0))


def line(n: int, **more: object) -> Fail:
    values: dict[str, object] = {
        "id": 9000 + n, "side": FailSide.TO_DELIVER if n % 3 else FailSide.TO_RECEIVE,
        "age": 1 + n % 20, "settle_date": AS_OF - timedelta(days=2 + n % 20),
        "account": f"5{n:05d}", "isin": "US0378331005", "symbol": "AAPL",
        "counterparty": "GSCO", "quantity": Decimal(100 * n),
        "amount": Decimal(f"{n * 1234.5:.2f}"),
        "currency": "USD", "fail_reason": "LACK", "bucket": "1–3",
        "status": ObligationStatus.FAILING, "short": False, "close_out_rule": "Reg SHO 204",
        "close_out": AS_OF + timedelta(days=n % 3),
        "close_out_passed": False, "capital": "15c3-1 capital charge: fail to deliver",
    }  # fmt: skip
    return Fail(**{**values, **more})  # type: ignore[arg-type]


def test_the_buckets_and_every_fail_with_its_deadlines_are_in_the_text(tmp_path: Path) -> None:
    fails = [line(n) for n in range(1, 4)]
    path = tmp_path / "f.pdf"
    path.write_bytes(fails_report_pdf(AS_OF, BUCKETS, fails))
    text = pdf_text(path)
    assert "Fails as of 2026-12-03" in text
    assert "3 fails: 2 to deliver, 1 to receive" in text
    assert re.search(r"Age \(settlement days\)\s+To deliver\s+To receive\s+Total", text)
    assert re.search(r"1–3\s+2\s+1\s+3", text) and re.search(r"All\s+3\s+1\s+4", text)
    for f in fails:
        assert f.close_out is not None
        assert re.search(
            rf"{f.id}\s+FT[DR]\s+{f.age}\s+{f.settle_date}\s+{f.account}\s+"
            rf"US0378331005\s+AAPL\s+GSCO\s+{f.quantity:,}\s+[\d,.]+\s+USD\s+LACK\s+"
            rf"{f.close_out}\s+fail to deliver",
            text,
        ), f.id
    assert "Page 1 of 1" in text
    assert {name.split("+")[-1] for name, embedded in embedded_fonts(path) if embedded} == {
        "DejaVuSans", "DejaVuSans-Bold",
    }  # fmt: skip
    assert all(embedded for _, embedded in embedded_fonts(path))


def test_a_long_list_repeats_its_headings_and_counts_its_pages(tmp_path: Path) -> None:
    fails = [line(n) for n in range(1, 301)]
    path = tmp_path / "f.pdf"
    path.write_bytes(fails_report_pdf(AS_OF, BUCKETS, fails))
    pages = page_texts(path)
    assert len(pages) > 5
    listed: list[int] = []
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Fails report as of 2026-12-03" in page
        rows = [int(n) for n in re.findall(r"^\s*(9\d{3})\s+FT[DR]", page, re.MULTILINE)]
        if rows:
            assert re.search(r"Obligation\s+Fail\s+Age\s+Settle date\s+Account\s+ISIN", page)
        listed += rows
    assert listed == [f.id for f in fails]
    assert "End of the list: 300 fails." in pages[-1]
    assert "(continued)" in pages[1]


def test_the_same_fails_print_the_same_bytes(tmp_path: Path) -> None:
    fails = [line(n) for n in range(1, 40)]
    first = fails_report_pdf(AS_OF, BUCKETS, fails, printed_at=AT)
    again = [line(n) for n in range(1, 40)]
    assert first == fails_report_pdf(AS_OF, BUCKETS, again, printed_at=AT)
    changed = [*fails[:-1], line(39, fail_reason="CLAC")]
    assert first != fails_report_pdf(AS_OF, BUCKETS, changed, printed_at=AT)


def test_no_fails_says_so(tmp_path: Path) -> None:
    path = tmp_path / "f.pdf"
    path.write_bytes(fails_report_pdf(AS_OF, (), []))
    text = pdf_text(path)
    assert "0 fails: 0 to deliver, 0 to receive" in text and "No fails." in text
    assert "Page 1 of 1" in text


def test_the_header_and_footer_are_the_manifests(tmp_path: Path) -> None:
    at = datetime(2026, 7, 1, 20, 30, tzinfo=UTC)  # 16:30 in New York, summer time
    path = tmp_path / "f.pdf"
    path.write_bytes(fails_report_pdf(AS_OF, BUCKETS, [line(n) for n in range(1, 80)],
                                      firm="Water Street Securities LLC", printed_at=at,
                                      printed_by="Susan Q. Supervisor"))  # fmt: skip
    pages = page_texts(path)
    assert len(pages) > 1
    for number, page in enumerate(pages, 1):
        flat = " ".join(page.split())
        assert "Water Street Securities LLC" in flat
        assert "Printed 2026-07-01 16:30 EDT by Susan Q. Supervisor" in flat
        assert "Fails report as of 2026-12-03" in flat and f"Page {number} of {len(pages)}" in flat
    assert b"/CreationDate (D:20260701163000-04'00')" in path.read_bytes()
    assert fails_report_pdf(AS_OF, BUCKETS, [line(1)], printed_at=at) == fails_report_pdf(
        AS_OF, BUCKETS, [line(1)], printed_at=at)  # fmt: skip
