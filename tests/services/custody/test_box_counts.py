"""The quarterly box count: sheet, results, differences, deadline, closing (both engines)."""

from __future__ import annotations

import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest

from desk_app.domain.errors import NotPermitted, ValidationError
from desk_app.domain.listing import iter_rows
from desk_app.domain.states import BoxCountStatus
from desk_app.services.custody.box_counts import BoxCountService
from tests.conftest import sign_in
from tests.services.conftest import Desk
from tests.services.custody.certificate_helpers import APPLE, IBM, register, shipped


def test_a_count_finds_its_differences_and_closes_once_each_is_resolved(
    desk: Desk, tmp_path: Path
) -> None:
    register(desk, "K1", "K2", "K3", "K4")
    register(desk, "K9", cusip=APPLE)
    shipped(desk, "K4")  # printed, not picked up: still in the firm's hands
    desk.ws["carl"].certificate_moves.report_lost("K9", "lost", "2026-11-02", "not found")
    carl = desk.ws["carl"]
    counts = BoxCountService(carl.uow, lambda: carl.calendar.calendar("US"),
                             today=lambda: date(2026, 11, 25))  # fmt: skip
    count_id = counts.start()
    summary = counts.summary(count_id)
    assert (summary.quarter, summary.items, summary.pending) == ("2026-Q4", 4, 4)
    with pytest.raises(ValidationError, match="still counting"):
        counts.start()
    pdf = counts.sheet_pdf(count_id)
    (tmp_path / "sheet.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "sheet.pdf"), "-"],
                          check=True, capture_output=True, text=True).stdout  # fmt: skip
    assert all(n in text for n in ("K1", "K2", "K3", "K4")) and "K9" not in text
    assert "Page 1 of 1" in text and "4 certificates" in text
    counts.record(count_id, "K1", found=True)
    counts.record(count_id, "K2", found=True, location="Vault C, drawer 1")
    counts.record(count_id, "K3", found=False, note="not in drawer 3")
    with pytest.raises(ValidationError, match="not counted yet: K4"):
        counts.finish(count_id)
    counts.record(count_id, "K4", found=True)
    with pytest.raises(ValidationError, match="CUSIP:NUMBER"):
        counts.record(count_id, "Z1", found=True)
    counts.record(count_id, f"{IBM}:Z1", found=True, location="Vault A")
    assert counts.finish(count_id) == date(2026, 12, 7)  # 7 business days, Thanksgiving skipped
    summary = counts.summary(count_id)
    assert [(d.certificate_number, d.kind) for d in summary.differences] == [
        ("K2", "Found elsewhere"), ("K3", "Missing"), ("Z1", "Found, not on record"),
    ]  # fmt: skip
    rows = list(iter_rows(counts.items(count_id, differences_only=True)))
    assert sorted(r[1] for r in rows) == ["K2", "K3", "Z1"]
    late = BoxCountService(carl.uow, lambda: carl.calendar.calendar("US"),
                           today=lambda: date(2026, 12, 8))  # fmt: skip
    assert [s.id for s in late.overdue()] == [count_id]
    with pytest.raises(NotPermitted):
        counts.resolve(count_id, "K3", "found in drawer 4")  # a clerk does not resolve
    sue = BoxCountService(desk.ws["sue"].uow, lambda: carl.calendar.calendar("US"))
    sue.resolve(count_id, "K3", "found in drawer 4; register corrected")
    with pytest.raises(ValidationError, match="2 differences are not resolved"):
        sue.close(count_id)
    sue.resolve(count_id, "K2", "moved for audit; register corrected")
    sue.resolve(count_id, "Z1", "returned by the transfer agent; registered")
    with pytest.raises(ValidationError, match="not a difference"):
        sue.resolve(count_id, "K1", "nothing")
    sue.close(count_id, "all differences recorded in time")
    assert counts.summary(count_id).status is BoxCountStatus.CLOSED
    assert late.overdue() == []
    listed = list(iter_rows(counts.counts()))
    assert [(r[0], r[6], r[7], r[8]) for r in listed] == [(count_id, 5, 3, 0)]


def test_one_count_a_quarter_and_what_a_counter_cannot_record(desk: Desk) -> None:
    register(desk, "Q1", "Q2")
    carl = desk.ws["carl"]
    counts = BoxCountService(carl.uow, lambda: carl.calendar.calendar("US"),
                             today=lambda: date(2026, 11, 25))  # fmt: skip
    count_id = counts.start("2026-Q4")
    counts.record(count_id, "Q1", found=True, location="  vault a,  DRAWER 3 ")
    counts.record(count_id, f"{IBM}:Z9", found=True, location="Vault B")
    with pytest.raises(ValidationError, match="cannot be missing"):
        counts.record(count_id, f"{IBM}:Z9", found=False)
    counts.record(count_id, "Q2", found=False)
    with pytest.raises(ValidationError, match="after today"):
        counts.finish(count_id, date(2026, 11, 26))
    counts.finish(count_id)
    deadline = counts.summary(count_id).deadline
    counts.reopen(count_id)  # Q2 turned up: count again before closing
    with pytest.raises(ValidationError, match="NOPE: is not on the count sheet"):
        counts.record_many(count_id, found=["Q2"], missing=["NOPE"])
    kinds = {d.certificate_number: d.kind for d in counts.summary(count_id).differences}
    assert kinds["Q2"] == "Missing"  # nothing of the refused entry was written
    counts.record_many(count_id, found=["Q2"])
    counts.finish(count_id)
    assert counts.summary(count_id).deadline == deadline  # a recount buys no time
    # The same drawer typed another way is no difference; Z9 is.
    assert [d.certificate_number for d in counts.summary(count_id).differences] == ["Z9"]
    sue = BoxCountService(desk.ws["sue"].uow, lambda: carl.calendar.calendar("US"),
                          today=lambda: date(2026, 11, 25))  # fmt: skip
    sue.resolve(count_id, "Z9", "registered: a client's deposit filed without a receipt")
    sue.close(count_id)
    with pytest.raises(ValidationError, match="counted already"):
        counts.start("2026-Q4")
    assert counts.open_count() is None


def test_two_desks_starting_counts_at_once_open_one(desk: Desk) -> None:
    """Different quarters, so only the one-open-count rule can refuse the second."""
    register(desk, "C1")
    desks = [sign_in(desk.url, user) for user in ("carl", "sue")]
    started: list[int] = []
    refused: list[str] = []
    go = threading.Barrier(2)

    def start(n: int, quarter: str) -> None:
        go.wait(5)
        try:
            started.append(desks[n].box_counts.start(quarter))
        except ValidationError as exc:
            refused.append(exc.message)

    threads = [threading.Thread(target=start, args=a) for a in ((0, "2026-Q3"), (1, "2026-Q4"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for ws in desks:
        ws.close()
    assert len(started) == 1 and len(refused) == 1
    assert "still counting; close it first" in refused[0]
