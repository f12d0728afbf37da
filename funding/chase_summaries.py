"""The chasing summaries (funding/chase_models.py): per session and per organisation, the Approved
allocations by funder, as `refresh_funding_summaries` keeps them.

A session's rows are rebuilt from its allocations. Then each funder whose figures in those
sessions moved has its organisation total added up again from its session rows, under a lock on
that total's row (taken in funder order, so that two writers never wait on each other in a
circle): a writer on another session changing the same funder waits, then adds up what the first
one committed. A funder's total row is created at zero the first time one of its allocations is
approved and stays, so that there is always a row to lock.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from funding.chase_models import FunderChase, SessionFunderChase, SessionStatusTotal
from funding.funders import OPCO_TYPES, FunderKind
from funding.models import FundingAllocation, FundingStatus
from funding.summaries import SUM_FIELD
from funding.types import FundingType
from training.changes import SessionIds, StoredSummary

if TYPE_CHECKING:
    from django.db.models import QuerySet

# A funding type paid by a funder of its own, whoever carries the allocation.
OWN_FUNDER_TYPES: dict[str, tuple[str, ...]] = {
    FunderKind.CAISSE_DES_DEPOTS: (FundingType.CPF,),
    FunderKind.FRANCE_TRAVAIL: (FundingType.FRANCE_TRAVAIL,),
    FunderKind.TRANSITIONS_PRO: (FundingType.TRANSITION_PRO,),
    FunderKind.FAF: (FundingType.FAF_SELF_EMPLOYED,),
}

# Session rows read and written per batch.
ROW_BATCH = 2000

STORED_CHASES = [
    StoredSummary(
        "SessionFunderChase",
        SessionFunderChase,
        key=("funder",),
        fields=("approved_count", "approved_amount"),
    ),
    StoredSummary(
        "SessionStatusTotal",
        SessionStatusTotal,
        key=("status",),
        fields=("allocations", "approved_amount"),
    ),
]


def stored_kind() -> Case:
    """An allocation's funder kind as the summaries store it: "opco" for every OPCO type (the
    company's OPCO, or its absence, is read with the company)."""
    own = [
        When(funding_type__in=types, then=Value(kind)) for kind, types in OWN_FUNDER_TYPES.items()
    ]
    return Case(
        *own,
        When(funding_type__in=OPCO_TYPES, then=Value(FunderKind.OPCO)),
        When(individual__isnull=False, then=Value(FunderKind.INDIVIDUAL)),
        default=Value(FunderKind.COMPANY),
        output_field=CharField(),
    )


def _carrier(field: str) -> Case:
    """The carrier's id, but none for the funders of their own (one funder, whoever carries)."""
    own = [t for types in OWN_FUNDER_TYPES.values() for t in types]
    return Case(
        When(funding_type__in=own, then=Value(None)), default=field, output_field=IntegerField()
    )


def funder_of(kind: str, company_id: int | None, individual_id: int | None) -> str:
    """The key of a funder (FunderChase.funder)."""
    return f"{kind}:{company_id or ''}:{individual_id or ''}"


def by_funder(allocations: QuerySet[FundingAllocation], *fields: Any) -> QuerySet[Any, Any]:
    """Allocations grouped by `fields` and stored funder: kind, company id, individual id (a
    values() query, to annotate with the figures)."""
    return allocations.annotate(
        chase_kind=stored_kind(),
        chase_company=_carrier("company_id"),
        chase_individual=_carrier("individual_id"),
    ).values(*fields, "chase_kind", "chase_company", "chase_individual")


type _Figures = dict[tuple[int, str], tuple[int, Decimal]]


def _stored(ids: SessionIds) -> _Figures:
    rows = SessionFunderChase.objects.filter(session_id__in=ids).values_list(
        "session__organization_id", "funder", "approved_count", "approved_amount"
    )
    figures: _Figures = {}
    for organization_id, funder, count, amount in rows:
        old = figures.get((organization_id, funder), (0, Decimal(0)))
        figures[(organization_id, funder)] = (old[0] + count, old[1] + amount)
    return figures


def refresh_funder_chases(ids: SessionIds) -> None:
    """Rebuild these (locked) sessions' totals by status and SessionFunderChase rows, then the
    total of every funder whose figures in them moved, by what moved."""
    SessionStatusTotal.objects.filter(session_id__in=ids).delete()
    by_status = (
        FundingAllocation.objects.filter(session_id__in=ids)
        .order_by()
        .values("session_id", "status")
        .annotate(count=Count("pk"), amount=Sum("approved_amount", output_field=SUM_FIELD))
    )
    status_rows = (
        SessionStatusTotal(
            session_id=row["session_id"],
            status=row["status"],
            allocations=row["count"],
            approved_amount=row["amount"],
        )
        for row in by_status.iterator(chunk_size=ROW_BATCH)
    )
    for statuses in itertools.batched(status_rows, ROW_BATCH):
        SessionStatusTotal.objects.bulk_create(statuses)
    before = _stored(ids)
    SessionFunderChase.objects.filter(session_id__in=ids).delete()
    approved = by_funder(
        FundingAllocation.objects.filter(
            session_id__in=ids, status=FundingStatus.APPROVED
        ).order_by(),
        "session_id",
        "organization_id",
    )
    rows = approved.annotate(
        count=Count("pk"), amount=Sum("approved_amount", output_field=SUM_FIELD)
    )
    after: _Figures = {}

    def created() -> Iterator[SessionFunderChase]:
        for row in rows.iterator(chunk_size=ROW_BATCH):
            funder = funder_of(row["chase_kind"], row["chase_company"], row["chase_individual"])
            count, amount = after.get((row["organization_id"], funder), (0, Decimal(0)))
            after[(row["organization_id"], funder)] = (count + row["count"], amount + row["amount"])
            yield SessionFunderChase(
                session_id=row["session_id"],
                funder=funder,
                approved_count=row["count"],
                approved_amount=row["amount"],
            )

    # Written as read, ROW_BATCH at a time: a whole organisation's rows (`refresh_sessions` given
    # a query) are hundreds of thousands at 400 000 learners.
    for batch in itertools.batched(created(), ROW_BATCH):
        SessionFunderChase.objects.bulk_create(batch)
    changes: dict[int, dict[str, tuple[int, Decimal]]] = {}
    for key in before.keys() | after.keys():
        (was_count, was_amount), (count, amount) = (
            before.get(key, (0, Decimal(0))),
            after.get(key, (0, Decimal(0))),
        )
        if (count, amount) != (was_count, was_amount):
            organization_id, funder = key
            changes.setdefault(organization_id, {})[funder] = (
                count - was_count,
                amount - was_amount,
            )
    for organization_id in sorted(changes):
        move_funders(organization_id, changes[organization_id])


def parse_funder(funder: str) -> tuple[str, int | None, int | None]:
    """A funder key's kind, company id and individual id."""
    kind, company, individual = funder.split(":")
    return kind, int(company) if company else None, int(individual) if individual else None


def _locked_totals(organization_id: int, funders: list[str]) -> QuerySet[FunderChase]:
    """These funders' totals, created at zero if new, locked in funder order (two writers lock
    the funders they share in the same order: no deadlock)."""
    FunderChase.objects.bulk_create(
        [
            FunderChase(
                organization_id=organization_id,
                funder=funder,
                kind=kind,
                company_id=company,
                individual_id=individual,
            )
            for funder in funders
            for kind, company, individual in [parse_funder(funder)]
        ],
        ignore_conflicts=True,
    )
    totals = FunderChase.objects.filter(organization_id=organization_id, funder__in=funders)
    list(totals.select_for_update().order_by("funder").values_list("pk", flat=True))
    return totals


def move_funders(organization_id: int, changes: dict[str, tuple[int, Decimal]]) -> None:
    """Add to each funder's total what its sessions' rows gained (count, amount; negative when
    they lost): an UPDATE adding to the locked row, so two writers of different sessions both
    count, and its cost does not grow with the funder's other sessions (adding them all up again
    took 70 ms per status change for a funder of a busy organisation at 400 000 learners)."""
    funders = sorted(changes)
    for first in range(0, len(funders), 500):
        chunk = funders[first : first + 500]
        count = Case(
            *(When(funder=funder, then=Value(changes[funder][0])) for funder in chunk),
            default=Value(0),
            output_field=IntegerField(),
        )
        amount = Case(
            *(When(funder=funder, then=Value(changes[funder][1])) for funder in chunk),
            default=Value(Decimal(0)),
            output_field=SUM_FIELD,
        )
        _locked_totals(organization_id, chunk).update(
            approved_count=F("approved_count") + count,
            approved_amount=F("approved_amount") + amount,
        )


def add_up_funders(organization_id: int, funders: Iterable[str]) -> None:
    """Add these funders' totals up again from their session rows, once locked: a statement run
    after the lock sees what a writer that held it before has committed."""
    funders = sorted(funders)
    for first in range(0, len(funders), 500):
        rows = (
            SessionFunderChase.objects.filter(
                session__organization_id=organization_id, funder=OuterRef("funder")
            )
            .order_by()
            .values("funder")
        )
        count = rows.annotate(n=Sum("approved_count")).values("n")
        amount = rows.annotate(n=Sum("approved_amount", output_field=SUM_FIELD)).values("n")
        _locked_totals(organization_id, funders[first : first + 500]).update(
            approved_count=Coalesce(Subquery(count), Value(0), output_field=IntegerField()),
            approved_amount=Coalesce(Subquery(amount), Value(0), output_field=SUM_FIELD),
        )


@transaction.atomic
def rebuild_funder_chases(organization_id: int) -> None:
    """Every total of this organisation added up again (the summaries command's refresh: data
    changed another way, a restore)."""
    stored = FunderChase.objects.filter(organization_id=organization_id)
    rows = SessionFunderChase.objects.filter(session__organization_id=organization_id)
    add_up_funders(
        organization_id,
        {*stored.values_list("funder", flat=True), *rows.values_list("funder", flat=True)},
    )


def _cents(amount: Any) -> Decimal:
    """An amount compared to the cent: SQLite adds decimals up in floating point (a sum of
    7 770.60 can come back as 7 770.600000000001), which is not a drift."""
    return Decimal(amount).quantize(Decimal("0.01"))


def funder_chase_drifts(organization_id: int) -> list[tuple[str, Any, Any]]:
    """Each total of this organisation that differs from the sum of its session rows:
    (funder, stored (count, amount), sum), changing nothing."""
    sums = {
        funder: (count, amount)
        for funder, count, amount in SessionFunderChase.objects.filter(
            session__organization_id=organization_id
        )
        .order_by()
        .values("funder")
        .annotate(count=Sum("approved_count"), amount=Sum("approved_amount"))
        .values_list("funder", "count", "amount")
    }
    stored = {
        funder: (count, amount)
        for funder, count, amount in FunderChase.objects.filter(
            organization_id=organization_id
        ).values_list("funder", "approved_count", "approved_amount")
    }
    drifts = []
    for funder in sorted(sums.keys() | stored.keys()):
        was, should = stored.get(funder, (0, 0)), sums.get(funder, (0, 0))
        if (was[0], _cents(was[1])) != (should[0], _cents(should[1])):
            drifts.append((funder, stored.get(funder), sums.get(funder)))
    return drifts
