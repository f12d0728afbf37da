from __future__ import annotations

from django.contrib import admin

from bpf.models import BpfFiling, BpfInputs, BpfInputsChange
from certeef.admin import OrganizationScopedAdmin
from certeef.numbers import NUMBER_FORMFIELD_OVERRIDES


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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BpfInputsChange)
class BpfInputsChangeAdmin(admin.ModelAdmin):
    """Recorded changes to the typed figures are evidence: read-only."""

    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES

    list_display = ["organization", "fiscal_year", "changed_at", "changed_by"]
    list_filter = ["organization"]
    list_select_related = ["organization", "changed_by"]
    readonly_fields = ["organization", "fiscal_year", "changes", "changed_by", "changed_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
