from __future__ import annotations

from django.contrib import admin

from certeef.admin import OrganizationScopedAdmin
from companies.models import Company
from companies.services import company_save


@admin.register(Company)
class CompanyAdmin(OrganizationScopedAdmin):
    list_display = ["name", "siret", "kind", "opco", "billing_email", "organization"]
    search_fields = ["name", "siret", "billing_email"]
    list_filter = ["kind", "opco", "organization"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]

    def save_model(self, request, obj, form, change) -> None:
        company_save(company=obj)
