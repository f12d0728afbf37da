from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.options import ActionLocation

from certeef.admin import OrganizationScopedAdmin
from training import services
from training.models import Course, Enrollment, Session

if TYPE_CHECKING:
    from typing import Any

    from django.forms import ModelForm
    from django.http import HttpRequest


@admin.register(Course)
class CourseAdmin(OrganizationScopedAdmin):
    list_display = ["title", "reference", "nsf_code", "objective", "duration_hours", "price"]
    list_display += ["organization"]
    search_fields = ["title", "reference"]
    list_filter = ["objective", "organization"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]

    def save_model(
        self, request: HttpRequest, obj: Course, form: ModelForm[Any], change: bool
    ) -> None:
        services.course_save(course=obj)


@admin.register(Session)
class SessionAdmin(OrganizationScopedAdmin):
    list_display = ["__str__", "course", "start_date", "end_date", "hours", "delivery"]
    list_display += ["distance", "organization"]
    search_fields = ["reference", "course__title", "location"]
    list_filter = ["delivery", "distance", "start_date", "organization"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["organization", "course"]
    list_select_related = ["organization", "course"]

    def save_model(
        self, request: HttpRequest, obj: Session, form: ModelForm[Any], change: bool
    ) -> None:
        services.session_save(session=obj)


@admin.register(Enrollment)
class EnrollmentAdmin(OrganizationScopedAdmin):
    # Moving an enrollment would leave its allocations behind: enrol anew instead.
    fixed_once_created = ("session", "learner")
    list_display = ["learner", "session", "hours_attended", "outcome"]
    list_display += ["trainee_type_override", "organization"]
    search_fields = ["learner__last_name", "learner__first_name", "session__reference"]
    list_filter = ["outcome", "trainee_type_override", "organization"]
    autocomplete_fields = ["organization", "session", "learner"]
    list_select_related = ["organization", "learner", "session__course"]

    def save_model(
        self, request: HttpRequest, obj: Enrollment, form: ModelForm[Any], change: bool
    ) -> None:
        # Through the services, as in the interface: they keep the funding summaries current.
        fields: dict[str, Any] = {
            "hours_attended": obj.hours_attended,
            "outcome": obj.outcome,
            "trainee_type_override": obj.trainee_type_override,
            "professional_status": obj.professional_status,
        }
        if change:
            services.enrollment_update(organization=obj.organization, enrollment=obj, **fields)
            return
        # Left blank on a new enrollment, the status is the learner's (as in the interface).
        fields["professional_status"] = obj.professional_status or None
        created = services.enrollment_create(
            organization=obj.organization, session=obj.session, learner=obj.learner, **fields
        )
        # The admin goes on with `obj` (history entry, redirect): make it the saved row.
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: Enrollment) -> None:
        services.enrollment_delete(organization=obj.organization, enrollment=obj)

    def has_delete_permission(self, request: HttpRequest, obj: Enrollment | None = None) -> bool:
        # Un-enrolling a funded learner would orphan their allocations (as in the interface).
        if obj is not None and services.has_funding(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(
        self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        # The bulk delete action cannot check funding row by row: one deletes enrollments singly.
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions
