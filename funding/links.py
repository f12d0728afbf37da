"""Where an allocation is managed: its carrier's Funding tab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from funding.models import FundingAllocation


def carrier_funding_url(allocation: FundingAllocation) -> str:
    """The Funding tab of the company or individual that carries the allocation."""
    if allocation.company_id:
        name, pk = "companies", allocation.company_id
    else:
        name, pk = "individuals", allocation.individual_id
    for route in (f"{name}:funding", f"{name}:detail"):
        try:
            return reverse(route, args=[pk])
        except NoReverseMatch:
            continue
    return reverse(f"{name}:list")
