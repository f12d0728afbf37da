"""What to chase, funder by funder: allocations still Pending long after they were declared
(over 30, 60, 90 days), and Approved ones still unpaid once their session has ended.

The dashboard shows it per funder (funding/chase_overview.py) — who actually pays, as the
per-funder export groups them (funding/funders.py `funder_of`: the company's OPCO, the Caisse des
Dépôts for CPF, France Travail…, else the company or the individual itself) — and each figure
opens the Funding page
filtered the same way (`?chase=…&funder=…`, `chase_filter` and `funder_filter`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import DecimalField, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Opco
from funding.funders import OPCO_TYPES, FunderKind, funder_kind_labels
from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType

if TYPE_CHECKING:
    from certeef.models import Organization

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)

UNPAID = "unpaid"
# The Funding page's "To chase" filter: its values and labels.
CHASE_CHOICES = [
    ("pending_30", _("Pending for over 30 days")),
    ("pending_60", _("Pending for over 60 days")),
    ("pending_90", _("Pending for over 90 days")),
    (UNPAID, _("Approved, unpaid after the session's end")),
]
CHASES = [value for value, _label in CHASE_CHOICES]

# A funding type paid by a funder of its own (the other types: the OPCO, or the carrier).
_TYPES_OF_KIND: dict[str, tuple[str, ...]] = {
    FunderKind.CAISSE_DES_DEPOTS: (FundingType.CPF,),
    FunderKind.FRANCE_TRAVAIL: (FundingType.FRANCE_TRAVAIL,),
    FunderKind.TRANSITIONS_PRO: (FundingType.TRANSITION_PRO,),
    FunderKind.FAF: (FundingType.FAF_SELF_EMPLOYED,),
}
_OWN_FUNDER_TYPES = tuple(t for types in _TYPES_OF_KIND.values() for t in types)


def chase_filter(chase: str, now: datetime.datetime | None = None) -> Q:
    """The allocations of one chase: `pending_30|60|90` (Pending, declared more than that many
    days ago) or `unpaid` (Approved, their session ended before today)."""
    now = now or timezone.now()
    if chase == UNPAID:
        return Q(status=FundingStatus.APPROVED, session__end_date__lt=timezone.localdate(now))
    days = int(chase.removeprefix("pending_"))
    return Q(status=FundingStatus.PENDING, created_at__lt=now - datetime.timedelta(days=days))


def funder_key(kind: str, key: object) -> str:
    """A funder as the URL names it: `caisse_des_depots`, `opco:opco_atlas`, `company:12`…"""
    return kind if key is None else f"{kind}:{key}"


def funder_filter(value: str) -> Q | None:
    """The allocations a funder pays (None for a value that names no funder)."""
    kind, _sep, key = value.partition(":")
    if kind in _TYPES_OF_KIND and not key:
        return Q(funding_type__in=_TYPES_OF_KIND[kind])
    if kind == FunderKind.OPCO and key in Opco.values:
        return Q(funding_type__in=OPCO_TYPES, company__opco=key)
    if not key.isdigit():
        return None
    if kind == FunderKind.OPCO_NOT_SET:
        return Q(funding_type__in=OPCO_TYPES, company_id=int(key), company__opco="")
    excluded = (*OPCO_TYPES, *_OWN_FUNDER_TYPES)
    if kind == FunderKind.COMPANY:
        return Q(company_id=int(key)) & ~Q(funding_type__in=excluded)
    if kind == FunderKind.INDIVIDUAL:
        return Q(individual_id=int(key)) & ~Q(funding_type__in=excluded)
    return None


def funder_name(*, organization: Organization, value: str) -> str:
    """The funder's name, for the Funding page's filter (at most one query)."""
    kind, _sep, key = value.partition(":")
    labels = funder_kind_labels()
    if kind in _TYPES_OF_KIND:
        return labels[kind]
    if kind == FunderKind.OPCO and key in Opco.values:
        return str(Opco(key).label)
    if kind in (FunderKind.COMPANY, FunderKind.OPCO_NOT_SET) and key.isdigit():
        company = Company.objects.filter(organization=organization, pk=int(key)).first()
        return company.name if company else value
    if kind == FunderKind.INDIVIDUAL and key.isdigit():
        allocation = (
            FundingAllocation.objects.filter(organization=organization, individual_id=int(key))
            .select_related("individual__learner")
            .first()
        )
        if allocation is not None and (individual := allocation.individual) is not None:
            return individual.billing_name or individual.learner.full_name
    return value


@dataclass
class ChaseCell:
    count: int = 0
    amount: Decimal = ZERO


@dataclass
class FunderChase:
    key: str
    name: str
    kind_label: str
    cells: dict[str, ChaseCell] = field(default_factory=lambda: {c: ChaseCell() for c in CHASES})

    @property
    def amount(self) -> Decimal:
        """What is owed or awaited in all (pending over 30 days and approved unpaid)."""
        return self.cells["pending_30"].amount + self.cells[UNPAID].amount

    def in_order(self) -> list[tuple[str, ChaseCell]]:
        return [(chase, self.cells[chase]) for chase in CHASES]


@dataclass(frozen=True)
class ChasingOverview:
    funders: list[FunderChase]  # the first ones, most owed first
    funder_count: int
    totals: dict[str, ChaseCell]

    def totals_in_order(self) -> list[tuple[str, ChaseCell]]:
        return [(chase, self.totals[chase]) for chase in CHASES]

    @property
    def empty(self) -> bool:
        return not self.funder_count
