"""A learner who stopped coming, marked dropped out in one step from the grid (issue 15, part 5)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attendance.models import Attendance, AttendanceStatus
from attendance.recording import Entry, attendance_record
from attendance.service_checks import check_organization, format_date
from training import services as training_services
from training.changes import changing_sessions
from training.models import Enrollment, Outcome

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from certeef.models import Organization


@transaction.atomic
def enrollment_drop_out(
    *,
    organization: Organization,
    enrollment: Enrollment,
    last_day: datetime.date,
    user: User | None,
) -> list[Attendance]:
    """A learner who stopped coming, in one step (issue 15, part 5): absent on every slot after
    `last_day` (their entries there, if any, replaced; an excused absence kept), and the
    enrollment's outcome "dropped out". The hours they followed are then those of the slots up to
    `last_day`, as the grid shows them. Returns the entries written.

    `last_day` is within the session: a learner withdrawn before the start is cancelled, not
    dropped out. A session whose attendance is not recorded (no slot after `last_day` and no entry
    before) asks for the hours followed instead, as the enrollment's form does."""
    check_organization(organization, enrollment)
    with changing_sessions([enrollment.session_id]):
        enrollment = Enrollment.objects.select_related("session", "learner").get(pk=enrollment.pk)
        session = enrollment.session
        if enrollment.is_cancelled:
            raise ValidationError(
                _("%(learner)s's enrollment is cancelled: no attendance is recorded for it.")
                % {"learner": enrollment.learner}
            )
        if not session.start_date <= last_day <= session.end_date:
            raise ValidationError(
                {
                    "last_day": _(
                        "The last day attended is within the session, from %(start)s to "
                        "%(end)s (a learner withdrawn before the start is cancelled)."
                    )
                    % {
                        "start": format_date(session.start_date),
                        "end": format_date(session.end_date),
                    }
                }
            )
        kept = {
            entry.slot_id
            for entry in Attendance.objects.filter(
                enrollment=enrollment, slot__date__gt=last_day, status=AttendanceStatus.EXCUSED
            )
        }
        entries = [
            Entry(slot.pk, enrollment.pk, AttendanceStatus.ABSENT)
            for slot in session.time_slots.filter(date__gt=last_day).order_by("date", "start_time")
            if slot.pk not in kept
        ]
        written = attendance_record(
            organization=organization, session=session, entries=entries, user=user
        )
        training_services.enrollment_update(
            organization=organization,
            enrollment=enrollment,
            hours_attended=enrollment.hours_attended,
            outcome=Outcome.DROPPED_OUT,
            trainee_type_override=enrollment.trainee_type_override,
        )
    return written
