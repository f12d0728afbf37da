"""Back-office (Django superusers). Every change made here is recorded by the admin's history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from certeef.models import Membership, Organization
from certeef.numbers import NUMBER_FORMFIELD_OVERRIDES, NumberModelForm

if TYPE_CHECKING:
    from typing import Any

    from django.http import HttpRequest


def staff_user(request: HttpRequest) -> User:
    """The user of an admin page (the admin site lets in only logged-in staff)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


class SameOrganizationForm(NumberModelForm):
    """Refuses a link to another organisation's object (e.g. a session of organisation A
    enrolling a learner of organisation B): the admin sees every tenant, the data must not mix."""

    def clean(self) -> dict:
        super().clean()
        cleaned_data = self.cleaned_data
        organization = cleaned_data.get("organization") or getattr(
            self.instance, "organization", None
        )
        if organization is None:
            return cleaned_data
        for field in self._meta.model._meta.get_fields():
            if not isinstance(field, models.ForeignKey) or field.name == "organization":
                continue
            target = cleaned_data.get(field.name)
            target_organization_id = getattr(target, "organization_id", None)
            if target_organization_id is not None and target_organization_id != organization.pk:
                self.add_error(field.name, _("This belongs to another organisation."))
        return cleaned_data


class OrganizationScopedAdmin(admin.ModelAdmin):
    """The admin of a model whose rows belong to one organisation.

    The organisation is chosen when the row is created and never changes: moving a session (or
    any row) would carry its figures into another organisation's BPF. Once the row exists the
    field is read-only, so it is not in the form and a crafted POST cannot set it either.
    """

    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES
    form = SameOrganizationForm

    # What else a row is tied to once it exists (e.g. an enrollment's session and learner).
    fixed_once_created: tuple[str, ...] = ()

    # Any model's row (the admins of several models share it).
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += [
                name for name in ("organization", *self.fixed_once_created) if name not in readonly
            ]
        return readonly


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the product writes (through its services, which keep summaries and history
    current) or that are evidence: the back-office reads them, never adds, changes or deletes."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES
    list_display = ["name", "slug", "siret", "nda", "city", "created_at"]
    search_fields = ["name", "slug", "siret", "nda"]
    list_filter = ["fiscal_year_start_month"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES
    list_display = ["user", "organization", "role", "created_at"]
    search_fields = ["user__username", "user__email", "organization__name"]
    list_filter = ["role", "organization"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # A membership is this user in this organisation: to give access elsewhere, add one.
            readonly += ["user", "organization"]
        return readonly
