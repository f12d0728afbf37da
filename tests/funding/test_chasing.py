"""The chasing list: pending allocations by age and approved ones unpaid after their session,
per funder, on the dashboard and as a Funding filter (funding/chasing.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from companies.models import Opco
from funding.chase_overview import chasing_overview
from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("funding:list")
TODAY = timezone.localdate()


def declared_days_ago(allocation, days: int):
    FundingAllocation.objects.filter(pk=allocation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days, hours=1)
    )
    return allocation


@pytest.fixture
def atlas_company(organization):
    return make_company(organization, name="Acme", opco=Opco.ATLAS)


@pytest.fixture
def cases(organization, atlas_company):
    """Pending for 10, 40, 70 and 100 days (OPCO Atlas), one CPF pending 95 days, approved
    unpaid after an ended session (CPF), approved for a session not ended yet, paid."""
    ended = make_session(
        organization,
        start_date=TODAY.replace(day=1) - datetime.timedelta(days=40),
        end_date=TODAY - datetime.timedelta(days=1),
    )
    future = make_session(
        organization,
        start_date=TODAY + datetime.timedelta(days=5),
        end_date=TODAY + datetime.timedelta(days=6),
    )

    def opco(days, amount):
        learner = make_learner(organization, employer=atlas_company)
        allocation = make_allocation(
            make_enrollment(ended, learner),
            funding_type=FundingType.OPCO_SKILLS_PLAN,
            carrier=atlas_company,
            status=FundingStatus.PENDING,
            amount=amount,
        )
        return declared_days_ago(allocation, days)

    return {
        "p10": opco(10, "100.00"),
        "p40": opco(40, "200.00"),
        "p70": opco(70, "300.00"),
        "p100": opco(100, "400.00"),
        "cpf95": declared_days_ago(
            make_allocation(make_enrollment(ended), status=FundingStatus.PENDING, amount="50"),
            95,
        ),
        "unpaid": make_allocation(make_enrollment(ended), amount="1000.00"),
        "not_ended": make_allocation(make_enrollment(future), amount="999.00"),
        "paid": make_allocation(make_enrollment(ended), status=FundingStatus.PAID),
    }


def pks(response) -> set[int]:
    return {allocation.pk for allocation in response.context["page"].object_list}


def test_overview_per_funder(organization, cases):
    overview = chasing_overview(organization=organization)
    by_name = {funder.name: funder for funder in overview.funders}
    assert set(by_name) == {"ATLAS", "Caisse des Dépôts (CPF)"}
    atlas = by_name["ATLAS"]
    assert [(c, cell.count, str(cell.amount)) for c, cell in atlas.in_order()] == [
        ("pending_30", 3, "900.00"),
        ("pending_60", 2, "700.00"),
        ("pending_90", 1, "400.00"),
        ("unpaid", 0, "0.00"),
    ]
    cpf = by_name["Caisse des Dépôts (CPF)"]
    assert [(c, cell.count) for c, cell in cpf.in_order()] == [
        ("pending_30", 1),
        ("pending_60", 1),
        ("pending_90", 1),
        ("unpaid", 1),
    ]
    # Most owed first: the CPF's 1 050 € before Atlas's 900 €.
    assert [funder.name for funder in overview.funders] == ["Caisse des Dépôts (CPF)", "ATLAS"]
    assert overview.totals["pending_30"].count == 4
    assert overview.totals["unpaid"].count == 1


@pytest.mark.parametrize(
    ("chase", "expected"),
    [
        ("pending_30", {"p40", "p70", "p100", "cpf95"}),
        ("pending_60", {"p70", "p100", "cpf95"}),
        ("pending_90", {"p100", "cpf95"}),
        ("unpaid", {"unpaid"}),
    ],
)
def test_funding_filter(admin_client, cases, chase, expected):
    response = admin_client.get(LIST_URL, {"chase": chase})
    assert pks(response) == {cases[name].pk for name in expected}


def test_funding_filter_per_funder(admin_client, cases):
    response = admin_client.get(LIST_URL, {"chase": "pending_60", "funder": "opco:atlas"})
    assert pks(response) == {cases["p70"].pk, cases["p100"].pk}
    assert "ATLAS" in response.text  # the funder filter is shown, with a way out
    assert "All funders" in response.text
    response = admin_client.get(LIST_URL, {"funder": "caisse_des_depots"})
    assert cases["cpf95"].pk in pks(response)
    assert cases["p10"].pk not in pks(response)


def test_a_company_paying_directly_is_its_own_funder(admin_client, organization):
    payer = make_company(organization, name="Direct SA")
    learner = make_learner(organization, employer=payer)
    session = make_session(organization, end_date=TODAY - datetime.timedelta(days=2))
    direct = make_allocation(
        make_enrollment(session, learner), funding_type=FundingType.EMPLOYER, carrier=payer
    )
    overview = chasing_overview(organization=organization)
    assert [(f.key, f.name) for f in overview.funders] == [(f"company:{payer.pk}", "Direct SA")]
    response = admin_client.get(LIST_URL, {"chase": "unpaid", "funder": f"company:{payer.pk}"})
    assert pks(response) == {direct.pk}


def test_an_unknown_funder_is_ignored(admin_client, cases):
    response = admin_client.get(LIST_URL, {"funder": "nonsense:x"})
    assert len(pks(response)) == len(cases)
    assert "All funders" not in response.text


def test_dashboard_shows_the_chasing_list_with_links(admin_client, cases):
    response = admin_client.get(reverse("dashboard"))
    text = response.text
    assert "To chase" in text
    assert f'href="{LIST_URL}?chase=pending_90&amp;funder=opco%3Aatlas"' in text
    assert f'href="{LIST_URL}?chase=unpaid&amp;funder=caisse_des_depots"' in text
    assert f'href="{LIST_URL}?chase=pending_30"' in text  # the totals


def test_dashboard_nothing_to_chase(admin_client, organization):
    assert "Nothing to chase." in admin_client.get(reverse("dashboard")).text


def test_trainer_sees_no_chasing(trainer_client, cases):
    assert "To chase" not in trainer_client.get(reverse("dashboard")).text


def test_other_organisation_not_counted(other_organization, organization, cases):
    assert chasing_overview(organization=other_organization).empty


def test_overview_ranks_and_cuts_the_carriers_in_sql(organization, django_assert_num_queries):
    """A company paying directly is a funder of its own: with thousands of them the dashboard
    must not read them all. The `limit` owing the most come back, in two queries (the
    pending ones, then everything Approved and unpaid), and the count says how many funders
    there are in all."""
    session = make_session(
        organization,
        start_date=TODAY - datetime.timedelta(days=20),
        end_date=TODAY - datetime.timedelta(days=10),
    )
    for index in range(12):
        company = make_company(organization, name=f"Client {index:02d}")
        learner = make_learner(organization, employer=company)
        declared_days_ago(
            make_allocation(
                make_enrollment(session, learner),
                funding_type=FundingType.EMPLOYER,
                carrier=company,
                amount=f"{100 + index}.00",
                status=FundingStatus.PENDING,
            ),
            45,
        )
    with django_assert_num_queries(2):
        overview = chasing_overview(organization=organization, limit=5)
    assert overview.funder_count == 12
    assert [funder.name for funder in overview.funders] == [
        "Client 11",
        "Client 10",
        "Client 09",
        "Client 08",
        "Client 07",
    ]
    assert overview.funders[0].cells["pending_30"].amount == Decimal("111.00")
    assert overview.totals["pending_30"].count == 12


@pytest.mark.parametrize("count", [3, 30])
def test_filtered_list_query_count_is_fixed(
    admin_client, organization, atlas_company, django_assert_max_num_queries, count
):
    session = make_session(organization, end_date=TODAY - datetime.timedelta(days=1))
    for _ in range(count):
        learner = make_learner(organization, employer=atlas_company)
        make_allocation(
            make_enrollment(session, learner),
            funding_type=FundingType.OPCO_SKILLS_PLAN,
            carrier=atlas_company,
        )
    # The page's nine queries, and the funder's name.
    with django_assert_max_num_queries(10):
        response = admin_client.get(
            LIST_URL, {"chase": "unpaid", "funder": f"opco_not_set:{atlas_company.pk}"}
        )
    assert response.context["totals"].count == 0  # Atlas is set: not "OPCO not set"
    with django_assert_max_num_queries(10):
        response = admin_client.get(LIST_URL, {"chase": "unpaid", "funder": "opco:atlas"})
    assert response.context["totals"].count == count
