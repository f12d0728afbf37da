"""Every write to a session's schedule: slots added one by one or generated from a pattern,
moved, resized, deleted.

A slot changes the session's figures — its hours are the sum of its slots, and each learner's
attended hours the sum of their entries in them — so every write goes through training's entry
point `changing_sessions`: the session row is locked first, what decides the write is read again
under the lock, and the summaries (attendance/summaries.py, then funding's) are refreshed at the
end. Each function is keyword-only and runs in one transaction; a constraint a user can hit is a
`ValidationError` (a form message), never a database error.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from attendance.models import Attendance, AttendanceStatus, TimeSlot
from attendance.schedule import Pattern, TimeRange, overlapping_ranges, pattern_slots
from attendance.service_checks import check_organization, format_date
from training.changes import changing_sessions

if TYPE_CHECKING:
    from certeef.models import Organization
    from training.models import Session


def _check_slot(
    session: Session,
    date: datetime.date,
    time_range: TimeRange,
    *,
    others: Iterable[TimeSlot],
) -> None:
    """A slot's own rules: same day, within the session's dates, overlapping no other slot."""
    errors: dict[str, list[str]] = {}
    if time_range.end <= time_range.start:
        errors.setdefault("end_time", []).append(
            _(
                "A slot ends after it starts, on the same day: a slot across midnight is "
                "refused (record it as two slots, one on each day)."
            )
        )
    if not session.start_date <= date <= session.end_date:
        errors.setdefault("date", []).append(
            _("The session runs from %(start)s to %(end)s: a slot must be within these dates.")
            % {"start": format_date(session.start_date), "end": format_date(session.end_date)}
        )
    if not errors:
        for other in others:
            if other.date == date and time_range.overlaps(
                TimeRange(other.start_time, other.end_time)
            ):
                errors.setdefault("__all__", []).append(
                    _("This slot overlaps the slot of %(slot)s.") % {"slot": other}
                )
                break
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def slot_create(
    *,
    organization: Organization,
    session: Session,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
) -> TimeSlot:
    check_organization(organization, session)
    with changing_sessions([session.pk]):
        _check_slot(
            session,
            date,
            TimeRange(start_time, end_time),
            others=session.time_slots.filter(date=date),
        )
        slot = TimeSlot(
            organization=organization,
            session=session,
            date=date,
            start_time=start_time,
            end_time=end_time,
        )
        slot.save()
    return slot


@transaction.atomic
def slot_update(
    *,
    organization: Organization,
    slot: TimeSlot,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
) -> TimeSlot:
    """Move or resize a slot. Its "present" entries follow its new length; a "partly present"
    entry longer than the new length refuses the change (the minutes would no longer fit)."""
    check_organization(organization, slot)
    session = slot.session
    with changing_sessions([session.pk]):
        time_range = TimeRange(start_time, end_time)
        _check_slot(
            session,
            date,
            time_range,
            others=session.time_slots.filter(date=date).exclude(pk=slot.pk),
        )
        too_long = slot.attendances.filter(
            status=AttendanceStatus.PARTIAL, minutes__gte=time_range.minutes
        ).count()
        if too_long:
            raise ValidationError(
                ngettext(
                    "%(count)d learner is recorded partly present for at least %(minutes)d "
                    "minutes, which no longer fits this slot: change that entry first.",
                    "%(count)d learners are recorded partly present for at least %(minutes)d "
                    "minutes, which no longer fits this slot: change those entries first.",
                    too_long,
                )
                % {"count": too_long, "minutes": time_range.minutes}
            )
        slot.date, slot.start_time, slot.end_time = date, start_time, end_time
        slot.save()
        present = list(slot.attendances.filter(status=AttendanceStatus.PRESENT))
        for entry in present:
            entry.minutes = slot.minutes
        # In two statements however many learners were present, each change in the history.
        bulk_update_with_history(present, Attendance, ["minutes"])
    return slot


@transaction.atomic
def slot_delete(*, organization: Organization, slot: TimeSlot) -> None:
    """Delete a slot and the attendance recorded in it (the page asks first)."""
    check_organization(organization, slot)
    with changing_sessions([slot.session_id]):
        # One by one, so that each deleted entry is in the history.
        for entry in slot.attendances.all():
            entry.delete()
        slot.delete()


@dataclass
class GeneratedSchedule:
    created: list[TimeSlot] = field(default_factory=list)
    skipped_holidays: dict[datetime.date, str] = field(default_factory=dict)


@transaction.atomic
def schedule_generate(
    *, organization: Organization, session: Session, pattern: Pattern
) -> GeneratedSchedule:
    """Add the slots of a pattern to the session (public holidays skipped). Refused whole if a
    slot would fall outside the session's dates or overlap a slot already there."""
    check_organization(organization, session)
    if not pattern.ranges:
        raise ValidationError(_("Give at least one time range."))
    for time_range in pattern.ranges:
        if time_range.end <= time_range.start:
            raise ValidationError(
                _(
                    "The time range %(range)s ends before it starts: a slot across midnight is "
                    "refused (record it as two slots, one on each day)."
                )
                % {"range": time_range}
            )
    for first, second in overlapping_ranges(pattern.ranges)[:1]:
        raise ValidationError(
            _("The time ranges %(first)s and %(second)s overlap.")
            % {"first": first, "second": second}
        )
    if pattern.first < session.start_date or pattern.last > session.end_date:
        raise ValidationError(
            _("The session runs from %(start)s to %(end)s: generate slots within these dates.")
            % {"start": format_date(session.start_date), "end": format_date(session.end_date)}
        )
    planned, skipped = pattern_slots(pattern)
    if not planned:
        raise ValidationError(_("This pattern gives no slot: check its days and dates."))
    with changing_sessions([session.pk]):
        existing = list(session.time_slots.filter(date__gte=pattern.first, date__lte=pattern.last))
        for slot in planned:
            for other in existing:
                if other.date == slot.date and slot.time_range.overlaps(
                    TimeRange(other.start_time, other.end_time)
                ):
                    raise ValidationError(
                        _(
                            "The schedule already has the slot of %(slot)s, which this pattern "
                            "overlaps: delete it or choose other dates."
                        )
                        % {"slot": other}
                    )
        created: list[TimeSlot] = []
        # One by one, so that each slot is in the history (a schedule has a few dozen).
        for planned_slot in planned:
            time_slot = TimeSlot(
                organization=organization,
                session=session,
                date=planned_slot.date,
                start_time=planned_slot.time_range.start,
                end_time=planned_slot.time_range.end,
            )
            time_slot.save()
            created.append(time_slot)
    return GeneratedSchedule(created=created, skipped_holidays=skipped)
