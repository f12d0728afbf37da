"""The BPF report's types: what `compute_bpf` returns and every output reads.

A report is plain data (frozen dataclasses): the page, the exports, the snapshots of filed years
and the checks all read it, and a filed snapshot is rebuilt as one (bpf/snapshots.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

# The keys of the report's sections, in the form's order.
C_CODES = (
    *("1", "a", "b", "c", "d", "e", "f", "g", "h", "2"),
    *("3", "4", "5", "6", "7", "8", "9", "10", "11", "total"),
)
# The lines that are not totals (line 2 adds up a–h; "total" adds up 1 to 11).
C_DETAIL_CODES = tuple(code for code in C_CODES if code not in ("2", "total"))
F1_LINES = ("a", "b", "c", "d", "e", "unclassified")
F3_LINES = ("a_6_8", "a_5", "a_4", "a_3", "a_2", "a_cqp", "b", "c", "d", "e", "f", "unclassified")
# Section F-4 lists this many specialities, then "Autres spécialités".
F4_TOP = 5

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Amount:
    """A section C line: the whole euros to copy, and the exact sum before rounding."""

    value: int
    exact: Decimal


@dataclass(frozen=True)
class Figure:
    """A section F or G line: learners, whole hours to copy, and the hours before rounding."""

    learners: int
    hours: int
    exact_hours: Decimal


@dataclass(frozen=True)
class Speciality:
    code: str
    label: str
    figure: Figure


@dataclass(frozen=True)
class Identity:
    """Section A, as the organisation's settings say."""

    name: str
    slug: str
    legal_form: str = ""
    siret: str = ""
    naf_code: str = ""
    nda: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    # "Acceptez-vous que cette adresse soit rendue publique": None until answered.
    address_public: bool | None = None

    @property
    def full_address(self) -> str:
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.address, place) if part)


@dataclass(frozen=True)
class Inputs:
    """What the administrator typed for the year (sections D, E, H and the share of turnover)."""

    total_costs: int | None = None
    trainer_salaries: int | None = None
    training_purchases: int | None = None
    own_trainers_count: int | None = None
    own_trainers_hours: int | None = None
    external_trainers_count: int | None = None
    external_trainers_hours: int | None = None
    turnover_share: int | None = None
    signatory_name: str = ""
    signatory_title: str = ""
    signature_place: str = ""
    signature_date: datetime.date | None = None


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Check:
    code: str
    severity: str  # ERROR | WARNING
    count: int
    message: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Filing:
    """Set on a report rebuilt from a filed snapshot."""

    filed_at: datetime.datetime
    filed_by: str


@dataclass(frozen=True)
class BpfReport:
    organization: Identity
    # The organisation's row, for what the report's figures cannot give (the detail sheets of the
    # XLSX): by id, because its slug may have changed since a filed report was made.
    organization_id: int
    year: int
    start: datetime.date
    end: datetime.date
    form: str
    has_data: bool
    distance: bool
    c: Mapping[str, Amount]
    f1: Mapping[str, Figure]
    f1_distance: Figure
    f2: Figure
    f3: Mapping[str, Figure]
    f4: tuple[Speciality, ...]
    f4_other: Figure
    f4_unclassified: Figure
    f4_total: Figure
    g: Figure
    inputs: Inputs
    checks: tuple[Check, ...]
    filing: Filing | None = None

    @property
    def errors(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if check.severity == ERROR)

    @property
    def d_total(self) -> int:
        return self.inputs.total_costs or 0
