"""The computation's read of the year's sessions (`read_sessions`, two queries): the sessions
inside the year summed by groups (bpf/session_groups.py), and read one by one (`SessionFacts`:
their counted learners and hours, their share of the year, what the checks need) only those that
straddle the year — they are pro-rated — or that a check names. So the rows read grow with the
sessions that straddle the year, not with all of them. The sections' reads
(bpf/section_queries.py) complete the figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import (
    BooleanField,
    Case,
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
from bpf.session_facts import (
    LATEST_FIRST,
    ZERO,
    F1Group,
    SessionFacts,
    YearSessions,
    attended_hours,
    exact_cents,
    year_sessions_figures,
)
from bpf.session_groups import named_sessions, read_groups
from bpf.years import straddling_year

if TYPE_CHECKING:
    from certeef.models import Organization


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
    sessions = year_sessions_figures(organization, start, end, today, mismatched)
    year = YearSessions()
    read_groups(year, sessions, today)
    read = Q(straddling=True)
    named = named_sessions(sessions, today, year.counts) if today is not None else None
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
