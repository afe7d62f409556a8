"""The firms the desk deals with, and who settles what where.

Brokers, custodians and clearing houses are fictitious; their BICs have the right
form and their LEIs get computed check digits.
"""

from __future__ import annotations

from typing import NamedTuple

from desk_app.domain.codes import CounterpartyKind, InstrumentType


class Firm(NamedTuple):
    """A fictitious counterparty. The BIC has no check digit; the LEI's are computed."""

    code: str
    name: str
    kind: CounterpartyKind
    bic: str
    dtc_participant: str | None


_B, _CU, _CH = CounterpartyKind.BROKER, CounterpartyKind.CUSTODIAN, CounterpartyKind.CLEARING_HOUSE
_TA = CounterpartyKind.TRANSFER_AGENT
FIRMS = (
    Firm("HDRS", "Hudson River Securities LLC", _B, "HDRSUS33", "0417"),
    Firm("GPCM", "Granite Peak Capital Markets LLC", _B, "GPCMUS33", "0562"),
    Firm("AMSI", "Atlantic Meridian Securities Inc.", _B, "AMSIUS3N", "0738"),
    Firm("PSBL", "Prairie State Brokerage LLC", _B, "PSBLUS44", "2091"),
    Firm("CYPR", "Cypress Row Trading LLC", _B, "CYPRUS6S", "5186"),
    Firm("LKSC", "Lakeshore Clearing Corp.", _CH, "LKSCUS44", "0293"),
    Firm("RWMS", "Redwood Municipal Securities Inc.", _B, "RWMSUS6S", "2257"),
    Firm("CPGS", "Capital Plaza Government Securities LLC", _B, "CPGSUS33", "0916"),
    Firm("BHCB", "Beacon Hill Custody Bank N.A.", _CU, "BHCBUS3B", "0954"),
    Firm("CSCS", "Canal Street Custody Services Inc.", _CU, "CSCSUS33XXX", "2604"),
    Firm("MTTC", "Meridian Transfer & Trust Company", _TA, "MTTCUS33", None),
    Firm("TMSL", "Thames & Mercer Securities Ltd", _B, "TMSLGB2L", None),
    Firm("FNBL", "Fenwick Blake Stockbrokers Ltd", _B, "FNBLGB2LXXX", None),
    Firm("RWHB", "Rheinland Wertpapierhandelsbank AG", _B, "RWHBDEFF", None),
    Firm("LHPB", "Lindenhof Privatbank AG", _B, "LHPBCHZZ", None),
    Firm("DTC", "The Depository Trust Company", _CH, "DTCYUS33", None),
)
#: LEI prefixes (the issuing LOU) by the BIC's country.
LEI_PREFIX = {"US": "5493", "GB": "2138", "DE": "5299", "CH": "5067"}

_E, _CB, _MB = InstrumentType.EQUITY, InstrumentType.CORPORATE_BOND, InstrumentType.MUNICIPAL_BOND
_TR, _OP, _CP = InstrumentType.TREASURY, InstrumentType.OPTION, InstrumentType.COMMERCIAL_PAPER
#: Who we trade what with: (market, asset class) -> counterparty codes.
ROUTES: dict[tuple[str, InstrumentType], tuple[str, ...]] = {
    ("US", _E): ("HDRS", "GPCM", "AMSI", "PSBL", "CYPR", "LKSC", "BHCB"),
    ("US", _OP): ("LKSC", "CYPR", "HDRS"),
    ("US", _CB): ("AMSI", "GPCM", "HDRS", "CSCS"),
    ("US", _MB): ("RWMS", "AMSI", "HDRS"),
    ("US", _TR): ("CPGS", "GPCM", "BHCB"),
    ("US", _CP): ("CPGS", "BHCB"),
    ("EU", _E): ("RWHB", "TMSL"),
    ("GB", _E): ("TMSL", "FNBL"),
    ("CH", _E): ("LHPB", "RWHB"),
}
#: Routes deliberately left without a standing settlement instruction: their few
#: (recent) trades become settlement exceptions for the clerks to chase.
MISSING_SSIS = (("HDRS", "US", _MB), ("CYPR", "US", _OP), ("CSCS", "US", _CB))
#: Routes whose SSI changed recently: an older, closed version stays on file.
CHANGED_SSIS = (("GPCM", "US", _E), ("TMSL", "GB", _E))
#: Place of settlement by market and asset class (DTC, Fedwire, the European CSDs).
PLACES = {"US": "DTCYUS33", "EU": "DAKVDEFF", "GB": "CRSTGB22", "CH": "INSECHZZ"}
FEDWIRE = "FRNYUS33"
