"""The funding section of a learner's page (registered in funding/apps.py): every allocation of
the learner, with its carrier, type, session, status and approved amount. Funding is for
administrators: a trainer's page has no such section (the check is here, not in the template)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from funding.carriers import carrier_of
from funding.models import FundingAllocation

if TYPE_CHECKING:
    from certeef.models import Membership
    from learners.models import Learner


def learner_funding_context(learner: Learner, membership: Membership) -> dict[str, object]:
    if not membership.is_administrator:
        return {"allocations": None}
    allocations = list(
        FundingAllocation.objects.filter(
            organization_id=learner.organization_id, learner_id=learner.pk
        )
        .select_related("session__course", "company", "individual", "learner")
        .order_by("-session__start_date", "pk")
    )
    for allocation in allocations:
        allocation.carrier_url = carrier_of(allocation).funding_url
    return {"learner": learner, "allocations": allocations}
