"""A session's schedule page: its slots (added from a pattern or one by one), its trainers, and
the links to its attendance grid and documents. Everyone reads it; administrators change it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from attendance import schedule_services, trainer_services
from attendance.access import may_record
from attendance.forms import PatternForm, SlotForm, TrainersForm
from attendance.models import TimeSlot
from attendance.selectors import days_of, session_slots, session_trainers, weeks_of
from certeef.access import get_for_organization, member_required
from certeef.history import changes_of
from certeef.http import OrganizationRequest
from training.models import Session

if TYPE_CHECKING:
    from django import forms


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal, next to the field it names when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _schedule_page(
    request: OrganizationRequest,
    session: Session,
    *,
    pattern_form: PatternForm | None = None,
    slot_form: SlotForm | None = None,
    status: int = 200,
) -> HttpResponse:
    slots = session_slots(session=session)
    days = days_of(slots=slots)
    context: dict[str, object] = {
        "session": session,
        "days": days,
        "weeks": weeks_of(days=days),
        "scheduled_minutes": sum(slot.minutes for slot in slots),
        "trainers": session_trainers(session=session),
        "may_record": may_record(request.membership, session.pk),
    }
    if request.membership.is_administrator:
        context["pattern_form"] = pattern_form or PatternForm(
            initial=PatternForm.initial_for(session)
        )
        context["slot_form"] = slot_form or SlotForm(initial={"date": session.start_date})
        context["trainers_form"] = TrainersForm(
            session=session, initial={"trainers": context["trainers"]}
        )
    return render(request, "attendance/schedule.html", context, status=status)


@member_required()
def schedule(request: OrganizationRequest, pk: int) -> HttpResponse:
    session = get_for_organization(request, Session.objects.select_related("course"), pk)
    return _schedule_page(request, session)


@member_required(admin=True)
@require_POST
def schedule_generate(request: OrganizationRequest, pk: int) -> HttpResponse:
    session = get_for_organization(request, Session.objects.select_related("course"), pk)
    form = PatternForm(request.POST)
    if form.is_valid():
        try:
            generated = schedule_services.schedule_generate(
                organization=request.organization, session=session, pattern=form.pattern()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            count = len(generated.created)
            message = ngettext(
                "%(count)d slot added to the schedule.",
                "%(count)d slots added to the schedule.",
                count,
            ) % {"count": count}
            if generated.skipped_holidays:
                skipped = ", ".join(
                    f"{name} ({day:%d/%m/%Y})" for day, name in generated.skipped_holidays.items()
                )
                message += " " + _("Public holidays skipped: %(days)s.") % {"days": skipped}
            messages.success(request, message)
            return redirect("attendance:schedule", pk=session.pk)
    return _schedule_page(request, session, pattern_form=form, status=422)


@member_required(admin=True)
@require_POST
def slot_create(request: OrganizationRequest, pk: int) -> HttpResponse:
    session = get_for_organization(request, Session.objects.select_related("course"), pk)
    form = SlotForm(request.POST)
    if form.is_valid():
        try:
            slot = schedule_services.slot_create(
                organization=request.organization, session=session, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Slot of %(slot)s added.") % {"slot": slot})
            return redirect("attendance:schedule", pk=session.pk)
    return _schedule_page(request, session, slot_form=form, status=422)


@member_required(admin=True)
def slot_edit(request: OrganizationRequest, pk: int) -> HttpResponse:
    slot = get_for_organization(request, TimeSlot.objects.select_related("session__course"), pk)
    initial = {"date": slot.date, "start_time": slot.start_time, "end_time": slot.end_time}
    form = SlotForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            schedule_services.slot_update(
                organization=request.organization, slot=slot, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Slot of %(slot)s saved.") % {"slot": slot})
            return redirect("attendance:schedule", pk=slot.session_id)
    return render(
        request,
        "attendance/slot_form.html",
        {
            "form": form,
            "slot": slot,
            "session": slot.session,
            "entries": slot.attendances.count(),
            "history": changes_of(slot),
        },
    )


@member_required(admin=True)
@require_POST
def slot_delete(request: OrganizationRequest, pk: int) -> HttpResponse:
    slot = get_for_organization(request, TimeSlot, pk)
    schedule_services.slot_delete(organization=request.organization, slot=slot)
    messages.success(request, _("Slot of %(slot)s deleted.") % {"slot": slot})
    return redirect("attendance:schedule", pk=slot.session_id)


@member_required(admin=True)
@require_POST
def trainers(request: OrganizationRequest, pk: int) -> HttpResponse:
    session = get_for_organization(request, Session, pk)
    form = TrainersForm(request.POST, session=session)
    if form.is_valid():
        trainer_services.session_trainers_set(
            organization=request.organization,
            session=session,
            memberships=form.cleaned_data["trainers"],
        )
        messages.success(request, _("Trainers of the session saved."))
    else:
        for error in form.errors.get("trainers", []):
            messages.error(request, str(error))
    return redirect("attendance:schedule", pk=session.pk)
