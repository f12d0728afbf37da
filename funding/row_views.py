"""Status moves made from a row of a list: the Funding page and the dashboard's pending list.

The same service (`allocation_set_status`), the same form and the same history as the
allocation's own status page (funding/views.py); only the answer differs. With htmx the row
comes back updated in place (a move that needs more than a click — a payment date, a note —
first turns the row's actions into that small form); without JavaScript the form is a page and
every POST redirects back to the list it came from. A move whose allocation changed meanwhile
(stale version, status moved) is answered with a message and the row as it is now.

Administrators only (403 for a trainer); another organisation's allocation is 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from certeef.access import get_for_organization, member_required
from certeef.http import OrganizationRequest
from funding.carrier_views import move_from_form
from funding.carriers import carrier_of
from funding.forms import AllocationStatusForm
from funding.models import STATUS_MOVES, FundingAllocation, FundingStatus, next_statuses
from funding.selectors import pending_allocations

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.utils.functional import Promise

# The lists whose rows offer moves, the row template of each and the moves it offers (the
# others — back to pending, reverse a payment — stay on the carrier's Funding tab).
ROW_LAYOUTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "list": (
        "funding/list_row.html",
        (FundingStatus.APPROVED, FundingStatus.PAID, FundingStatus.REJECTED),
    ),
    "pending": ("funding/pending_row.html", (FundingStatus.APPROVED, FundingStatus.REJECTED)),
}
# Moves made in one click (nothing to type); the others open their small form first.
ONE_CLICK_MOVES = (FundingStatus.APPROVED,)


@dataclass(frozen=True)
class RowMove:
    to_status: str
    label: Promise
    one_click: bool


def row_moves(allocation: FundingAllocation, layout: str) -> list[RowMove]:
    """The moves a row of `layout` offers for the allocation's current status (no query)."""
    offered = ROW_LAYOUTS[layout][1]
    return [
        RowMove(
            to_status=to_status,
            label=STATUS_MOVES[(allocation.status, to_status)],
            one_click=to_status in ONE_CLICK_MOVES,
        )
        for to_status in next_statuses(allocation.status)
        if to_status in offered
    ]


def prepare_rows(allocations: Iterable[FundingAllocation], layout: str) -> None:
    """What each row of `layout` shows beyond the allocation's fields (no query: the list's
    query joins the learner, session, course and carrier)."""
    for allocation in allocations:
        allocation.carrier_url = carrier_of(allocation).funding_url
        allocation.row_moves = row_moves(allocation, layout)


def _layout(request: OrganizationRequest) -> str:
    layout = request.POST.get("layout") or request.GET.get("layout") or "list"
    if layout not in ROW_LAYOUTS:
        raise Http404
    return layout


def _next_url(request: OrganizationRequest, layout: str) -> str:
    """Where a page without JavaScript goes back to: the list the row was on (a local URL)."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("dashboard") if layout == "pending" else reverse("funding:list")


def _get_allocation(request: OrganizationRequest, pk: int) -> FundingAllocation:
    # What a row shows: its creator is not (joining it made PostgreSQL plan eight tables, about
    # 1 ms more for each of the two reads of a move).
    return get_for_organization(request, FundingAllocation.objects.for_list(), pk)


def _row(
    request: OrganizationRequest,
    allocation: FundingAllocation,
    layout: str,
    *,
    form: AllocationStatusForm | None = None,
    to_status: str = "",
) -> HttpResponse:
    prepare_rows([allocation], layout)
    context = {
        "allocation": allocation,
        "layout": layout,
        "next": _next_url(request, layout),
        "move_form": form,
        "to_status": to_status,
        "action_label": STATUS_MOVES.get((allocation.status, to_status), ""),
        "with_messages": True,
    }
    if layout == "pending":
        # The dashboard's pending count and amount follow (one query).
        context["pending"] = pending_allocations(organization=request.organization, limit=0)
    return render(request, ROW_LAYOUTS[layout][0], context)


def _done(request: OrganizationRequest, allocation: FundingAllocation, layout: str) -> HttpResponse:
    """After a move, or a refusal: the row as it is now (htmx), else back to the list."""
    if request.htmx:
        allocation = _get_allocation(request, allocation.pk)
        return _row(request, allocation, layout)
    return redirect(_next_url(request, layout))


@member_required(admin=True)
@require_GET
def allocation_row(request: OrganizationRequest, pk: int) -> HttpResponse:
    """One row as it is now (htmx: a move's form cancelled); without htmx, the list."""
    layout = _layout(request)
    allocation = _get_allocation(request, pk)
    if not request.htmx:
        return redirect(_next_url(request, layout))
    return _row(request, allocation, layout)


@member_required(admin=True)
@require_http_methods(["GET", "POST"])
def allocation_row_move(request: OrganizationRequest, pk: int, to_status: str) -> HttpResponse:
    """GET: the move's small form (in the row with htmx, else a page). POST: the move."""
    layout = _layout(request)
    allocation = _get_allocation(request, pk)
    if to_status not in ROW_LAYOUTS[layout][1]:
        raise Http404
    from_status = allocation.status
    if (from_status, to_status) not in STATUS_MOVES:
        # The status changed since the row was shown (or a crafted URL): say so, show it now.
        messages.error(
            request,
            _("This allocation is now %(status)s: it cannot be %(action)s. Nothing was changed.")
            % {"status": allocation.get_status_display(), "action": _action_words(to_status)},
        )
        return _done(request, allocation, layout)
    data = request.POST if request.method == "POST" else None
    # Ids of its own: several rows of a page may show their form at once.
    form = AllocationStatusForm(
        data, allocation=allocation, to_status=to_status, auto_id=f"row{allocation.pk}_%s"
    )
    if request.method == "POST" and form.is_valid():
        success = _("%(learner)s: %(from)s → %(to)s.") % {
            "learner": allocation.learner.full_name,
            "from": FundingStatus(from_status).label,
            "to": FundingStatus(to_status).label,
        }
        if move_from_form(
            request, allocation=allocation, to_status=to_status, form=form, success=success
        ):
            return _done(request, allocation, layout)
        return _form(request, allocation, layout, form, to_status)
    if request.method == "POST" and "version" in form.errors:
        messages.error(request, _("This form is incomplete: reload the page and try again."))
        return _done(request, allocation, layout)
    return _form(request, allocation, layout, form, to_status)


def _form(
    request: OrganizationRequest,
    allocation: FundingAllocation,
    layout: str,
    form: AllocationStatusForm,
    to_status: str,
) -> HttpResponse:
    if request.htmx:
        return _row(request, allocation, layout, form=form, to_status=to_status)
    context = {
        "allocation": allocation,
        "carrier": carrier_of(allocation),
        "layout": layout,
        "next": _next_url(request, layout),
        "form": form,
        "to_status": to_status,
        "to_label": FundingStatus(to_status).label,
        "action_label": STATUS_MOVES[(allocation.status, to_status)],
    }
    return render(request, "funding/row_move.html", context)


def _action_words(to_status: str) -> str:
    words: dict[str, str] = {
        FundingStatus.APPROVED: _("approved"),
        FundingStatus.PAID: _("marked as paid"),
        FundingStatus.REJECTED: _("rejected"),
    }
    return words.get(to_status, to_status)
