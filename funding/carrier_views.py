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

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import reswap, retarget

from certeef.access import get_for_organization, member_required
from certeef.formats import format_euros
from companies.models import Company
from funding import services
from funding.carriers import Carrier
from funding.forms import AllocationForm, add_service_error, status_moves

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


def done(request: HttpRequest, carrier: Carrier) -> HttpResponse:
    """After an action: the refreshed list in place (htmx), else back to the Funding tab."""
    if request.htmx:
        response = render(request, ALLOCATION_LIST_TEMPLATE, allocation_list_context(carrier))
        return reswap(retarget(response, "#allocations"), "outerHTML")
    return redirect(carrier.funding_url)


def panel(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    """A form or a view of one allocation: in the panel above the list (htmx) or as a page."""
    if request.htmx:
        response = render(request, f"{template}#panel", context)
        return reswap(retarget(response, "#allocation-panel"), "innerHTML")
    return render(request, template, context)


def posted(request: HttpRequest):
    """The submitted data on POST (even empty, so that it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _form_token_used(request: HttpRequest, token: str) -> bool:
    return token in request.session.get(USED_FORM_TOKENS_KEY, [])


def _remember_form_token(request: HttpRequest, token: str) -> None:
    used = [*request.session.get(USED_FORM_TOKENS_KEY, []), token]
    request.session[USED_FORM_TOKENS_KEY] = used[-REMEMBERED_FORM_TOKENS:]
    # Saved now rather than with the response, so that a second click arriving while this
    # response is still being rendered already sees the token.
    request.session.save()


def allocation_add(request: HttpRequest, carrier: Carrier) -> HttpResponse:
    """+ Add funding, for any carrier. The carrier's own view checks access and fetches it.

    Double submission: each add form carries a one-time token; once an allocation is created
    from it the token is remembered in the session, and the same form sent again creates
    nothing (the user is told and sees the list)."""
    if request.method == "POST" and _form_token_used(request, request.POST.get("form_token", "")):
        messages.warning(
            request, _("This funding was already saved: the repeated submission was ignored.")
        )
        return done(request, carrier)
    form = AllocationForm(posted(request), carrier=carrier)
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
            return done(request, carrier)
    return panel(request, "funding/allocation_form.html", {"form": form, "carrier": carrier})


# A company's Funding tab.


@member_required(admin=True)
def company_funding(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_for_organization(request, Company, pk)
    context = {"company": company, **allocation_list_context(Carrier(company=company))}
    return render(request, "companies/funding.html", context)


@member_required(admin=True)
def company_funding_add(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_for_organization(request, Company, pk)
    return allocation_add(request, Carrier(company=company))


@member_required(admin=True)
def company_funding_learners(request: HttpRequest, pk: int) -> HttpResponse:
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
