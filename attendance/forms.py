"""The schedule's forms, the trainers' form, and how a grid cell's minutes are read."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from attendance.schedule import Pattern, TimeRange
from attendance.selectors import trainer_name
from certeef.forms import form_field
from certeef.models import Membership, Role
from training.forms import DATE_WIDGET
from training.models import Outcome, Session

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from training.models import Enrollment

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]

ACROSS_MIDNIGHT = _(
    "A slot ends after it starts, on the same day: a slot across midnight is refused "
    "(record it as two slots, one on each day)."
)


class SlotForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("Start"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("End"), widget=TIME_WIDGET)

    def clean(self) -> dict:
        super().clean()
        cleaned_data = self.cleaned_data
        start, end = cleaned_data.get("start_time"), cleaned_data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", ACROSS_MIDNIGHT)
        return cleaned_data


class PatternForm(forms.Form):
    """ "Every weekday from 14/09 to 25/09, 9:00–12:30 and 13:30–17:00": two time ranges (a
    morning and an afternoon; leave one empty for half-days only)."""

    first = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    last = forms.DateField(label=_("To"), widget=DATE_WIDGET)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one day of the week.")},
    )
    morning_start = forms.TimeField(label=_("Morning from"), required=False, widget=TIME_WIDGET)
    morning_end = forms.TimeField(label=_("Morning to"), required=False, widget=TIME_WIDGET)
    afternoon_start = forms.TimeField(label=_("Afternoon from"), required=False, widget=TIME_WIDGET)
    afternoon_end = forms.TimeField(label=_("Afternoon to"), required=False, widget=TIME_WIDGET)
    skip_public_holidays = forms.BooleanField(
        label=_("Skip French public holidays"), required=False, initial=True
    )

    @classmethod
    def initial_for(cls, session: Session) -> dict[str, object]:
        return {
            "first": session.start_date,
            "last": session.end_date,
            "weekdays": [0, 1, 2, 3, 4],
            "morning_start": datetime.time(9, 0),
            "morning_end": datetime.time(12, 30),
            "afternoon_start": datetime.time(13, 30),
            "afternoon_end": datetime.time(17, 0),
            "skip_public_holidays": True,
        }

    def clean(self) -> dict:
        super().clean()
        cleaned_data = self.cleaned_data
        first, last = cleaned_data.get("first"), cleaned_data.get("last")
        if first and last and last < first:
            self.add_error("last", _("The end date cannot be before the start date."))
        ranges = []
        for name in ("morning", "afternoon"):
            start, end = cleaned_data.get(f"{name}_start"), cleaned_data.get(f"{name}_end")
            if f"{name}_start" in self.errors or f"{name}_end" in self.errors:
                continue
            if (start is None) != (end is None):
                missing = f"{name}_end" if end is None else f"{name}_start"
                self.add_error(missing, _("Give both times, or neither."))
            elif start is not None and end is not None:
                if end <= start:
                    self.add_error(f"{name}_end", ACROSS_MIDNIGHT)
                else:
                    ranges.append(TimeRange(start, end))
        if not ranges and not self.errors:
            raise forms.ValidationError(_("Give the times of the morning, the afternoon or both."))
        cleaned_data["ranges"] = tuple(ranges)
        return cleaned_data

    def pattern(self) -> Pattern:
        data = self.cleaned_data
        return Pattern(
            first=data["first"],
            last=data["last"],
            weekdays=frozenset(data["weekdays"]),
            ranges=data["ranges"],
            skip_public_holidays=data["skip_public_holidays"],
        )


class TrainerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return trainer_name(membership=obj)


class TrainersForm(forms.Form):
    trainers = TrainerChoiceField(
        label=_("Trainers"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They record this session's attendance and print its documents."),
    )

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this organisation's trainers: anyone else is an invalid choice.
        form_field(self, "trainers", forms.ModelChoiceField).queryset = Membership.objects.filter(
            organization_id=session.organization_id, role=Role.TRAINER
        ).select_related("user")


_MINUTES = re.compile(r"^\s*(\d{1,4})\s*(?:min)?\s*$")
_HOURS_MINUTES = re.compile(r"^\s*(\d{1,2})\s*(?:h|:)\s*(\d{0,2})\s*$", re.IGNORECASE)


def parse_minutes(text: str) -> int | None:
    """The minutes of a partly present learner, as typed: "150", "150 min", "2h30", "2 h", "2:30".
    None when empty; ValueError when unreadable."""
    text = (text or "").strip()
    if not text:
        return None
    match = _MINUTES.match(text)
    if match:
        return int(match.group(1))
    match = _HOURS_MINUTES.match(text)
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        if minutes >= 60:
            raise ValueError(text)
        return hours * 60 + minutes
    raise ValueError(text)


class DropOutForm(forms.Form):
    """A learner who stopped coming (issue 15, part 5): who, and the last day they attended.
    The learners are the grid's (already read): no query of its own."""

    enrollment = forms.TypedChoiceField(label=_("Learner"), coerce=int)
    last_day = forms.DateField(
        label=_("Last day attended"),
        widget=DATE_WIDGET,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=_("Absent from every slot after this day."),
    )

    def __init__(self, *args: Any, enrollments: Iterable[Enrollment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "enrollment", forms.ChoiceField).choices = [
            ("", "—"),
            *(
                (enrollment.pk, f"{enrollment.learner.last_name} {enrollment.learner.first_name}")
                for enrollment in enrollments
                if enrollment.outcome != Outcome.DROPPED_OUT
            ),
        ]
