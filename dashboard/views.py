"""The home page. Trainers see the shortcuts; administrators also see what needs attention."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from certeef.access import member_required
from funding.chase_overview import chasing_overview
from funding.row_views import prepare_rows
from funding.selectors import (
    pending_allocations,
    underfunded_overview,
    year_status_totals,
)

if TYPE_CHECKING:
    from django.http import HttpResponse

    from certeef.http import OrganizationRequest
    from certeef.models import Organization


@member_required()
def dashboard(request: OrganizationRequest) -> HttpResponse:
    """Trainers see the shortcuts; administrators also see what needs attention: pending
    allocations, sessions with under-funded learners, and the fiscal year's totals by status."""
    if not request.membership.is_administrator:
        return render(request, "dashboard/dashboard.html", {})
    return render(request, "dashboard/dashboard.html", _funding_attention(request.organization))


# How many pending allocations and under-funded sessions the dashboard lists (the Funding page and
# the sessions have the rest).
DASHBOARD_ROWS = 10


def _funding_attention(organization: Organization) -> dict[str, object]:
    fiscal_year = organization.fiscal_year_of(timezone.localdate())
    year_start, year_end = organization.fiscal_year_bounds(fiscal_year)
    # Under-funded learners still matter for the last closed year (its BPF is being prepared) and
    # for the current one; older sessions are history.
    since, _previous_end = organization.fiscal_year_bounds(fiscal_year - 1)
    pending = pending_allocations(organization=organization, limit=DASHBOARD_ROWS)
    # Each row approves or rejects in place (funding/row_views.py).
    prepare_rows(pending.oldest, "pending")
    return {
        "pending": pending,
        "chasing": chasing_overview(organization=organization, limit=DASHBOARD_ROWS),
        "layout": "pending",
        "next": reverse("dashboard"),
        "underfunded": underfunded_overview(
            organization=organization, since=since, limit=DASHBOARD_ROWS
        ),
        "underfunded_since": since,
        "fiscal_year": fiscal_year,
        "year_start": year_start,
        "year_end": year_end,
        # As the Funding page's totals for the year's period (its link), from the summaries.
        "year_totals": year_status_totals(
            organization=organization, period_from=year_start, period_to=year_end
        ),
        "year_query": urlencode(
            {"period_from": year_start.isoformat(), "period_to": year_end.isoformat()}
        ),
    }
