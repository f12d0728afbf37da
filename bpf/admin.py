from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from bpf.models import BpfFiling, BpfInputs
from certeef.admin import OrganizationScopedAdmin
from certeef.numbers import NUMBER_FORMFIELD_OVERRIDES

if TYPE_CHECKING:
    from django.http import HttpRequest


@admin.register(BpfInputs)
class BpfInputsAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "fiscal_year", "total_costs", "turnover_share", "updated_at"]
    list_filter = ["organization"]
    list_select_related = ["organization"]


@admin.register(BpfFiling)
class BpfFilingAdmin(admin.ModelAdmin):
    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES
    """Filed snapshots are evidence of what was declared: read-only."""

    list_display = ["organization", "fiscal_year", "filed_at", "filed_by"]
    list_filter = ["organization"]
    list_select_related = ["organization", "filed_by"]
    readonly_fields = ["organization", "fiscal_year", "snapshot", "filed_by", "filed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: BpfFiling | None = None) -> bool:
        return False
