from __future__ import annotations

from django import forms

from certeef.forms import DigitsField
from certeef.numbers import NumberModelForm
from companies.models import Company


class CompanyForm(NumberModelForm):
    class Meta:
        model = Company
        fields = ["name", "siret", "kind", "opco", "billing_address", "billing_email"]
        field_classes = {"siret": DigitsField}
        widgets = {"billing_address": forms.Textarea(attrs={"rows": 3})}
