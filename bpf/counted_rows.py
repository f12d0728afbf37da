"""The year's counted allocations and enrollments, row by row: what the drill-down and the detailed
exports list. The same rules as the computation's reads (bpf/session_read.py,
bpf/section_queries.py), so that their rows add up to the report's lines (the tests check it).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from attendance.models import Attendance, TimeSlot
from attendance.selectors import FROM_ATTENDANCE, FROM_SESSION, FROM_TYPED
from bpf.f1_expressions import ON_ENROLLMENT, f1_line, f1_rule
from bpf.years import straddling_year
from funding.models import COUNTED_STATUSES, FundingAllocation
from funding.summaries import cancelled_enrollment_exists
from training.models import Enrollment

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from certeef.models import Organization

    class _EnrollmentFigures(TypedDict):
        f1_line: str
        f1_rule: int
        funded: bool
        overfunded: bool
        attended_hours: Decimal
        hours_source: str
        year_minutes: int | None

    # An enrollment as `counted_enrollments` reads it.
    type CountedEnrollment = WithAnnotations[Enrollment, _EnrollmentFigures]


def year_allocations(
    organization: Organization, start: datetime.date, end: datetime.date
) -> QuerySet[FundingAllocation]:
    """Allocations of the year's sessions whose enrollment is not cancelled (any status).

    Filtered on the session's organisation, which is the allocation's (the services check it):
    SQLite then reads the year's sessions first and their allocations through the session index,
    instead of every allocation of the organisation."""
    return FundingAllocation.objects.filter(
        session__organization=organization,
        session__start_date__lte=end,
        session__end_date__gte=start,
    ).exclude(cancelled_enrollment_exists())


def counted_allocations(
    organization: Organization, start: datetime.date, end: datetime.date
) -> QuerySet[FundingAllocation]:
    return year_allocations(organization, start, end).filter(status__in=COUNTED_STATUSES)


def counted_enrollments(
    organization: Organization, start: datetime.date, end: datetime.date
) -> QuerySet[CountedEnrollment]:
    """The year's counted enrollments, annotated with their F-1 line and the rule that chose it,
    whether any counted allocation funds them, whether those exceed the course price (from the
    funding summary each enrollment carries, funding/summaries.py), their hours followed and
    where these come from (`hours_source`: the attendance record, the hours typed, the
    session's). Not counted: cancelled enrollments, and learners who followed nothing in the
    year — attendance recorded with 0 hours, or, in a straddling scheduled session, no hours
    attended (or no slot, attendance not recorded) within the year.

    In a straddling session whose attendance is recorded, `year_minutes` are the minutes the
    learner attended on slots within the year (else None)."""
    in_year = Q(date__gte=start, date__lte=end)
    year_minutes = (
        Attendance.objects.filter(
            enrollment_id=OuterRef("pk"), slot__date__gte=start, slot__date__lte=end
        )
        .order_by()
        .values("enrollment_id")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    scheduled = Exists(TimeSlot.objects.filter(session_id=OuterRef("session_id")))
    scheduled_in_year = Exists(TimeSlot.objects.filter(in_year, session_id=OuterRef("session_id")))
    straddling = straddling_year(start, end)
    return (
        Enrollment.objects.filter(
            organization=organization,
            session__start_date__lte=end,
            session__end_date__gte=start,
        )
        .not_cancelled()
        .exclude(hours_recorded=0)
        .exclude(straddling & Q(hours_recorded__isnull=True) & scheduled & ~scheduled_in_year)
        .annotate(
            f1_line=f1_line(ON_ENROLLMENT),
            f1_rule=f1_rule(ON_ENROLLMENT),
            funded=Q(funding_code__isnull=False),
            overfunded=Q(session__course__price__isnull=False)
            & Q(counted_funding__gt=F("session__course__price")),
            attended_hours=Coalesce("hours_recorded", "hours_attended", "session__hours"),
            hours_source=Case(
                When(hours_recorded__isnull=False, then=Value(FROM_ATTENDANCE)),
                When(hours_attended__isnull=False, then=Value(FROM_TYPED)),
                default=Value(FROM_SESSION),
                output_field=CharField(),
            ),
            year_minutes=Case(
                When(
                    straddling & Q(hours_recorded__isnull=False),
                    then=Coalesce(Subquery(year_minutes, output_field=IntegerField()), 0),
                ),
                output_field=IntegerField(),
            ),
        )
        .filter(Q(year_minutes__isnull=True) | Q(year_minutes__gt=0))
    )
