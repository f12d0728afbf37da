"""The Funding page (every allocation of the organisation, filtered) and its exports.

Administrators only: trainers get 403 on the page, its partial and every export URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from certeef.access import member_required
from certeef.formats import format_date, format_euros
from certeef.http import OrganizationRequest
from certeef.lists import PAGE_SIZE
from funding import bulk_moves
from funding.chasing import funder_name
from funding.export_by_funder import xlsx_by_funder_response
from funding.export_csv import csv_response
from funding.export_rows import export_filename
from funding.export_xlsx import xlsx_response
from funding.filters import FundingFilterForm
from funding.forms import BulkActionForm, add_service_error
from funding.models import FundingStatus
from funding.row_views import prepare_rows
from funding.search import funding_page
from funding.selectors import filter_allocations


def _filtered_allocations(request: OrganizationRequest) -> QuerySet:
    """The allocations the Funding page shows for the filters in the URL."""
    form = FundingFilterForm(request.GET, organization=request.organization)
    return filter_allocations(organization=request.organization, filters=form.filters())


def _list_context(request: OrganizationRequest, params: QueryDict) -> dict[str, object]:
    """The Funding page for the filters (and page number) in `params`."""
    form = FundingFilterForm(params, organization=request.organization)
    filters = form.filters()
    totals, rows = funding_page(organization=request.organization, filters=filters)
    paginator = Paginator(rows, PAGE_SIZE)
    # The totals counted the same rows: no second pass over them.
    paginator.count = totals.count
    page = paginator.get_page(params.get("page"))
    prepare_rows(page.object_list, "list")
    without_page = params.copy()
    without_page.pop("page", None)
    base_query = without_page.urlencode()
    without_session = without_page.copy()
    without_session.pop("session", None)
    without_funder = without_page.copy()
    without_funder.pop("funder", None)
    return {
        "form": form,
        "page": page,
        "totals": totals,
        "base_query": base_query,
        "export_query": f"?{base_query}" if base_query else "",
        "without_session_query": without_session.urlencode(),
        "without_funder_query": without_funder.urlencode(),
        "funder_name": (
            funder_name(organization=request.organization, value=filters.funder)
            if filters.funder
            else ""
        ),
        "next": f"{reverse('funding:list')}?{params.urlencode()}",
        "layout": "list",
        "bulk_form": BulkActionForm(),
        "bulk_max": bulk_moves.BULK_MAX,
        "selected_ids": set(),
    }


@member_required(admin=True)
def funding_list(request: OrganizationRequest) -> HttpResponse:
    context = _list_context(request, request.GET)
    template = "funding/list.html#results" if request.htmx else "funding/list.html"
    return render(request, template, context)


@member_required(admin=True)
@require_POST
def funding_bulk(request: OrganizationRequest) -> HttpResponse:
    """Approve, or mark as paid, the selected allocations (or all those the page's filter
    matches): all or nothing (`bulk_moves.allocations_set_status`). Refused: the Funding page
    again, nothing changed, each refused allocation with its reason and a way to repeat without
    them. Done: back to the list (a payment: to everything that remittance paid), with a
    summary of what changed."""
    form = BulkActionForm(request.POST)
    params = QueryDict(request.POST.get("query", "")[:2000])
    if not form.is_valid():
        return _bulk_page(request, params, form)
    data = form.cleaned_data
    ids = data["ids"]
    if data["select_all"]:
        matching = _filtered_allocations_for(request, params)
        count = matching.count()
        if data["expected_count"] is not None and count != data["expected_count"]:
            form.add_error(
                None,
                ngettext(
                    "The filter now matches %(count)s allocation, not %(expected)s as shown: "
                    "check the list and repeat.",
                    "The filter now matches %(count)s allocations, not %(expected)s as shown: "
                    "check the list and repeat.",
                    count,
                )
                % {"count": count, "expected": data["expected_count"]},
            )
            return _bulk_page(request, params, form)
        ids = list(matching.values_list("pk", flat=True)[: bulk_moves.BULK_MAX + 1])
    try:
        result = bulk_moves.allocations_set_status(
            organization=request.organization,
            allocation_ids=ids,
            to_status=data["action"],
            changed_by=request.user,
            paid_on=data.get("paid_on"),
            remittance_reference=data.get("remittance_reference", ""),
        )
    except bulk_moves.BulkMoveRefused as refused:
        return _bulk_page(request, params, form, refusals=refused.refusals, selected=ids)
    except ValidationError as error:
        add_service_error(form, error)
        return _bulk_page(request, params, form)
    messages.success(request, _bulk_summary(result))
    if result.to_status == FundingStatus.PAID:
        return redirect(
            f"{reverse('funding:list')}?{urlencode({'remittance': result.remittance_reference})}"
        )
    return redirect(f"{reverse('funding:list')}?{params.urlencode()}")


def _bulk_summary(result: bulk_moves.BulkMoveResult) -> str:
    values = {
        "count": result.count,
        "amount": format_euros(result.amount),
        "date": format_date(result.paid_on) if result.paid_on else "",
        "reference": result.remittance_reference,
    }
    if result.to_status == FundingStatus.PAID:
        return (
            ngettext(
                "%(count)s allocation marked as paid on %(date)s, remittance %(reference)s: "
                "%(amount)s.",
                "%(count)s allocations marked as paid on %(date)s, remittance %(reference)s: "
                "%(amount)s.",
                result.count,
            )
            % values
        )
    return (
        ngettext(
            "%(count)s allocation approved: %(amount)s.",
            "%(count)s allocations approved: %(amount)s.",
            result.count,
        )
        % values
    )


def _bulk_page(
    request: OrganizationRequest,
    params: QueryDict,
    form: BulkActionForm,
    *,
    refusals: list[bulk_moves.BulkRefusal] | None = None,
    selected: list[int] | None = None,
) -> HttpResponse:
    """The Funding page again after a refused or invalid bulk action: nothing was changed."""
    context = _list_context(request, params)
    refused_ids = {refusal.allocation_id for refusal in refusals or []}
    selected = selected if selected is not None else (form.cleaned_data.get("ids") or [])
    retry_ids = [pk for pk in selected if pk not in refused_ids]
    if refusals:
        prepare_rows([r.allocation for r in refusals if r.allocation is not None], "list")
    context.update(
        {
            "bulk_form": form,
            "bulk_refusals": refusals or [],
            "bulk_selected_count": len(selected),
            "bulk_retry_ids": retry_ids,
            "selected_ids": set(retry_ids),
        }
    )
    return render(request, "funding/list.html", context)


def _filtered_allocations_for(request: OrganizationRequest, params: QueryDict) -> QuerySet:
    form = FundingFilterForm(params, organization=request.organization)
    return filter_allocations(organization=request.organization, filters=form.filters())


def _filename(request: OrganizationRequest, extension: str) -> str:
    return export_filename(request.organization, timezone.localdate(), extension)


@member_required(admin=True)
def export_xlsx(request: OrganizationRequest) -> HttpResponseBase:
    allocations = _filtered_allocations(request)
    return xlsx_response(allocations, _filename(request, "xlsx"))


@member_required(admin=True)
def export_csv(request: OrganizationRequest) -> HttpResponseBase:
    allocations = _filtered_allocations(request)
    return csv_response(allocations, _filename(request, "csv"))


@member_required(admin=True)
def export_by_funder_xlsx(request: OrganizationRequest) -> HttpResponseBase:
    allocations = _filtered_allocations(request)
    filename = export_filename(
        request.organization, timezone.localdate(), "xlsx", suffix="-by-funder"
    )
    return xlsx_by_funder_response(allocations, filename)
