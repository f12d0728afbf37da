"""A session with a schedule has the hours of its slots: Session.hours is kept equal to their sum.

Why keep the field rather than compute it wherever it is read: every reader of a session's hours —
the session page, the funding summaries, the BPF, its drill-down and exports, the imports — keeps
reading one column, as fast as before, and a session without a schedule keeps its typed hours. The
sum is written by training's entry point (registered in attendance/apps.py, before funding's
summaries, which read the hours): every write that changes a session — a slot added, moved or
deleted, but also a session saved from its form or the admin with other hours — ends with the
hours of its slots, so they cannot drift apart. The session form shows the field read-only while
the session has a schedule.

Each enrollment's hours recorded (`Enrollment.hours_recorded`) are written here too, after the
hours: the minutes it attended over every slot, in hours to the cent, once its session has an
attendance record (any entry in any slot; a slot without an entry then counts 0), else empty.
Funding's summaries, refreshed next, count them before the hours typed on the enrollment, so the
BPF keeps reading a few summary rows per session (BPF.md, section F).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from attendance.models import Attendance, AttendanceGap, TimeSlot, minutes_to_hours
from training.changes import StoredSummary
from training.models import Enrollment, Outcome, Session

# The learners expected in every slot: a cancelled learner never started, a dropped-out one
# stopped coming (their empty cells after that are not missing).
EXPECTED = [Outcome.ENROLLED, Outcome.COMPLETED]

# Where the refresh keeps its figure (compared with a rebuild by `refresh_summaries --check`).
STORED_SUMMARIES = [StoredSummary("Session", Session, fields=("hours",), session="id")]
HOURS_RECORDED_SUMMARIES = [
    StoredSummary("Enrollment", Enrollment, key=("id",), fields=("hours_recorded",)),
    StoredSummary("AttendanceGap", AttendanceGap, fields=("first_date",)),
]


def scheduled_minutes(session_ids: Sequence[int]) -> dict[int, int]:
    """The sum of the slots' minutes of each session that has a schedule."""
    return dict(
        TimeSlot.objects.filter(session_id__in=session_ids)
        .order_by()
        .values("session_id")
        .annotate(total=Sum("minutes"))
        .values_list("session_id", "total")
    )


def refresh_scheduled_hours(session_ids: Sequence[int]) -> None:
    """Give each of these sessions that has a schedule the hours of its slots. A session whose
    last slot was deleted keeps the hours it had (it has no schedule any more: they are typed
    again from its form)."""
    totals = scheduled_minutes(session_ids)
    if not totals:
        return
    for session in Session.objects.filter(pk__in=list(totals)).only("pk", "hours"):
        hours = minutes_to_hours(totals[session.pk])
        if session.hours != hours:
            session.hours = hours
            # save(), not update(): the session's history records the new hours.
            session.save(update_fields=["hours"])


def refresh_hours_recorded(
    session_ids: Sequence[int], enrollment_ids: frozenset[int] | None = None
) -> None:
    """Give each enrollment of these sessions the hours its session's attendance record gives it
    (empty when the session has none), and each session its attendance gap.

    Registered twice (attendance/apps.py): with every enrollment of the sessions after any change,
    and with `enrollment_ids` after a change to those enrollments' attendance entries only — then
    only theirs are read, with any left without hours (a session's first entry gives every
    learner hours: 0 until they attend). Writes only the rows whose value changed. A fixed few
    queries whatever the number of sessions or enrollments: the gaps (two reads, writes only
    when one moved), the sessions without a record (one update), the others (one read, one
    update)."""
    recorded = _refresh_gaps(session_ids)
    unrecorded = [pk for pk in session_ids if pk not in recorded]
    if unrecorded:
        Enrollment.objects.filter(session_id__in=unrecorded, hours_recorded__isnull=False).update(
            hours_recorded=None
        )
    if not recorded:
        return
    enrollments = Enrollment.objects.filter(session_id__in=recorded).order_by()
    if enrollment_ids is not None:
        enrollments = enrollments.filter(Q(pk__in=enrollment_ids) | Q(hours_recorded__isnull=True))
    attended = (
        Attendance.objects.filter(enrollment_id=OuterRef("pk"))
        .order_by()
        .values("enrollment_id")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    rows = enrollments.annotate(
        attended=Coalesce(Subquery(attended), 0, output_field=IntegerField())
    ).values_list("pk", "hours_recorded", "attended")
    changed: dict[Decimal, list[int]] = defaultdict(list)
    for pk, hours_recorded, minutes in rows:
        hours = minutes_to_hours(minutes)
        if hours != hours_recorded:
            changed[hours].append(pk)
    if changed:
        Enrollment.objects.filter(pk__in=[pk for pks in changed.values() for pk in pks]).update(
            hours_recorded=Case(
                *(When(pk__in=pks, then=Value(hours)) for hours, pks in changed.items()),
                output_field=Enrollment._meta.get_field("hours_recorded"),
            )
        )


def _refresh_gaps(session_ids: Sequence[int]) -> set[int]:
    """Each session's attendance gap: the first slot where an expected learner has no entry, once
    the session has an attendance record. Two reads (each count made once: a count per slot
    correlated with each learner costs slots × learners), then writes only for the gaps that
    moved. Returns the sessions that have a record."""
    expected = (
        Enrollment.objects.filter(session_id=OuterRef("pk"), outcome__in=EXPECTED)
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    sessions = (
        Session.objects.filter(pk__in=session_ids)
        .order_by()
        .annotate(
            expected=Coalesce(Subquery(expected), 0, output_field=IntegerField()),
            stored=F("attendance_gap__first_date"),
        )
        .values_list("pk", "expected", "stored")
    )
    # The expected learners' ids read once (a hashed subquery), rather than each entry's
    # enrollment looked up for its outcome.
    expected_ids = Enrollment.objects.filter(
        session_id__in=session_ids, outcome__in=EXPECTED
    ).values("pk")
    slots = (
        TimeSlot.objects.filter(session_id__in=session_ids)
        .order_by()
        .annotate(
            entries=Count("attendances"),
            expected_entries=Count(
                "attendances", filter=Q(attendances__enrollment_id__in=expected_ids)
            ),
        )
        .values_list("session_id", "date", "entries", "expected_entries")
    )
    recorded: set[int] = set()
    short: dict[int, list[datetime.date]] = defaultdict(list)
    learners = {pk: (n, stored) for pk, n, stored in sessions}
    for session_id, date, entries, expected_entries in slots:
        if entries:
            recorded.add(session_id)
        if expected_entries < learners[session_id][0]:
            short[session_id].append(date)
    moved: dict[int, datetime.date | None] = {}
    for pk, (_n, stored) in learners.items():
        gap = min(short[pk]) if pk in recorded and short[pk] else None
        if gap != stored:
            moved[pk] = gap
    if moved:
        AttendanceGap.objects.filter(session_id__in=list(moved)).delete()
        AttendanceGap.objects.bulk_create(
            AttendanceGap(session_id=pk, first_date=gap) for pk, gap in moved.items() if gap
        )
    return recorded
