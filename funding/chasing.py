"""What to chase, funder by funder: allocations still Pending long after they were declared
(over 30, 60, 90 days), and Approved ones still unpaid once their session has ended.

The dashboard shows it per funder — who actually pays, as the per-funder export groups them
(funding/funders.py `funder_of`: the company's OPCO, the Caisse des Dépôts for CPF, France
Travail…, else the company or the individual itself) — and each figure opens the Funding page
filtered the same way (`?chase=…&funder=…`, `chase_filter` and `funder_filter`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Case, CharField, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
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


def _funder_kind() -> Case:
    """Each allocation's funder kind, in SQL (as `funder_of` decides it in Python)."""
    own = [When(funding_type__in=types, then=Value(kind)) for kind, types in _TYPES_OF_KIND.items()]
    return Case(
        *own,
        When(
            Q(funding_type__in=OPCO_TYPES) & Q(company__opco=""),
            then=Value(FunderKind.OPCO_NOT_SET),
        ),
        When(funding_type__in=OPCO_TYPES, then=Value(FunderKind.OPCO)),
        When(individual__isnull=False, then=Value(FunderKind.INDIVIDUAL)),
        default=Value(FunderKind.COMPANY),
        output_field=CharField(),
    )


# Funders that are the carrier itself: one per company (or individual), as many as there are
# carriers, so they are ranked and cut in SQL; the others are a few (the OPCOs, France Travail…).
_CARRIER_KINDS = (FunderKind.OPCO_NOT_SET, FunderKind.COMPANY, FunderKind.INDIVIDUAL)


def chasing_overview(*, organization: Organization, limit: int = 10) -> ChasingOverview:
    """Per funder, how many allocations and how much in each chase, most owed first. Three
    queries whatever the organisation's size: the totals with the number of funders, the few
    institutional funders (grouped by kind and OPCO), and the `limit` carriers owing the most
    (grouped, ranked and cut in SQL) — a page must not read every company and individual."""
    now = timezone.now()
    conditions = {chase: chase_filter(chase, now) for chase in CHASES}
    anything = Q()
    for condition in conditions.values():
        anything |= condition
    annotations: dict[str, Count | Coalesce] = {}
    for chase, condition in conditions.items():
        annotations[f"{chase}_count"] = Count("pk", filter=condition)
        annotations[f"{chase}_amount"] = Coalesce(
            Sum("approved_amount", filter=condition), Value(ZERO), output_field=MONEY
        )
    # What ranks the funders: pending for over 30 days and approved unpaid (FunderChase.amount).
    owed = Coalesce(
        Sum("approved_amount", filter=conditions["pending_30"] | conditions[UNPAID]),
        Value(ZERO),
        output_field=MONEY,
    )
    allocations = (
        FundingAllocation.objects.filter(organization=organization)
        .filter(anything)
        .annotate(
            funder_kind=_funder_kind(),
            # The OPCO, for the OPCO kind only: the other institutional funders are one each.
            funder_opco=Case(
                When(
                    Q(funding_type__in=OPCO_TYPES) & ~Q(company__opco=""),
                    then=F("company__opco"),
                ),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .order_by()
    )
    summary = allocations.aggregate(
        **annotations,
        opco_not_set=Count(
            "company_id", distinct=True, filter=Q(funder_kind=FunderKind.OPCO_NOT_SET)
        ),
        companies=Count("company_id", distinct=True, filter=Q(funder_kind=FunderKind.COMPANY)),
        individuals=Count(
            "individual_id", distinct=True, filter=Q(funder_kind=FunderKind.INDIVIDUAL)
        ),
    )
    # Amounts to the cent on both databases (SQLite's aggregate drops trailing zeros).
    totals = {
        chase: ChaseCell(summary[f"{chase}_count"], summary[f"{chase}_amount"].quantize(ZERO))
        for chase in CHASES
    }
    institutional = (
        allocations.exclude(funder_kind__in=_CARRIER_KINDS)
        .values("funder_kind", "funder_opco")
        .annotate(**annotations)
    )
    carriers = (
        allocations.filter(funder_kind__in=_CARRIER_KINDS)
        .values(
            "funder_kind",
            "company_id",
            "company__name",
            "individual_id",
            "individual__billing_name",
            "individual__learner__first_name",
            "individual__learner__last_name",
        )
        .annotate(owed=owed, **annotations)
        .order_by(
            "-owed", "company__name", "individual__billing_name", "company_id", "individual_id"
        )[:limit]
    )
    labels = funder_kind_labels()
    funders: list[FunderChase] = []
    # The rows' keys include the chases' annotations, unseen by the type checker.
    rows: list[Mapping[str, Any]] = [*institutional, *carriers]
    for row in rows:
        kind = row["funder_kind"]
        if kind == FunderKind.OPCO:
            key, name = row["funder_opco"], str(Opco(row["funder_opco"]).label)
        elif kind == FunderKind.INDIVIDUAL:
            key = row["individual_id"]
            name = row["individual__billing_name"] or (
                f"{row['individual__learner__first_name']} {row['individual__learner__last_name']}"
            )
        elif kind in _CARRIER_KINDS:
            key, name = row["company_id"], row["company__name"]
        else:
            key, name = None, labels[kind]
        chase_row = FunderChase(funder_key(kind, key), name, labels[kind])
        for chase in CHASES:
            chase_row.cells[chase] = ChaseCell(
                row[f"{chase}_count"], row[f"{chase}_amount"].quantize(ZERO)
            )
        funders.append(chase_row)
    ranked = sorted(funders, key=lambda funder: (-funder.amount, funder.name))
    funder_count = (
        len(institutional) + summary["opco_not_set"] + summary["companies"] + summary["individuals"]
    )
    return ChasingOverview(funders=ranked[:limit], funder_count=funder_count, totals=totals)
