from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from certeef.forms import form_field
from certeef.numbers import NumberModelForm
from individuals.models import Individual
from learners.models import Learner

if TYPE_CHECKING:
    from typing import Any

    from certeef.models import Organization

BILLING_WIDGETS = {"billing_address": forms.Textarea(attrs={"rows": 3})}


class IndividualCreateForm(NumberModelForm):
    """The learner is picked by typing (htmx suggestions fill the hidden `learner` id); without
    JavaScript, the same text box is searched with a plain GET and a suggestion is a link."""

    learner_query = forms.CharField(
        label=_("Learner"),
        required=False,
        help_text=_("Type part of the learner's name or email, then choose them."),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    learner = forms.ModelChoiceField(
        queryset=Learner.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose a learner among the suggestions.")},
    )

    class Meta:
        model = Individual
        fields = ["billing_name", "billing_email", "billing_address", "notes"]
        widgets = BILLING_WIDGETS

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this organisation's learners: another organisation's id is an invalid choice.
        form_field(self, "learner", forms.ModelChoiceField).queryset = Learner.objects.filter(
            organization=organization
        )
        # The learner's record if they already have one, for the form to link to it.
        self.existing_individual: Individual | None = None

    def clean_learner(self) -> Learner:
        learner = self.cleaned_data["learner"]
        self.existing_individual = Individual.objects.filter(learner=learner).first()
        if self.existing_individual is not None:
            raise forms.ValidationError(
                _("%(name)s already has an individual record.") % {"name": learner},
                code="learner_taken",
            )
        return learner

    def _post_clean(self) -> None:
        # Skip the model's own validation: `individual_create` validates the whole record.
        pass

    @classmethod
    def initial_for(cls, learner: Learner) -> dict[str, object]:
        """The billing details pre-filled from the chosen learner (the user may change them)."""
        return {
            "learner": learner.pk,
            "learner_query": learner.full_name,
            "billing_name": learner.full_name,
            "billing_email": learner.email,
            "billing_address": learner.address,
        }


class IndividualForm(NumberModelForm):
    class Meta:
        model = Individual
        fields = ["billing_name", "billing_email", "billing_address", "notes"]
        widgets = BILLING_WIDGETS

    def _post_clean(self) -> None:
        # `individual_update` validates and saves.
        pass
