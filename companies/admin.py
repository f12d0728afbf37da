from __future__ import annotations

from django.contrib import admin

from certeef.admin import OrganizationScopedAdmin
from companies.models import Company


@admin.register(Company)
class CompanyAdmin(OrganizationScopedAdmin):
    list_display = ["name", "siret", "kind", "opco", "billing_email", "organization"]
    search_fields = ["name", "siret", "billing_email"]
    list_filter = ["kind", "opco", "organization"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
