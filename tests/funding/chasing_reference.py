"""The chasing list as it was computed before the chasing summaries: straight from the
allocations. The tests compare funding.chase_overview with it on varied data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from companies.models import Opco
from funding.chasing import (
    _TYPES_OF_KIND,
    CHASES,
    MONEY,
    UNPAID,
    ZERO,
    ChaseCell,
    ChasingOverview,
    FunderChase,
    chase_filter,
    funder_key,
)
from funding.funders import OPCO_TYPES, FunderKind, funder_kind_labels
from funding.models import FundingAllocation


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


def direct_overview(*, organization, limit: int = 10) -> ChasingOverview:
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
