"""+ Add funding from a session page's under-funded learner (counted funding below the course
price): the learner and the session filled in, the carrier proposed (the learner's employer, the
learner as an individual)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import FundingAllocation
from funding.types import FundingType
from individuals.models import Individual
from tests.conftest import (
    make_allocation,
    make_company,
    make_course,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(organization):
    return make_company(organization, name="Acme Industrie")


@pytest.fixture
def session(organization):
    return make_session(organization, make_course(organization, price=Decimal("1200.00")))


def session_page(client, session):
    return client.get(reverse("training:session_detail", args=[session.pk])).text


def test_an_unfunded_employee_is_offered_the_employer_and_the_individual(
    admin_client, organization, session, acme
):
    learner = make_learner(organization, first_name="Camille", last_name="Martin", employer=acme)
    make_enrollment(session, learner)
    text = session_page(admin_client, session)
    company_add = reverse("funding:company_funding_add", args=[acme.pk])
    assert f'href="{company_add}?session={session.pk}&amp;learner={learner.pk}"' in text
    assert "+ Add funding: Acme Industrie" in text
    # No individual record yet: it is created first, then on to the funding form.
    create = reverse("individuals:create")
    assert f'href="{create}?learner={learner.pk}&amp;for_session={session.pk}"' in text
    assert "+ Add funding: Camille Martin (individual)" in text


def test_an_existing_individual_record_is_linked(admin_client, organization, session):
    learner = make_learner(organization, employer=None)
    individual = make_individual(learner)
    make_enrollment(session, learner)
    text = session_page(admin_client, session)
    add = reverse("individuals:funding_add", args=[individual.pk])
    assert f'href="{add}?session={session.pk}"' in text
    assert "company_funding_add" not in text
    assert reverse("individuals:create") + "?learner" not in text


def test_a_partly_funded_learner_is_under_funded_and_offered_the_rest(
    admin_client, organization, session, acme
):
    learner = make_learner(organization, employer=acme)
    make_allocation(make_enrollment(session, learner), amount="1000.00")
    text = session_page(admin_client, session)
    assert "+ Add funding: " in text
    assert '<th class="num">Under-funded</th>' in text
    assert '<span class="badge warning">200,00 €</span>' in text
    assert "Unfunded" not in text
    french = admin_client.get(
        reverse("training:session_detail", args=[session.pk]), headers={"Accept-Language": "fr"}
    ).text
    assert '<th class="num">Sous-financé</th>' in french


def test_a_funded_learner_is_offered_nothing(admin_client, organization, session, acme):
    learner = make_learner(organization, employer=acme)
    make_allocation(make_enrollment(session, learner), amount="1200.00")
    assert "+ Add funding:" not in session_page(admin_client, session)


def test_the_company_form_comes_with_session_and_learner_chosen(
    admin_client, organization, session, acme
):
    other_session = make_session(organization)
    learner = make_learner(organization, employer=acme)
    make_enrollment(session, learner)
    make_enrollment(other_session, make_learner(organization, last_name="Ailleurs"))
    url = reverse("funding:company_funding_add", args=[acme.pk])
    response = admin_client.get(url, {"session": session.pk, "learner": learner.pk})
    form = response.context["form"]
    assert form["session"].value() == session.pk
    assert form["learner"].value() == learner.pk
    # The learners offered are those of the chosen session.
    assert "Ailleurs" not in response.text
    assert f'<option value="{learner.pk}" selected>' in response.text
    # Saved as usual.
    data = {
        "funding_type": FundingType.OPCO_SKILLS_PLAN,
        "approved_amount": "1 200,00",
        "session": session.pk,
        "learner": learner.pk,
        "form_token": str(form["form_token"].value()),
    }
    admin_client.post(url, data)
    assert FundingAllocation.objects.filter(company=acme, learner=learner).exists()


def test_a_preset_of_another_organisation_is_ignored(
    admin_client, other_organization, acme, session
):
    foreign = make_session(other_organization)
    url = reverse("funding:company_funding_add", args=[acme.pk])
    response = admin_client.get(url, {"session": foreign.pk, "learner": "x"})
    assert response.status_code == 200
    assert f'value="{foreign.pk}" selected' not in response.text


def test_the_individual_form_comes_with_the_session_chosen(admin_client, organization, session):
    learner = make_learner(organization)
    individual = make_individual(learner)
    make_enrollment(session, learner)
    make_enrollment(make_session(organization), learner)
    url = reverse("individuals:funding_add", args=[individual.pk])
    response = admin_client.get(url, {"session": session.pk})
    assert response.context["form"]["session"].value() == session.pk


def test_a_new_individual_record_leads_on_to_the_funding_form(admin_client, organization, session):
    learner = make_learner(organization, first_name="Léa", last_name="Petit")
    make_enrollment(session, learner)
    create = reverse("individuals:create")
    page = admin_client.get(create, {"learner": learner.pk, "for_session": session.pk})
    assert f'name="for_session" value="{session.pk}"' in page.text
    response = admin_client.post(
        create,
        {
            "learner": learner.pk,
            "learner_query": "",
            "billing_name": "",
            "billing_email": "",
            "billing_address": "",
            "notes": "",
            "for_session": session.pk,
        },
    )
    individual = Individual.objects.get(learner=learner)
    add = reverse("individuals:funding_add", args=[individual.pk])
    assert response["Location"] == f"{add}?session={session.pk}"


def test_the_session_page_query_count_does_not_grow_with_learners(
    admin_client, organization, session, acme, django_assert_max_num_queries
):
    for n in range(3):
        make_enrollment(session, make_learner(organization, employer=acme if n % 2 else None))
    url = reverse("training:session_detail", args=[session.pk])
    admin_client.get(url)
    with django_assert_max_num_queries(30) as few:
        admin_client.get(url)
    baseline = len(few.captured_queries)
    for n in range(6):
        learner = make_learner(organization, employer=acme if n % 2 else None)
        make_enrollment(session, learner)
        if n % 3 == 0:
            make_individual(learner)
    with django_assert_max_num_queries(baseline):
        admin_client.get(url)
