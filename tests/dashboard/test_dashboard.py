from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funding.models import FundingAllocation, FundingStatus
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

URL = reverse("dashboard")
TODAY = timezone.localdate()


def this_year_session(organization, **fields):
    return make_session(
        organization,
        start_date=TODAY.replace(month=1, day=10),
        end_date=TODAY.replace(month=1, day=12),
        **fields,
    )


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_trainer_sees_the_simple_dashboard(trainer_client, organization):
    make_allocation(make_enrollment(this_year_session(organization)), status="pending")
    response = trainer_client.get(URL)
    assert response.status_code == 200
    assert "pending" not in response.context
    assert "Pending allocations" not in response.text
    assert reverse("funding:list") not in response.text


def test_pending_allocations_oldest_first_with_links(admin_client, organization):
    session = this_year_session(organization)
    company = make_company(organization, name="Acme")
    older = make_allocation(
        make_enrollment(session, make_learner(organization, last_name="Ancien")),
        status=FundingStatus.PENDING,
        amount="100.10",
    )
    newer = make_allocation(
        make_enrollment(session, make_learner(organization, last_name="Recent")),
        funding_type=FundingType.OPCO_SKILLS_PLAN,
        carrier=company,
        status=FundingStatus.PENDING,
        amount="200.20",
    )
    FundingAllocation.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30)
    )
    make_allocation(make_enrollment(session), status=FundingStatus.APPROVED, amount="999.00")
    response = admin_client.get(URL)
    pending = response.context["pending"]
    assert pending.count == 2
    assert pending.amount == Decimal("300.30")
    assert [a.pk for a in pending.oldest] == [older.pk, newer.pk]
    text = response.text
    assert text.index("Ancien") < text.index("Recent")
    assert "300,30 €" in text
    assert f'href="{reverse("individuals:funding", args=[older.individual_id])}"' in text
    assert f'href="{reverse("funding:company_funding", args=[company.pk])}"' in text
    assert f"{reverse('funding:list')}?status=pending" in text


def test_sessions_with_underfunded_learners(admin_client, organization):
    course = make_course(organization, price=Decimal("1000.00"))
    short = this_year_session(organization, course=course, reference="SHORT")
    make_allocation(make_enrollment(short), amount="400.00")  # 600 under-funded
    make_allocation(make_enrollment(short), amount="1000.00")  # funded
    make_allocation(make_enrollment(short), amount="1000.00", status="pending")  # 1 000 short
    funded = this_year_session(organization, course=course, reference="FUNDED")
    make_allocation(make_enrollment(funded), amount="1000.00", status=FundingStatus.PAID)
    response = admin_client.get(URL)
    underfunded = response.context["underfunded"]
    assert (underfunded.sessions, underfunded.learners, underfunded.amount) == (
        1,
        2,
        Decimal("1600.00"),
    )
    rows = underfunded.rows
    assert [row["session__reference"] for row in rows] == ["SHORT"]
    assert f"{reverse('training:session_detail', args=[short.pk])}#session-funding" in (
        response.text
    )
    assert "1 600,00 €" in response.text
    assert "Sessions with under-funded learners" in response.text
    assert "unfunded" not in response.text.lower()
    french = admin_client.get(URL, headers={"Accept-Language": "fr"})
    assert "Sessions avec des apprenants sous-financés" in french.text
    assert "Sous-financé" in french.text


def test_fiscal_year_totals_by_status(admin_client, organization):
    session = this_year_session(organization)
    make_allocation(make_enrollment(session), amount="100.00", status=FundingStatus.APPROVED)
    make_allocation(make_enrollment(session), amount="50.50", status=FundingStatus.APPROVED)
    make_allocation(make_enrollment(session), amount="70.00", status=FundingStatus.PENDING)
    previous_year = make_session(
        organization,
        start_date=datetime.date(TODAY.year - 1, 3, 1),
        end_date=datetime.date(TODAY.year - 1, 3, 2),
    )
    make_allocation(make_enrollment(previous_year), amount="5000.00")
    response = admin_client.get(URL)
    assert response.context["fiscal_year"] == TODAY.year
    totals = {
        line.key: (line.count, line.approved_amount) for line in response.context["year_totals"]
    }
    assert totals == {
        "pending": (1, Decimal("70.00")),
        "approved": (2, Decimal("150.50")),
    }
    query = f"period_from={TODAY.year}-01-01&amp;period_to={TODAY.year}-12-31"
    assert query in response.text


def test_fiscal_year_follows_the_organisation_start(admin_client, organization):
    organization.fiscal_year_start_month = 7
    organization.save()
    response = admin_client.get(URL)
    expected_year = organization.fiscal_year_of(TODAY)
    start, end = organization.fiscal_year_bounds(expected_year)
    assert response.context["fiscal_year"] == expected_year
    assert (response.context["year_start"], response.context["year_end"]) == (start, end)
    assert start.month == 7 and start.day == 1


def test_no_other_organisation_data(admin_client, organization, other_organization):
    make_allocation(
        make_enrollment(this_year_session(other_organization)),
        status=FundingStatus.PENDING,
    )
    response = admin_client.get(URL)
    assert response.context["pending"].count == 0
    assert response.context["underfunded"].sessions == 0
    assert response.context["year_totals"] == []


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_is_fixed(admin_client, organization, django_assert_max_num_queries, count):
    company = make_company(organization)
    sessions = [this_year_session(organization) for _ in range(4)]
    for index in range(count):
        enrollment = make_enrollment(sessions[index % 4])
        if index % 3 == 0:
            make_allocation(enrollment, status=FundingStatus.PENDING, amount="10.00")
        elif index % 3 == 1:
            make_allocation(
                enrollment,
                funding_type=FundingType.OPCO_SKILLS_PLAN,
                carrier=company,
                status=FundingStatus.PENDING,
            )
    # Session, user, the memberships (current and the sidebar's); pending count and rows;
    # unfunded summary and sessions; the year's totals by status; what to chase, per funder
    # (funding/chase_overview.py: pending for over 30 days; then in one statement Approved and
    # unpaid by funder group, the carriers owed the most, and those with something pending for
    # long: here, a third of the pending ones). The page's target is 15 at most, whatever the
    # size.
    FundingAllocation.objects.filter(
        pk__in=[a.pk for a in FundingAllocation.objects.all()[::3]]
    ).update(created_at=timezone.now() - datetime.timedelta(days=45))
    with django_assert_max_num_queries(10):
        response = admin_client.get(URL)
    assert response.status_code == 200
