"""Reads of funding allocations shared by the Funding page, its exports, the dashboard and the
session page. Every function here runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from certeef.validators import normalize_digits
from funding.models import COUNTED_STATUSES, FundingAllocation, FundingStatus
from funding.types import BPF_LINE, FundingType
from training.models import Enrollment, Session

if TYPE_CHECKING:
    from certeef.models import Organization

ZERO = Decimal("0.00")
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


def search_allocations(allocations: QuerySet, query: str) -> QuerySet:
    """Every word must match the learner's name, the carrier's name, the CPF case number or the
    funder reference. A query made only of digits and spaces is a case number typed in groups
    ("1234 5678 901"): it is searched as one number."""
    query = query.strip()
    if not query:
        return allocations
    digits = normalize_digits(query)
    if digits.isdigit():
        return allocations.filter(
            Q(cpf_case_number__contains=digits) | Q(funder_reference__icontains=query)
        )
    for word in query.split():
        allocations = allocations.filter(
            Q(learner__first_name__icontains=word)
            | Q(learner__last_name__icontains=word)
            | Q(company__name__icontains=word)
            | Q(individual__billing_name__icontains=word)
            | Q(cpf_case_number__contains=word)
            | Q(funder_reference__icontains=word)
        )
    return allocations


def filter_allocations(organization: Organization, filters: AllocationFilters) -> QuerySet:
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
    if filters.query:
        allocations = search_allocations(allocations, filters.query)
    return allocations


def allocation_list(organization: Organization, filters: AllocationFilters) -> QuerySet:
    """The Funding page's rows: everything a row shows joined in, in a stable order."""
    return (
        filter_allocations(organization, filters)
        .for_list()
        .order_by("-session__start_date", "learner__last_name", "learner__first_name", "pk")
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


def _grouped_totals(allocations: QuerySet, field_name: str) -> dict[str, dict]:
    rows = (
        allocations.order_by()
        .values(field_name)
        .annotate(
            count=Count("pk"),
            approved=Coalesce(Sum("approved_amount"), Value(ZERO), output_field=MONEY),
            counted=Coalesce(
                Sum("approved_amount", filter=Q(status__in=COUNTED_STATUSES)),
                Value(ZERO),
                output_field=MONEY,
            ),
        )
    )
    return {row[field_name]: row for row in rows}


def _lines(grouped: dict[str, dict], choices) -> list[TotalLine]:
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


def status_totals(allocations: QuerySet) -> list[TotalLine]:
    """Count and approved amount per status (one grouped query)."""
    return _lines(_grouped_totals(allocations, "status"), FundingStatus.choices)


def allocation_totals(allocations: QuerySet) -> AllocationTotals:
    """Totals by type and by status of a filtered queryset, computed in the database (two
    grouped queries). `counted_amount` is the Approved + Paid part: what exports and the BPF
    use."""

    by_type = _lines(_grouped_totals(allocations, "funding_type"), FundingType.choices)
    by_status = status_totals(allocations)
    return AllocationTotals(
        by_type=by_type,
        by_status=by_status,
        count=sum(line.count for line in by_status),
        approved_amount=sum((line.approved_amount for line in by_status), ZERO),
        counted_amount=sum((line.counted_amount for line in by_status), ZERO),
    )


# ---------------------------------------------------------------------------------------------
# Mixed funding of one session


@dataclass
class LearnerFunding:
    """One enrolled learner of a session and everything that pays for their place."""

    enrollment: Enrollment
    price: Decimal | None  # the course price; None when the course has no price
    allocations: list[FundingAllocation] = field(default_factory=list)
    counted: Decimal = ZERO
    pending: Decimal = ZERO

    @property
    def learner(self):
        return self.enrollment.learner

    @property
    def expected(self) -> Decimal | None:
        """What this place should bring in: nothing for a cancelled enrollment."""
        if self.enrollment.cancelled:
            return ZERO
        return self.price

    @property
    def remaining(self) -> Decimal | None:
        """Price − counted: positive = unfunded, negative = over-funded, None = no price."""
        if self.expected is None:
            return None
        return self.expected - self.counted

    @property
    def unfunded(self) -> Decimal:
        remaining = self.remaining
        return remaining if remaining is not None and remaining > 0 else ZERO

    @property
    def overfunded(self) -> Decimal:
        remaining = self.remaining
        return -remaining if remaining is not None and remaining < 0 else ZERO


@dataclass
class SessionFunding:
    session: Session
    learners: list[LearnerFunding]

    @property
    def price_total(self) -> Decimal:
        return sum((row.expected or ZERO for row in self.learners), ZERO)

    @property
    def counted_total(self) -> Decimal:
        return sum((row.counted for row in self.learners), ZERO)

    @property
    def pending_total(self) -> Decimal:
        return sum((row.pending for row in self.learners), ZERO)

    @property
    def unfunded_total(self) -> Decimal:
        return sum((row.unfunded for row in self.learners), ZERO)

    @property
    def overfunded_total(self) -> Decimal:
        return sum((row.overfunded for row in self.learners), ZERO)

    @property
    def unfunded_learners(self) -> int:
        return sum(1 for row in self.learners if row.unfunded > 0)


def session_funding(session: Session) -> SessionFunding:
    """Per enrolled learner of `session`: the course price, each allocation (any carrier, any
    status), the counted total (Approved + Paid, approved amounts), the pending total, and the
    unfunded or over-funded remainder. Two queries (enrollments, allocations); the session's
    course should come with it (select_related) or costs one more."""
    enrollments = list(
        Enrollment.objects.filter(session=session)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )
    price = session.course.price
    rows = {enrollment.learner_id: LearnerFunding(enrollment, price) for enrollment in enrollments}
    allocations = (
        FundingAllocation.objects.filter(session=session)
        .select_related("individual", "company")
        .order_by("created_at", "pk")
    )
    for allocation in allocations:
        row = rows.get(allocation.learner_id)
        if row is None:
            # The services refuse an allocation for a learner who is not enrolled; one can only
            # appear here if the enrollment was deleted afterwards. It has no place to show.
            continue
        allocation.learner = row.enrollment.learner
        row.allocations.append(allocation)
        if allocation.status in COUNTED_STATUSES:
            row.counted += allocation.approved_amount
        elif allocation.status == FundingStatus.PENDING:
            row.pending += allocation.approved_amount
    return SessionFunding(session=session, learners=list(rows.values()))


# ---------------------------------------------------------------------------------------------
# Dashboard


def _counted_for_enrollment() -> Subquery:
    """Per enrollment: the sum of its learner's counted allocations in its session."""
    counted = (
        FundingAllocation.objects.filter(
            session_id=OuterRef("session_id"),
            learner_id=OuterRef("learner_id"),
            status__in=COUNTED_STATUSES,
        )
        .order_by()
        .values("session_id")
        .annotate(total=Sum("approved_amount"))
        .values("total")
    )
    return Subquery(counted, output_field=MONEY)


def unfunded_enrollments(organization: Organization, since: datetime.date) -> QuerySet:
    """Active enrollments of sessions ending on or after `since` whose course price exceeds
    what their learner's counted allocations bring (courses without a price are left out)."""
    return (
        Enrollment.objects.filter(
            organization=organization,
            cancelled=False,
            session__end_date__gte=since,
            session__course__price__gt=0,
        )
        .annotate(counted=Coalesce(_counted_for_enrollment(), Value(ZERO), output_field=MONEY))
        .annotate(unfunded=ExpressionWrapper(F("session__course__price") - F("counted"), MONEY))
        .filter(unfunded__gt=0)
    )


def unfunded_summary(organization: Organization, since: datetime.date) -> dict[str, object]:
    """How many sessions and learners are unfunded, and by how much (one query)."""
    return unfunded_enrollments(organization, since).aggregate(
        sessions=Count("session_id", distinct=True),
        learners=Count("pk"),
        amount=Coalesce(Sum("unfunded"), Value(ZERO), output_field=MONEY),
    )


def sessions_with_unfunded_learners(organization: Organization, since: datetime.date) -> QuerySet:
    """One row per session with unfunded learners: id, reference, course title, dates, number
    of unfunded learners and the unfunded amount. One query."""
    return (
        unfunded_enrollments(organization, since)
        .order_by()
        .values(
            "session_id",
            "session__reference",
            "session__course__title",
            "session__start_date",
            "session__end_date",
        )
        .annotate(learners=Count("pk"), amount=Sum("unfunded"))
        .order_by("session__start_date", "session_id")
    )


@dataclass(frozen=True)
class PendingSummary:
    count: int
    amount: Decimal
    oldest: list[FundingAllocation]


def pending_allocations(organization: Organization, *, limit: int = 10) -> PendingSummary:
    """Pending allocations: how many, their amount, and the oldest ones (two queries)."""
    pending = FundingAllocation.objects.filter(
        organization=organization, status=FundingStatus.PENDING
    )
    summary = pending.aggregate(
        count=Count("pk"),
        amount=Coalesce(Sum("approved_amount"), Value(ZERO), output_field=MONEY),
    )
    oldest = list(pending.for_list().order_by("created_at", "pk")[:limit])
    return PendingSummary(count=summary["count"], amount=summary["amount"], oldest=oldest)
