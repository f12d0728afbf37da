from __future__ import annotations

import pytest
from django.urls import reverse

from companies.models import Company
from tests.conftest import make_company, make_learner

pytestmark = pytest.mark.django_db

VALID_SIRET = "73282932000074"


def test_anonymous_is_sent_to_login(client, organization):
    company = make_company(organization)
    for url in (
        reverse("companies:list"),
        reverse("companies:create"),
        reverse("companies:detail", args=[company.pk]),
        reverse("companies:edit", args=[company.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_trainer_gets_403_everywhere(trainer_client, organization):
    company = make_company(organization)
    assert trainer_client.get(reverse("companies:list")).status_code == 403
    assert trainer_client.get(reverse("companies:create")).status_code == 403
    assert trainer_client.get(reverse("companies:detail", args=[company.pk])).status_code == 403
    response = trainer_client.post(reverse("companies:edit", args=[company.pk]), {"name": "X"})
    assert response.status_code == 403
    company.refresh_from_db()
    assert company.name != "X"


def test_other_organisation_company_is_404(admin_client, other_organization):
    stranger = make_company(other_organization)
    assert admin_client.get(reverse("companies:detail", args=[stranger.pk])).status_code == 404
    assert admin_client.get(reverse("companies:edit", args=[stranger.pk])).status_code == 404


def test_list_shows_only_this_organisation_with_employee_count(
    admin_client, organization, other_organization
):
    company = make_company(organization, name="Boulangerie Dupain", siret=VALID_SIRET, opco="akto")
    make_learner(organization, employer=company)
    make_learner(organization, employer=company)
    make_company(other_organization, name="Secret SA")
    response = admin_client.get(reverse("companies:list"))
    assert response.status_code == 200
    assert "Boulangerie Dupain" in response.text and "Secret SA" not in response.text
    assert "AKTO" in response.text and VALID_SIRET in response.text
    row = response.context["page"].object_list[0]
    assert row.employee_count == 2


@pytest.mark.parametrize(
    ("query", "found"),
    [("dupain", True), ("732829", True), ("compta@dupain", True), ("zzz", False)],
)
def test_search_by_name_siret_email_and_htmx_returns_only_the_results(
    admin_client, organization, query, found
):
    make_company(
        organization, name="Boulangerie Dupain", siret=VALID_SIRET, billing_email="compta@dupain.fr"
    )
    make_company(organization, name="Garage Martin")
    response = admin_client.get(
        reverse("companies:list"), {"q": query}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="results"' not in response.text  # the inside of #results, not nested
    assert ("Boulangerie Dupain" in response.text) is found
    assert "Garage Martin" not in response.text


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_is_fixed(admin_client, organization, django_assert_max_num_queries, rows):
    for _ in range(rows):
        company = make_company(organization)
        make_learner(organization, employer=company)
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("companies:list"))
    assert response.status_code == 200


def test_create_company_accepts_siret_with_spaces(admin_client, organization):
    response = admin_client.post(
        reverse("companies:create"),
        {
            "name": "Boulangerie Dupain",
            "siret": "732 829 320 00074",
            "kind": "private_employer",
            "opco": "opco_ep",
            "billing_email": "compta@dupain.fr",
        },
    )
    company = Company.objects.get(name="Boulangerie Dupain")
    assert response.status_code == 302
    assert response["Location"] == reverse("companies:detail", args=[company.pk])
    assert company.organization == organization
    assert company.siret == VALID_SIRET and company.opco == "opco_ep"


def test_siret_failing_luhn_is_rejected_next_to_the_field_and_input_kept(admin_client):
    response = admin_client.post(
        reverse("companies:create"),
        {"name": "Boulangerie Dupain", "siret": "73282932000075", "kind": "private_employer"},
    )
    assert response.status_code == 200
    assert "check digit is wrong" in response.context["form"].errors["siret"][0]
    assert 'value="Boulangerie Dupain"' in response.text
    assert 'id="id_siret_error"' in response.text
    assert not Company.objects.filter(name="Boulangerie Dupain").exists()


def test_unknown_kind_and_opco_are_rejected(admin_client):
    response = admin_client.post(
        reverse("companies:create"), {"name": "X", "kind": "pirate", "opco": "nope"}
    )
    form = response.context["form"]
    assert "kind" in form.errors and "opco" in form.errors
    assert not Company.objects.exists()


def test_edit_company(admin_client, organization):
    company = make_company(organization, name="Ancien nom")
    response = admin_client.post(
        reverse("companies:edit", args=[company.pk]),
        {"name": "Nouveau nom", "siret": "", "kind": "public_employer", "opco": ""},
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "Nouveau nom" and company.kind == "public_employer"


def test_detail_lists_employees_linking_to_learners_and_has_tabs(admin_client, organization):
    company = make_company(organization, siret=VALID_SIRET)
    employee = make_learner(organization, last_name="Moreau", employer=company)
    make_learner(organization, last_name="Ailleurs")
    response = admin_client.get(reverse("companies:detail", args=[company.pk]))
    assert response.status_code == 200
    assert reverse("learners:detail", args=[employee.pk]) in response.text
    assert "Moreau" in response.text and "Ailleurs" not in response.text
    assert '<nav class="tabs"' in response.text and "Overview" in response.text
