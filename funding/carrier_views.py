"""The Funding tab of a carrier — an individual or a company — and its "+ Add funding".

Written once against `funding.carriers.Carrier`. A company's Funding tab is served here, at the
company's address (/companies/<pk>/funding/, see funding/urls.py), because companies sit below
funding (a company is also an employer, and its kind decides which funding it may carry). An
individual's Funding tab is served by individuals/views.py, which sits above funding and uses
`allocation_list_context` and `allocation_add` from here; funding never imports individuals.

Each action answers an htmx request with a partial (the panel above the carrier's allocation
list, or the refreshed list after a change) and a plain request with a page, so every URL works
without JavaScript too. Only administrators reach any of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import reswap, retarget

from certeef.access import get_for_organization, member_required
from certeef.formats import format_euros
from certeef.http import OrganizationRequest
from certeef.once import AlreadySubmitted, claim_form_token, form_token_claimed
from companies.models import Company
from funding import services, status_changes
from funding.carriers import Carrier
from funding.forms import AllocationForm, AllocationStatusForm, add_service_error, status_moves
from funding.models import FundingAllocation
from training.changes import changing_sessions

if TYPE_CHECKING:
    from django.http import QueryDict

ALLOCATION_LIST_TEMPLATE = "funding/allocation_list.html"


def allocation_list_context(carrier: Carrier) -> dict[str, object]:
    """What templates/funding/allocation_list.html needs (two queries, whatever the rows)."""
    allocations = list(carrier.allocations())
    for allocation in allocations:
        allocation.moves = status_moves(allocation)
    return {"carrier": carrier, "allocations": allocations}


def done(request: OrganizationRequest, carrier: Carrier) -> HttpResponse:
    """After an action: the refreshed list in place (htmx), else back to the Funding tab."""
    if request.htmx:
        response = render(request, ALLOCATION_LIST_TEMPLATE, allocation_list_context(carrier))
        return reswap(retarget(response, "#allocations"), "outerHTML")
    return redirect(carrier.funding_url)


def panel(request: OrganizationRequest, template: str, context: dict[str, object]) -> HttpResponse:
    """A form or a view of one allocation: in the panel above the list (htmx) or as a page."""
    if request.htmx:
        response = render(request, f"{template}#panel", context)
        return reswap(retarget(response, "#allocation-panel"), "innerHTML")
    return render(request, template, context)


def posted(request: OrganizationRequest) -> QueryDict | None:
    """The submitted data on POST (even empty, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def move_from_form(
    request: OrganizationRequest,
    *,
    allocation: FundingAllocation,
    to_status: str,
    form: AllocationStatusForm,
    success: str,
) -> bool:
    """Move the allocation as the valid status form says, through `allocation_set_status`.

    True when it is over: moved (`success` is said), or refused as a whole because someone moved
    it first or the move is not allowed (the reason is said) — show the allocation as it is now.
    False when the form now carries the service's reason — show the form again."""
    try:
        status_changes.allocation_set_status(
            allocation=allocation,
            to_status=to_status,
            changed_by=request.user,
            **form.move_fields(),
        )
    except ValidationError as error:
        if getattr(error, "code", None) not in ("stale", "move_not_allowed"):
            add_service_error(form, error)
            return False
        messages.error(request, error.messages[0])
        return True
    messages.success(request, success)
    return True


def _already_saved(request: OrganizationRequest, carrier: Carrier) -> HttpResponse:
    messages.warning(
        request, _("This funding was already saved: the repeated submission was ignored.")
    )
    return done(request, carrier)


def _preset(request: OrganizationRequest) -> dict[str, int]:
    """?session=&learner= of "+ Add funding" opened from a learner's row of a session's page:
    the form starts with them chosen (ids only; the form offers only the carrier's choices)."""
    return {
        name: int(request.GET[name])
        for name in ("session", "learner")
        if request.GET.get(name, "").isdigit()
    }


def allocation_add(request: OrganizationRequest, carrier: Carrier) -> HttpResponse:
    """+ Add funding, for any carrier. The carrier's own view checks access and fetches it.

    Exactly once: each add form carries a one-time token, claimed in the database in the same
    transaction as the allocation (certeef/once.py). The same form sent again — after the first
    one saved, or at the same moment — creates nothing: the user is told and sees the list."""
    if request.method == "POST" and form_token_claimed(request.POST.get("form_token")):
        return _already_saved(request, carrier)
    form = AllocationForm(posted(request), carrier=carrier, preset=_preset(request))
    if request.method == "POST" and form.is_valid():
        try:
            # The session is locked first (as by every write to its figures), then the token
            # claimed: the simultaneous copies of this form queue on the lock, then find it taken.
            with transaction.atomic(), changing_sessions([form.cleaned_data["session"].pk]):
                claim_form_token(form.cleaned_data["form_token"])
                allocation = services.allocation_create(
                    organization=request.organization,
                    **carrier.service_kwargs(),
                    **form.allocation_fields(),
                    created_by=request.user,
                )
        except AlreadySubmitted:
            return _already_saved(request, carrier)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Funding added: %(type)s, %(amount)s.")
                % {
                    "type": allocation.get_funding_type_display(),
                    "amount": format_euros(allocation.approved_amount),
                },
            )
            return done(request, carrier)
    return panel(request, "funding/allocation_form.html", {"form": form, "carrier": carrier})


# A company's Funding tab.


@member_required(admin=True)
def company_funding(request: OrganizationRequest, pk: int) -> HttpResponse:
    company = get_for_organization(request, Company, pk)
    context = {"company": company, **allocation_list_context(Carrier(company=company))}
    return render(request, "companies/funding.html", context)


@member_required(admin=True)
def company_funding_add(request: OrganizationRequest, pk: int) -> HttpResponse:
    company = get_for_organization(request, Company, pk)
    return allocation_add(request, Carrier(company=company))


@member_required(admin=True)
def company_funding_learners(request: OrganizationRequest, pk: int) -> HttpResponse:
    """The learner options of the add/edit form for the session in ?session= (htmx swaps them
    in when the session changes). Learners are those of this organisation only."""
    company = get_for_organization(request, Company, pk)
    session_id = request.GET.get("session", "")
    choices = Carrier(company=company).learner_choices(
        int(session_id) if session_id.isdigit() else None
    )
    return render(
        request,
        "companies/funding_learners.html",
        {"placeholder": choices[0], "groups": choices[1:]},
    )
