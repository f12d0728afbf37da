"""Back-office for individual records; writes go through individuals.services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from certeef.admin import OrganizationScopedAdmin
from individuals import services
from individuals.models import Individual


@admin.register(Individual)
class IndividualAdmin(OrganizationScopedAdmin):
    list_display = ["display_name", "learner", "billing_email", "archived_at", "organization"]
    search_fields = [
        "billing_name",
        "billing_email",
        "learner__last_name",
        "learner__first_name",
        "learner__email",
    ]
    list_filter = ["organization", ("archived_at", admin.EmptyFieldListFilter)]
    list_select_related = ["learner", "organization"]
    autocomplete_fields = ["organization", "learner"]
    readonly_fields = ["archived_at", "created_at", "updated_at"]
    actions = ["archive", "unarchive"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += ["learner"]
        return readonly

    def save_model(self, request, obj, form, change) -> None:
        fields = {name: getattr(obj, name) for name in services.EDITABLE_FIELDS}
        if change:
            services.individual_update(individual=obj, **fields)
            return
        created = services.individual_create(
            organization=obj.organization, learner=obj.learner, **fields
        )
        obj.pk = created.pk
        obj._state.adding = False

    @admin.action(description=_("Archive"))
    def archive(self, request, queryset) -> None:
        for individual in queryset:
            services.individual_archive(individual=individual)
        self.message_user(request, _("Archived."), messages.SUCCESS)

    @admin.action(description=_("Unarchive"))
    def unarchive(self, request, queryset) -> None:
        for individual in queryset:
            services.individual_unarchive(individual=individual)
        self.message_user(request, _("Unarchived."), messages.SUCCESS)
