"""Back-office for individual records; writes go through individuals.services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from certeef.admin import OrganizationScopedAdmin
from individuals import services
from individuals.models import Individual

if TYPE_CHECKING:
    from typing import Any

    from django.db.models import QuerySet
    from django.forms import ModelForm
    from django.http import HttpRequest


@admin.register(Individual)
class IndividualAdmin(OrganizationScopedAdmin):
    fixed_once_created = ("learner",)
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

    def save_model(
        self, request: HttpRequest, obj: Individual, form: ModelForm[Any], change: bool
    ) -> None:
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
    def archive(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for individual in queryset:
            services.individual_archive(individual=individual)
        self.message_user(request, _("Archived."), messages.SUCCESS)

    @admin.action(description=_("Unarchive"))
    def unarchive(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for individual in queryset:
            services.individual_unarchive(individual=individual)
        self.message_user(request, _("Unarchived."), messages.SUCCESS)
