"""Back-office: schedules and attendance are read here, and changed through the product's pages
(their services keep the session's hours and the BPF's summaries current, and the history)."""

from __future__ import annotations

from django.contrib import admin

from attendance.models import Attendance, SessionTrainer, TimeSlot
from certeef.admin import OrganizationScopedAdmin, ReadOnlyAdmin


@admin.register(TimeSlot)
class TimeSlotAdmin(ReadOnlyAdmin, OrganizationScopedAdmin):
    list_display = ["session", "date", "start_time", "end_time", "minutes", "organization"]
    list_filter = ["organization"]
    date_hierarchy = "date"
    search_fields = ["session__reference", "session__course__title"]
    list_select_related = ["session__course", "organization"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin, OrganizationScopedAdmin):
    list_display = ["enrollment", "slot", "status", "minutes", "recorded_by", "recorded_at"]
    list_filter = ["status", "organization"]
    search_fields = ["enrollment__learner__last_name", "enrollment__session__reference"]
    list_select_related = [
        "enrollment__learner",
        "enrollment__session__course",
        "slot",
        "recorded_by",
    ]


@admin.register(SessionTrainer)
class SessionTrainerAdmin(ReadOnlyAdmin, OrganizationScopedAdmin):
    list_display = ["session", "membership", "organization"]
    list_select_related = ["session__course", "membership__user", "organization"]
