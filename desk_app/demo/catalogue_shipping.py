"""Where paper certificates go: transfer agents, DTC, couriers and the vault."""

from __future__ import annotations

import random
from typing import NamedTuple


class Recipient(NamedTuple):
    name: str
    short: str
    address: str
    #: Where the register says a certificate is once this recipient has it.
    location: str


TRANSFER_AGENTS = (
    Recipient(
        "Computershare Trust Company, N.A.",
        "Computershare",
        "Attn: Transfer Department\n150 Royall Street\nCanton, MA 02021",
        "Transfer agent: Computershare",
    ),
    Recipient(
        "Equiniti Trust Company, LLC",
        "Equiniti",
        "Attn: Legal Transfers\n55 Challenger Road, 2nd Floor\nRidgefield Park, NJ 07660",
        "Transfer agent: Equiniti",
    ),
    Recipient(
        "Broadridge Corporate Issuer Solutions, LLC",
        "Broadridge",
        "Attn: Transfer Processing\n51 Mercedes Way\nEdgewood, NY 11717",
        "Transfer agent: Broadridge",
    ),
    Recipient(
        "Continental Stock Transfer & Trust Company",
        "Continental",
        "1 State Street, 30th Floor\nNew York, NY 10004",
        "Transfer agent: Continental",
    ),
)
DTC_RECIPIENT = Recipient(
    "The Depository Trust Company",
    "DTC",
    "Attn: Deposits / Custody Services\n570 Washington Blvd\nJersey City, NJ 07310",
    "DTC, 570 Washington Blvd, Jersey City (deposited)",
)
#: The demo firm, whose name its paperwork prints (`desk_app.services.firm`).
DEMO_FIRM = "Water Street Securities LLC"
SENDER = "Physical Securities Dept., 55 Water Street, 12th Floor, New York, NY 10041"
COURIERS = ("FedEx", "UPS", "Brink's Global Services", "DHL Express")
#: The couriers' agents who sign for a package at pickup.
COURIER_AGENTS = ("R. Alvarez", "T. Nguyen", "K. Okafor", "M. Rossi", "D. Kowalski")
VAULTS = ("Vault A", "Vault B", "Vault C")
#: Typical share counts on a certificate; 0 stands for an odd count left by a split.
CERTIFICATE_SHARES = (10, 25, 50, 75, 100, 100, 100, 150, 200, 250, 300, 500, 1000, 2000, 5000, 0)


def airbill(rng: random.Random, courier: str) -> str:
    """A tracking number in the courier's own format."""
    digits = "".join(rng.choice("0123456789") for _ in range(12))
    if courier == "FedEx":
        return f"{digits[:4]} {digits[4:8]} {digits[8:]}"
    if courier == "UPS":
        return f"1Z{rng.choice('VWXY')}{digits[:5]}01{digits[4:12]}"
    if courier.startswith("Brink"):
        return f"BGS-{digits[:9]}"
    return digits[:10]


#: Certificate number series letters; each issuer that numbers by series gets its own.
CERTIFICATE_SERIES = ("NY", "CU", "TB", "NC", "CS", "PA", "BO", "RX", "KT", "WB", "ML", "ZQ")
