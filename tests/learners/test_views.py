from __future__ import annotations

import pytest
from django.urls import reverse

from learners.models import Learner
from tests.conftest import make_company, make_enrollment, make_learner, make_session

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("learners:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_shows_only_this_organisation(admin_client, organization, other_organization):
    make_learner(organization, last_name="Dupont")
    make_learner(other_organization, last_name="Secret")
    response = admin_client.get(reverse("learners:list"))
    assert response.status_code == 200
    assert "Dupont" in response.text
    assert "Secret" not in response.text


def test_search_filters_and_htmx_returns_only_the_results(admin_client, organization):
    make_learner(organization, first_name="Camille", last_name="Martin")
    make_learner(organization, first_name="Hugo", last_name="Bernard")
    response = admin_client.get(
        reverse("learners:list"), {"q": "mart"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Martin" in response.text and "Bernard" not in response.text
    assert "<html" not in response.text  # the partial, not the page
    assert 'id="results"' not in response.text  # the inside of #results, not nested


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_is_fixed(admin_client, organization, django_assert_max_num_queries, rows):
    company = make_company(organization)
    for _ in range(rows):
        make_learner(organization, employer=company)
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("learners:list"))
    assert response.status_code == 200


def test_trainer_can_read_but_not_create(trainer_client, organization):
    learner = make_learner(organization)
    assert trainer_client.get(reverse("learners:list")).status_code == 200
    assert trainer_client.get(reverse("learners:detail", args=[learner.pk])).status_code == 200
    assert trainer_client.get(reverse("learners:create")).status_code == 403
    assert trainer_client.post(reverse("learners:edit", args=[learner.pk]), {}).status_code == 403


def test_other_organisation_learner_is_404(admin_client, other_organization):
    stranger = make_learner(other_organization)
    assert admin_client.get(reverse("learners:detail", args=[stranger.pk])).status_code == 404
    assert admin_client.get(reverse("learners:edit", args=[stranger.pk])).status_code == 404


def test_create_learner(admin_client, organization):
    company = make_company(organization)
    response = admin_client.post(
        reverse("learners:create"),
        {
            "first_name": "Léa",
            "last_name": "Moreau",
            "email": "lea.moreau@example.fr",
            "employer": company.pk,
            "professional_status": "private_employee",
        },
    )
    learner = Learner.objects.get(last_name="Moreau")
    assert response.status_code == 302
    assert learner.organization == organization and learner.employer == company


def test_bad_email_and_foreign_employer_are_rejected_and_input_kept(
    admin_client, organization, other_organization
):
    foreign_company = make_company(other_organization)
    response = admin_client.post(
        reverse("learners:create"),
        {
            "first_name": "Léa",
            "last_name": "Moreau",
            "email": "not-an-email",
            "employer": foreign_company.pk,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    assert "Select a valid choice" in form.errors["employer"][0]
    assert 'value="Moreau"' in response.text
    assert not Learner.objects.filter(last_name="Moreau").exists()


def test_detail_lists_sessions(admin_client, organization):
    learner = make_learner(organization)
    session = make_session(organization, reference="SESS-42")
    make_enrollment(session, learner)
    response = admin_client.get(reverse("learners:detail", args=[learner.pk]))
    assert "SESS-42" in response.text


def test_list_writes_first_name_then_last_name(admin_client, organization):
    """One order everywhere: "Mélanie Chevalier", as on every other page."""
    make_learner(organization, first_name="Mélanie", last_name="Chevalier")
    response = admin_client.get(reverse("learners:list"))
    assert "Mélanie Chevalier" in response.text
    assert "Chevalier Mélanie" not in response.text
