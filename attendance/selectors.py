"""Reads shared by the attendance pages, the documents and the sections other pages show.
Keyword-only, as the services are.

Each read is a fixed number of queries whatever the size of the session: the grid of 30 learners
by 60 slots is three (slots, enrollments with their learners, entries).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from attendance.models import Attendance, TimeSlot, minutes_to_hours
from certeef.models import Membership
from training.models import Enrollment, Session

# Where an enrollment's hours come from (BPF.md, section F): the attendance record when the
# session has one, else the hours typed on the enrollment, else the session's hours.
FROM_ATTENDANCE, FROM_TYPED, FROM_SESSION = "attendance", "typed", "session"


def session_slots(*, session: Session) -> list[TimeSlot]:
    return list(session.time_slots.order_by("date", "start_time", "pk"))


@dataclass
class Day:
    date: datetime.date
    slots: list[TimeSlot] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(slot.minutes for slot in self.slots)


def days_of(*, slots: Iterable[TimeSlot]) -> list[Day]:
    """Slots grouped by date, in order."""
    days: list[Day] = []
    for slot in slots:
        if not days or days[-1].date != slot.date:
            days.append(Day(slot.date))
        days[-1].slots.append(slot)
    return days


def week_start(*, day: datetime.date) -> datetime.date:
    """The Monday of a date's week."""
    return day - datetime.timedelta(days=day.weekday())


def weeks_of(*, days: Sequence[Day]) -> list[datetime.date]:
    """The Mondays of the weeks that have slots, in order."""
    return sorted({week_start(day=day.date) for day in days})


def session_trainers(*, session: Session) -> list[Membership]:
    return list(
        Membership.objects.filter(session_assignments__session=session)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def trainer_name(*, membership: Membership) -> str:
    return membership.user.get_full_name() or membership.user.get_username()


# ---------------------------------------------------------------------------------------------
# Hours followed


@dataclass(frozen=True)
class FollowedHours:
    hours: Decimal
    source: str  # FROM_ATTENDANCE, FROM_TYPED or FROM_SESSION
    minutes: int | None = None  # the minutes attended, when from attendance


def followed_hours(*, enrollments: Sequence[Enrollment]) -> dict[int, FollowedHours]:
    """Each enrollment's hours followed and where they come from (BPF.md, section F): its
    attended minutes when its session has an attendance record (a slot without an entry counts
    0), else the hours typed on it, else its session's hours. Two queries."""
    session_ids = {enrollment.session_id for enrollment in enrollments}
    recorded = set(
        Attendance.objects.filter(slot__session_id__in=session_ids)
        .order_by()
        .values_list("slot__session_id", flat=True)
        .distinct()
    )
    minutes = dict(
        Attendance.objects.filter(
            enrollment_id__in=[e.pk for e in enrollments if e.session_id in recorded]
        )
        .order_by()
        .values("enrollment_id")
        .annotate(total=Sum("minutes"))
        .values_list("enrollment_id", "total")
    )
    result = {}
    for enrollment in enrollments:
        if enrollment.session_id in recorded:
            attended = minutes.get(enrollment.pk, 0)
            result[enrollment.pk] = FollowedHours(
                minutes_to_hours(attended), FROM_ATTENDANCE, attended
            )
        elif enrollment.hours_attended is not None:
            result[enrollment.pk] = FollowedHours(enrollment.hours_attended, FROM_TYPED)
        else:
            result[enrollment.pk] = FollowedHours(enrollment.session.hours, FROM_SESSION)
    return result


# ---------------------------------------------------------------------------------------------
# The grid


@dataclass
class Cell:
    slot: TimeSlot
    enrollment_id: int
    status: str = ""
    minutes: int | None = None
    # What the user typed, when a posted grid is shown again with its errors.
    typed_minutes: str = ""
    errors: list[str] = field(default_factory=list)
    # A word of help shown in the cell (when "partly present" waits for its minutes).
    hint: str = ""

    @property
    def key(self) -> str:
        return f"{self.enrollment_id}-{self.slot.pk}"

    @property
    def minutes_text(self) -> str:
        if self.typed_minutes:
            return self.typed_minutes
        if self.status == "partial" and self.minutes is not None:
            return str(self.minutes)
        return ""


@dataclass
class Row:
    enrollment: Enrollment
    cells: list[Cell]
    # The row's cells as HTML, ready-made by the view (attendance/grid_views.py).
    cells_html: str = ""

    @property
    def minutes(self) -> int:
        return sum(cell.minutes or 0 for cell in self.cells)

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.minutes)


@dataclass
class Grid:
    session: Session
    slots: list[TimeSlot]
    days: list[Day]
    rows: list[Row]

    @property
    def recorded(self) -> bool:
        return any(cell.status for row in self.rows for cell in row.cells)


def grid_enrollments(*, session: Session) -> list[Enrollment]:
    """The learners of the grid: every enrollment but the cancelled ones (never started)."""
    return list(
        Enrollment.objects.filter(session=session)
        .not_cancelled()
        .select_related("learner__employer")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )


def attendance_grid(
    *,
    session: Session,
    slots: list[TimeSlot] | None = None,
    enrollments: list[Enrollment] | None = None,
) -> Grid:
    """Learners × slots with what is recorded in each cell. Three queries."""
    slots = session_slots(session=session) if slots is None else slots
    enrollments = grid_enrollments(session=session) if enrollments is None else enrollments
    stored: dict[tuple[int, int], tuple[str, int]] = {
        (enrollment_id, slot_id): (status, minutes)
        for enrollment_id, slot_id, status, minutes in Attendance.objects.filter(
            slot__session=session
        ).values_list("enrollment_id", "slot_id", "status", "minutes")
    }
    rows = []
    for enrollment in enrollments:
        cells = []
        for slot in slots:
            status, minutes = stored.get((enrollment.pk, slot.pk), ("", None))
            cells.append(Cell(slot, enrollment.pk, status, minutes))
        rows.append(Row(enrollment, cells))
    return Grid(session=session, slots=slots, days=days_of(slots=slots), rows=rows)


def grid_cells(*, session: Session, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Cell]:
    """Some cells of the grid, as stored: (enrollment id, slot id) → Cell."""
    keys = set(keys)
    slots = {slot.pk: slot for slot in session.time_slots.filter(pk__in={s for _e, s in keys})}
    stored = {
        (entry.enrollment_id, entry.slot_id): entry
        for entry in Attendance.objects.filter(
            slot_id__in=list(slots), enrollment_id__in={e for e, _s in keys}
        )
    }
    cells = {}
    for enrollment_id, slot_id in keys:
        if slot_id not in slots:
            continue
        entry = stored.get((enrollment_id, slot_id))
        cells[enrollment_id, slot_id] = Cell(
            slots[slot_id],
            enrollment_id,
            entry.status if entry else "",
            entry.minutes if entry else None,
        )
    return cells


def attended_minutes(*, enrollment_ids: Iterable[int]) -> dict[int, int]:
    """The minutes recorded for each of these enrollments (those with no entry are absent)."""
    minutes: dict[int, int] = defaultdict(int)
    rows = (
        Attendance.objects.filter(enrollment_id__in=list(enrollment_ids))
        .order_by()
        .values("enrollment_id")
        .annotate(total=Sum("minutes"))
        .values_list("enrollment_id", "total")
    )
    for enrollment_id, total in rows:
        minutes[enrollment_id] = total
    return minutes
