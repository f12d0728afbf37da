"""The attendance grid's operations (issue 15): a 30-learner × 60-slot session of the scale
organisation, built once (in the past, so every slot may be marked present), half its slots
recorded."""

from __future__ import annotations

import datetime
import itertools
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse

from attendance import recording, schedule_services
from attendance.models import Attendance, AttendanceStatus, TimeSlot
from attendance.schedule import Pattern, TimeRange
from learners.models import Learner
from training.changes import refresh_sessions
from training.models import Course, Enrollment, Session

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from django.test import Client

    from certeef.models import Organization

REFERENCE = "BENCH-EMARGEMENT"
LEARNERS, DAYS = 30, 30  # two slots a day: 60 slots
HTMX = {"HX-Request": "true"}


def _bench_session(organization: Organization) -> Session:
    session = Session.objects.filter(organization=organization, reference=REFERENCE).first()
    if session is not None:
        return session
    first = datetime.date(2024, 1, 8)
    last = first + datetime.timedelta(days=DAYS * 7 // 5 + 4)
    course = Course.objects.filter(organization=organization).first()
    if course is None:
        raise RuntimeError("The benchmark runs on the seeded data: it has no course.")
    with transaction.atomic():
        session = Session.objects.create(
            organization=organization,
            course=course,
            reference=REFERENCE,
            start_date=first,
            end_date=last,
            hours=0,
        )
        learners = Learner.objects.filter(organization=organization).order_by("pk")[:LEARNERS]
        Enrollment.objects.bulk_create(
            Enrollment(organization=organization, session=session, learner=learner)
            for learner in learners
        )
        slots = schedule_services.schedule_generate(
            organization=organization,
            session=session,
            pattern=Pattern(
                first,
                last,
                frozenset(range(5)),
                (
                    TimeRange(datetime.time(9), datetime.time(12, 30)),
                    TimeRange(datetime.time(13, 30), datetime.time(17)),
                ),
                skip_public_holidays=False,
            ),
        ).created[: DAYS * 2]
        TimeSlot.objects.filter(session=session).exclude(pk__in=[s.pk for s in slots]).delete()
        for slot in slots[: len(slots) // 2]:
            recording.slot_mark_present(organization=organization, slot=slot, user=None)
    return session


def attendance_operations(organization: Organization, client: Client) -> Iterator[tuple]:
    """(name, run, target) of each attendance operation."""
    session = _bench_session(organization)
    grid = reverse("attendance:grid", args=[session.pk])
    enrollments = list(session.enrollments.order_by("pk").values_list("pk", flat=True))
    slots = list(session.time_slots.order_by("date", "start_time").values_list("pk", flat=True))

    def get_grid() -> int:
        response = client.get(grid)
        assert response.status_code == 200, response.status_code
        return len(enrollments) * len(slots)

    statuses = itertools.cycle([AttendanceStatus.ABSENT, AttendanceStatus.PRESENT])

    def save_cell() -> int:
        name = f"s-{enrollments[0]}-{slots[0]}"
        response = client.post(grid, {name: next(statuses)}, headers=HTMX)
        assert response.status_code == 200, response.status_code
        return 1

    # The second half of the slots is left empty (cleared here, untimed, from a previous run):
    # each "all present" run marks the next one, as a trainer does slot after slot.
    empty = slots[len(slots) // 2 :]
    Attendance.objects.filter(slot_id__in=empty).delete()
    refresh_sessions([session.pk])
    empty_slots = iter(empty)

    def mark_slot() -> int:
        slot = next(empty_slots)
        response = client.post(grid, {"all_present": slot}, headers=HTMX)
        assert response.status_code == 200, response.status_code
        return len(enrollments)

    size = f"{len(enrollments)} × {len(slots)}"
    yield f"3g. Attendance grid ({size})", get_grid, "≤ 150 ms, ≤ 15 queries"
    yield "3h. Attendance: save one cell (htmx)", save_cell, "≤ 50 ms"
    yield "3i. Attendance: all present for a slot", mark_slot, "≤ 100 ms"


def measured(organization: Organization, client: Client, operation: Callable) -> Iterator:
    """The attendance lines of the benchmark, as `operation(name, run, target)`."""
    for name, run, target in attendance_operations(organization, client):
        yield operation(name, run, target)
