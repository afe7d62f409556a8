"""The business's fixed vocabularies, stored by value in the database."""

from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"
    SELL_SHORT = "sell_short"

    @property
    def label(self) -> str:
        return {"buy": "Buy", "sell": "Sell", "sell_short": "Sell short"}[self.value]

    @property
    def delivers(self) -> bool:
        """A sale delivers securities (and receives cash)."""
        return self is not Side.BUY


class InstrumentType(StrEnum):
    EQUITY = "equity"
    CORPORATE_BOND = "corporate-bond"
    MUNICIPAL_BOND = "municipal-bond"
    TREASURY = "treasury"
    OPTION = "option"
    COMMERCIAL_PAPER = "commercial-paper"
    FUTURE = "future"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()

    @property
    def quoted_in_percent_of_par(self) -> bool:
        """Bonds, bills and commercial paper are priced per 100 of face value.

        Their quantity is the face amount: 25,000 face at 99.5 costs 24,875.
        """
        return self in _QUOTED_IN_PERCENT_OF_PAR

    @property
    def trades_at_or_below_zero(self) -> bool:
        """A futures price may be 0 or negative (US crude settled at -37.63 in April 2020).

        Spreads and strategies, once Desk books them, belong here too. A security at
        0 or below is a slip of the keyboard unless someone says why it is not.
        """
        return self is InstrumentType.FUTURE


_QUOTED_IN_PERCENT_OF_PAR = frozenset(
    {
        InstrumentType.CORPORATE_BOND,
        InstrumentType.MUNICIPAL_BOND,
        InstrumentType.TREASURY,
        InstrumentType.COMMERCIAL_PAPER,
    }
)


class RegistrationType(StrEnum):
    INDIVIDUAL = "individual"
    JOINT_JTWROS = "joint-jtwros"
    JOINT_TIC = "joint-tic"
    JOINT_COMMUNITY = "joint-community"
    TOD = "tod"
    UGMA = "ugma"
    UTMA = "utma"
    TRUST = "trust"
    ESTATE = "estate"
    CORPORATE = "corporate"
    IRA = "ira"

    @property
    def label(self) -> str:
        return {
            "individual": "Individual",
            "joint-jtwros": "Joint (JTWROS)",
            "joint-tic": "Joint (TIC)",
            "joint-community": "Joint (community property)",
            "tod": "Transfer on death",
            "ugma": "Custodial (UGMA)",
            "utma": "Custodial (UTMA)",
            "trust": "Trust",
            "estate": "Estate",
            "corporate": "Corporate",
            "ira": "IRA",
        }[self.value]


def _words(code: str) -> str:
    """``power-of-attorney`` reads "Power of attorney"."""
    return code.replace("-", " ").capitalize()


class AccountType(StrEnum):
    """Whether the firm lends against the account (Reg T margin) or not."""

    CASH = "cash"
    MARGIN = "margin"

    @property
    def label(self) -> str:
        return _words(self.value)


class PartyRole(StrEnum):
    """What a person or entity is to an account (FINRA 4512's parties)."""

    OWNER = "owner"
    JOINT_OWNER = "joint-owner"
    BENEFICIARY = "beneficiary"
    CUSTODIAN = "custodian"
    MINOR = "minor"
    TRUSTEE = "trustee"
    EXECUTOR = "executor"
    POWER_OF_ATTORNEY = "power-of-attorney"
    TRUSTED_CONTACT = "trusted-contact"

    @property
    def label(self) -> str:
        return _words(self.value)


class PartyKind(StrEnum):
    PERSON = "person"
    ENTITY = "entity"

    @property
    def label(self) -> str:
        return _words(self.value)


class InvestmentObjective(StrEnum):
    CAPITAL_PRESERVATION = "capital-preservation"
    INCOME = "income"
    GROWTH = "growth"
    SPECULATION = "speculation"

    @property
    def label(self) -> str:
        return _words(self.value)


class RiskTolerance(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    @property
    def label(self) -> str:
        return _words(self.value)


class TimeHorizon(StrEnum):
    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"

    @property
    def label(self) -> str:
        return {"short": "Short (under 3 years)", "medium": "Medium (3 to 10 years)",
                "long": "Long (over 10 years)"}[self.value]  # fmt: skip


class TaxStatus(StrEnum):
    """How the account's income is taxed (the W-9 or W-8 on file)."""

    TAXABLE = "taxable"
    TAX_DEFERRED = "tax-deferred"
    TAX_EXEMPT = "tax-exempt"
    FOREIGN = "foreign"

    @property
    def label(self) -> str:
        return {"foreign": "Foreign person (W-8)"}.get(self.value, _words(self.value))


class RestrictionKind(StrEnum):
    """Why an account may not move what it holds (`desk_app.domain.restrictions`)."""

    DECEASED = "deceased"
    TRANSFER_FREEZE = "transfer-freeze"
    REG_T_FREEZE = "reg-t-90-day"
    LEGAL_HOLD = "legal-hold"
    STOP_TRANSFER = "stop-transfer"
    AML_REVIEW = "aml-review"
    ACATS = "acats"

    @property
    def label(self) -> str:
        return {
            "deceased": "Deceased holder",
            "transfer-freeze": "Transfer freeze",
            "reg-t-90-day": "Reg T 90-day freeze",
            "legal-hold": "Legal hold",
            "stop-transfer": "Stop transfer",
            "aml-review": "AML review",
            "acats": "ACATS transfer out",
        }[self.value]


class AccountStatus(StrEnum):
    OPEN = "open"
    RESTRICTED = "restricted"
    CLOSED = "closed"


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    COMPLIANCE = "compliance"
    ADMIN = "admin"


class TradeSource(StrEnum):
    MANUAL = "manual"
    CSV = "csv"
    FIX = "fix"


class Direction(StrEnum):
    """Securities movement of a settlement obligation (ISO 20022 RECE/DELI)."""

    RECEIVE = "receive"
    DELIVER = "deliver"

    @property
    def iso_code(self) -> str:
        return "RECE" if self is Direction.RECEIVE else "DELI"


class Payment(StrEnum):
    """Free of payment or against payment (ISO 20022 FREE/APMT)."""

    FREE = "free"
    AGAINST = "against"

    @property
    def iso_code(self) -> str:
        return "FREE" if self is Payment.FREE else "APMT"


class CounterpartyKind(StrEnum):
    BROKER = "broker"
    CUSTODIAN = "custodian"
    CLEARING_HOUSE = "clearing-house"
    TRANSFER_AGENT = "transfer-agent"


class FailReason(StrEnum):
    """sese.024 pending/failing reason codes that clerks chase."""

    LACK = "LACK"  # lack of securities
    MONY = "MONY"  # insufficient money
    CLAC = "CLAC"  # counterparty lacks securities
    CMON = "CMON"  # counterparty insufficient money
    NMAS = "NMAS"  # no matching instruction
    SSID = "SSID"  # settlement instructions missing or wrong
