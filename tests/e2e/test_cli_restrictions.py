"""``accounts restrictions|restrict|lift``: placed at once, lifted on a principal's approval."""

from __future__ import annotations

from datetime import timedelta

from desk_app.domain.cutoffs import market_today
from tests.e2e.test_cli_supervision import ACCOUNT, Capsys, created, desk, rows, staff


def test_restrict_list_and_lift(capsys: Capsys, db_url: str) -> None:
    staff(capsys, db_url)
    anna, sam = desk(capsys, db_url, "anna"), desk(capsys, db_url, "sam")
    created(sam("approvals", "approve", created(anna(*ACCOUNT))))
    today = market_today()
    freeze = created(anna("accounts", "restrict", "nyc-10001", "--kind", "Reg-T-90-Day",
                          "--reason", "freeriding on the 3rd"))  # fmt: skip
    hold = created(anna("accounts", "restrict", "NYC-10001", "--kind", "legal-hold",
                        "--reason", "subpoena 26-114", "--from", today.isoformat()))  # fmt: skip
    code, out, err = anna("accounts", "restrictions", "NYC-10001", "--format", "csv")
    assert code == 0, err
    listed = rows(out)
    assert [(r["id"], r["kind"], r["state"]) for r in listed] == [
        (freeze, "reg-t-90-day", "in force"), (hold, "legal-hold", "in force")
    ]  # fmt: skip
    assert listed[0]["ends_on"] == (today + timedelta(days=89)).isoformat()
    assert listed[1]["reason"] == "subpoena 26-114" and listed[1]["placed_by"] == "anna"

    lift = created(anna("accounts", "lift", hold, "--reason", "subpoena withdrawn"))
    code, _, err = anna("approvals", "approve", lift)
    assert code == 1 and err  # never one's own
    created(sam("approvals", "approve", lift, "--comment", "counsel's letter seen"))
    code, out, _ = anna("accounts", "restrictions", "NYC-10001")
    assert code == 0 and "Legal hold" not in out  # only open ones without --all
    code, out, _ = anna("accounts", "restrictions", "NYC-10001", "--all", "--format", "csv")
    lifted = next(r for r in rows(out) if r["id"] == hold)
    assert (lifted["state"], lifted["lifted_by"]) == ("lifted", "sam")
    assert lifted["lift_reason"].startswith("subpoena withdrawn (asked by anna")

    code, _, err = anna("accounts", "restrict", "NYC-10001", "--kind", "legal-hold",
                        "--reason", " ")  # fmt: skip
    assert (code, err.strip()) == (1, "reason: say why the account is restricted")
    assert anna("accounts", "restrict", "NYC-10001", "--kind", "gag", "--reason", "x")[0] == 2
    for kind, process in (("deceased", "recording the holder's death"),
                          ("ACATS", "validating an ACATS transfer out")):  # fmt: skip
        code, _, err = anna("accounts", "restrict", "NYC-10001", "--kind", kind, "--reason", "x")
        assert code == 1 and err.startswith(f"--kind {kind.lower()}: a ")
        assert f"restriction is placed only by {process}" in err and "not by hand" in err
    code, _, err = anna("accounts", "lift", "999", "--reason", "x")
    assert (code, err.strip()) == (1, "restriction 999: no such restriction")
