"""A verifier's blind count of a manifest: what a count that does not agree is told, and
when the manifest locks.

The count is blind: a verifier whose count differs is told only which count differs,
never the manifest's totals, or the second count would copy the first. Each count that
does not agree is an audit event (``manifest.count_failed``, with what was counted);
after `COUNT_ATTEMPTS` of them since the manifest was last verified it is locked, and
only a supervisor who did not prepare it may count and verify it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.permissions import Action

#: Counts that may disagree before a manifest is locked for a supervisor to verify.
COUNT_ATTEMPTS = 3
#: The audit action of a verification count that did not agree.
COUNT_FAILED = "manifest.count_failed"


def failed_counts(session: Session, manifest_id: int) -> int:
    """Counts that did not agree since the manifest was last verified (audit events)."""
    a = m.AuditEntry
    record = (a.table_name == "courier_manifests", a.record_id == str(manifest_id))
    verified = (
        select(func.coalesce(func.max(a.seq), 0))
        .where(*record, a.action == str(Action.MANIFEST_VERIFY), a.change == "update")
        .scalar_subquery()
    )
    found = session.scalar(
        select(func.count()).where(*record, a.action == COUNT_FAILED, a.seq > verified)
    )
    return int(found or 0)


def disagrees(number: str, wrong: Sequence[str], attempt: int, supervisor: bool) -> str:
    """What a verifier whose count is wrong is told: not the totals, only what disagrees."""
    what = " and ".join(wrong)
    said = f"the {what} you counted do not agree with manifest {number}; count the envelope again"
    left = COUNT_ATTEMPTS - attempt
    if supervisor and left <= 0:
        return said
    if left <= 0:
        return (f"{said}. That was count {attempt}: the manifest is now locked, and a supervisor "
                "counts it and verifies it")  # fmt: skip
    return f"{said} ({left} attempt{'s' if left != 1 else ''} left before a supervisor must)"
