from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from bpf.models import TYPED_FIELDS, BpfInputs
from certeef.numbers import NumberModelForm, WholeNumberField

if TYPE_CHECKING:
    from typing import Any


class BpfInputsForm(NumberModelForm):
    """Sections D, E, H and the share of turnover: what the data cannot give."""

    class Meta:
        model = BpfInputs
        fields = TYPED_FIELDS
        widgets = {
            "signature_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    # Where each field is typed on the BPF page: in the section of the form it belongs to.
    SECTIONS = {
        "C": ("turnover_share",),
        "D": ("total_costs", "trainer_salaries", "training_purchases"),
        "E": (
            "own_trainers_count",
            "own_trainers_hours",
            "external_trainers_count",
            "external_trainers_hours",
        ),
        "H": ("signatory_name", "signatory_title", "signature_place", "signature_date"),
    }
    # The page's <form> element: the fields sit in their sections, outside it.
    FORM_ID = "bpf-inputs"

    def __init__(self, *args: Any, has_activity: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_activity = has_activity
        for field in self.fields.values():
            field.widget.attrs["form"] = self.FORM_ID
        # Section D and the share of turnover are whole euros (percent): cents are refused.
        for name in ("total_costs", "trainer_salaries", "training_purchases"):
            field = self.fields[name]
            assert isinstance(field, WholeNumberField)
            field.euros = True

    def fields_by_section(self) -> dict[str, list]:
        return {section: [self[name] for name in names] for section, names in self.SECTIONS.items()}

    def clean_turnover_share(self) -> int | None:
        share = self.cleaned_data["turnover_share"]
        if share is not None and share < 1 and self.has_activity:
            raise forms.ValidationError(
                _("At least 1 % when the organisation had training activity this year.")
            )
        return share

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        total = cleaned.get("total_costs")
        parts = (cleaned.get("trainer_salaries") or 0) + (cleaned.get("training_purchases") or 0)
        if total is not None and parts > total:
            self.add_error(
                "total_costs",
                _("The total costs cannot be less than trainer salaries plus purchases."),
            )
        return cleaned
