from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certeef.access import member_required
from certeef.forms import OrganizationSettingsForm
from certeef.models import Membership, Organization
from certeef.tenancy import choose_organization, current_membership
from funding.carriers import carrier_of
from funding.selectors import (
    AllocationFilters,
    filter_allocations,
    pending_allocations,
    status_totals,
    unfunded_overview,
)


@member_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    """Trainers see the shortcuts; administrators also see what needs attention: pending
    allocations, sessions with unfunded learners, and the fiscal year's totals by status."""
    if not request.membership.is_administrator:
        return render(request, "certeef/dashboard.html", {})
    return render(request, "certeef/dashboard.html", _funding_attention(request.organization))


# How many pending allocations and unfunded sessions the dashboard lists (the Funding page and
# the sessions have the rest).
DASHBOARD_ROWS = 10


def _funding_attention(organization: Organization) -> dict[str, object]:
    fiscal_year = organization.fiscal_year_of(timezone.localdate())
    year_start, year_end = organization.fiscal_year_bounds(fiscal_year)
    # Unfunded learners still matter for the last closed year (its BPF is being prepared) and
    # for the current one; older sessions are history.
    since, _previous_end = organization.fiscal_year_bounds(fiscal_year - 1)
    pending = pending_allocations(organization, limit=DASHBOARD_ROWS)
    for allocation in pending.oldest:
        allocation.carrier_url = carrier_of(allocation).funding_url
    year_filters = AllocationFilters(period_from=year_start, period_to=year_end)
    return {
        "pending": pending,
        "unfunded": unfunded_overview(organization, since, limit=DASHBOARD_ROWS),
        "unfunded_since": since,
        "fiscal_year": fiscal_year,
        "year_start": year_start,
        "year_end": year_end,
        "year_totals": status_totals(filter_allocations(organization, year_filters)),
        "year_query": urlencode({"period_from": year_start, "period_to": year_end}),
    }


@login_required
def no_organization(request: HttpRequest) -> HttpResponse:
    if current_membership(request) is not None:
        return redirect("dashboard")
    return render(request, "certeef/no_organization.html")


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    # Only an organisation the user belongs to can be chosen: anything else is a 404.
    membership = get_object_or_404(
        Membership.objects.select_related("organization"),
        user=request.user,
        organization_id=request.POST.get("organization"),
    )
    choose_organization(request, membership)
    messages.success(
        request, _("You are now working in %(name)s.") % {"name": membership.organization}
    )
    return redirect("dashboard")


@member_required(admin=True)
def organization_settings(request: HttpRequest) -> HttpResponse:
    form = OrganizationSettingsForm(request.POST or None, instance=request.organization)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect("organization_settings")
    return render(request, "certeef/settings.html", {"form": form})
