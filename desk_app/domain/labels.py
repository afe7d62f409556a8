"""How codes read to a person, shared by every list that shows them."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from desk_app.domain.codes import (
    AccountStatus,
    CounterpartyKind,
    FailReason,
    InstrumentType,
    RegistrationType,
    Side,
)
from desk_app.domain.states import (
    ApprovalStatus,
    BoxCountStatus,
    CertificateStatus,
    ManifestStatus,
    ObligationStatus,
    TradeStatus,
)


def labels_of(enum_cls: type[StrEnum]) -> Mapping[str, str]:
    return {
        m.value: str(getattr(m, "label", m.value.replace("_", " ").capitalize())) for m in enum_cls
    }


SIDE = labels_of(Side)
INSTRUMENT_TYPE = labels_of(InstrumentType)
REGISTRATION = labels_of(RegistrationType)
OBLIGATION_STATUS = labels_of(ObligationStatus)
CERTIFICATE_STATUS = labels_of(CertificateStatus)
MANIFEST_STATUS = labels_of(ManifestStatus)
BOX_COUNT_STATUS = labels_of(BoxCountStatus)
ACCOUNT_STATUS = labels_of(AccountStatus)
TRADE_STATUS = labels_of(TradeStatus)
COUNTERPARTY_KIND = labels_of(CounterpartyKind)
TRADE_SOURCE = {"manual": "Manual", "csv": "CSV", "fix": "FIX"}
#: What each sese.024 pending/failing reason code means to the desk.
FAIL_REASON_MEANING = {
    FailReason.LACK: "we lack the securities",
    FailReason.MONY: "we lack the cash",
    FailReason.CLAC: "counterparty lacks the securities",
    FailReason.CMON: "counterparty lacks the cash",
    FailReason.NMAS: "no matching instruction",
    FailReason.SSID: "instructions missing or wrong",
}
#: A reason code as a list shows it: the code, then what it means.
FAIL_REASON = {code.value: f"{code.value}: {text}" for code, text in FAIL_REASON_MEANING.items()}
DIRECTION = {"receive": "Receive", "deliver": "Deliver"}
PAYMENT = {"free": "Free", "against": "Vs payment"}
APPROVAL_STATUS = labels_of(ApprovalStatus)
#: Supervised actions as a queue names them.
ACTIONS = {
    "account.open": "Open account",
    "account.amend": "Amend account",
    "account.set_status": "Change account status",
    "account.lift_restriction": "Lift account restriction",
    "trade.amend_settling": "Amend settling trade",
    "trade.cancel_settling": "Cancel settling trade",
    "transfer.cash": "Cash journal",
    "transfer.securities": "Securities journal",
    "acats.complete_out": "Complete ACATS transfer out",
    "acats.reverse_in": "Reverse ACATS transfer in",
    "ssi.change": "Change standing instruction",
    "rules.change": "Change settlement rules",
    "user.grant": "Grant power to a user",
    "reference.change_in_use": "Change reference data in use",
    "estate.reregister": "Re-register estate",
}


def __getattr__(name: str) -> Mapping[str, str]:
    """``CUSTODY_KIND``, ``LOSS_KIND`` and ``COUNT_RESULT``, made when first read.

    Their enums live with the custody rules (`desk_app.domain.certificates`), which the
    window's first tab does not need before it paints.
    """
    from desk_app.domain import certificates

    enums = {
        "CUSTODY_KIND": certificates.CustodyKind,
        "LOSS_KIND": certificates.LossKind,
        "COUNT_RESULT": certificates.CountResult,
    }
    if name not in enums:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    made = globals()[name] = labels_of(enums[name])
    return made
