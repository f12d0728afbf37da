"""The allocation form, written once for every carrier (individual or company), and the small
forms of the status moves and the deletion."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certeef.forms import EMPTY_CHOICE_LABEL, DigitsField, form_field
from certeef.numbers import AmountField
from certeef.validators import NOTE_MAX_LENGTH
from funding.models import REMITTANCE_MAX_LENGTH, STATUS_MOVES, FundingStatus, next_statuses
from funding.types import FundingType, type_choices
from learners.models import Learner
from training.models import Session

if TYPE_CHECKING:
    import datetime
    from decimal import Decimal
    from typing import Any

    from django.http import QueryDict
    from django.utils.functional import Promise

    from funding.carriers import Carrier
    from funding.models import FundingAllocation


class AllocationFields(TypedDict):
    """What `allocation_create` and `allocation_update` take from the allocation form."""

    session: Session
    learner: Learner
    funding_type: str
    approved_amount: Decimal
    requested_amount: Decimal | None
    cpf_case_number: str
    funder_reference: str
    notes: str


class MoveFields(TypedDict):
    """What `allocation_set_status` takes from a status move's form."""

    expected_version: int | None
    paid_on: datetime.date | None
    remittance_reference: str
    note: str


def status_moves(allocation: FundingAllocation) -> list[tuple[str, Promise]]:
    """(target status, button label) for every move allowed from the allocation's status."""
    return [
        (to_status, STATUS_MOVES[(allocation.status, to_status)])
        for to_status in next_statuses(allocation.status)
    ]


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's error next to the form field it names (above the form when the form has no
    such field, e.g. the learner of an individual's allocation)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, session: Session) -> str:
        dates = f"{session.start_date:%d/%m/%Y} – {session.end_date:%d/%m/%Y}"
        if session.reference:
            return f"{session.reference} — {session.course.title} ({dates})"
        return f"{session.course.title} ({dates})"


class AllocationForm(forms.Form):
    """Add or edit an allocation of one carrier. Choices come from the carrier: another
    organisation's session or learner, or a type the carrier may not carry, is an invalid choice.
    A new form carries a one-time token (double submission); an edit carries the version it was
    built from (stale copy)."""

    funding_type = forms.ChoiceField(label=_("Type"))
    # Amounts are HT (before VAT), as the BPF counts them (BPF.md): the label says so.
    approved_amount = AmountField(
        label=_("Approved amount (HT)"),
        help_text=_(
            "In euros, before VAT (HT). The approved amount, not the requested one, feeds "
            "exports and the BPF."
        ),
    )
    requested_amount = AmountField(label=_("Requested amount (HT)"), required=False)
    session = SessionChoiceField(queryset=Session.objects.none(), label=_("Session"))
    learner = forms.ModelChoiceField(queryset=Learner.objects.none(), label=_("Learner"))
    cpf_case_number = DigitsField(
        label=_("CPF case number"),
        required=False,
        help_text=_("CPF only: the Mon Compte Formation case number, 8 to 15 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    funder_reference = forms.CharField(
        label=_("Funder reference"),
        required=False,
        max_length=100,
        help_text=_("France Travail quote, OPCO file number…"),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=_(
            "This allocation is paid: changing its amount, type or session needs a reason, "
            "kept in its history."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        carrier: Carrier,
        allocation: FundingAllocation | None = None,
        preset: dict[str, int] | None = None,
    ) -> None:
        """`preset`: the session and learner a new allocation is for, when the form is opened
        from a learner's row of a session (ids; a choice the carrier does not offer is
        ignored)."""
        initial: dict[str, object] = {}
        if allocation is not None:
            initial = {
                "funding_type": allocation.funding_type,
                "approved_amount": allocation.approved_amount,
                "requested_amount": allocation.requested_amount,
                "session": allocation.session_id,
                "learner": allocation.learner_id,
                "cpf_case_number": allocation.cpf_case_number,
                "funder_reference": allocation.funder_reference,
                "notes": allocation.notes,
                "version": allocation.version,
            }
        else:
            initial = {"form_token": uuid.uuid4(), **(preset or {})}
        super().__init__(data, initial=initial)
        self.carrier = carrier
        form_field(self, "funding_type", forms.ChoiceField).choices = [
            ("", EMPTY_CHOICE_LABEL),
            *type_choices(carrier.funding_types),
        ]
        form_field(self, "session", forms.ModelChoiceField).queryset = carrier.sessions()
        form_field(self, "session", forms.ModelChoiceField).empty_label = EMPTY_CHOICE_LABEL
        if FundingType.CPF not in carrier.funding_types:
            # A company never carries CPF: its form has no case number to fill.
            del self.fields["cpf_case_number"]
        if carrier.fixed_learner is not None:
            del self.fields["learner"]
        else:
            form_field(self, "learner", forms.ModelChoiceField).queryset = carrier.learners()
            self._offer_learners_of_chosen_session(allocation)
        del self.fields["form_token" if allocation is not None else "version"]
        if allocation is None or allocation.status != FundingStatus.PAID:
            del self.fields["reason"]

    def _offer_learners_of_chosen_session(self, allocation: FundingAllocation | None) -> None:
        """A company funds any enrolled learner: the list shows those of the chosen session,
        employees first, and follows the session choice (htmx). Validation keeps the wider
        queryset, so that a learner who is not enrolled in that session (a stale page, no
        JavaScript) gets the service's clear "enrol them first" message."""
        raw_session = self.data.get("session") if self.is_bound else None
        if raw_session is None and allocation is not None:
            raw_session = allocation.session_id
        if raw_session is None:
            raw_session = self.initial.get("session")
        try:
            session_id = int(raw_session) if raw_session not in (None, "") else None
        except (TypeError, ValueError):
            session_id = None
        form_field(self, "learner", forms.ChoiceField).choices = self.carrier.learner_choices(
            session_id
        )
        if self.carrier.learner_choices_url:
            self.fields["session"].widget.attrs.update(
                {
                    "hx-get": self.carrier.learner_choices_url,
                    "hx-trigger": "change",
                    "hx-target": "#id_learner",
                    "hx-swap": "innerHTML",
                    # The form's own hx-disabled-elt would be inherited and find nothing here.
                    "hx-disabled-elt": "#id_learner",
                }
            )

    @property
    def has_sessions(self) -> bool:
        sessions = form_field(self, "session", forms.ModelChoiceField).queryset
        return sessions is not None and sessions.exists()

    def allocation_fields(self) -> AllocationFields:
        """The cleaned values, as `allocation_create` and `allocation_update` take them."""
        data = self.cleaned_data
        # The form has a learner field unless the carrier funds its own learner (__init__).
        fixed_learner = self.carrier.fixed_learner
        return {
            "session": data["session"],
            "learner": fixed_learner if fixed_learner is not None else data["learner"],
            "funding_type": data["funding_type"],
            "approved_amount": data["approved_amount"],
            "requested_amount": data["requested_amount"],
            "cpf_case_number": data.get("cpf_case_number", ""),
            "funder_reference": data["funder_reference"],
            "notes": data["notes"],
        }


class VersionForm(forms.Form):
    """The version of the allocation the user saw: an action on an older copy is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, data: QueryDict | None = None, *, allocation: FundingAllocation, **kwargs: Any
    ) -> None:
        super().__init__(data, initial={"version": allocation.version}, **kwargs)


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def payment_date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Payment date"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def remittance_field(*, required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("Remittance reference"),
        required=required,
        max_length=REMITTANCE_MAX_LENGTH,
        help_text=_("The reference of the funder's transfer (remittance advice)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class AllocationStatusForm(VersionForm):
    paid_on = payment_date_field()
    remittance_reference = remittance_field(required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        help_text=_("Optional: why the status changes (kept in the history)."),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        allocation: FundingAllocation,
        to_status: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, allocation=allocation, **kwargs)
        if to_status == FundingStatus.PAID:
            self.fields["paid_on"].initial = timezone.localdate()
        else:
            del self.fields["paid_on"]
            del self.fields["remittance_reference"]

    def move_fields(self) -> MoveFields:
        """The cleaned values, as `allocation_set_status` takes them."""
        data = self.cleaned_data
        return {
            "expected_version": data["version"],
            "paid_on": data.get("paid_on"),
            "remittance_reference": data.get("remittance_reference", ""),
            "note": data["note"],
        }


class BulkActionForm(forms.Form):
    """The Funding page's bulk action: the selected rows (or every allocation the filter in
    `query` matches, counted `expected_count` when the page was shown), the move, and for Paid
    the payment date and the remittance reference."""

    action = forms.ChoiceField(
        label=_("With the selected allocations"),
        choices=[
            (FundingStatus.PAID, _("Mark as paid")),
            (FundingStatus.APPROVED, _("Approve")),
        ],
    )
    paid_on = payment_date_field()
    remittance_reference = remittance_field(required=True)
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    select_all = forms.BooleanField(required=False)
    # The Funding page's query string (its filters), and how many allocations it matched.
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    expected_count = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "bulk_%s")  # the page's other forms have a payment date
        super().__init__(data, initial={"paid_on": timezone.localdate()}, **kwargs)
        self.fields["paid_on"].required = False
        self.fields["remittance_reference"].required = False
        if data is not None:
            # Any number: whether it is this organisation's allocation is the service's check.
            raw_ids = data.getlist("ids") if hasattr(data, "getlist") else data.get("ids", [])
            form_field(self, "ids", forms.ChoiceField).choices = [
                (value, value) for value in raw_ids if value.isdigit()
            ]

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") == FundingStatus.PAID:
            if not cleaned.get("paid_on") and "paid_on" not in self.errors:
                self.add_error("paid_on", _("Enter the date the payment was received."))
            reference = cleaned.get("remittance_reference")
            if not reference and "remittance_reference" not in self.errors:
                self.add_error(
                    "remittance_reference",
                    _("Enter the reference of the transfer that paid these allocations."),
                )
        if not cleaned.get("select_all") and not cleaned.get("ids"):
            self.add_error(None, _("Select at least one allocation."))
        return cleaned
