"""Recording who attended each slot: cells of the grid, and "all present" for a slot.

An attendance entry changes one learner's attended hours, hence the BPF, and nothing else: every
write goes through training's entry point `changing_sessions` naming the enrollments whose entries
it writes (`attendance_of`), so that the session is locked first and only what attendance feeds is
refreshed at the end (their hours recorded, the session's attendance gap, the session summaries'
hours). The writes are set-based — a fixed few statements whatever the number of cells, each
entry written still in the history (who, when, before → after) — except clearing a cell, which
deletes its entry one by one (the history of a deletion is recorded by the delete itself).
Each function is keyword-only and runs in one transaction; a constraint a user can hit is a
`ValidationError` (a form message), never a database error.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from attendance.models import Attendance, AttendanceStatus
from attendance.service_checks import check_organization
from training.changes import ALL_ENROLLMENTS, changing_sessions
from training.models import Enrollment, Outcome

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from attendance.models import TimeSlot
    from certeef.models import Organization
    from training.models import Session


@dataclass(frozen=True)
class Entry:
    """What one cell of the grid says: a status ("" = not recorded) and, when partly present,
    the minutes attended."""

    slot_id: int
    enrollment_id: int
    status: str
    minutes: int | None = None


def today() -> datetime.date:
    return timezone.localdate()


def _entry_minutes(slot: TimeSlot, status: str, minutes: int | None) -> int:
    """The minutes an entry stores, or a ValidationError saying what is wrong."""
    if status not in AttendanceStatus.values:
        raise ValidationError(_("Choose present, absent, excused or partly present."))
    if status in (AttendanceStatus.PRESENT, AttendanceStatus.PARTIAL) and slot.date > today():
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
    like the entries' ids). Three queries, whatever the number of cells."""
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
    check_organization(organization, session)
    return _plan(organization, session, entries, None).errors


def _write(plan: _Plan, user: User | None) -> None:
    """The plan's writes, each entry written in the history (by `user`, else the request's)."""
    for attendance in plan.to_delete:
        attendance.delete()
    created = [attendance for attendance in plan.to_save if attendance.pk is None]
    changed = [attendance for attendance in plan.to_save if attendance.pk is not None]
    if created:
        bulk_create_with_history(created, Attendance, default_user=user)
    if changed:
        now = timezone.now()
        for attendance in changed:
            attendance.recorded_at = now  # auto_now: set by save(), not by bulk_update()
        bulk_update_with_history(
            changed,
            Attendance,
            ["status", "minutes", "recorded_by", "recorded_at"],
            default_user=user,
        )


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
    check_organization(organization, session)
    enrollment_ids = {entry.enrollment_id for entry in entries}
    with changing_sessions([session.pk], attendance_of=enrollment_ids):
        plan = _plan(organization, session, entries, user)
        if plan.errors:
            raise EntryErrors(plan.errors)
        _write(plan, user)
    return plan.to_save


@transaction.atomic
def slot_mark_present(
    *, organization: Organization, slot: TimeSlot, user: User | None
) -> list[Attendance]:
    """ "All present": every learner of the slot with no entry yet is marked present. Entries
    already recorded (an absence, a late arrival) are kept; cancelled and dropped-out learners are
    left alone. Returns the entries created. A fixed few statements whatever the number of
    learners."""
    check_organization(organization, slot)
    with changing_sessions([slot.session_id], attendance_of=ALL_ENROLLMENTS):
        if slot.date > today():
            raise ValidationError(
                _(
                    "The slot of %(slot)s has not taken place yet: a learner cannot be present "
                    "in it."
                )
                % {"slot": slot}
            )
        missing = (
            Enrollment.objects.filter(session_id=slot.session_id)
            .exclude(outcome__in=[Outcome.CANCELLED, Outcome.DROPPED_OUT])
            .exclude(attendances__slot=slot)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        plan = _Plan(
            to_save=[
                Attendance(
                    organization=organization,
                    slot=slot,
                    enrollment_id=enrollment_id,
                    status=AttendanceStatus.PRESENT,
                    minutes=slot.minutes,
                    recorded_by=user,
                )
                for enrollment_id in missing
            ]
        )
        _write(plan, user)
    return plan.to_save
