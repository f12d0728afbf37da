from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.db.models import Max, Min
from django.utils.translation import gettext_lazy as _

from certeef.forms import form_field
from certeef.numbers import HoursField, NumberModelForm, PriceField
from learners.models import Learner
from training.models import Course, Enrollment, Outcome, Session
from training.services import drop_out_hours_message, has_attendance_record

if TYPE_CHECKING:
    from typing import Any

    from certeef.models import Organization

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CourseForm(NumberModelForm):
    class Meta:
        model = Course
        fields = ["title", "reference", "nsf_code", "objective", "duration_hours", "price"]
        field_classes = {"duration_hours": HoursField, "price": PriceField}
        help_texts = {"price": _("Per learner, excluding VAT. Optional.")}


class SessionForm(NumberModelForm):
    class Meta:
        model = Session
        fields = ["course", "reference", "start_date", "end_date", "hours", "location"]
        fields += ["distance", "delivery"]
        field_classes = {"hours": HoursField}
        widgets = {"start_date": DATE_WIDGET, "end_date": DATE_WIDGET}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this organisation's courses: another organisation's id is an invalid choice.
        form_field(self, "course", forms.ModelChoiceField).queryset = Course.objects.filter(
            organization=organization
        )
        # Blank means "the course's duration", filled in by clean().
        self.fields["hours"].required = False
        # A session with a schedule has the hours of its slots (kept equal by the attendance app
        # through training.changes): shown, not typed. Read through the reverse relation, so that
        # training imports nothing of attendance, which sits above it.
        self.scheduled_dates = (
            self.instance.time_slots.aggregate(first=Min("date"), last=Max("date"))
            if self.instance.pk
            else {"first": None, "last": None}
        )
        if self.scheduled_dates["first"] is not None:
            self.fields["hours"].disabled = True
            self.fields["hours"].help_text = _(
                "The sum of the session's slots: change its schedule to change them."
            )

    def clean(self) -> dict:
        super().clean()
        cleaned_data = self.cleaned_data
        start_date, end_date = cleaned_data.get("start_date"), cleaned_data.get("end_date")
        if start_date and end_date and end_date < start_date:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        first, last = self.scheduled_dates["first"], self.scheduled_dates["last"]
        if (
            first is not None
            and last is not None
            and start_date
            and end_date
            and (start_date > first or end_date < last)
        ):
            self.add_error(
                None,
                _(
                    "The schedule has slots from %(first)s to %(last)s: the session's dates must "
                    "include them (move or delete those slots first)."
                )
                % {"first": first.strftime("%d/%m/%Y"), "last": last.strftime("%d/%m/%Y")},
            )
        course = cleaned_data.get("course")
        if cleaned_data.get("hours") is None and "hours" not in self.errors and course:
            cleaned_data["hours"] = course.duration_hours
        return cleaned_data


class EnrollmentCreateForm(forms.Form):
    """The learner to enrol, posted by a suggestion's "Enrol" button (see `enrol_suggestions`)."""

    learner = forms.ModelChoiceField(
        queryset=Learner.objects.none(), label=_("Learner"), widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any learner of the organisation is accepted (so that enrolling one twice gets a clear
        # message rather than "invalid choice"); another organisation's is an invalid choice.
        form_field(self, "learner", forms.ModelChoiceField).queryset = Learner.objects.filter(
            organization=session.organization
        )


ENROL_SUGGESTIONS = 10


def enrol_suggestions(session: Session, query: str) -> list[Learner]:
    """Learners of the session's organisation matching `query`, not yet enrolled in it. Bounded:
    an organisation may have tens of thousands of learners, so the page never lists them all."""
    if not query.strip():
        return []
    return list(
        Learner.objects.filter(organization=session.organization)
        .search(query)
        .exclude(enrollments__session=session)
        .order_by("last_name", "first_name", "pk")[:ENROL_SUGGESTIONS]
    )


class EnrollmentForm(NumberModelForm):
    class Meta:
        model = Enrollment
        fields = ["hours_attended", "outcome", "professional_status", "trainee_type_override"]
        field_classes = {"hours_attended": HoursField}

    def clean(self) -> dict:
        super().clean()
        cleaned_data = self.cleaned_data
        # Marking a learner dropped out asks for the hours they followed, until the session's
        # attendance is recorded (then the attendance gives them).
        if (
            cleaned_data.get("outcome") == Outcome.DROPPED_OUT
            and cleaned_data.get("hours_attended") is None
            and "hours_attended" not in self.errors
            and not has_attendance_record(self.instance.session_id)
        ):
            self.add_error("hours_attended", drop_out_hours_message())
        return cleaned_data


class SessionFilterForm(forms.Form):
    """The list's period filter: sessions that overlap [start, end]. Bad dates are ignored."""

    start = forms.DateField(required=False, label=_("From"), widget=DATE_WIDGET)
    end = forms.DateField(required=False, label=_("To"), widget=DATE_WIDGET)
