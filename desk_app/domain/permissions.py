"""Who may do what: the role × action matrix every service checks before it acts.

The matrix is data, not scattered ``if`` statements, so that it can be printed for
compliance (``desk-app user roles``) and tested exhaustively.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from desk_app.domain.codes import Role
from desk_app.domain.errors import NotPermitted


class Action(StrEnum):
    """Everything a user can be allowed or refused, named ``area.verb``."""

    VIEW_BOOKS = "books.view"
    VIEW_HISTORY = "history.view"
    REVEAL_TAX_ID = "account.reveal_tax_id"
    ACCOUNT_OPEN = "account.open"
    ACCOUNT_AMEND = "account.amend"
    ACCOUNT_SET_STATUS = "account.set_status"
    ACCOUNT_RESTRICT = "account.restrict"
    ACCOUNT_LIFT_RESTRICTION = "account.lift_restriction"
    APPROVAL_VIEW_ALL = "approval.view_all"
    APPROVAL_DECIDE = "approval.decide"
    USER_VIEW = "user.view"
    USER_MANAGE = "user.manage"
    USER_GRANT = "user.grant"
    GRANT_DECIDE = "user.grant_decide"
    AUDIT_VERIFY = "audit.verify"
    TRADE_BOOK = "trade.book"
    TRADE_IMPORT = "trade.import"
    TRADE_AMEND = "trade.amend"
    TRADE_CANCEL = "trade.cancel"
    TRADE_AMEND_SETTLING = "trade.amend_settling"
    TRADE_CANCEL_SETTLING = "trade.cancel_settling"
    SETTLEMENT_RUN = "settlement.run"
    SETTLEMENT_SETTLE = "settlement.settle"
    SETTLEMENT_DATES_CORRECT = "settlement.correct_dates"
    FAIL_RULES = "fails.rules"
    SSI_CHANGE = "ssi.change"
    RULE_CHANGE = "rules.change"
    TRANSFER_CASH = "transfer.cash"
    TRANSFER_SECURITIES = "transfer.securities"
    ACATS_WORK = "acats.work"
    ACATS_COMPLETE_OUT = "acats.complete_out"
    ACATS_REVERSE_IN = "acats.reverse_in"
    CERTIFICATE_REGISTER = "certificate.register"
    CERTIFICATE_MOVE = "certificate.move"
    CERTIFICATE_REPLACE = "certificate.replace"
    MANIFEST_PREPARE = "manifest.prepare"
    MANIFEST_VERIFY = "manifest.verify"
    BOX_COUNT = "certificate.box_count"
    BOX_COUNT_RESOLVE = "certificate.box_count_resolve"
    REFERENCE_EDIT = "reference.edit"
    REFERENCE_CHANGE_IN_USE = "reference.change_in_use"
    PRICE_IMPORT = "prices.import"
    ESTATE_CASE = "estate.case"
    ESTATE_REREGISTER = "estate.reregister"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def supervised(self) -> bool:
        """A supervised action never applies directly: it becomes an approval request."""
        return self in SUPERVISED


_LABELS = {
    Action.VIEW_BOOKS: "View the books (trades, settlements, accounts, certificates)",
    Action.VIEW_HISTORY: "View a record's history",
    Action.REVEAL_TAX_ID: "Reveal a masked tax id (logged)",
    Action.ACCOUNT_OPEN: "Request an account opening",
    Action.ACCOUNT_AMEND: "Request an account amendment",
    Action.ACCOUNT_SET_STATUS: "Request closing or reopening an account",
    Action.ACCOUNT_RESTRICT: (
        "Place a restriction on an account (freeze, legal hold, stop transfer...): at once"
    ),
    Action.ACCOUNT_LIFT_RESTRICTION: "Request lifting an account's restriction",
    Action.APPROVAL_VIEW_ALL: "See everyone's approval requests",
    Action.APPROVAL_DECIDE: "Approve or reject another user's request",
    Action.USER_VIEW: "See the user list",
    Action.USER_MANAGE: "Add users, change roles and registrations, deactivate",
    Action.USER_GRANT: (
        "Request a grant of power: a supervising or admin role, a registration, "
        "another's password, a login mapping"
    ),
    Action.GRANT_DECIDE: "Approve or reject a grant of power (never one's own, never for oneself)",
    Action.AUDIT_VERIFY: "Verify the audit trail",
    Action.TRADE_BOOK: "Book a trade on the blotter",
    Action.TRADE_IMPORT: "Import a trades file (CSV or FIX)",
    Action.TRADE_AMEND: "Amend a trade before its settlement starts",
    Action.TRADE_CANCEL: "Cancel a trade before its settlement starts",
    Action.TRADE_AMEND_SETTLING: "Request amending a trade whose settlement started or is past",
    Action.TRADE_CANCEL_SETTLING: "Request cancelling a trade whose settlement started or is past",
    Action.SETTLEMENT_RUN: "Create the settlement obligations of trades that lack them",
    Action.SETTLEMENT_SETTLE: "Instruct, match, settle and reverse settlement obligations",
    Action.SETTLEMENT_DATES_CORRECT: (
        "Correct pending obligations' settlement dates to today's calendar rules"
    ),
    Action.FAIL_RULES: "Put instruments on and off the Reg SHO threshold list",
    Action.SSI_CHANGE: "Request adding or changing a standing settlement instruction",
    Action.RULE_CHANGE: (
        "Request a change to the settlement rules: cycles, calendar overrides, fail rules, "
        "aging limits"
    ),
    Action.TRANSFER_CASH: "Request a cash journal from one account to another",
    Action.TRANSFER_SECURITIES: "Request a securities journal from one account to another",
    Action.ACATS_WORK: (
        "Enter ACATS transfers; record validation, exceptions, corrections and purges; "
        "complete a transfer in; reverse a completed transfer out"
    ),
    Action.ACATS_COMPLETE_OUT: "Request completing an ACATS transfer out (assets leave the firm)",
    Action.ACATS_REVERSE_IN: (
        "Request reversing a completed ACATS transfer in (its assets go back to the contra firm)"
    ),
    Action.CERTIFICATE_REGISTER: "Add certificates to the register (by hand or from a CSV file)",
    Action.CERTIFICATE_MOVE: (
        "Move certificates: prepare, return to the vault, report lost, cancel and reissue"
    ),
    Action.CERTIFICATE_REPLACE: "Request replacing a lost certificate (indemnity bond)",
    Action.MANIFEST_PREPARE: "Prepare, print and dispatch courier manifests; record receipts",
    Action.MANIFEST_VERIFY: "Verify another user's courier manifest before it prints",
    Action.BOX_COUNT: "Start a quarterly box count and enter what was counted",
    Action.BOX_COUNT_RESOLVE: "Record how a box count's differences were resolved",
    Action.REFERENCE_EDIT: (
        "Add, amend, deactivate and reactivate counterparties and instruments; "
        "delete one nothing uses"
    ),
    Action.REFERENCE_CHANGE_IN_USE: (
        "Request changing a used counterparty's settlement identifiers or a used "
        "instrument's type, market, currency or multiplier"
    ),
    Action.PRICE_IMPORT: "Import instrument prices (a file; a changed day's price replaces it)",
    Action.ESTATE_CASE: (
        "Record a holder's death (restrict, open the estate case), receive and verify its "
        "documents, print its deficiency letter"
    ),
    Action.ESTATE_REREGISTER: "Request re-registering a deceased holder's account to new owners",
}

#: Actions a firm must supervise (FINRA 3110): maker-checker, never applied directly.
SUPERVISED = frozenset(
    {
        Action.ACCOUNT_OPEN,
        Action.ACCOUNT_AMEND,
        Action.ACCOUNT_SET_STATUS,
        Action.ACCOUNT_LIFT_RESTRICTION,
        Action.TRADE_AMEND_SETTLING,
        Action.TRADE_CANCEL_SETTLING,
        Action.TRANSFER_CASH,
        Action.TRANSFER_SECURITIES,
        Action.ACATS_COMPLETE_OUT,
        Action.ACATS_REVERSE_IN,
        Action.SSI_CHANGE,
        Action.RULE_CHANGE,
        Action.CERTIFICATE_REPLACE,
        Action.USER_GRANT,
        Action.REFERENCE_CHANGE_IN_USE,
        Action.ESTATE_REREGISTER,
    }
)
_ESTATES = frozenset({Action.ESTATE_CASE, Action.ESTATE_REREGISTER})
_CERTIFICATES = frozenset(
    {
        Action.CERTIFICATE_REGISTER,
        Action.CERTIFICATE_MOVE,
        Action.CERTIFICATE_REPLACE,
        Action.MANIFEST_PREPARE,
        Action.MANIFEST_VERIFY,
        Action.BOX_COUNT,
    }
)
_TRADING = frozenset(
    {
        Action.TRADE_BOOK,
        Action.TRADE_IMPORT,
        Action.TRADE_AMEND,
        Action.TRADE_CANCEL,
        Action.TRADE_AMEND_SETTLING,
        Action.TRADE_CANCEL_SETTLING,
        Action.SETTLEMENT_RUN,
        Action.SETTLEMENT_SETTLE,
        Action.TRANSFER_CASH,
        Action.TRANSFER_SECURITIES,
        Action.ACATS_WORK,
        Action.ACATS_COMPLETE_OUT,
        Action.ACATS_REVERSE_IN,
        Action.SSI_CHANGE,
        # Reference data: the clerks who book trades keep their counterparties and
        # instruments; what would change booked trades is supervised (see SUPERVISED).
        Action.REFERENCE_EDIT,
        Action.REFERENCE_CHANGE_IN_USE,
        Action.RULE_CHANGE,
        Action.PRICE_IMPORT,
    }
)

_COMMON = frozenset({Action.VIEW_BOOKS, Action.VIEW_HISTORY})

GRANTS: dict[Role, frozenset[Action]] = {
    Role.CLERK: _COMMON
    | _TRADING
    | _CERTIFICATES
    | _ESTATES
    | {
        Action.REVEAL_TAX_ID,
        Action.ACCOUNT_OPEN,
        Action.ACCOUNT_AMEND,
        Action.ACCOUNT_SET_STATUS,
        Action.ACCOUNT_RESTRICT,
        Action.ACCOUNT_LIFT_RESTRICTION,
    },
    Role.SUPERVISOR: _COMMON
    | _TRADING
    | _CERTIFICATES
    | _ESTATES
    | {
        Action.BOX_COUNT_RESOLVE,
        Action.REVEAL_TAX_ID,
        Action.ACCOUNT_OPEN,
        Action.ACCOUNT_AMEND,
        Action.ACCOUNT_SET_STATUS,
        Action.ACCOUNT_RESTRICT,
        Action.ACCOUNT_LIFT_RESTRICTION,
        Action.APPROVAL_VIEW_ALL,
        Action.APPROVAL_DECIDE,
        Action.GRANT_DECIDE,
        Action.USER_VIEW,
        Action.FAIL_RULES,
        Action.SETTLEMENT_DATES_CORRECT,
    },
    Role.COMPLIANCE: _COMMON
    | {
        Action.REVEAL_TAX_ID,
        Action.APPROVAL_VIEW_ALL,
        Action.GRANT_DECIDE,
        Action.USER_VIEW,
        Action.AUDIT_VERIFY,
        Action.FAIL_RULES,
        Action.BOX_COUNT,
        Action.BOX_COUNT_RESOLVE,
        Action.SETTLEMENT_DATES_CORRECT,
    },
    Role.ADMIN: _COMMON
    | {
        Action.USER_VIEW,
        Action.USER_MANAGE,
        Action.USER_GRANT,
        Action.AUDIT_VERIFY,
    },
}


def allowed(roles: Iterable[Role], action: Action) -> bool:
    return any(action in GRANTS[role] for role in roles)


def refusal(roles: Iterable[Role], action: Action) -> str | None:
    """Why ``roles`` may not do ``action`` (for a tooltip or an error), or None if they may."""
    held = sorted(set(roles))
    if allowed(held, action):
        return None
    needed = [role.value for role in Role if action in GRANTS[role]]
    have = ", ".join(role.value for role in held) or "no role"
    return f"{action.label} needs the {_either(needed)} role (you have {have})"


def _either(names: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return " or ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


#: What a database open read-only still allows: looking (revealing a tax id is logged,
#: so it writes).
READS = frozenset(
    {Action.VIEW_BOOKS, Action.VIEW_HISTORY, Action.APPROVAL_VIEW_ALL, Action.USER_VIEW,
     Action.AUDIT_VERIFY}
)  # fmt: skip
READ_ONLY_REFUSAL = "The database is open read-only: nothing can be changed in it"


def require(roles: Iterable[Role], action: Action) -> None:
    """Raise `NotPermitted` unless one of ``roles`` grants ``action``."""
    reason = refusal(roles, action)
    if reason is not None:
        raise NotPermitted(reason)


def matrix() -> list[tuple[Action, dict[Role, bool]]]:
    """Every action against every role, in declaration order (the printed matrix)."""
    return [(action, {role: action in GRANTS[role] for role in Role}) for action in Action]
