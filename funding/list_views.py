"""The Funding page (every allocation of the organisation, filtered) and its exports.

Administrators only: trainers get 403 on the page, its partial and every export URL.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from certeef.access import member_required
from certeef.lists import paginate, query_string_without, query_string_without_page
from funding import exports
from funding.carriers import carrier_of
from funding.filters import FundingFilterForm
from funding.selectors import allocation_list, allocation_totals, filter_allocations


def _filtered_allocations(request: HttpRequest) -> QuerySet:
    """The allocations the Funding page shows for the filters in the URL."""
    form = FundingFilterForm(request.GET, organization=request.organization)
    return filter_allocations(request.organization, form.filters())


@member_required(admin=True)
def funding_list(request: HttpRequest) -> HttpResponse:
    form = FundingFilterForm(request.GET, organization=request.organization)
    filters = form.filters()
    page = paginate(request, allocation_list(request.organization, filters))
    for allocation in page.object_list:
        allocation.carrier_url = carrier_of(allocation).funding_url
    base_query = query_string_without_page(request)
    context = {
        "form": form,
        "page": page,
        "totals": allocation_totals(filter_allocations(request.organization, filters)),
        "base_query": base_query,
        "export_query": f"?{base_query}" if base_query else "",
        "without_session_query": query_string_without(request, "session", "page"),
    }
    template = "funding/list.html#results" if request.htmx else "funding/list.html"
    return render(request, template, context)


def _filename(request: HttpRequest, extension: str) -> str:
    return exports.export_filename(request.organization, timezone.localdate(), extension)


@member_required(admin=True)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    allocations = _filtered_allocations(request)
    return exports.xlsx_response(allocations, _filename(request, "xlsx"))


@member_required(admin=True)
def export_csv(request: HttpRequest) -> HttpResponse:
    allocations = _filtered_allocations(request)
    return exports.csv_response(allocations, _filename(request, "csv"))


@member_required(admin=True)
def export_by_funder_xlsx(request: HttpRequest) -> HttpResponse:
    allocations = _filtered_allocations(request)
    filename = exports.export_filename(
        request.organization, timezone.localdate(), "xlsx", suffix="-by-funder"
    )
    return exports.xlsx_by_funder_response(allocations, filename)
