"""The computation's read of the year's sessions: one row per session (`read_sessions`, one
query), from the per-session summaries that every write keeps current (funding/summaries.py,
through training/changes.py) rather than every allocation and enrollment. Each `SessionFacts`
carries the session's counted learners and hours, its share of the year and what the checks
need; the sections' reads (bpf/section_queries.py) complete it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)

from attendance.models import Attendance, TimeSlot
from bpf.rules import DAYS, SCHEDULED_MINUTES, days_in_year, prorate
from bpf.years import straddling_year, year_sessions
from training.models import Delivery, Enrollment, Outcome

if TYPE_CHECKING:
    from certeef.models import Organization


ZERO = Decimal(0)
CENT = Decimal("0.01")


def exact_cents(total: Decimal | float | None) -> Decimal:
    """A database sum of two-decimal values. SQLite sums them as floats (1399.5 may come back as
    1399.4999999999998, which would round down): back to exact cents before any rounding."""
    return ZERO if total is None else Decimal(total).quantize(CENT)


def attended_hours(
    learners: Any, learners_with_hours: Any, hours_attended: Any, session_hours: Any
) -> Any:
    """The hours of a group of learners: their own attended hours, and the session's hours for
    the others (who attended all of it). Works on values and on ORM expressions alike."""
    return hours_attended + (learners - learners_with_hours) * session_hours


class F1Group(NamedTuple):
    """Learners of one F-1 line and their exact hours, pro-rated to the year."""

    line: str
    learners: int
    hours: Decimal


@dataclass
class SessionFacts:
    """One session of the year with its counted learners and hours (pro-rated to the year) and
    what the checks need."""

    pk: int
    reference: str
    course_id: int
    course_title: str
    nsf_code: str
    objective: str
    delivery: str
    distance: bool
    hours: Decimal
    # The session's share of the year: `inside` of `whole` calendar days (DAYS), or of its
    # scheduled minutes when it has a schedule and straddles the year (SCHEDULED_MINUTES).
    inside: int
    whole: int
    unit: str = DAYS
    learners: int = 0
    exact_hours: Decimal = ZERO
    unfunded: int = 0
    overfunded: int = 0
    pending: int = 0
    # Learners recorded with 0 hours whose money counts (in the years it falls in); the date of
    # the first slot left empty for an expected learner, when attendance is recorded (checks).
    no_show_funded: int = 0
    first_gap: datetime.date | None = None
    # A straddling session whose attendance is recorded: its learners and hours of the year by
    # F-1 line, from the slots each learner attended within the year (else None).
    f1_groups: list[F1Group] | None = None
    # Cancelled enrollments still carrying counted funding (check `cancelled_funded`).
    cancelled_funded: int = 0
    # Counted funding that contradicts the delivery (check `subcontracting_mismatch`): set by
    # `read_section_c`.
    funding_mismatch: bool = False

    @property
    def in_f(self) -> bool:
        return self.delivery != Delivery.SUBCONTRACTED_IN


def _cancelled_funded() -> Subquery:
    """For a session: its cancelled enrollments still carrying Approved or Paid funding (their
    funding summary, funding/summaries.py, is kept for every enrollment)."""
    funded = (
        Enrollment.objects.filter(
            session_id=OuterRef("pk"), outcome=Outcome.CANCELLED, funding_code__isnull=False
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(funded, output_field=IntegerField())


def read_sessions(
    organization: Organization, start: datetime.date, end: datetime.date
) -> dict[int, SessionFacts]:
    """The year's sessions, each with its counted learners and hours and what the checks need
    (its summary, funding/summaries.py; none for a session without enrollments). One query."""
    # Only a session that straddles the year needs its dates (to pro-rate): reading them for the
    # others too costs more than the rest of the row on SQLite.
    straddling = straddling_year(start, end, prefix="")
    rows = (
        year_sessions(organization, start, end)
        # The checks link to the first sessions they find: the latest, as everywhere else.
        .order_by("-start_date", "pk")
        .annotate(
            straddling_start=Case(When(straddling, then=F("start_date"))),
            straddling_end=Case(When(straddling, then=F("end_date"))),
            course_title=F("course__title"),
            nsf_code=F("course__nsf_code"),
            objective=F("course__objective"),
            learners=F("summary__learners"),
            learners_with_hours=F("summary__learners_with_hours"),
            hours_attended=F("summary__hours_attended"),
            unfunded=F("summary__unfunded_learners"),
            overfunded=F("summary__overfunded_learners"),
            pending=F("summary__pending_allocations"),
            no_show_funded=F("summary__no_show_funded"),
            first_gap=F("attendance_gap__first_date"),
            # A straddling session's schedule: its slots' minutes in the year and in all, and
            # whether its attendance is recorded (subqueries run for those sessions only).
            scheduled_inside=Case(
                When(straddling, then=_slot_minutes(Q(date__gte=start, date__lte=end))),
                output_field=IntegerField(),
            ),
            scheduled_whole=Case(
                When(straddling, then=_slot_minutes(Q())), output_field=IntegerField()
            ),
            recorded=Case(
                When(
                    straddling,
                    then=Exists(Attendance.objects.filter(slot__session_id=OuterRef("pk"))),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
            cancelled_funded=_cancelled_funded(),
        )
        .values_list(
            "pk",
            "reference",
            "course_id",
            "course_title",
            "nsf_code",
            "objective",
            "delivery",
            "distance",
            "hours",
            "straddling_start",
            "straddling_end",
            "learners",
            "learners_with_hours",
            "hours_attended",
            "unfunded",
            "overfunded",
            "pending",
            "no_show_funded",
            "first_gap",
            "scheduled_inside",
            "scheduled_whole",
            "recorded",
            "cancelled_funded",
            named=True,
        )
    )
    sessions = {}
    for row in rows:
        inside = whole = 1
        unit = DAYS
        if row.scheduled_whole:
            inside, whole, unit = row.scheduled_inside or 0, row.scheduled_whole, SCHEDULED_MINUTES
        elif row.straddling_start is not None:
            inside, whole = days_in_year(row.straddling_start, row.straddling_end, start, end)
        # A schedule without a slot in the year: no learner, no hour in it.
        learners = (row.learners or 0) if inside else 0
        attended = attended_hours(
            learners, row.learners_with_hours or 0, exact_cents(row.hours_attended), row.hours
        )
        exact_hours = prorate(attended, inside, whole)
        # Attendance recorded: the learners and hours of the slots within the year, given by
        # `read_f1` (from the year's entries, by F-1 line).
        groups: list[F1Group] | None = [] if row.recorded and row.scheduled_whole else None
        if groups is not None:
            learners, exact_hours = 0, ZERO
        sessions[row.pk] = SessionFacts(
            pk=row.pk,
            reference=row.reference or row.course_title,
            course_id=row.course_id,
            course_title=row.course_title,
            nsf_code=row.nsf_code,
            objective=row.objective,
            delivery=row.delivery,
            distance=row.distance,
            hours=row.hours,
            inside=inside,
            whole=whole,
            unit=unit,
            learners=learners,
            exact_hours=exact_hours,
            unfunded=row.unfunded or 0,
            overfunded=row.overfunded or 0,
            pending=row.pending or 0,
            no_show_funded=(row.no_show_funded or 0) if inside else 0,
            first_gap=row.first_gap,
            f1_groups=groups,
            cancelled_funded=row.cancelled_funded or 0,
        )
    return sessions


def _slot_minutes(condition: Q) -> Subquery:
    """For a session (outer query): the minutes of its slots that meet `condition`."""
    return Subquery(
        TimeSlot.objects.filter(condition, session_id=OuterRef("pk"))
        .order_by()
        .values("session_id")
        .annotate(total=Sum("minutes"))
        .values("total"),
        output_field=IntegerField(),
    )
