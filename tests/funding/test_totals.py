"""The Funding page's totals (by type, by status, overall) against a direct sum of the rows the
filter matches, for many filter combinations: they are read from an index of the allocations
(funding/models.py), and must stay exact whatever the filter."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from funding.models import COUNTED_STATUSES, FundingAllocation, FundingStatus
from funding.selectors import (
    AllocationFilters,
    filter_allocations,
    grouped_totals_query,
)
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_course,
    make_enrollment,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("funding:list")
TYPES = [
    FundingType.CPF,
    FundingType.OPCO_SKILLS_PLAN,
    FundingType.EMPLOYER,
    FundingType.FRANCE_TRAVAIL,
    FundingType.SELF_FUNDED,
]
STATUSES = [
    FundingStatus.PENDING,
    FundingStatus.APPROVED,
    FundingStatus.PAID,
    FundingStatus.REJECTED,
]


@pytest.fixture
def many(organization, other_organization):
    """36 allocations over three sessions of two courses, every type and status, both kinds of
    carrier, odd cents, a cancelled enrollment, old pending ones, two remittances; and another
    organisation's allocations of the same type and status, which must never count."""
    course_a = make_course(organization, title="Excel")
    course_b = make_course(organization, title="Management")
    sessions = [
        make_session(organization, course_a, start_date=datetime.date(2025, 1, 6),
                     end_date=datetime.date(2025, 1, 8)),
        make_session(organization, course_b, start_date=datetime.date(2025, 5, 5),
                     end_date=datetime.date(2025, 5, 6)),
        make_session(organization, course_a, start_date=datetime.date(2099, 9, 1),
                     end_date=datetime.date(2099, 9, 2)),
    ]  # fmt: skip
    acme = make_company(organization, name="Acme")
    names = ["Martin", "Petit", "Durand", "Moreau"]
    for index in range(36):
        session = sessions[index % 3]
        learner = make_learner(organization, last_name=names[index % 4], employer=acme)
        enrollment = make_enrollment(
            session, learner, **({"outcome": "cancelled"} if index == 7 else {})
        )
        funding_type = TYPES[index % 5]
        status = STATUSES[(index // 2) % 4]
        fields = {}
        if status == FundingStatus.PAID:
            fields["remittance_reference"] = f"VIR-{index % 2}"
        allocation = make_allocation(
            enrollment,
            funding_type=funding_type,
            amount=Decimal("100.00") + Decimal(index * 37) / 100,
            status=status,
            **fields,
        )
        if index % 3 == 0:  # declared long ago: to chase if still Pending
            FundingAllocation.objects.filter(pk=allocation.pk).update(
                created_at=timezone.now() - datetime.timedelta(days=40 + index)
            )
    foreign = make_enrollment(make_session(other_organization))
    make_allocation(foreign, funding_type=FundingType.CPF, status=FundingStatus.APPROVED)
    make_allocation(foreign, funding_type=FundingType.EMPLOYER, status=FundingStatus.PENDING)
    return {"sessions": sessions, "course_a": course_a, "acme": acme}


def direct_totals(organization, filters: AllocationFilters) -> dict:
    """The figures the page shows, added up here from the matching rows one by one."""
    rows = filter_allocations(organization=organization, filters=filters).values_list(
        "funding_type", "status", "approved_amount"
    )
    by_type: dict = defaultdict(lambda: [0, Decimal("0"), Decimal("0")])
    by_status: dict = defaultdict(lambda: [0, Decimal("0"), Decimal("0")])
    for funding_type, status, amount in rows:
        counted = amount if status in COUNTED_STATUSES else Decimal("0")
        for line in (by_type[funding_type], by_status[status]):
            line[0] += 1
            line[1] += amount
            line[2] += counted
    return {
        "by_type": {key: tuple(line) for key, line in by_type.items()},
        "by_status": {key: tuple(line) for key, line in by_status.items()},
        "count": sum(line[0] for line in by_status.values()),
        "approved": sum((line[1] for line in by_status.values()), Decimal("0")),
        "counted": sum((line[2] for line in by_status.values()), Decimal("0")),
    }


def shown_totals(totals) -> dict:
    def lines(of):
        return {l.key: (l.count, l.approved_amount, l.counted_amount) for l in of}  # noqa: E741

    return {
        "by_type": lines(totals.by_type),
        "by_status": lines(totals.by_status),
        "count": totals.count,
        "approved": totals.approved_amount,
        "counted": totals.counted_amount,
    }


PARAMS = [
    {},
    {"funding_type": "cpf"},
    {"status": "approved"},
    {"funding_type": "cpf", "status": "approved"},
    {"funding_type": "employer", "status": "pending"},
    {"funding_type": "france_travail", "status": "paid"},
    {"status": "rejected", "carrier": "company"},
    {"carrier": "individual"},
    {"q": "petit"},
    {"q": "martin", "status": "paid"},
    {"chase": "pending_30"},
    {"chase": "unpaid", "carrier": "individual"},
    {"funder": "caisse_des_depots"},
    {"remittance": "VIR-1"},
    {"period_from": "2025-05-01"},
    {"period_to": "2025-04-30", "status": "approved"},
    {"page": "2"},
]


def test_totals_equal_a_direct_sum_of_the_matching_rows(admin_client, organization, many):
    # Every filter would pass on an empty or uniform data set: this one is not.
    every = direct_totals(organization, AllocationFilters())
    assert every["count"] == 36
    assert set(every["by_type"]) == set(TYPES)
    assert set(every["by_status"]) == set(STATUSES)
    # One data set for every filter (building it is most of the test's time).
    for params in [
        *PARAMS,
        {"session": many["sessions"][1].pk},
        {"session": many["sessions"][2].pk, "funding_type": "cpf"},
        {"course": many["course_a"].pk, "status": "pending"},
        {"funder": f"company:{many['acme'].pk}"},
    ]:
        response = admin_client.get(LIST_URL, params)
        assert response.status_code == 200
        expected = direct_totals(organization, response.context["form"].filters())
        assert 0 < expected["count"] <= 36, params
        assert shown_totals(response.context["totals"]) == expected, params
        assert response.context["page"].paginator.count == expected["count"], params


@pytest.mark.postgresql_only
def test_totals_of_a_type_and_status_are_read_from_an_index_alone(organization, many):
    """On PostgreSQL the totals' query never reads the table: at 400 000 learners, reading the
    61 000 CPF + Approved rows from it was most of the Funding page's time."""
    filters = AllocationFilters(funding_type="cpf", status="approved")
    query = grouped_totals_query(
        allocations=filter_allocations(organization=organization, filters=filters),
        field_names=("funding_type", "status"),
    )
    with connection.cursor() as cursor:
        # A few test rows: a sequential scan would be cheapest, so it is ruled out; the
        # statistics tell the planner which index narrows the rows most, as in production.
        cursor.execute("ANALYZE funding_fundingallocation")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    assert "Index Only Scan using allocation_totals" in query.explain()


def test_the_totals_index_is_postgresqls_only():
    """SQLite must not have it: its planner read the page's rows through it and sorted every
    matching allocation (117 ms instead of 1 ms at 40 000 learners) instead of walking the
    sessions by start date and stopping after a page (migration 0013)."""
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "funding_fundingallocation")
    assert ("allocation_totals" in indexes) == (connection.vendor == "postgresql")
    assert "allocation_org_status_type" not in indexes
