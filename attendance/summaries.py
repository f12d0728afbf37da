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

from django.db.models import Count, Q, Sum

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


def refresh_hours_recorded(session_ids: Sequence[int]) -> None:
    """Give each enrollment of these sessions the hours its session's attendance record gives it
    (empty when the session has none). Writes only the enrollments whose hours changed, grouped
    by value: saving one cell writes one row. Two queries for sessions without a record; for
    those with one, a read of their enrollments and one update per new value."""
    minutes: dict[int, int] = {}
    recorded: set[int] = set()
    rows = (
        Attendance.objects.filter(slot__session_id__in=session_ids)
        .order_by()
        .values("slot__session_id", "enrollment_id")
        .annotate(total=Sum("minutes"))
        .values_list("slot__session_id", "enrollment_id", "total")
    )
    for session_id, enrollment_id, total in rows:
        recorded.add(session_id)
        minutes[enrollment_id] = total
    _refresh_gaps(session_ids, recorded)
    unrecorded = [pk for pk in session_ids if pk not in recorded]
    if unrecorded:
        Enrollment.objects.filter(session_id__in=unrecorded, hours_recorded__isnull=False).update(
            hours_recorded=None
        )
    if not recorded:
        return
    changed: dict[Decimal, list[int]] = defaultdict(list)
    stored = Enrollment.objects.filter(session_id__in=recorded).values_list("pk", "hours_recorded")
    for pk, hours_recorded in stored:
        hours = minutes_to_hours(minutes.get(pk, 0))
        if hours != hours_recorded:
            changed[hours].append(pk)
    for hours, pks in changed.items():
        Enrollment.objects.filter(pk__in=pks).update(hours_recorded=hours)


def _refresh_gaps(session_ids: Sequence[int], recorded: set[int]) -> None:
    """The first slot of each recorded session where an expected learner has no entry."""
    AttendanceGap.objects.filter(session_id__in=session_ids).delete()
    if not recorded:
        return
    expected = dict(
        Enrollment.objects.filter(session_id__in=recorded, outcome__in=EXPECTED)
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    slots = (
        TimeSlot.objects.filter(session_id__in=recorded)
        .order_by()
        .annotate(
            entries=Count("attendances", filter=Q(attendances__enrollment__outcome__in=EXPECTED))
        )
        .values_list("session_id", "date", "entries")
    )
    first: dict[int, datetime.date] = {}
    for session_id, date, entries in slots:
        if entries < expected.get(session_id, 0) and (
            session_id not in first or date < first[session_id]
        ):
            first[session_id] = date
    AttendanceGap.objects.bulk_create(
        AttendanceGap(session_id=session_id, first_date=date) for session_id, date in first.items()
    )
