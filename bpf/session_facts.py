"""What the computation reads of the year's sessions, from the per-session summaries that every
write keeps current (funding/summaries.py, through training/changes.py) rather than every
allocation and enrollment: the sessions inside the year summed by groups (`SessionGroup`,
bpf/session_groups.py), those read on their own (`SessionFacts`, bpf/session_read.py), and the
queryset both reads start from (`year_sessions_figures`).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from bpf.rules import DAYS
from bpf.years import straddling_year, year_sessions
from training.models import Delivery, Enrollment, Outcome

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from certeef.models import Organization


ZERO = Decimal(0)
CENT = Decimal("0.01")
# Sums can exceed the model fields' max_digits: give the aggregates room.
WIDE_DECIMAL = DecimalField(max_digits=20, decimal_places=2)


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
    # Counted funding that contradicts the delivery (check `subcontracting_mismatch`).
    funding_mismatch: bool = False

    @property
    def in_f(self) -> bool:
        return self.delivery != Delivery.SUBCONTRACTED_IN


@dataclass
class SessionGroup:
    """The sessions inside the year that sections F and G classify alike, summed: their counted
    learners and exact hours."""

    delivery: str
    distance: bool
    objective: str
    nsf_code: str
    learners: int
    exact_hours: Decimal

    @property
    def in_f(self) -> bool:
        return self.delivery != Delivery.SUBCONTRACTED_IN


@dataclass
class YearSessions:
    """What `read_sessions` gives: the groups of sessions inside the year; the sessions read on
    their own, latest first (`read`), of which those that straddle the year (`straddling`, by
    id: their figures are theirs alone, the others' are in the groups too); and each check's
    count over the groups (bpf/session_findings.py)."""

    groups: list[SessionGroup] = field(default_factory=list)
    read: list[SessionFacts] = field(default_factory=list)
    straddling: dict[int, SessionFacts] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _cancelled_funded() -> Case:
    """For a session: its cancelled enrollments still carrying Approved or Paid funding (their
    funding summary, funding/summaries.py, is kept for every enrollment).

    Counted only for the sessions that have any: the database reads the few such enrollments once
    (a hashed subplan, through their partial index) rather than probing that index once per
    session of the year (14 000 probes at 400 000 learners). Not filtered on the organisation:
    the partial index holds only them, and that filter made SQLite read the enrollments without
    it, once per session."""
    cancelled_funded = Enrollment.objects.filter(
        outcome=Outcome.CANCELLED, funding_code__isnull=False
    ).order_by()
    counted = (
        cancelled_funded.filter(session_id=OuterRef("pk"))
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Case(
        When(
            pk__in=cancelled_funded.values("session_id"),
            then=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )


# The order in which the checks name sessions: the latest first, as everywhere else.
LATEST_FIRST = (F("start_date").desc(), F("pk").asc())


def year_sessions_figures(
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None,
    mismatched: Collection[int],
) -> QuerySet:
    """The year's sessions annotated with their figures (their summaries) and what the checks
    read."""
    straddling = straddling_year(start, end, prefix="")
    sessions = year_sessions(organization, start, end).annotate(
        straddling=Case(
            When(straddling, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        nsf_code=F("course__nsf_code"),
        objective=F("course__objective"),
        learners=Coalesce(F("summary__learners"), 0),
        learners_with_hours=Coalesce(F("summary__learners_with_hours"), 0),
        hours_attended=Coalesce(F("summary__hours_attended"), Value(ZERO)),
        # The session's hours, whole (a straddling session's are pro-rated in Python).
        exact_hours=ExpressionWrapper(
            attended_hours(
                F("learners"), F("learners_with_hours"), F("hours_attended"), F("hours")
            ),
            output_field=WIDE_DECIMAL,
        ),
        unfunded=Coalesce(F("summary__unfunded_learners"), 0),
        overfunded=Coalesce(F("summary__overfunded_learners"), 0),
        pending=Coalesce(F("summary__pending_allocations"), 0),
        no_show_funded=Coalesce(F("summary__no_show_funded"), 0),
        first_gap=F("attendance_gap__first_date"),
    )
    if today is None:  # no check: neither read nor counted
        return sessions.annotate(
            cancelled_funded=Value(0), funding_mismatch=Value(False, BooleanField())
        )
    return sessions.annotate(
        cancelled_funded=_cancelled_funded(),
        funding_mismatch=Case(
            When(pk__in=mismatched, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        if mismatched
        else Value(False, BooleanField()),
    )
