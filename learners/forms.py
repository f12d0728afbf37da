from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from certeef.forms import form_field
from certeef.numbers import NumberModelForm
from companies.models import Company
from learners.models import Learner

if TYPE_CHECKING:
    from typing import Any

    from certeef.models import Organization


class LearnerForm(NumberModelForm):
    class Meta:
        model = Learner
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "employer",
            "professional_status",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this organisation's companies: another organisation's id is an invalid choice.
        form_field(self, "employer", forms.ModelChoiceField).queryset = Company.objects.filter(
            organization=organization
        )
