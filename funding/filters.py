"""The Funding page's filters, read from the URL (so a filtered view can be bookmarked, reloaded
and exported as it is)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from certeef.forms import form_field
from funding.chasing import CHASE_CHOICES, funder_filter
from funding.models import FundingStatus
from funding.selectors import AllocationFilters, CarrierKind
from funding.types import FundingType
from training.models import Course, Session

if TYPE_CHECKING:
    from typing import Any

    from django.http import QueryDict

    from certeef.models import Organization

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class FundingFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Learner, carrier, case number or reference"),
                "autocomplete": "off",
            }
        ),
    )
    funding_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *FundingType.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *FundingStatus.choices]
    )
    carrier = forms.ChoiceField(
        label=_("Carried by"),
        required=False,
        choices=[
            ("", _("Individuals and companies")),
            (CarrierKind.INDIVIDUAL, _("Individuals")),
            (CarrierKind.COMPANY, _("Companies")),
        ],
    )
    # A large organisation has thousands of sessions: no menu of them all. The filter is set by
    # a link (a session in the list, the session's page, a BPF check) and shown with a way out.
    session = forms.ModelChoiceField(
        label=_("Session"),
        required=False,
        queryset=Session.objects.none(),
        widget=forms.HiddenInput,
    )
    course = forms.ModelChoiceField(
        label=_("Course"), required=False, queryset=Course.objects.none(), empty_label=_("All")
    )
    period_from = forms.DateField(
        label=_("Sessions from"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    period_to = forms.DateField(
        label=_("to"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    remittance = forms.CharField(
        label=_("Remittance reference"),
        required=False,
        max_length=100,
        help_text=_("The allocations one transfer paid."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    chase = forms.ChoiceField(
        label=_("To chase"), required=False, choices=[("", _("Everything")), *CHASE_CHOICES]
    )
    # Set by a link (the dashboard's "To chase" figures), shown with a way out, like a session.
    funder = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict, *, organization: Organization) -> None:
        super().__init__(data)
        # Only this organisation's sessions and courses: another organisation's id is an
        # invalid choice, and the filter then ignores it.
        form_field(self, "session", forms.ModelChoiceField).queryset = Session.objects.filter(
            organization=organization
        ).select_related("course")
        form_field(self, "course", forms.ModelChoiceField).queryset = Course.objects.filter(
            organization=organization
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("The end of the period cannot be before its start."))
        return cleaned

    def filters(self) -> AllocationFilters:
        """The filters to apply: the valid ones (an invalid value is shown as an error next to
        its field and ignored, so the page still lists something sensible)."""
        self.is_valid()
        data = self.cleaned_data
        session = data.get("session")
        course = data.get("course")
        return AllocationFilters(
            query=data.get("q", ""),
            funding_type=data.get("funding_type", ""),
            status=data.get("status", ""),
            carrier_kind=data.get("carrier", ""),
            session_id=session.pk if session else None,
            course_id=course.pk if course else None,
            period_from=data.get("period_from"),
            period_to=data.get("period_to"),
            remittance_reference=data.get("remittance", "").strip(),
            chase=data.get("chase", ""),
            funder=data.get("funder", "") if funder_filter(data.get("funder", "")) else "",
        )
