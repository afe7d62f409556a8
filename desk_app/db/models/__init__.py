"""Typed SQLAlchemy models; import from here."""

from desk_app.db.models.acats import AcatsAsset, AcatsTransfer
from desk_app.db.models.base import Base
from desk_app.db.models.certificates import (
    AgingLimit,
    BoxCount,
    BoxCountItem,
    Certificate,
    CertificateLoss,
    CourierManifest,
    CustodyEntry,
    ManifestLine,
    ManifestPrint,
)
from desk_app.db.models.estates import (
    EstateCase,
    EstateDocument,
    EstateDocumentRequirement,
    EstatePredeceased,
    SmallEstateLimit,
)
from desk_app.db.models.holdings import AccountRestriction, InstrumentPrice, RestrictionSweep
from desk_app.db.models.ledger import Journal, LedgerBalance, LedgerEntry, LedgerPosting
from desk_app.db.models.parties import AccountParty
from desk_app.db.models.preferences import SavedFilter
from desk_app.db.models.reference import (
    Account,
    CalendarOverride,
    Counterparty,
    FailRule,
    Instrument,
    SettlementCycle,
    StandingSettlementInstruction,
    User,
    UserRegistration,
)
from desk_app.db.models.seals import RecordSeal, SealLayout
from desk_app.db.models.supervision import (
    ApprovalRequest,
    AuditEntry,
    AuditHead,
    FirstPrincipal,
)
from desk_app.db.models.tax_ids import TaxId, TaxIdReveal
from desk_app.db.models.trading import SettlementNet, SettlementObligation, Trade, TradeImport

__all__ = [
    "AcatsAsset",
    "AcatsTransfer",
    "Account",
    "AccountParty",
    "AccountRestriction",
    "AgingLimit",
    "ApprovalRequest",
    "AuditEntry",
    "AuditHead",
    "Base",
    "BoxCount",
    "BoxCountItem",
    "CalendarOverride",
    "Certificate",
    "CertificateLoss",
    "Counterparty",
    "CourierManifest",
    "CustodyEntry",
    "EstateCase",
    "EstateDocument",
    "EstateDocumentRequirement",
    "EstatePredeceased",
    "SmallEstateLimit",
    "FailRule",
    "FirstPrincipal",
    "Instrument",
    "InstrumentPrice",
    "RestrictionSweep",
    "Journal",
    "LedgerBalance",
    "LedgerEntry",
    "LedgerPosting",
    "ManifestLine",
    "ManifestPrint",
    "RecordSeal",
    "SavedFilter",
    "SealLayout",
    "SettlementCycle",
    "SettlementNet",
    "SettlementObligation",
    "StandingSettlementInstruction",
    "TaxId",
    "TaxIdReveal",
    "Trade",
    "TradeImport",
    "User",
    "UserRegistration",
]
