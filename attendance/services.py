"""Every write to schedules, attendance and session trainers. Views, the admin, the demo and the
tests call these.

A slot or an attendance entry changes the session's figures — its hours (the sum of its slots),
each learner's attended hours, hence the BPF — so every write goes through training's entry point
`changing_sessions`: the session row is locked first, what decides the write is read again under
the lock, and the summaries (attendance/summaries.py, then funding's) are refreshed at the end.
Each function is keyword-only and runs in one transaction; a constraint a user can hit is a
`ValidationError` (a form message), never a database error.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from attendance.models import Attendance, AttendanceStatus, SessionTrainer, TimeSlot
from attendance.schedule import Pattern, TimeRange, overlapping_ranges, pattern_slots
from certeef.models import Role
from training import services as training_services
from training.changes import changing_sessions
from training.models import Enrollment, Outcome

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from certeef.models import Membership, Organization
    from training.models import Session


def _check_organization(organization: Organization, *objects) -> None:
    # A programming error, not a user error: views only hand over objects of their organisation.
    for obj in objects:
        if obj.organization_id != organization.pk:
            raise ValidationError(_("This object belongs to another organisation."))


def _format_date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# ---------------------------------------------------------------------------------------------
# Schedule


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
            % {"start": _format_date(session.start_date), "end": _format_date(session.end_date)}
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
    _check_organization(organization, session)
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
    _check_organization(organization, slot)
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
        for entry in slot.attendances.filter(status=AttendanceStatus.PRESENT):
            entry.minutes = slot.minutes
            entry.save(update_fields=["minutes"])
    return slot


@transaction.atomic
def slot_delete(*, organization: Organization, slot: TimeSlot) -> None:
    """Delete a slot and the attendance recorded in it (the page asks first)."""
    _check_organization(organization, slot)
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
    _check_organization(organization, session)
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
            % {"start": _format_date(session.start_date), "end": _format_date(session.end_date)}
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
        created = []
        # One by one, so that each slot is in the history (a schedule has a few dozen).
        for planned_slot in planned:
            slot = TimeSlot(
                organization=organization,
                session=session,
                date=planned_slot.date,
                start_time=planned_slot.time_range.start,
                end_time=planned_slot.time_range.end,
            )
            slot.save()
            created.append(slot)
    return GeneratedSchedule(created=created, skipped_holidays=skipped)


# ---------------------------------------------------------------------------------------------
# Attendance


@dataclass(frozen=True)
class Entry:
    """What one cell of the grid says: a status ("" = not recorded) and, when partly present,
    the minutes attended."""

    slot_id: int
    enrollment_id: int
    status: str
    minutes: int | None = None


def _today() -> datetime.date:
    return timezone.localdate()


def _entry_minutes(slot: TimeSlot, status: str, minutes: int | None) -> int:
    """The minutes an entry stores, or a ValidationError saying what is wrong."""
    if status not in AttendanceStatus.values:
        raise ValidationError(_("Choose present, absent, excused or partly present."))
    if status in (AttendanceStatus.PRESENT, AttendanceStatus.PARTIAL) and slot.date > _today():
        raise ValidationError(
            _("The slot of %(slot)s has not taken place yet: a learner cannot be present in it.")
            % {"slot": slot}
        )
    if status == AttendanceStatus.PRESENT:
        return slot.minutes
    if status == AttendanceStatus.PARTIAL:
        if minutes is None or not 0 < minutes < slot.minutes:
            raise ValidationError(
                _(
                    "Partly present: give the minutes attended, from 1 to %(most)d (the slot "
                    "lasts %(length)d minutes; a learner there all along is present)."
                )
                % {"most": slot.minutes - 1, "length": slot.minutes}
            )
        return minutes
    return 0


class EntryErrors(ValidationError):
    """Some cells were refused: `by_cell` maps (slot id, enrollment id) to their messages."""

    def __init__(self, by_cell: dict[tuple[int, int], list[str]]) -> None:
        self.by_cell = by_cell
        super().__init__([message for messages in by_cell.values() for message in messages])


@dataclass
class _Plan:
    to_save: list[Attendance] = field(default_factory=list)
    to_delete: list[Attendance] = field(default_factory=list)
    errors: dict[tuple[int, int], list[str]] = field(default_factory=dict)


def _plan(
    organization: Organization,
    session: Session,
    entries: Sequence[Entry],
    user: User | None,
) -> _Plan:
    """What recording these cells would write, and the cells refused (keyed (slot, enrollment)
    like the entries' ids). Four queries, whatever the number of cells."""
    plan = _Plan()
    slot_ids = {entry.slot_id for entry in entries}
    enrollment_ids = {entry.enrollment_id for entry in entries}
    slots = {slot.pk: slot for slot in session.time_slots.filter(pk__in=slot_ids)}
    enrollments = {
        enrollment.pk: enrollment
        for enrollment in Enrollment.objects.filter(
            session=session, pk__in=enrollment_ids
        ).select_related("learner")
    }
    stored = {
        (entry.slot_id, entry.enrollment_id): entry
        for entry in Attendance.objects.filter(
            slot_id__in=slot_ids, enrollment_id__in=enrollment_ids
        )
    }
    for entry in entries:
        key = (entry.slot_id, entry.enrollment_id)
        slot, enrollment = slots.get(entry.slot_id), enrollments.get(entry.enrollment_id)
        if slot is None or enrollment is None:
            plan.errors[key] = [_("This slot or learner is not part of this session.")]
            continue
        if enrollment.is_cancelled:
            plan.errors[key] = [
                _("%(learner)s's enrollment is cancelled: no attendance is recorded for it.")
                % {"learner": enrollment.learner}
            ]
            continue
        current = stored.get(key)
        if not entry.status:
            if current is not None:
                plan.to_delete.append(current)
            continue
        try:
            minutes = _entry_minutes(slot, entry.status, entry.minutes)
        except ValidationError as error:
            plan.errors[key] = error.messages
            continue
        if current is not None and (current.status, current.minutes) == (entry.status, minutes):
            continue
        attendance = current or Attendance(
            organization=organization, slot=slot, enrollment=enrollment
        )
        attendance.status, attendance.minutes = entry.status, minutes
        attendance.recorded_by = user
        plan.to_save.append(attendance)
    return plan


def attendance_check(
    *, organization: Organization, session: Session, entries: Sequence[Entry]
) -> dict[tuple[int, int], list[str]]:
    """The cells `attendance_record` would refuse, and why (nothing is written): a grid with
    unreadable cells is shown again with every refusal at once."""
    _check_organization(organization, session)
    return _plan(organization, session, entries, None).errors


@transaction.atomic
def attendance_record(
    *,
    organization: Organization,
    session: Session,
    entries: Sequence[Entry],
    user: User | None,
) -> list[Attendance]:
    """Record cells of a session's grid: create, change or clear (status "") each entry.

    All or nothing: if any cell is refused, nothing is written and `EntryErrors` says which
    cells and why (keyed (slot id, enrollment id)). Entries equal to what is stored are left
    untouched (a whole grid posted without JavaScript writes only what changed). Returns the
    entries written."""
    _check_organization(organization, session)
    with changing_sessions([session.pk]):
        plan = _plan(organization, session, entries, user)
        if plan.errors:
            raise EntryErrors(plan.errors)
        # One by one, so that each change is in the history (who, when, before → after).
        for attendance in plan.to_delete:
            attendance.delete()
        for attendance in plan.to_save:
            attendance.save()
    return plan.to_save


@transaction.atomic
def slot_mark_present(
    *, organization: Organization, slot: TimeSlot, user: User | None
) -> list[Attendance]:
    """ "All present": every learner of the slot with no entry yet is marked present. Entries
    already recorded (an absence, a late arrival) are kept; cancelled and dropped-out learners are
    left alone. Returns the entries created."""
    _check_organization(organization, slot)
    session = slot.session
    with changing_sessions([session.pk]):
        if slot.date > _today():
            raise ValidationError(
                _(
                    "The slot of %(slot)s has not taken place yet: a learner cannot be present "
                    "in it."
                )
                % {"slot": slot}
            )
        missing = (
            Enrollment.objects.filter(session=session)
            .exclude(outcome__in=[Outcome.CANCELLED, Outcome.DROPPED_OUT])
            .exclude(attendances__slot=slot)
            .order_by("pk")
        )
        created = [
            Attendance(
                organization=organization,
                slot=slot,
                enrollment=enrollment,
                status=AttendanceStatus.PRESENT,
                minutes=slot.minutes,
                recorded_by=user,
            )
            for enrollment in missing
        ]
        for attendance in created:
            attendance.save()
    return created


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
    _check_organization(organization, enrollment)
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
                        "start": _format_date(session.start_date),
                        "end": _format_date(session.end_date),
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


# ---------------------------------------------------------------------------------------------
# Trainers


@transaction.atomic
def session_trainers_set(
    *, organization: Organization, session: Session, memberships: Iterable[Membership]
) -> None:
    """Assign exactly these trainers to the session (members of its organisation with the trainer
    role; administrators record every session already)."""
    _check_organization(organization, session)
    memberships = list(memberships)
    for membership in memberships:
        _check_organization(organization, membership)
        if membership.role != Role.TRAINER:
            raise ValidationError(
                {
                    "trainers": _("%(user)s is not a trainer of this organisation.")
                    % {"user": membership.user}
                }
            )
    wanted = {membership.pk for membership in memberships}
    # Assignments decide who records the session: lock it like any other write to it.
    with changing_sessions([session.pk]):
        current = set(
            SessionTrainer.objects.filter(session=session).values_list("membership_id", flat=True)
        )
        for assignment in SessionTrainer.objects.filter(
            session=session, membership_id__in=current - wanted
        ):
            assignment.delete()
        for membership_id in sorted(wanted - current):
            SessionTrainer.objects.create(
                organization=organization, session=session, membership_id=membership_id
            )
