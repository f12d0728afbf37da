"""Reads of funding allocations shared by the Funding page, its exports, the dashboard and the
session page. Every function here runs a fixed number of queries, whatever the number of rows,
and takes its arguments by keyword, as the services do.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Count,
    DecimalField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from certeef.lists import words_matching
from certeef.validators import normalize_digits
from funding.chasing import CHASES, chase_filter, funder_filter
from funding.models import (
    COUNTED_STATUSES,
    AllocationQuerySet,
    FundingAllocation,
    FundingStatus,
    SessionStatusTotal,
    SessionSummary,
)
from funding.types import BPF_LINE, FundingType

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from django_stubs_ext import StrOrPromise

    from certeef.models import Organization

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=12, decimal_places=2)


class CarrierKind:
    """The two kinds of payer (the Funding page's "carrier" filter)."""

    INDIVIDUAL = "individual"
    COMPANY = "company"


@dataclass(frozen=True)
class AllocationFilters:
    """What the Funding page and its exports are narrowed to (all optional)."""

    query: str = ""
    funding_type: str = ""
    status: str = ""
    carrier_kind: str = ""
    session_id: int | None = None
    course_id: int | None = None
    period_from: datetime.date | None = None
    period_to: datetime.date | None = None
    # The allocations one transfer paid (exact reference, as recorded with Paid).
    remittance_reference: str = ""
    # What to chase (funding/chasing.py): `pending_30|60|90` or `unpaid`, and who pays.
    chase: str = ""
    funder: str = ""


# What the Funding page's search looks in: the learner's names, the carrier's name, the CPF case
# number, the funder and remittance references (funding/search.py looks them up table by table).
SEARCHED_FIELDS = (
    "learner__first_name",
    "learner__last_name",
    "company__name",
    "individual__billing_name",
    "cpf_case_number",
    "funder_reference",
    "remittance_reference",
)


def search_allocations(*, allocations: AllocationQuerySet, query: str) -> AllocationQuerySet:
    """Every word must match the learner's name, the carrier's name, the CPF case number, the
    funder reference or the remittance reference. A query made only of digits and spaces is a
    case number typed in groups ("1234 5678 901"): it is searched as one number."""
    query = query.strip()
    if not query:
        return allocations
    digits = normalize_digits(query)
    if digits.isdigit():
        # `icontains`, as the words' search: the same for digits, and PostgreSQL's trigram index
        # on UPPER(case number) serves it (funding/search.py).
        return allocations.filter(
            Q(cpf_case_number__icontains=digits)
            | Q(funder_reference__icontains=query)
            | Q(remittance_reference__icontains=query)
        )
    return allocations.filter(words_matching(query, *SEARCHED_FIELDS))


def filter_allocations(
    *, organization: Organization, filters: AllocationFilters
) -> AllocationQuerySet:
    """The organisation's allocations narrowed by `filters` (unordered, no joins added)."""
    allocations = FundingAllocation.objects.filter(organization=organization)
    if filters.funding_type:
        allocations = allocations.filter(funding_type=filters.funding_type)
    if filters.status:
        allocations = allocations.filter(status=filters.status)
    if filters.carrier_kind == CarrierKind.INDIVIDUAL:
        allocations = allocations.filter(individual__isnull=False)
    elif filters.carrier_kind == CarrierKind.COMPANY:
        allocations = allocations.filter(company__isnull=False)
    if filters.session_id is not None:
        allocations = allocations.filter(session_id=filters.session_id)
    if filters.course_id is not None:
        allocations = allocations.filter(session__course_id=filters.course_id)
    # Period: the session's dates overlap the from–to range (either bound may be open).
    if filters.period_from is not None:
        allocations = allocations.filter(session__end_date__gte=filters.period_from)
    if filters.period_to is not None:
        allocations = allocations.filter(session__start_date__lte=filters.period_to)
    if filters.chase in CHASES:
        allocations = allocations.filter(chase_filter(filters.chase))
    if filters.funder:
        paid_by = funder_filter(filters.funder)
        if paid_by is not None:
            allocations = allocations.filter(paid_by)
    if filters.remittance_reference:
        allocations = allocations.filter(remittance_reference=filters.remittance_reference)
    if filters.query:
        allocations = search_allocations(allocations=allocations, query=filters.query)
    return allocations


def allocation_list(*, organization: Organization, filters: AllocationFilters) -> QuerySet:
    """The Funding page's rows: everything a row shows joined in, in a stable order."""
    # The session's organisation too (always the allocation's): the database can then walk the
    # sessions' (organisation, start date) index from the latest and stop after a page, instead
    # of sorting every matching allocation (674 → 50 ms for 61 000 at 400 000 learners).
    return in_page_order(
        allocations=filter_allocations(organization=organization, filters=filters)
    ).filter(session__organization=organization)


def in_page_order(*, allocations: AllocationQuerySet) -> QuerySet:
    """The Funding page's rows of `allocations`: everything a row shows joined in, latest
    session first."""
    return allocations.for_list().order_by(
        "-session__start_date", "learner__last_name", "learner__first_name", "pk"
    )


@dataclass(frozen=True)
class TotalLine:
    key: str
    label: str
    count: int
    approved_amount: Decimal
    counted_amount: Decimal

    @property
    def bpf_line(self) -> str:
        """The BPF line of a by-type line ("" for a by-status line)."""
        return BPF_LINE.get(self.key, "")


@dataclass(frozen=True)
class AllocationTotals:
    by_type: list[TotalLine]
    by_status: list[TotalLine]
    count: int
    approved_amount: Decimal
    counted_amount: Decimal


def grouped_totals_query(*, allocations: QuerySet, field_names: tuple[str, ...]) -> QuerySet:
    """Count, approved and counted amounts of `allocations` grouped by `field_names`."""
    return (
        allocations.order_by()
        .values(*field_names)
        .annotate(
            # COUNT(*), not COUNT(id): the id is not in PostgreSQL's `allocation_totals` index
            # (organisation, status, type, amount), which then answers the whole query without
            # reading the table (61 000 CPF + Approved rows at 400 000 learners: 166 → 36 ms).
            count=Count("*"),
            approved=Coalesce(Sum("approved_amount"), Value(ZERO), output_field=MONEY),
            counted=Coalesce(
                Sum("approved_amount", filter=Q(status__in=COUNTED_STATUSES)),
                Value(ZERO),
                output_field=MONEY,
            ),
        )
    )


def _by(rows: list[dict], field_name: str) -> dict[str, dict]:
    """Rows grouped more finely, added up by one of their fields."""
    grouped: dict[str, dict] = {}
    for row in rows:
        line = grouped.setdefault(row[field_name], {"count": 0, "approved": ZERO, "counted": ZERO})
        for figure in ("count", "approved", "counted"):
            line[figure] += row[figure]
    return grouped


def _lines(
    grouped: dict[str, dict[str, Any]], choices: Iterable[tuple[str, StrOrPromise]]
) -> list[TotalLine]:
    """Lines in the order of the choices, only for the values present."""
    return [
        TotalLine(
            key=value,
            label=str(label),
            count=grouped[value]["count"],
            approved_amount=grouped[value]["approved"],
            counted_amount=grouped[value]["counted"],
        )
        for value, label in choices
        if value in grouped
    ]


def status_totals(*, allocations: QuerySet) -> list[TotalLine]:
    """Count and approved amount per status (one grouped query)."""
    return _lines(
        _by(list(grouped_totals_query(allocations=allocations, field_names=("status",))), "status"),
        FundingStatus.choices,
    )


def year_status_totals(
    *, organization: Organization, period_from: datetime.date, period_to: datetime.date
) -> list[TotalLine]:
    """`status_totals` of the allocations of the sessions overlapping the period (the Funding
    page's period filter), added up from the sessions' totals by status (funding/chase_models.py
    SessionStatusTotal): one row per session and status instead of every allocation."""
    rows = (
        SessionStatusTotal.objects.filter(
            session__organization=organization,
            session__end_date__gte=period_from,
            session__start_date__lte=period_to,
        )
        .order_by()
        .values("status")
        .annotate(count=Sum("allocations"), approved=Sum("approved_amount"))
    )
    grouped = {
        row["status"]: {
            "count": row["count"],
            "approved": row["approved"].quantize(ZERO),
            "counted": row["approved"].quantize(ZERO)
            if row["status"] in COUNTED_STATUSES
            else ZERO,
        }
        for row in rows
    }
    return _lines(grouped, FundingStatus.choices)


def allocation_totals(*, allocations: QuerySet) -> AllocationTotals:
    """Totals by type and by status of a filtered queryset, computed in the database (one
    query grouped by both, added up here: one pass over the matching rows instead of two).
    `counted_amount` is the Approved + Paid part: what exports and the BPF use."""
    return totals_of(
        rows=list(
            grouped_totals_query(allocations=allocations, field_names=("funding_type", "status"))
        )
    )


def totals_of(*, rows: list[dict[str, Any]]) -> AllocationTotals:
    """The totals of rows grouped by type and status (`grouped_totals_query`'s)."""
    by_type = _lines(_by(rows, "funding_type"), FundingType.choices)
    by_status = _lines(_by(rows, "status"), FundingStatus.choices)
    return AllocationTotals(
        by_type=by_type,
        by_status=by_status,
        count=sum(line.count for line in by_status),
        approved_amount=sum((line.approved_amount for line in by_status), ZERO),
        counted_amount=sum((line.counted_amount for line in by_status), ZERO),
    )


# ---------------------------------------------------------------------------------------------
# Dashboard


@dataclass(frozen=True)
class UnderfundedOverview:
    sessions: int
    learners: int
    amount: Decimal
    # The first sessions (earliest first): id, reference, course title, dates, under-funded
    # learners and shortfall.
    rows: list[dict[str, object]]


def underfunded_overview(
    *, organization: Organization, since: datetime.date, limit: int
) -> UnderfundedOverview:
    """Sessions ending on or after `since` with under-funded learners: the enrolled (not
    cancelled) learners whose course price exceeds what their own counted allocations in that
    session bring, and by how much (the session's summary, funding/summaries.py; courses without
    a price are left out). How many sessions and learners, by how much, and the first `limit`
    sessions, earliest first. Two queries, added up and sorted in the database: at 400 000
    learners nearly every one of the 27 000 sessions of two years has some."""
    summaries = SessionSummary.objects.filter(
        session__organization=organization,
        session__end_date__gte=since,
        underfunded_learners__gt=0,
    ).order_by()
    totals = summaries.aggregate(
        sessions=Count("pk"),
        learners=Coalesce(Sum("underfunded_learners"), Value(0)),
        amount=Coalesce(Sum("funding_shortfall"), Value(ZERO), output_field=MONEY),
    )
    fields = (
        "session_id",
        "session__reference",
        "session__course__title",
        "session__start_date",
        "session__end_date",
    )
    first = summaries.order_by("session__start_date", "session_id").values_list(
        *fields, "underfunded_learners", "funding_shortfall"
    )[:limit]
    rows: list[dict[str, object]] = [
        {**dict(zip(fields, row, strict=False)), "learners": row[-2], "amount": row[-1]}
        for row in first
    ]
    return UnderfundedOverview(
        sessions=totals["sessions"],
        learners=totals["learners"],
        # SQLite adds decimals up in floating point.
        amount=Decimal(str(totals["amount"])).quantize(ZERO),
        rows=rows,
    )


@dataclass(frozen=True)
class PendingSummary:
    count: int
    amount: Decimal
    oldest: list[FundingAllocation]


def pending_allocations(*, organization: Organization, limit: int = 10) -> PendingSummary:
    """Pending allocations: how many, their amount, and the oldest ones (two queries)."""
    pending = FundingAllocation.objects.filter(
        organization=organization, status=FundingStatus.PENDING
    )
    # COUNT(*), not of a column: on PostgreSQL the (organisation, status, type) index that
    # includes the amount answers it alone (migration 0013).
    summary = pending.aggregate(
        count=Count("*"),
        amount=Coalesce(Sum("approved_amount"), Value(ZERO), output_field=MONEY),
    )
    oldest = list(pending.for_list().order_by("created_at", "pk")[:limit])
    return PendingSummary(count=summary["count"], amount=summary["amount"], oldest=oldest)
