"""A learner's page shows their funding: each allocation with its session, carrier, type, status
and approved amount — to administrators (a trainer's page has no funding section)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from funding.models import FundingStatus
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db


def detail_url(learner) -> str:
    return reverse("learners:detail", args=[learner.pk])


@pytest.fixture
def funded(organization):
    employer = make_company(organization, name="Acme Industrie")
    learner = make_learner(organization, first_name="Mélanie", last_name="Chevalier")
    learner.employer = employer
    learner.save()
    cpf = make_enrollment(make_session(organization, reference="EXCEL-03"), learner)
    opco = make_enrollment(make_session(organization, reference="MAN-2503"), learner)
    make_allocation(cpf, funding_type=FundingType.CPF, amount="1500.00")
    make_allocation(
        opco,
        funding_type=FundingType.OPCO_SKILLS_PLAN,
        amount="800.00",
        status=FundingStatus.PENDING,
        carrier=employer,
    )
    return learner


def test_administrator_sees_the_learners_allocations(admin_client, funded):
    response = admin_client.get(detail_url(funded))
    assert response.status_code == 200
    section = response.text[response.text.index('id="learner-funding"') :]
    for text in ("EXCEL-03", "MAN-2503", "CPF", "Acme Industrie", "1 500,00 €", "800,00 €"):
        assert text in section
    assert '<span class="badge approved">Approved</span>' in section
    assert '<span class="badge pending">Pending</span>' in section
    assert reverse("funding:company_funding", args=[funded.employer.pk]) in section


def test_learner_without_funding_says_so(admin_client, organization):
    learner = make_learner(organization)
    response = admin_client.get(detail_url(learner))
    assert "No funding recorded for this learner." in response.text


def test_trainer_sees_no_funding(trainer_client, funded):
    response = trainer_client.get(detail_url(funded))
    assert response.status_code == 200
    assert 'id="learner-funding"' not in response.text and "1 500,00 €" not in response.text


def test_another_organisations_allocations_are_not_shown(
    admin_client, organization, other_organization, funded
):
    stranger = make_learner(other_organization)
    make_allocation(make_enrollment(make_session(other_organization), stranger), amount="999.00")
    assert "999,00 €" not in admin_client.get(detail_url(funded)).text


@pytest.mark.parametrize("rows", [1, 6])
def test_query_count_is_fixed(admin_client, organization, django_assert_max_num_queries, rows):
    learner = make_learner(organization)
    for _ in range(rows):
        enrollment = make_enrollment(make_session(organization), learner)
        make_allocation(enrollment)
        make_allocation(enrollment, funding_type=FundingType.EMPLOYER)
    with django_assert_max_num_queries(14):
        assert admin_client.get(detail_url(learner)).status_code == 200
