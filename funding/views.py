"""Allocation actions common to every carrier: add, edit, change status, delete, history.

Each action answers an htmx request with a partial (the panel above the carrier's allocation
list, or the refreshed list after a change) and a plain request with a page, so every URL works
without JavaScript too. Only administrators reach any of them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import reswap, retarget

from certeef.access import get_for_organization, member_required
from certeef.formats import format_euros
from funding import services
from funding.carriers import Carrier, carrier_of
from funding.forms import (
    MOVE_LABELS,
    AllocationForm,
    AllocationStatusForm,
    VersionForm,
    add_service_error,
    status_moves,
)
from funding.models import FundingAllocation, FundingStatus
from individuals.models import Individual

# Form tokens of the allocations this session already created (a double submission of the
# same form is recognised by its token). Bounded: a session keeps only the most recent ones.
USED_FORM_TOKENS_KEY = "funding_used_form_tokens"
REMEMBERED_FORM_TOKENS = 100

ALLOCATION_LIST_TEMPLATE = "funding/allocation_list.html"


def allocation_list_context(carrier: Carrier) -> dict[str, object]:
    """What templates/funding/allocation_list.html needs (two queries, whatever the rows)."""
    allocations = list(carrier.allocations())
    for allocation in allocations:
        allocation.moves = status_moves(allocation)
    return {"carrier": carrier, "allocations": allocations}


def _done(request: HttpRequest, carrier: Carrier) -> HttpResponse:
    """After an action: the refreshed list in place (htmx), else back to the Funding tab."""
    if request.htmx:
        response = render(request, ALLOCATION_LIST_TEMPLATE, allocation_list_context(carrier))
        return reswap(retarget(response, "#allocations"), "outerHTML")
    return redirect(carrier.funding_url)


def _panel(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    """A form or a view of one allocation: in the panel above the list (htmx) or as a page."""
    if request.htmx:
        response = render(request, f"{template}#panel", context)
        return reswap(retarget(response, "#allocation-panel"), "innerHTML")
    return render(request, template, context)


def _posted(request: HttpRequest):
    """The submitted data on POST (even empty, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _get_allocation(request: HttpRequest, pk: int) -> FundingAllocation:
    return get_for_organization(
        request,
        FundingAllocation.objects.select_related(
            "individual__learner", "company", "learner", "session__course"
        ),
        pk,
    )


def _form_token_used(request: HttpRequest, token: str) -> bool:
    return token in request.session.get(USED_FORM_TOKENS_KEY, [])


def _remember_form_token(request: HttpRequest, token: str) -> None:
    used = [*request.session.get(USED_FORM_TOKENS_KEY, []), token]
    request.session[USED_FORM_TOKENS_KEY] = used[-REMEMBERED_FORM_TOKENS:]
    # Saved now rather than with the response, so that a second click arriving while this
    # response is still being rendered already sees the token.
    request.session.save()


@member_required(admin=True)
def allocation_add_for_individual(request: HttpRequest, pk: int) -> HttpResponse:
    individual = get_for_organization(request, Individual.objects.select_related("learner"), pk)
    return allocation_add(request, Carrier(individual=individual))


def allocation_add(request: HttpRequest, carrier: Carrier) -> HttpResponse:
    """+ Add funding, for any carrier. The carrier's own view checks access and fetches it.

    Double submission: each add form carries a one-time token; once an allocation is created
    from it the token is remembered in the session, and the same form sent again creates
    nothing (the user is told and sees the list)."""
    if request.method == "POST" and _form_token_used(request, request.POST.get("form_token", "")):
        messages.warning(
            request, _("This funding was already saved: the repeated submission was ignored.")
        )
        return _done(request, carrier)
    form = AllocationForm(_posted(request), carrier=carrier)
    if request.method == "POST" and form.is_valid():
        try:
            allocation = services.allocation_create(
                organization=request.organization,
                **carrier.service_kwargs(),
                **form.allocation_fields(),
                created_by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            _remember_form_token(request, str(form.cleaned_data["form_token"]))
            messages.success(
                request,
                _("Funding added: %(type)s, %(amount)s.")
                % {
                    "type": allocation.get_funding_type_display(),
                    "amount": format_euros(allocation.approved_amount),
                },
            )
            return _done(request, carrier)
    return _panel(request, "funding/allocation_form.html", {"form": form, "carrier": carrier})


@member_required(admin=True)
def allocation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = _get_allocation(request, pk)
    carrier = carrier_of(allocation)
    form = AllocationForm(_posted(request), carrier=carrier, allocation=allocation)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_update(
                allocation=allocation,
                expected_version=form.cleaned_data["version"],
                **form.allocation_fields(),
            )
        except ValidationError as error:
            # Stale copy included: the form comes back with what the user typed.
            add_service_error(form, error)
        else:
            messages.success(request, _("Funding saved."))
            return _done(request, carrier)
    context = {"form": form, "carrier": carrier, "allocation": allocation}
    return _panel(request, "funding/allocation_form.html", context)


@member_required(admin=True)
def allocation_status(request: HttpRequest, pk: int, to_status: str) -> HttpResponse:
    """Change the status: a small form (payment date for Paid, an optional note), then the move
    through `allocation_set_status`, which records it in the history."""
    allocation = _get_allocation(request, pk)
    carrier = carrier_of(allocation)
    if to_status not in FundingStatus.values:
        raise Http404
    from_status = allocation.status
    form = AllocationStatusForm(_posted(request), allocation=allocation, to_status=to_status)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_set_status(
                allocation=allocation,
                to_status=to_status,
                changed_by=request.user,
                expected_version=form.cleaned_data["version"],
                paid_on=form.cleaned_data.get("paid_on"),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            if getattr(error, "code", None) not in ("stale", "move_not_allowed"):
                add_service_error(form, error)
                return _status_panel(request, allocation, carrier, form, to_status)
            # Someone else moved it first (or the move is not allowed): say so, show the
            # current state.
            messages.error(request, error.messages[0])
            return _done(request, carrier)
        messages.success(
            request,
            _("Status changed: %(from)s → %(to)s.")
            % {"from": FundingStatus(from_status).label, "to": FundingStatus(to_status).label},
        )
        return _done(request, carrier)
    if (from_status, to_status) not in MOVE_LABELS:
        messages.error(
            request,
            _("An allocation cannot go from %(from)s to %(to)s.")
            % {"from": FundingStatus(from_status).label, "to": FundingStatus(to_status).label},
        )
        return _done(request, carrier)
    return _status_panel(request, allocation, carrier, form, to_status)


def _status_panel(
    request: HttpRequest,
    allocation: FundingAllocation,
    carrier: Carrier,
    form: AllocationStatusForm,
    to_status: str,
) -> HttpResponse:
    context = {
        "allocation": allocation,
        "carrier": carrier,
        "form": form,
        "to_status": to_status,
        "to_label": FundingStatus(to_status).label,
        "action_label": MOVE_LABELS.get((allocation.status, to_status), _("Change status")),
    }
    return _panel(request, "funding/allocation_status.html", context)


@member_required(admin=True)
def allocation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a Pending allocation, after confirmation."""
    allocation = _get_allocation(request, pk)
    carrier = carrier_of(allocation)
    form = VersionForm(_posted(request), allocation=allocation)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_delete(
                allocation=allocation, expected_version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Funding deleted."))
        return _done(request, carrier)
    if allocation.status != FundingStatus.PENDING:
        messages.error(
            request,
            _("Only a Pending allocation can be deleted; this one is %(status)s.")
            % {"status": allocation.get_status_display()},
        )
        return _done(request, carrier)
    context = {"allocation": allocation, "carrier": carrier, "form": form}
    return _panel(request, "funding/allocation_delete.html", context)


@member_required(admin=True)
def allocation_history(request: HttpRequest, pk: int) -> HttpResponse:
    allocation = _get_allocation(request, pk)
    changes = allocation.status_changes.select_related("changed_by").order_by("changed_at", "pk")
    context = {"allocation": allocation, "carrier": carrier_of(allocation), "changes": changes}
    return _panel(request, "funding/allocation_history.html", context)
