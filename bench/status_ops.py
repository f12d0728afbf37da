"""A status change (issue 17): one allocation approved from its row of the Funding page, as an
administrator does it (htmx POST to the row's move: the service locks the session, checks the
case number, updates the allocation, writes its history and its status change, refreshes the
session's summaries, then the row is read again and rendered).

Each timed run approves the next of the oldest pending allocations; once measured, they are put
back to Pending through the same service (untimed), so that the data set stays as seeded from run
to run of the benchmark."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from funding import status_changes
from funding.models import FundingAllocation, FundingStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from django.test import Client

    from certeef.models import Organization

HTMX = {"HX-Request": "true"}
# More than the runs of one measurement (the warm-up, --repeat timed runs, the counted run).
CANDIDATES = 40


def measured(organization: Organization, client: Client, operation: Callable) -> Iterator:
    """The status-change line of the benchmark, as `operation(name, run, target)`."""
    candidates = list(
        FundingAllocation.objects.filter(organization=organization, status=FundingStatus.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", "version")[:CANDIDATES]
    )
    moved: list[int] = []

    def approve() -> int:
        if len(moved) == len(candidates):
            raise RuntimeError(f"a status change measured more than {CANDIDATES} times")
        pk, version = candidates[len(moved)]
        url = reverse("funding:allocation_row_move", args=[pk, FundingStatus.APPROVED])
        response = client.post(url, {"layout": "list", "version": version}, headers=HTMX)
        assert response.status_code == 200, response.status_code
        moved.append(pk)
        return 1

    yield operation(
        "3j. Status change: Pending → Approved from a Funding page row", approve, "≤ 50 ms"
    )
    for allocation in FundingAllocation.objects.filter(pk__in=moved):
        status_changes.allocation_set_status(
            allocation=allocation, to_status=FundingStatus.PENDING, changed_by=None
        )
