from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from certeef.admin import OrganizationScopedAdmin
from companies.models import Company
from companies.services import company_save

if TYPE_CHECKING:
    from django.forms import ModelForm
    from django.http import HttpRequest


@admin.register(Company)
class CompanyAdmin(OrganizationScopedAdmin):
    list_display = ["name", "siret", "kind", "opco", "billing_email", "organization"]
    search_fields = ["name", "siret", "billing_email"]
    list_filter = ["kind", "opco", "organization"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]

    def save_model(
        self, request: HttpRequest, obj: Company, form: ModelForm[Company], change: bool
    ) -> None:
        company_save(company=obj)
