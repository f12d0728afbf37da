"""The demo's schedules and attendance (Formations Lumière): what a trainer records.

- MAN-2503 (10–12 March 2025, three days of two half-days): attendance recorded slot by slot, as
  the trainer would have — Nathalie stops coming after the first day (she dropped out), Fatou
  misses the afternoon of 11 March (an absent half-day), Manon leaves 30 minutes early on the last
  morning (partly present).
- MAN-2603 (9–11 March 2026): the same schedule, its attendance not entered yet — the BPF's
  `attendance_not_recorded` check points at its grid.

The demo's trainer (Julien Moreau) is assigned to both: he records them and prints their sign-in
sheets and certificates.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from attendance import recording, schedule_services, trainer_services
from attendance.models import AttendanceStatus
from attendance.schedule import Pattern, TimeRange
from certeef.models import Membership, Organization
from training import services as training_services
from training.models import Enrollment, Outcome, Session

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MORNING = TimeRange(datetime.time(9, 0), datetime.time(12, 30))
AFTERNOON = TimeRange(datetime.time(13, 30), datetime.time(17, 0))

PRESENT = AttendanceStatus.PRESENT
ABSENT = AttendanceStatus.ABSENT
PARTIAL = AttendanceStatus.PARTIAL


def _schedule(session: Session) -> list:
    return schedule_services.schedule_generate(
        organization=session.organization,
        session=session,
        pattern=Pattern(
            first=session.start_date,
            last=session.end_date,
            weekdays=frozenset(range(5)),
            ranges=(MORNING, AFTERNOON),
        ),
    ).created


def add_attendance(organization: Organization, *, trainer: User) -> None:
    membership = Membership.objects.get(user=trainer, organization=organization)
    recorded = Session.objects.get(organization=organization, reference="MAN-2503")
    pending = Session.objects.get(organization=organization, reference="MAN-2603")
    for session in (recorded, pending):
        _schedule(session)
        trainer_services.session_trainers_set(
            organization=organization, session=session, memberships=[membership]
        )
    slots = list(recorded.time_slots.order_by("date", "start_time"))
    enrollments = {
        enrollment.learner.first_name.lower(): enrollment
        for enrollment in Enrollment.objects.filter(session=recorded).select_related("learner")
    }
    dropped_out = enrollments["nathalie"]
    for slot in slots:
        # The exceptions first, then "All present" for the others, as on the grid.
        # Nathalie attends both half-days of the first day (7 h), then is absent.
        first_day = slot.date == slots[0].date
        exceptions = [] if first_day else [recording.Entry(slot.pk, dropped_out.pk, ABSENT)]
        if (slot.date, slot.start_time) == (datetime.date(2025, 3, 11), AFTERNOON.start):
            exceptions.append(recording.Entry(slot.pk, enrollments["fatou"].pk, ABSENT))
        if (slot.date, slot.start_time) == (datetime.date(2025, 3, 12), MORNING.start):
            exceptions.append(recording.Entry(slot.pk, enrollments["manon"].pk, PARTIAL, 180))
        recording.attendance_record(
            organization=organization, session=recorded, entries=exceptions, user=trainer
        )
        recording.slot_mark_present(organization=organization, slot=slot, user=trainer)
    # Her outcome: dropped out (counted with the hours the grid shows she followed).
    training_services.enrollment_update(
        organization=organization,
        enrollment=dropped_out,
        hours_attended=dropped_out.hours_attended,
        outcome=Outcome.DROPPED_OUT,
        trainee_type_override=dropped_out.trainee_type_override,
    )
