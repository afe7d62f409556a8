"""The issuers and securities the demo book trades.

Issuers are real (a demo of a US back office should show Apple and IBM).
Identifiers here are *bases* only: the generator computes every check digit (CUSIP,
ISIN) with the same code that validates real data, so nothing here can carry a
wrong one. Prices are where each instrument's price walk starts.
"""

from __future__ import annotations

from typing import NamedTuple


class Equity(NamedTuple):
    """A listed share. ``cusip8`` is the CUSIP without its check digit."""

    symbol: str
    cusip8: str
    issuer: str
    security_class: str
    price: float
    #: First year we may have paper certificates of it (None: book-entry only).
    certificated_since: int | None


US_EQUITIES = (
    Equity("AAPL", "03783310", "Apple Inc.", "Common Stock", 210, 1980),
    Equity("MSFT", "59491810", "Microsoft Corporation", "Common Stock", 450, 1986),
    Equity("AMZN", "02313510", "Amazon.com, Inc.", "Common Stock", 200, 1997),
    Equity("GOOGL", "02079K30", "Alphabet Inc.", "Class A Common Stock", 170, None),
    Equity("META", "30303M10", "Meta Platforms, Inc.", "Class A Common Stock", 600, None),
    Equity("TSLA", "88160R10", "Tesla, Inc.", "Common Stock", 300, None),
    Equity("NVDA", "67066G10", "NVIDIA Corporation", "Common Stock", 140, 1999),
    Equity("JPM", "46625H10", "JPMorgan Chase & Co.", "Common Stock", 250, 1969),
    Equity("BRK.B", "08467070", "Berkshire Hathaway Inc.", "Class B Common Stock", 480, 1996),
    Equity("JNJ", "47816010", "Johnson & Johnson", "Common Stock", 155, 1944),
    Equity("XOM", "30231G10", "Exxon Mobil Corporation", "Common Stock", 110, 1950),
    Equity("PG", "74271810", "The Procter & Gamble Company", "Common Stock", 165, 1950),
    Equity("V", "92826C83", "Visa Inc.", "Class A Common Stock", 340, None),
    Equity("WMT", "93114210", "Walmart Inc.", "Common Stock", 95, 1970),
    Equity("KO", "19121610", "The Coca-Cola Company", "Common Stock", 70, 1950),
    Equity("PEP", "71344810", "PepsiCo, Inc.", "Common Stock", 145, 1965),
    Equity("INTC", "45814010", "Intel Corporation", "Common Stock", 21, 1971),
    Equity("CSCO", "17275R10", "Cisco Systems, Inc.", "Common Stock", 62, 1990),
    Equity("PFE", "71708110", "Pfizer Inc.", "Common Stock", 25, 1950),
    Equity("MRK", "58933Y10", "Merck & Co., Inc.", "Common Stock", 85, 1950),
    Equity("CVX", "16676410", "Chevron Corporation", "Common Stock", 150, 1950),
    Equity("HD", "43707610", "The Home Depot, Inc.", "Common Stock", 370, 1981),
    Equity("DIS", "25468710", "The Walt Disney Company", "Common Stock", 110, 1957),
    Equity("VZ", "92343V10", "Verizon Communications Inc.", "Common Stock", 43, 1984),
    Equity("T", "00206R10", "AT&T Inc.", "Common Stock", 27, 1984),
    Equity("BAC", "06050510", "Bank of America Corporation", "Common Stock", 45, 1970),
    Equity("WFC", "94974610", "Wells Fargo & Company", "Common Stock", 75, 1970),
    Equity("C", "17296742", "Citigroup Inc.", "Common Stock", 75, 1970),
    Equity("GS", "38141G10", "The Goldman Sachs Group, Inc.", "Common Stock", 600, 1999),
    Equity("MS", "61744644", "Morgan Stanley", "Common Stock", 130, 1993),
    Equity("IBM", "45920010", "International Business Machines Corp.", "Capital Stock", 250, 1950),
    Equity("ORCL", "68389X10", "Oracle Corporation", "Common Stock", 180, 1986),
    Equity("NKE", "65410610", "NIKE, Inc.", "Class B Common Stock", 65, 1980),
    Equity("MCD", "58013510", "McDonald's Corporation", "Common Stock", 300, 1965),
    Equity("BA", "09702310", "The Boeing Company", "Common Stock", 190, 1950),
    Equity("CAT", "14912310", "Caterpillar Inc.", "Common Stock", 350, 1950),
    Equity("MMM", "88579Y10", "3M Company", "Common Stock", 140, 1950),
    Equity("GE", "36960430", "General Electric Company", "Common Stock", 230, 1950),
    Equity("F", "34537086", "Ford Motor Company", "Common Stock", 10, 1956),
    Equity("COST", "22160K10", "Costco Wholesale Corporation", "Common Stock", 980, 1985),
    Equity("SBUX", "85524410", "Starbucks Corporation", "Common Stock", 90, 1992),
    Equity("NFLX", "64110L10", "Netflix, Inc.", "Common Stock", 1100, None),
    Equity("ADBE", "00724F10", "Adobe Inc.", "Common Stock", 380, 1986),
    Equity("AMD", "00790310", "Advanced Micro Devices, Inc.", "Common Stock", 130, 1972),
    Equity("QCOM", "74752510", "QUALCOMM Incorporated", "Common Stock", 155, 1991),
    Equity("UNH", "91324P10", "UnitedHealth Group Incorporated", "Common Stock", 300, 1984),
    Equity("LLY", "53245710", "Eli Lilly and Company", "Common Stock", 800, 1970),
    Equity("HON", "43851610", "Honeywell International Inc.", "Common Stock", 220, 1950),
    Equity("AXP", "02581610", "American Express Company", "Common Stock", 300, 1977),
    Equity("MA", "57636Q10", "Mastercard Incorporated", "Class A Common Stock", 560, None),
    Equity("TXN", "88250810", "Texas Instruments Incorporated", "Common Stock", 190, 1953),
    Equity("LMT", "53983010", "Lockheed Martin Corporation", "Common Stock", 470, 1995),
    Equity("MO", "02209S10", "Altria Group, Inc.", "Common Stock", 58, 1950),
    Equity("ABT", "00282410", "Abbott Laboratories", "Common Shares", 130, 1950),
    Equity("SPY", "78462F10", "SPDR S&P 500 ETF Trust", "Units", 560, None),
    Equity("QQQ", "46090E10", "Invesco QQQ Trust, Series 1", "Units", 480, None),
)


class ForeignEquity(NamedTuple):
    """A European share. ``isin11`` is the ISIN without its check digit."""

    symbol: str
    isin11: str
    issuer: str
    security_class: str
    market: str
    currency: str
    price: float


FOREIGN_EQUITIES = (
    ForeignEquity("SAP", "DE000716460", "SAP SE", "Ordinary Shares", "EU", "EUR", 230),
    ForeignEquity("SIE", "DE000723610", "Siemens AG", "Registered Shares", "EU", "EUR", 190),
    ForeignEquity("ALV", "DE000840400", "Allianz SE", "Registered Shares", "EU", "EUR", 330),
    ForeignEquity(
        "DTE", "DE000555750", "Deutsche Telekom AG", "Registered Shares", "EU", "EUR", 31
    ),
    ForeignEquity("ASML", "NL001027321", "ASML Holding N.V.", "Ordinary Shares", "EU", "EUR", 650),
    ForeignEquity("TTE", "FR000012027", "TotalEnergies SE", "Ordinary Shares", "EU", "EUR", 55),
    ForeignEquity("SHEL", "GB00BP6MXD8", "Shell plc", "Ordinary Shares", "GB", "GBP", 26),
    ForeignEquity("AZN", "GB000989529", "AstraZeneca PLC", "Ordinary Shares", "GB", "GBP", 110),
    ForeignEquity("HSBA", "GB000540528", "HSBC Holdings plc", "Ordinary Shares", "GB", "GBP", 9),
    ForeignEquity("ULVR", "GB00B10RZP7", "Unilever PLC", "Ordinary Shares", "GB", "GBP", 47),
    ForeignEquity("NESN", "CH003886335", "Nestle S.A.", "Registered Shares", "CH", "CHF", 80),
    ForeignEquity("NOVN", "CH001200526", "Novartis AG", "Registered Shares", "CH", "CHF", 90),
    ForeignEquity("ROG", "CH001203204", "Roche Holding AG", "Genussscheine", "CH", "CHF", 260),
)


class Bond(NamedTuple):
    """A fixed-coupon bond: ``issuer6`` + ``issue2`` is the CUSIP base."""

    issuer: str
    issuer6: str
    issue2: str
    coupon: str
    maturity: str
    price: float


CORPORATE_BONDS = (
    Bond("Apple Inc", "037833", "AL", "3.85", "2043-05-04", 86),
    Bond("Apple Inc", "037833", "DX", "1.65", "2031-02-08", 86),
    Bond("Microsoft Corp", "594918", "BZ", "2.40", "2026-08-08", 99),
    Bond("Amazon.com Inc", "023135", "BX", "4.70", "2034-12-01", 100),
    Bond("JPMorgan Chase & Co", "46625H", "RV", "4.25", "2027-10-01", 99.5),
    Bond("Johnson & Johnson", "478160", "BU", "3.40", "2038-01-15", 88),
    Bond("Exxon Mobil Corp", "30231G", "AU", "4.114", "2046-03-01", 84),
    Bond("Verizon Communications Inc", "92343V", "DP", "4.329", "2028-09-21", 99),
    Bond("AT&T Inc", "00206R", "MA", "3.50", "2053-09-15", 68),
    Bond("Bank of America Corp", "060505", "AB", "6.11", "2037-01-29", 107),
    Bond("Wells Fargo & Co", "949746", "SF", "5.013", "2051-04-04", 92),
    Bond("International Business Machines Corp", "459200", "AQ", "4.15", "2039-05-15", 90),
    Bond("Oracle Corp", "68389X", "BF", "2.875", "2031-03-25", 88),
    Bond("Home Depot Inc", "437076", "CD", "4.50", "2048-12-06", 87),
    Bond("Coca-Cola Co", "191216", "AW", "3.45", "2030-03-25", 96),
    Bond("Pfizer Inc", "717081", "DE", "4.125", "2046-12-15", 83),
)

MUNICIPAL_BONDS = (
    Bond("New York City NY GO", "64966Q", "HT", "5.00", "2038-08-01", 108),
    Bond("California St GO Various Purpose", "13063D", "RK", "4.00", "2041-10-01", 101),
    Bond("Los Angeles Calif Dept Wtr & Pwr Rev", "544495", "VZ", "5.00", "2044-07-01", 106),
    Bond("Massachusetts St Sch Bldg Auth Sales Tax Rev", "576000", "XJ", "5.00", "2045-08-15", 105),
    Bond("Texas St Transn Commn St Hwy Fd Rev", "882830", "BC", "4.00", "2035-04-01", 102),
    Bond("Illinois St GO", "452152", "UC", "5.50", "2033-05-01", 104),
    Bond("Port Auth NY & NJ Cons Bds", "73358W", "KM", "4.00", "2050-09-01", 95),
    Bond("Chicago Ill O'Hare Intl Arpt Rev", "167593", "ZN", "5.00", "2039-01-01", 104),
    Bond("Metropolitan Transn Auth NY Transn Rev", "59261A", "NF", "4.00", "2048-11-15", 94),
    Bond("Washington St GO", "93974E", "WD", "5.00", "2036-02-01", 109),
    Bond("Florida St Brd Ed Pub Ed Cap Outlay", "341507", "PB", "3.00", "2034-06-01", 96),
)

#: US Treasury coupon securities: notes 91282C.., bonds 912810...
TREASURIES = (
    Bond("US Treasury Note", "91282C", "KU", "4.25", "2029-06-30", 100.5),
    Bond("US Treasury Note", "91282C", "JW", "3.875", "2027-07-15", 99.75),
    Bond("US Treasury Note", "91282C", "LF", "4.00", "2031-02-15", 99.25),
    Bond("US Treasury Note", "91282C", "MB", "4.375", "2034-11-15", 100),
    Bond("US Treasury Note", "91282C", "HN", "4.125", "2026-07-31", 99.9),
    Bond("US Treasury Bond", "912810", "UA", "4.625", "2054-05-15", 96),
    Bond("US Treasury Bond", "912810", "TV", "4.75", "2053-11-15", 98),
    Bond("US Treasury Bond", "912810", "SN", "1.875", "2051-02-15", 56),
)
#: Bills (912797..) mature within a year, so their dates follow the demo's "today".
TREASURY_BILL_WEEKS = (4, 13, 26, 52)

#: Commercial paper issuers; the CUSIP's last two characters encode the maturity.
CP_ISSUERS = (
    ("Toyota Motor Credit Corp", "89233G"),
    ("John Deere Capital Corp", "24422L"),
    ("Walmart Inc", "93114E"),
    ("Coca-Cola Co", "19121B"),
    ("Exxon Mobil Corp", "30229B"),
    ("PepsiCo Inc", "71344T"),
)
CP_MONTH_CODES = "ABCDEFGHJKLM"
CP_DAY_CODES = "123456789ABCDEFGHJKLMNPQRSTUVWX"

#: Underlyings of the listed options in the demo book.
OPTION_ROOTS = ("AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "JPM", "SPY")
