"""Actions on one allocation, whoever carries it: edit, change status, delete, history.

They answer as the carrier's Funding tab does (funding/carrier_views.py): a partial for htmx, a
page otherwise. Only administrators reach any of them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from certeef.access import get_for_organization, member_required
from certeef.history import changes_of
from certeef.http import OrganizationRequest
from funding import services
from funding.carrier_views import done, move_from_form, panel, posted
from funding.carriers import Carrier, carrier_of
from funding.forms import (
    AllocationForm,
    AllocationStatusForm,
    VersionForm,
    add_service_error,
)
from funding.models import STATUS_MOVES, FundingAllocation, FundingStatus


def _get_allocation(request: OrganizationRequest, pk: int) -> FundingAllocation:
    return get_for_organization(
        request,
        FundingAllocation.objects.select_related(
            "individual__learner", "company", "learner", "session__course"
        ),
        pk,
    )


@member_required(admin=True)
def allocation_edit(request: OrganizationRequest, pk: int) -> HttpResponse:
    allocation = _get_allocation(request, pk)
    carrier = carrier_of(allocation)
    form = AllocationForm(posted(request), carrier=carrier, allocation=allocation)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_update(
                allocation=allocation,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data.get("reason", ""),
                **form.allocation_fields(),
            )
        except ValidationError as error:
            # Stale copy included: the form comes back with what the user typed.
            add_service_error(form, error)
        else:
            messages.success(request, _("Funding saved."))
            return done(request, carrier)
    context = {"form": form, "carrier": carrier, "allocation": allocation}
    return panel(request, "funding/allocation_form.html", context)


@member_required(admin=True)
def allocation_status(request: OrganizationRequest, pk: int, to_status: str) -> HttpResponse:
    """Change the status: a small form (payment date for Paid, an optional note), then the move
    through `allocation_set_status`, which records it in the history."""
    allocation = _get_allocation(request, pk)
    carrier = carrier_of(allocation)
    if to_status not in FundingStatus.values:
        raise Http404
    from_status = allocation.status
    form = AllocationStatusForm(posted(request), allocation=allocation, to_status=to_status)
    if request.method == "POST" and form.is_valid():
        success = _("Status changed: %(from)s → %(to)s.") % {
            "from": FundingStatus(from_status).label,
            "to": FundingStatus(to_status).label,
        }
        if move_from_form(
            request, allocation=allocation, to_status=to_status, form=form, success=success
        ):
            return done(request, carrier)
        return _status_panel(request, allocation, carrier, form, to_status)
    if (from_status, to_status) not in STATUS_MOVES:
        messages.error(
            request,
            _("An allocation cannot go from %(from)s to %(to)s.")
            % {"from": FundingStatus(from_status).label, "to": FundingStatus(to_status).label},
        )
        return done(request, carrier)
    return _status_panel(request, allocation, carrier, form, to_status)


def _status_panel(
    request: OrganizationRequest,
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
        "action_label": STATUS_MOVES.get((allocation.status, to_status), _("Change status")),
    }
    return panel(request, "funding/allocation_status.html", context)


@member_required(admin=True)
def allocation_delete(request: OrganizationRequest, pk: int) -> HttpResponse:
    """Delete a Pending allocation, after confirmation."""
    allocation = _get_allocation(request, pk)
    carrier = carrier_of(allocation)
    form = VersionForm(posted(request), allocation=allocation)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_delete(
                allocation=allocation, expected_version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Funding deleted."))
        return done(request, carrier)
    if allocation.status != FundingStatus.PENDING:
        messages.error(
            request,
            _("Only a Pending allocation can be deleted; this one is %(status)s.")
            % {"status": allocation.get_status_display()},
        )
        return done(request, carrier)
    context = {"allocation": allocation, "carrier": carrier, "form": form}
    return panel(request, "funding/allocation_delete.html", context)


HISTORY_FIELDS = [
    "approved_amount",
    "funding_type",
    "session",
    "cpf_case_number",
    "funder_reference",
]


@member_required(admin=True)
def allocation_history(request: OrganizationRequest, pk: int) -> HttpResponse:
    allocation = _get_allocation(request, pk)
    changes = allocation.status_changes.select_related("changed_by").order_by("changed_at", "pk")
    context = {
        "allocation": allocation,
        "carrier": carrier_of(allocation),
        "changes": changes,
        # Status moves are in the table above, with their payment details.
        "history": changes_of(allocation, fields=HISTORY_FIELDS),
    }
    return panel(request, "funding/allocation_history.html", context)
