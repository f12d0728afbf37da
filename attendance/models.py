"""A session's schedule (time slots), who attended each slot, and who may record it.

- `TimeSlot`: one period of a session on one day (date, start, end; never across midnight). A
  session with slots "has a schedule": its hours are the sum of its slots' (kept equal by the
  entry point, attendance/summaries.py).
- `Attendance`: one learner (an enrollment) in one slot — present, absent, excused or partial with
  the minutes attended. A session "has an attendance record" once any of its slots has an entry;
  from then on the BPF counts each learner's attended minutes (BPF.md, section F).
- `SessionTrainer`: a member with the trainer role assigned to a session by an administrator; a
  trainer records attendance and prints the documents of their sessions only.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from certeef.history import track_history
from certeef.models import Membership, Organization

if TYPE_CHECKING:
    from typing import Any


def minutes_between(start: datetime.time, end: datetime.time) -> int:
    """Minutes from `start` to `end` on the same day (negative when `end` is earlier)."""
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def minutes_to_hours(minutes: int) -> Decimal:
    """Hours with two decimals (half-up), as Session.hours stores them: 200 minutes → 3.33."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class TimeSlot(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="time_slots"
    )
    session = models.ForeignKey(
        "training.Session",
        on_delete=models.CASCADE,
        related_name="time_slots",
        verbose_name=_("session"),
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    # end − start, written with the times (`save`): the BPF and the summaries sum minutes in SQL,
    # where a difference of two times is written differently by each database.
    minutes = models.PositiveIntegerField(_("minutes"), editable=False)

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["date", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="time_slot_ends_after_start",
                violation_error_message=_(
                    "A slot ends after it starts, on the same day (a slot across midnight is "
                    "two slots)."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(minutes__gt=0), name="time_slot_minutes_positive"
            ),
            models.UniqueConstraint(
                fields=["session", "date", "start_time"],
                name="time_slot_unique_start",
                violation_error_message=_("Another slot of this session starts at that time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.minutes = minutes_between(self.start_time, self.end_time)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "minutes" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "minutes"]
        super().save(*args, **kwargs)

    @property
    def hours(self) -> Decimal:
        return minutes_to_hours(self.minutes)


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused absence")
    PARTIAL = "partial", _("Partly present")


class Attendance(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="attendances"
    )
    slot = models.ForeignKey(
        TimeSlot, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("slot")
    )
    enrollment = models.ForeignKey(
        "training.Enrollment",
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("enrollment"),
    )
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    # The minutes attended, whatever the status: the slot's length when present, the minutes
    # typed when partial, 0 when absent or excused. The BPF sums this column.
    minutes = models.PositiveIntegerField(_("minutes attended"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "enrollment"], name="attendance_unique_slot_enrollment"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AttendanceStatus.values),
                name="attendance_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED])
                | models.Q(minutes=0),
                name="attendance_absent_counts_nothing",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[AttendanceStatus.PRESENT, AttendanceStatus.PARTIAL])
                | models.Q(minutes__gt=0),
                name="attendance_present_counts_minutes",
            ),
        ]
        indexes = [models.Index(fields=["enrollment", "slot"], name="attendance_enrollment")]

    def __str__(self) -> str:
        return f"{self.enrollment} — {self.slot}: {self.get_status_display()}"


class SessionTrainer(models.Model):
    """A trainer assigned to a session (a member of its organisation with the trainer role)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="session_trainers"
    )
    session = models.ForeignKey(
        "training.Session",
        on_delete=models.CASCADE,
        related_name="trainer_assignments",
        verbose_name=_("session"),
    )
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="session_assignments",
        verbose_name=_("trainer"),
    )

    class Meta:
        verbose_name = _("session trainer")
        verbose_name_plural = _("session trainers")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "membership"], name="session_trainer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership.user} — {self.session_id}"


class AttendanceGap(models.Model):
    """A session whose attendance is recorded but has a slot where a learner expected in it
    (enrolled or completed: not cancelled, not dropped out) has no entry: the date of the first
    such slot. Those empty cells count 0 hours; the BPF check `attendance_not_recorded` lists the
    sessions whose first gap is past. Rewritten by attendance.summaries on every write; never
    edited by hand. A session without a gap has none."""

    session = models.OneToOneField(
        "training.Session",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="attendance_gap",
    )
    first_date = models.DateField(_("first slot left empty"))

    class Meta:
        verbose_name = _("attendance gap")
        verbose_name_plural = _("attendance gaps")

    def __str__(self) -> str:
        return f"{self.session_id} — {self.first_date:%d/%m/%Y}"


# Who changed what, when (certeef/history.py): the slots make a session's hours, the attendance
# its learners' hours.
track_history(TimeSlot, fields=["date", "start_time", "end_time"])
track_history(Attendance, fields=["status", "minutes"])
