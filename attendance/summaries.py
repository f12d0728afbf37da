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
import itertools
from collections import defaultdict

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from attendance.models import Attendance, AttendanceGap, TimeSlot, minutes_to_hours
from training.changes import SessionIds, StoredSummary
from training.models import Enrollment, Outcome, Session

# The learners expected in every slot: a cancelled learner never started, a dropped-out one
# stopped coming (their empty cells after that are not missing).
EXPECTED = [Outcome.ENROLLED, Outcome.COMPLETED]
# Attendance gaps written per statement (a bulk load moves thousands).
GAP_BATCH = 2000

# Where the refresh keeps its figure (compared with a rebuild by `refresh_summaries --check`).
STORED_SUMMARIES = [StoredSummary("Session", Session, fields=("hours",), session="id")]
HOURS_RECORDED_SUMMARIES = [
    StoredSummary("Enrollment", Enrollment, key=("id",), fields=("hours_recorded",)),
    StoredSummary("AttendanceGap", AttendanceGap, fields=("first_date",)),
]


def _slot_minutes(key: str = "pk") -> Subquery:
    """The sum of the minutes of the slots of the session `key` names (empty: no schedule)."""
    return Subquery(
        TimeSlot.objects.filter(session_id=OuterRef(key))
        .order_by()
        .values("session_id")
        .annotate(total=Sum("minutes"))
        .values("total"),
        output_field=IntegerField(),
    )


def refresh_scheduled_hours(session_ids: SessionIds) -> None:
    """Give each of these sessions that has a schedule the hours of its slots. A session whose
    last slot was deleted keeps the hours it had (it has no schedule any more: they are typed
    again from its form). One read of the scheduled sessions, whatever their number."""
    scheduled = (
        Session.objects.filter(pk__in=session_ids)
        .annotate(minutes=_slot_minutes())
        .filter(minutes__isnull=False)
        .only("pk", "hours")
    )
    for session in scheduled.iterator(chunk_size=2000):
        hours = minutes_to_hours(session.minutes)
        if session.hours != hours:
            session.hours = hours
            # save(), not update(): the session's history records the new hours.
            session.save(update_fields=["hours"])


def _hours_of(minutes: Coalesce) -> Cast:
    """`minutes_to_hours` in SQL, exactly: minutes ÷ 60 to the cent, half up. In cents that is
    5·minutes ÷ 3, whose fraction is 0, ⅓ or ⅔ (never a half), so (5·minutes + 1) ÷ 3 in integer
    division rounds it; then ÷ 100 as a decimal (a float division first: SQLite divides two
    integers as integers, and a cent count ÷ 100.0 is the double nearest those hours)."""
    cents = (minutes * 5 + 1) / 3
    return Cast(cents / Value(100.0), output_field=DecimalField(max_digits=9, decimal_places=2))


def refresh_hours_recorded(
    session_ids: SessionIds, enrollment_ids: frozenset[int] | None = None
) -> None:
    """Give each enrollment of these sessions the hours its session's attendance record gives it
    (empty when the session has none), and each session its attendance gap.

    Registered twice (attendance/apps.py): with every enrollment of the sessions after any change,
    and with `enrollment_ids` after a change to those enrollments' attendance entries only — then
    only theirs are computed, with any left without hours (a session's first entry gives every
    learner hours: 0 until they attend). Set-based, and writes only the rows whose value changed:
    a fixed few queries whatever the number of sessions or enrollments — the gaps (two reads,
    writes only when one moved), the sessions without a record (one update), the others (one
    update)."""
    _refresh_gaps(session_ids)
    # A session has an attendance record when any of its slots has an entry.
    recorded = Exists(Attendance.objects.filter(slot__session_id=OuterRef("session_id")))
    enrollments = Enrollment.objects.filter(session_id__in=session_ids).order_by()
    enrollments.filter(~recorded, hours_recorded__isnull=False).update(hours_recorded=None)
    attended = Coalesce(
        Subquery(
            Attendance.objects.filter(enrollment_id=OuterRef("pk"))
            .order_by()
            .values("enrollment_id")
            .annotate(total=Sum("minutes"))
            .values("total"),
            output_field=IntegerField(),
        ),
        0,
    )
    enrollments = enrollments.filter(recorded)
    if enrollment_ids is not None:
        enrollments = enrollments.filter(Q(pk__in=enrollment_ids) | Q(hours_recorded__isnull=True))
    # (exclude() keeps the rows without hours: NOT (hours = x AND hours IS NOT NULL).)
    enrollments.exclude(hours_recorded=_hours_of(attended)).update(
        hours_recorded=_hours_of(attended)
    )


def _refresh_gaps(session_ids: SessionIds) -> None:
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
    # Each entry's enrollment joined for its outcome. (Not `enrollment_id IN (the expected
    # ids)`: inside an aggregate's FILTER, PostgreSQL hashes that list only when it fits in
    # work_mem — a whole organisation's does not, and each entry then scanned the list: over 20
    # minutes at 40 000 learners.)
    slots = (
        TimeSlot.objects.filter(session_id__in=session_ids)
        .order_by()
        .annotate(
            entries=Count("attendances"),
            expected_entries=Count(
                "attendances", filter=Q(attendances__enrollment__outcome__in=EXPECTED)
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
    for batch in itertools.batched(moved.items(), GAP_BATCH):
        AttendanceGap.objects.filter(session_id__in=[pk for pk, _gap in batch]).delete()
        AttendanceGap.objects.bulk_create(
            AttendanceGap(session_id=pk, first_date=gap) for pk, gap in batch if gap
        )
