"""The computation's read of the year's sessions (`read_sessions`, two queries), from the
per-session summaries that every write keeps current (funding/summaries.py, through
training/changes.py) rather than every allocation and enrollment.

The sessions inside the year are summed in the database by what sections F-1 (at a distance),
F-2, F-3, F-4 and G classify them by (`SessionGroup`), with what the checks count over them
(bpf/session_findings.py). A session is read on its own (`SessionFacts`: its counted learners and
hours, its share of the year, what the checks need) only when it straddles the year — it is
pro-rated — or when a check names it. So the rows read grow with the sessions that straddle the
year, not with all of them. The sections' reads (bpf/section_queries.py) complete the figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.db.models.lookups import GreaterThan

from attendance.models import Attendance, TimeSlot
from bpf.check_links import MAX_LINKS
from bpf.rules import DAYS, SCHEDULED_MINUTES, days_in_year, prorate
from bpf.session_findings import SESSION_COUNTS
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


def _cancelled_funded() -> Coalesce:
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
    return Coalesce(Subquery(funded, output_field=IntegerField()), 0)


# The order in which the checks name sessions: the latest first, as everywhere else.
LATEST_FIRST = (F("start_date").desc(), F("pk").asc())
# What sections F-1 (at a distance), F-2, F-3, F-4 and G classify the sessions inside the year by.
GROUPED_BY = ("delivery", "distance", "objective", "nsf_code")
# What a session read on its own gives.
READ = (
    "id",
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
    "funding_mismatch",
)


def _year_sessions(
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


def _named(sessions: QuerySet, today: datetime.date, counts: dict[str, int]) -> QuerySet | None:
    """The sessions inside the year that a check must name: for each check that counts some
    (`counts`) its first `MAX_LINKS` (latest first), or for a check that links to courses the
    first of each course. Their ids, as a subquery (a few columns sorted, not the sessions'
    rows); None when no check counts any."""
    named = Q()
    for check in SESSION_COUNTS:
        if not counts.get(check.code):
            continue  # nothing to name: no window to compute
        flag, rank = f"flag_{check.code}", f"rank_{check.code}"
        sessions = sessions.annotate(
            **{
                flag: Case(
                    When(GreaterThan(check.in_database(today), 0), then=Value(1)),
                    default=Value(0),
                )
            }
        )
        if check.by_course:
            ranked = Window(
                RowNumber(), partition_by=[F("course_id"), F(flag)], order_by=LATEST_FIRST
            )
            limit = 1
        else:
            ranked = Window(Sum(flag), order_by=LATEST_FIRST)
            limit = MAX_LINKS
        sessions = sessions.annotate(**{rank: ranked})
        named |= Q(**{flag: 1, f"{rank}__lte": limit})
    if not named:
        return None
    return sessions.filter(straddling=False).filter(named).values("pk")


def read_sessions(
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
    mismatched: Collection[int] = (),
) -> YearSessions:
    """The year's sessions (their summaries, funding/summaries.py): those inside the year summed
    by what sections F and G classify them by, in the database; those that straddle it read one by
    one (they are pro-rated). Given `today`, with what the checks count and the sessions they name
    (bpf/session_findings.py); `mismatched`: the sessions whose funding contradicts their delivery
    (bpf/section_queries.py). Two queries, whatever the number of sessions."""
    sessions = _year_sessions(organization, start, end, today, mismatched)
    counts = {}
    if today is not None:
        counts = {f"count_{check.code}": Sum(check.in_database(today)) for check in SESSION_COUNTS}
    groups = (
        sessions.filter(straddling=False)
        .values(*GROUPED_BY)
        .annotate(
            group_learners=Sum("learners"),
            group_hours=Sum("exact_hours", output_field=WIDE_DECIMAL),
            **counts,
        )
        .order_by()
    )
    year = YearSessions()
    for row in groups:
        year.groups.append(
            SessionGroup(
                delivery=row["delivery"],
                distance=row["distance"],
                objective=row["objective"],
                nsf_code=row["nsf_code"],
                learners=row["group_learners"] or 0,
                exact_hours=exact_cents(row["group_hours"]),
            )
        )
        for check in SESSION_COUNTS:
            code = check.code
            year.counts[code] = year.counts.get(code, 0) + (row.get(f"count_{code}") or 0)
    read = Q(straddling=True)
    named = _named(sessions, today, year.counts) if today is not None else None
    if named is not None:
        read |= Q(pk__in=named)
    straddling = straddling_year(start, end, prefix="")
    rows = (
        sessions.filter(read)
        .annotate(
            course_title=F("course__title"),
            straddling_start=Case(When(straddling, then=F("start_date"))),
            straddling_end=Case(When(straddling, then=F("end_date"))),
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
        )
        .order_by(*LATEST_FIRST)
        .values(*READ, "straddling")
    )
    for row in rows:
        session = _session_facts(row, start, end)
        year.read.append(session)
        if row["straddling"]:
            year.straddling[session.pk] = session
    return year


def _session_facts(
    row: Mapping[str, Any], start: datetime.date, end: datetime.date
) -> SessionFacts:
    """A session read on its own: straddling the year (its share of the year pro-rates it), or
    named by a check."""
    inside = whole = 1
    unit = DAYS
    if row["scheduled_whole"]:
        inside, whole, unit = (
            row["scheduled_inside"] or 0,
            row["scheduled_whole"],
            SCHEDULED_MINUTES,
        )
    elif row["straddling_start"] is not None:
        inside, whole = days_in_year(row["straddling_start"], row["straddling_end"], start, end)
    # A schedule without a slot in the year: no learner, no hour in it.
    learners = row["learners"] if inside else 0
    attended = attended_hours(
        learners, row["learners_with_hours"], exact_cents(row["hours_attended"]), row["hours"]
    )
    exact_hours = prorate(attended, inside, whole)
    # Attendance recorded: the learners and hours of the slots within the year, given by
    # `read_f1` (from the year's entries, by F-1 line).
    groups: list[F1Group] | None = [] if row["recorded"] and row["scheduled_whole"] else None
    if groups is not None:
        learners, exact_hours = 0, ZERO
    return SessionFacts(
        pk=row["id"],
        reference=row["reference"] or row["course_title"],
        course_id=row["course_id"],
        course_title=row["course_title"],
        nsf_code=row["nsf_code"],
        objective=row["objective"],
        delivery=row["delivery"],
        distance=row["distance"],
        hours=row["hours"],
        inside=inside,
        whole=whole,
        unit=unit,
        learners=learners,
        exact_hours=exact_hours,
        unfunded=row["unfunded"] or 0,
        overfunded=row["overfunded"] or 0,
        pending=row["pending"],
        no_show_funded=row["no_show_funded"] if inside else 0,
        first_gap=row["first_gap"],
        f1_groups=groups,
        cancelled_funded=row["cancelled_funded"],
        funding_mismatch=bool(row["funding_mismatch"]),
    )


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
