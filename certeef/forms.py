from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from certeef.models import Organization
from certeef.numbers import NumberModelForm
from certeef.validators import normalize_digits

# The one placeholder of an empty choice, in every form (Django's own "---------" is rendered the
# same by templates/django/forms/widgets/select_option.html).
EMPTY_CHOICE_LABEL = _("— choose —")


class DigitsField(forms.CharField):
    """A number people type in groups (SIRET, NDA, case numbers): spaces are dropped before
    validation, so '732 829 320 00074' is read as '73282932000074'."""

    def to_python(self, value):
        return normalize_digits(super().to_python(value))


class OrganizationSettingsForm(NumberModelForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "legal_form",
            "siret",
            "naf_code",
            "nda",
            "address",
            "postal_code",
            "city",
            "phone",
            "email",
            "address_public",
            "fiscal_year_start_month",
            "fiscal_year_start_day",
        ]
        field_classes = {"siret": DigitsField, "nda": DigitsField}

    def clean_naf_code(self) -> str:
        return self.cleaned_data["naf_code"].upper()
