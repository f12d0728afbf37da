"""A session with a schedule has the hours of its slots: Session.hours is kept equal to their sum.

Why keep the field rather than compute it wherever it is read: every reader of a session's hours —
the session page, the funding summaries, the BPF, its drill-down and exports, the imports — keeps
reading one column, as fast as before, and a session without a schedule keeps its typed hours. The
sum is written by training's entry point (registered in attendance/apps.py, before funding's
summaries, which read the hours): every write that changes a session — a slot added, moved or
deleted, but also a session saved from its form or the admin with other hours — ends with the
hours of its slots, so they cannot drift apart. The session form shows the field read-only while
the session has a schedule.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Sum

from attendance.models import TimeSlot, minutes_to_hours
from training.changes import StoredSummary
from training.models import Session

# Where the refresh keeps its figure (compared with a rebuild by `refresh_summaries --check`).
STORED_SUMMARIES = [StoredSummary("Session", Session, fields=("hours",), session="id")]


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
