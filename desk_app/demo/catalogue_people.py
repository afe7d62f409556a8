"""The people of the demo book: staff, clients, and how their names are written.

Staff and clients are fictitious. A client's account title and the registration on
their certificates follow the forms a US back office writes (JTWROS, UTMA, TOD,
trusts dated "UA"); tax ids are fresh numbers that python-stdnum accepts.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import NamedTuple

from desk_app.domain.codes import RegistrationType, Role
from desk_app.domain.errors import ValidationError
from desk_app.domain.identifiers import validate_tax_id


class Staff(NamedTuple):
    username: str
    full_name: str
    role: Role
    #: FINRA registrations held: (series, year first passed).
    series: tuple[tuple[str, int], ...] = ()


STAFF = (
    Staff("jmorales", "Jennifer Morales", Role.CLERK, (("S99", 2019),)),
    Staff("dkowalski", "Daniel Kowalski", Role.CLERK, (("S7", 2016), ("S63", 2016))),
    Staff("tnguyen", "Thanh Nguyen", Role.CLERK, (("S99", 2021),)),
    Staff("rpatel", "Rhea Patel", Role.CLERK),
    Staff("mobrien", "Michael O'Brien", Role.SUPERVISOR, (("S7", 2008), ("S24", 2012))),
    Staff(
        "sgoldberg", "Sarah Goldberg", Role.SUPERVISOR, (("S7", 2010), ("S9", 2014), ("S10", 2014))
    ),
    Staff("lwashington", "Lena Washington", Role.COMPLIANCE, (("S24", 2011),)),
    Staff("kfischer", "Karl Fischer", Role.ADMIN),
)

#: Every demo staff member's Desk password. Published (README, the demo's first screen):
#: on a local file acting as someone other than your computer login needs their
#: password, and the demo exists so that one person can play maker and checker.
DEMO_PASSWORD = "try-the-demo"


def demo_users_hint() -> str:
    """How to act as each demo user: what the demo's first screen and the CLI say."""
    names = ", ".join(f"{s.username} ({s.role.value})" for s in STAFF)
    return (
        f"Demo users: {names}. Act as one with --user NAME and the password "
        f"{DEMO_PASSWORD}, e.g. desk-app --demo --user mobrien."
    )


#: Branch offices; an account number is the office and five digits ("NYC-20417").
OFFICES = ("NYC", "NYC", "NYC", "BOS", "CHI", "MIA", "SFO")

REGISTERED_REPS = (
    "Rebecca Castillo", "Thomas Whitaker", "Anita Raman", "Marcus Bell", "Grace Liu",
    "Patrick Doyle", "Sofia Esposito", "Jamal Carter", "Helen Novak", "Victor Alvarez",
)  # fmt: skip


FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Charles", "Karen", "Christopher", "Nancy", "Daniel", "Margaret", "Matthew",
    "Lisa", "Anthony", "Betty", "Mark", "Dorothy", "Donald", "Sandra", "Steven", "Ashley",
    "Paul", "Kimberly", "Andrew", "Donna", "Joshua", "Emily", "Kenneth", "Michelle", "Kevin",
    "Carol", "Brian", "Amanda", "George", "Melissa", "Edward", "Deborah", "Luis", "Maria",
    "Carlos", "Ana", "Jose", "Rosa", "Wei", "Mei", "Hiroshi", "Yuki", "Raj", "Priya",
    "Chinedu", "Ngozi", "Tomasz", "Agnieszka", "Dmitri", "Olga", "Ahmed", "Fatima", "Sean",
    "Siobhan", "Giovanni", "Francesca", "Harold", "Evelyn", "Walter", "Gloria", "Arthur",
    "Ruth", "Samuel", "Irene", "Benjamin", "Grace", "Ethan", "Emma", "Noah", "Olivia",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Ortega", "Okafor", "Brennan",
    "Kowalczyk", "Nakamura", "Chen", "Patel", "Shapiro", "Rosenberg", "Fitzgerald", "O'Connor",
    "Russo", "Bianchi", "Schneider", "Weber", "Lindqvist", "Haugen", "Novak", "Horvat",
    "Petrov", "Ivanova", "Haddad", "Khan", "Gupta", "Iyer", "Tanaka", "Kim", "Park", "Choi",
    "Adeyemi", "Mensah", "Delgado", "Castro", "Vargas", "Mendoza", "Whitfield", "Ashworth",
    "Pemberton", "Caldwell", "Holloway", "Prescott", "Sinclair", "Thornton", "Underwood",
)  # fmt: skip
MIDDLE_INITIALS = "ABCDEFGHJKLMNPRSTW"
COMPANY_PATTERNS = (
    "{last} & Sons Hardware Inc.", "{last} Family Holdings LLC", "{last} Dental Group PC",
    "{last} Logistics LLC", "{last} Brothers Construction Co.", "{last} Capital Partners LP",
    "{last} Orthopedic Associates PA", "{last} Farms Inc.", "{last} Engineering Corp.",
    "{last}-{last2} Architects LLP",
)  # fmt: skip
STANDALONE_COMPANIES = (
    "Harbor View Marine Supply Inc.", "Blue Heron Landscaping LLC", "Northgate Properties LP",
    "Cedar Hollow Winery LLC", "Summit Ridge Medical Group PC", "Lighthouse Bakery Co.",
    "Ironwood Tool & Die Corp.", "Riverbend Veterinary Clinic PLLC",
)  # fmt: skip
IRA_KINDS = ("IRA", "IRA", "Roth IRA", "Rollover IRA", "SEP IRA")

#: Residence states, weighted roughly like a New York firm's client base.
STATES = (("NY", 20), ("NJ", 12), ("CT", 6), ("CA", 10), ("FL", 10), ("TX", 7), ("IL", 5),
          ("MA", 6), ("PA", 5), ("OH", 3), ("GA", 3), ("NC", 3), ("WA", 2), ("VA", 3),
          ("AZ", 2), ("CO", 2), ("MI", 2), ("MN", 1), ("MD", 3), ("NV", 1))  # fmt: skip
CITIES = {
    "NY": ("New York", "10021"), "NJ": ("Montclair", "07042"), "CT": ("Greenwich", "06830"),
    "CA": ("San Mateo", "94401"), "FL": ("Boca Raton", "33432"), "TX": ("Austin", "78731"),
    "IL": ("Evanston", "60201"), "MA": ("Newton", "02459"), "PA": ("Bryn Mawr", "19010"),
    "OH": ("Shaker Heights", "44120"), "GA": ("Atlanta", "30305"), "NC": ("Raleigh", "27608"),
    "WA": ("Bellevue", "98004"), "VA": ("McLean", "22101"), "AZ": ("Scottsdale", "85251"),
    "CO": ("Boulder", "80302"), "MI": ("Ann Arbor", "48104"), "MN": ("Edina", "55424"),
    "MD": ("Bethesda", "20814"), "NV": ("Henderson", "89052"),
}  # fmt: skip
STREETS = ("Maple Avenue", "Park Place", "Oak Street", "Elm Drive", "Riverside Drive",
           "Hillcrest Road", "Lake Shore Drive", "Chestnut Lane", "Washington Street",
           "Highland Avenue", "Orchard Way", "Sycamore Court")  # fmt: skip


# --- how the names of clients and their registrations are written ----------------------

_R = RegistrationType
#: Registrations that may sell short (margin accounts); IRAs, minors, estates may not.
MAY_SHORT = frozenset({_R.INDIVIDUAL, _R.JOINT_JTWROS, _R.JOINT_TIC, _R.CORPORATE})
_ENTITIES = frozenset({_R.TRUST, _R.ESTATE, _R.CORPORATE})


class Holder(NamedTuple):
    """Who an account belongs to, written the ways the back office writes it."""

    name: str  # the account title
    holder: str  # the registered holder on a certificate
    registration: str  # the certificate's registration text
    entity: bool  # has an EIN rather than an SSN
    state: str | None
    country: str
    address: str
    opened_on: date


class _Person(NamedTuple):
    first: str
    middle: str
    last: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.middle}. {self.last}"

    @property
    def upper(self) -> str:
        return f"{self.first} {self.middle} {self.last}".upper()


def _person(rng: random.Random, last: str | None = None, other: _Person | None = None) -> _Person:
    """Someone new; never with the same first name as ``other`` (spouse, child)."""
    while True:
        first = rng.choice(FIRST_NAMES)
        if other is None or first != other.first:
            return _Person(first, rng.choice(MIDDLE_INITIALS), last or rng.choice(LAST_NAMES))


def holder(rng: random.Random, kind: RegistrationType, start: date, today: date) -> Holder:
    """A client of registration ``kind``; most opened before ``start``, a few since."""
    a = _person(rng)
    b = _person(rng, a.last if rng.random() < 0.7 else None, a)
    state = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
    name, reg = _titles(rng, kind, a, b, state)
    country = "US" if rng.random() > 0.03 else rng.choice(("GB", "CA", "DE", "CH"))
    city, zip_code = CITIES[state]
    street = f"{rng.randint(2, 2999)} {rng.choice(STREETS)}"
    address = f"{street}\n{city}, {state} {zip_code}"
    if rng.random() < 0.05:
        opened = start + timedelta(days=rng.randrange(max(1, (today - start).days - 10)))
    else:
        opened = date(1996, 1, 2) + timedelta(days=rng.randrange((start - date(1996, 3, 1)).days))
    who = {_R.CORPORATE: name, _R.TRUST: f"{a.full}, Trustee"}.get(kind, a.full)
    return Holder(
        name, who, reg, kind in _ENTITIES, state if country == "US" else None, country,
        f"{name}\n{address}", opened,
    )  # fmt: skip


def _titles(
    rng: random.Random, kind: RegistrationType, a: _Person, b: _Person, state: str
) -> tuple[str, str]:
    """The account title and the certificate registration of one client."""
    both = f"{a.first} & {b.first} {a.last}" if a.last == b.last else f"{a.full} & {b.full}"
    if kind is _R.JOINT_JTWROS:
        return f"{both} JTWROS", f"{a.upper} & {b.upper} JT TEN"
    if kind is _R.JOINT_TIC:
        return f"{both} TIC", f"{a.upper} & {b.upper} TEN COM"
    if kind is _R.JOINT_COMMUNITY:
        return f"{both} Comm Prop", f"{a.upper} & {b.upper} COMMUNITY PROPERTY"
    if kind is _R.TOD:
        return f"{a.full} TOD", f"{a.upper} TOD {b.upper} SUBJ TO STA TOD RULES"
    if kind in (_R.UGMA, _R.UTMA):
        minor = _person(rng, a.last, a)
        law = "UGMA" if kind is _R.UGMA else "UTMA"
        act = "UNIF GIFT MIN ACT" if kind is _R.UGMA else "UNIF TRANS MIN ACT"
        title = f"{a.first} {a.last} Cust {minor.first} {a.last} {law} {state}"
        return title, f"{a.upper} CUST {minor.upper} {act} {state}"
    if kind is _R.TRUST:
        dated = date(1985 + rng.randrange(35), 1 + rng.randrange(12), 1 + rng.randrange(28))
        family = rng.random() < 0.5
        trust = f"The {a.last} Family Trust" if family else f"{a.first} {a.last} Revocable Trust"
        title = trust if family else f"{trust} DTD {dated:%m/%d/%Y}"
        return title, f"{a.upper} TR UA {dated:%m/%d/%Y} {trust.upper()}"
    if kind is _R.ESTATE:
        return f"Estate of {a.first} {a.last}", a.upper
    if kind is _R.CORPORATE:
        if rng.random() < 0.25:
            title = rng.choice(STANDALONE_COMPANIES)
        else:
            title = rng.choice(COMPANY_PATTERNS).format(last=a.last, last2=b.last)
        return title, title.upper().replace(".", "").replace(",", "")
    if kind is _R.IRA:
        return f"{a.full} {rng.choice(IRA_KINDS)}", f"{a.upper} IRA"
    return a.full, a.upper


def tax_id(rng: random.Random, entity: bool, used: set[str]) -> str:
    """A fresh SSN or EIN that python-stdnum accepts (no 000/666/9xx areas, real prefixes)."""
    while True:
        if entity:
            prefix = rng.choice(("13", "20", "26", "27", "45", "46", "47", "81", "82", "83", "84"))
            candidate = f"{prefix}-{rng.randrange(10**7):07d}"
        else:
            area = rng.choice([rng.randint(1, 665), rng.randint(667, 899)])
            group, serial = rng.randint(1, 99), rng.randint(1, 9999)
            candidate = f"{area:03d}-{group:02d}-{serial:04d}"
        try:
            formatted = validate_tax_id(candidate, kind="ein" if entity else "ssn")
        except ValidationError:  # the few numbers the SSA withdrew, e.g. 078-05-1120
            continue
        if formatted not in used:
            used.add(formatted)
            return formatted
